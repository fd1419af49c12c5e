"""The decoders beyond the Llama family (Gemma 1/2/3, Phi-3, Falcon, OLMo 1/2, DeepSeek-V2,
Qwen2-MoE) against transformers itself and against closed forms:

- the parameter count of each real Hub config equals the published checkpoint's (transformers
  builds the same model on meta: the same sum of numel);
- forward and backward multiply-adds of a reduced config (2 or 3 layers, a small vocabulary)
  equal ``torch.utils.flop_counter.FlopCounterMode`` on the transformers model (meta tensors),
  to the integer;
- forward multiply-adds of the full configs equal a closed form written from the config alone:
  T × (the weights a token multiplies) + L·H·T²·(d_qk + d_v);
- the attention conventions: ``full`` (what the kernels execute) and ``causal`` (only the
  scores the mask keeps, sliding windows per layer), exact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from aicompute import InputError  # noqa: E402
from aicompute.cli import app  # noqa: E402
from aicompute.counting import count, from_hf_config  # noqa: E402
from aicompute.counting.models import causal_scores  # noqa: E402

# -- the Hub's config.json files (their shape fields)

GEMMA_2B = {  # google/gemma-2b
    "architectures": ["GemmaForCausalLM"],
    "attention_bias": False,
    "bos_token_id": 2,
    "eos_token_id": 1,
    "head_dim": 256,
    "hidden_act": "gelu",
    "hidden_size": 2048,
    "intermediate_size": 16384,
    "max_position_embeddings": 8192,
    "model_type": "gemma",
    "num_attention_heads": 8,
    "num_hidden_layers": 18,
    "num_key_value_heads": 1,
    "pad_token_id": 0,
    "rms_norm_eps": 1e-06,
    "rope_theta": 10000.0,
    "vocab_size": 256000,
}
GEMMA2_9B = {  # google/gemma-2-9b
    "architectures": ["Gemma2ForCausalLM"],
    "attention_bias": False,
    "attn_logit_softcapping": 50.0,
    "bos_token_id": 2,
    "cache_implementation": "hybrid",
    "eos_token_id": 1,
    "final_logit_softcapping": 30.0,
    "head_dim": 256,
    "hidden_act": "gelu_pytorch_tanh",
    "hidden_activation": "gelu_pytorch_tanh",
    "hidden_size": 3584,
    "intermediate_size": 14336,
    "max_position_embeddings": 8192,
    "model_type": "gemma2",
    "num_attention_heads": 16,
    "num_hidden_layers": 42,
    "num_key_value_heads": 8,
    "pad_token_id": 0,
    "query_pre_attn_scalar": 256,
    "rms_norm_eps": 1e-06,
    "rope_theta": 10000.0,
    "sliding_window": 4096,
    "sliding_window_size": 4096,
    "vocab_size": 256000,
}
GEMMA3_1B = {  # google/gemma-3-1b-pt (text only)
    "architectures": ["Gemma3ForCausalLM"],
    "attention_bias": False,
    "attn_logit_softcapping": None,
    "bos_token_id": 2,
    "cache_implementation": "hybrid",
    "eos_token_id": 1,
    "final_logit_softcapping": None,
    "head_dim": 256,
    "hidden_activation": "gelu_pytorch_tanh",
    "hidden_size": 1152,
    "intermediate_size": 6912,
    "max_position_embeddings": 32768,
    "model_type": "gemma3_text",
    "num_attention_heads": 4,
    "num_hidden_layers": 26,
    "num_key_value_heads": 1,
    "pad_token_id": 0,
    "query_pre_attn_scalar": 256,
    "rms_norm_eps": 1e-06,
    "rope_local_base_freq": 10000,
    "rope_theta": 1000000,
    "sliding_window": 512,
    "sliding_window_pattern": 6,
    "vocab_size": 262144,
}
GEMMA3_4B = {  # google/gemma-3-4b-pt: multimodal, the text tower lists what differs
    "architectures": ["Gemma3ForConditionalGeneration"],
    "boi_token_index": 255999,
    "eoi_token_index": 256000,
    "eos_token_id": [1, 106],
    "image_token_index": 262144,
    "mm_tokens_per_image": 256,
    "model_type": "gemma3",
    "text_config": {
        "hidden_size": 2560,
        "intermediate_size": 10240,
        "model_type": "gemma3_text",
        "num_hidden_layers": 34,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
        "sliding_window": 1024,
    },
    "vision_config": {
        "hidden_size": 1152,
        "image_size": 896,
        "intermediate_size": 4304,
        "model_type": "siglip_vision_model",
        "num_attention_heads": 16,
        "num_hidden_layers": 27,
        "patch_size": 14,
        "vision_use_head": False,
    },
}
PHI3_MINI = {  # microsoft/Phi-3-mini-4k-instruct
    "architectures": ["Phi3ForCausalLM"],
    "attention_bias": False,
    "bos_token_id": 1,
    "eos_token_id": 32000,
    "hidden_act": "silu",
    "hidden_size": 3072,
    "intermediate_size": 8192,
    "max_position_embeddings": 4096,
    "model_type": "phi3",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 32,
    "original_max_position_embeddings": 4096,
    "pad_token_id": 32000,
    "rms_norm_eps": 1e-05,
    "rope_theta": 10000.0,
    "sliding_window": 2047,
    "tie_word_embeddings": False,
    "vocab_size": 32064,
}
FALCON_7B = {  # tiiuae/falcon-7b: the old architecture
    "alibi": False,
    "apply_residual_connection_post_layernorm": False,
    "architectures": ["FalconForCausalLM"],
    "bias": False,
    "bos_token_id": 11,
    "eos_token_id": 11,
    "hidden_size": 4544,
    "layer_norm_epsilon": 1e-05,
    "model_type": "falcon",
    "multi_query": True,
    "new_decoder_architecture": False,
    "num_attention_heads": 71,
    "num_hidden_layers": 32,
    "parallel_attn": True,
    "vocab_size": 65024,
}
FALCON_40B = {  # tiiuae/falcon-40b: the new decoder architecture
    **FALCON_7B,
    "hidden_size": 8192,
    "new_decoder_architecture": True,
    "num_attention_heads": 128,
    "num_hidden_layers": 60,
    "num_kv_heads": 8,
}
OLMO_1B = {  # allenai/OLMo-1B-hf
    "architectures": ["OlmoForCausalLM"],
    "attention_bias": False,
    "clip_qkv": None,
    "eos_token_id": 50279,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "max_position_embeddings": 2048,
    "model_type": "olmo",
    "num_attention_heads": 16,
    "num_hidden_layers": 16,
    "num_key_value_heads": 16,
    "pad_token_id": 1,
    "rope_theta": 10000.0,
    "tie_word_embeddings": True,
    "vocab_size": 50304,
}
OLMO_7B = {  # allenai/OLMo-7B-hf
    **OLMO_1B,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 32,
    "tie_word_embeddings": False,
}
OLMO2_7B = {  # allenai/OLMo-2-1124-7B
    "architectures": ["Olmo2ForCausalLM"],
    "attention_bias": False,
    "eos_token_id": 100257,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "max_position_embeddings": 4096,
    "model_type": "olmo2",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 32,
    "pad_token_id": 100277,
    "rms_norm_eps": 1e-06,
    "rope_theta": 500000,
    "tie_word_embeddings": False,
    "vocab_size": 100352,
}
DEEPSEEK_V2_LITE = {  # deepseek-ai/DeepSeek-V2-Lite
    "architectures": ["DeepseekV2ForCausalLM"],
    "attention_bias": False,
    "bos_token_id": 100000,
    "eos_token_id": 100001,
    "first_k_dense_replace": 1,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "intermediate_size": 10944,
    "kv_lora_rank": 512,
    "max_position_embeddings": 163840,
    "model_type": "deepseek_v2",
    "moe_intermediate_size": 1408,
    "moe_layer_freq": 1,
    "n_group": 1,
    "n_routed_experts": 64,
    "n_shared_experts": 2,
    "norm_topk_prob": False,
    "num_attention_heads": 16,
    "num_experts_per_tok": 6,
    "num_hidden_layers": 27,
    "num_key_value_heads": 16,
    "q_lora_rank": None,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "rms_norm_eps": 1e-06,
    "rope_scaling": {
        "beta_fast": 32,
        "beta_slow": 1,
        "factor": 40,
        "mscale": 0.707,
        "mscale_all_dim": 0.707,
        "original_max_position_embeddings": 4096,
        "type": "yarn",
    },
    "rope_theta": 10000,
    "routed_scaling_factor": 1.0,
    "scoring_func": "softmax",
    "tie_word_embeddings": False,
    "topk_group": 1,
    "topk_method": "greedy",
    "v_head_dim": 128,
    "vocab_size": 102400,
}
QWEN15_MOE = {  # Qwen/Qwen1.5-MoE-A2.7B
    "architectures": ["Qwen2MoeForCausalLM"],
    "bos_token_id": 151643,
    "decoder_sparse_step": 1,
    "eos_token_id": 151643,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "intermediate_size": 5632,
    "max_position_embeddings": 8192,
    "max_window_layers": 21,
    "model_type": "qwen2_moe",
    "moe_intermediate_size": 1408,
    "norm_topk_prob": False,
    "num_attention_heads": 16,
    "num_experts": 60,
    "num_experts_per_tok": 4,
    "num_hidden_layers": 24,
    "num_key_value_heads": 16,
    "rms_norm_eps": 1e-06,
    "rope_theta": 1000000.0,
    "shared_expert_intermediate_size": 5632,
    "sliding_window": 32768,
    "tie_word_embeddings": False,
    "use_sliding_window": False,
    "vocab_size": 151936,
}

# name: (config, parameters of the checkpoint, its published size)
MODELS: dict[str, tuple[dict[str, Any], int, float]] = {
    "gemma-2b": (GEMMA_2B, 2_506_172_416, 2.5e9),
    "gemma-2-9b": (GEMMA2_9B, 9_241_705_984, 9.24e9),
    "gemma-3-1b": (GEMMA3_1B, 999_885_952, 1.0e9),
    "phi-3-mini": (PHI3_MINI, 3_821_079_552, 3.8e9),
    "falcon-7b": (FALCON_7B, 6_921_720_704, 6.92e9),
    "falcon-40b": (FALCON_40B, 41_303_293_952, 41.3e9),
    "olmo-1b": (OLMO_1B, 1_176_764_416, 1.18e9),
    "olmo-7b": (OLMO_7B, 6_888_095_744, 6.89e9),
    "olmo-2-7b": (OLMO2_7B, 7_298_617_344, 7.3e9),
    "deepseek-v2-lite": (DEEPSEEK_V2_LITE, 15_706_484_224, 15.7e9),
    "qwen1.5-moe-a2.7b": (QWEN15_MOE, 14_315_784_192, 14.3e9),
}


def write(tmp_path: Path, config: dict[str, Any], name: str = "config.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return str(path)


def hf_model(config: dict[str, Any]) -> Any:
    """The transformers model of a config, on meta (experts as batched matmuls, which
    FlopCounterMode counts; the default grouped_mm counts 0). Gemma 2's soft-capping needs
    the eager attention."""
    attn = "eager" if config["model_type"] == "gemma2" else "sdpa"
    fields = {k: v for k, v in config.items() if k != "model_type"}
    cfg = transformers.AutoConfig.for_model(config["model_type"], **fields)
    with torch.device("meta"):
        return transformers.AutoModelForCausalLM.from_config(
            cfg, attn_implementation=attn, experts_implementation="batched_mm"
        )


@pytest.fixture
def no_packed_sequences(monkeypatch: pytest.MonkeyPatch) -> None:
    """transformers looks for packed sequences with ``.item()``, which meta tensors refuse;
    there are none here."""
    from transformers import masking_utils

    monkeypatch.setattr(masking_utils, "find_packed_sequence_indices", lambda *a, **k: None)


def flop_counter_mode(model: Any, seq_len: int) -> tuple[int, int]:
    """Forward and backward multiply-adds of a transformers model by FlopCounterMode."""
    ids = torch.zeros(1, seq_len, dtype=torch.long, device="meta")
    mode = FlopCounterMode(display=False)
    with mode:
        logits = model(input_ids=ids, use_cache=False).logits
        forward = mode.get_total_flops()
        logits.float().sum().backward()
    return forward // 2, (mode.get_total_flops() - forward) // 2


# -- (a) parameter counts of the real checkpoints


@pytest.mark.parametrize("name", list(MODELS))
def test_parameters_of_the_real_checkpoints(tmp_path: Path, name: str) -> None:
    config, params, published = MODELS[name]
    preset = from_hf_config(write(tmp_path, config))
    with torch.device("meta"):
        ours = sum(p.numel() for p in preset.build().parameters())
    theirs = sum(p.numel() for p in hf_model(config).parameters())
    assert ours == theirs == params
    assert params == pytest.approx(published, rel=0.01)


def test_active_parameters_of_the_mixtures(tmp_path: Path) -> None:
    qwen = count(write(tmp_path, QWEN15_MOE), seq_len=64, backward="ratio")
    assert qwen.params == 14_315_784_192
    # Qwen1.5-MoE-A2.7B: 2.7B active (4 of 60 experts, the shared expert and its gate), 2.0B
    # without the embedding and output layers
    assert qwen.active_params == pytest.approx(2.7e9, rel=0.01)
    assert qwen.active_params - 2 * 151936 * 2048 == pytest.approx(2.0e9, rel=0.04)
    lite = count(write(tmp_path, DEEPSEEK_V2_LITE), seq_len=64, backward="ratio")
    # DeepSeek-V2-Lite: 2.4B active (6 of 64 routed experts + 2 shared), the input embedding
    # (a lookup) left out
    assert lite.active_params - 102400 * 2048 == pytest.approx(2.4e9, rel=0.03)


# -- (b) forward and backward against transformers + FlopCounterMode, to the integer

REDUCED = {
    "gemma-2b": 2,
    "gemma-2-9b": 2,
    "gemma-3-1b": 2,
    "phi-3-mini": 2,
    "falcon-7b": 2,
    "falcon-40b": 2,
    "olmo-1b": 2,
    "olmo-2-7b": 2,
    "deepseek-v2-lite": 3,  # one dense layer, two with experts
    "qwen1.5-moe-a2.7b": 2,
}


@pytest.mark.usefixtures("no_packed_sequences")
@pytest.mark.parametrize("name", list(REDUCED))
def test_forward_and_backward_equal_flop_counter_mode(tmp_path: Path, name: str) -> None:
    config = {
        **MODELS[name][0],
        "num_hidden_layers": REDUCED[name],
        "vocab_size": 512,
        "pad_token_id": None,
        "bos_token_id": None,
        "eos_token_id": None,
    }
    if name == "olmo-1b":
        config["clip_qkv"] = 8.0  # clamps are elementwise: no multiply-add more
    seq_len = 32
    model = hf_model(config)
    forward, backward = flop_counter_mode(model, seq_len)
    ours = count(write(tmp_path, config), seq_len=seq_len, attention="full")
    assert (ours.forward_macs, ours.backward_macs) == (forward, backward)
    assert ours.params == sum(p.numel() for p in model.parameters())
    assert ours.uncounted_ops == {}
    assert ours.attention == "full"


@pytest.mark.usefixtures("no_packed_sequences")
def test_gemma3_multimodal_counts_the_text_tower(tmp_path: Path) -> None:
    text = transformers.AutoConfig.for_model(
        "gemma3", **{k: v for k, v in GEMMA3_4B.items() if k != "model_type"}
    ).text_config
    with torch.device("meta"):
        tower = transformers.AutoModelForCausalLM.from_config(text, attn_implementation="sdpa")
    result = count(write(tmp_path, GEMMA3_4B), seq_len=16, backward="ratio")
    assert result.params == sum(p.numel() for p in tower.parameters())  # 3.88B
    assert result.params == pytest.approx(3.88e9, rel=0.01)
    assert any("text tower is counted" in note for note in result.notes)
    # the windows are the text config's (1,024), five layers of six
    assert result.attention_windows == [None if (i + 1) % 6 == 0 else 1024 for i in range(34)]
    # and its FLOP are the tower's, with two layers
    small = {**GEMMA3_4B, "text_config": {**GEMMA3_4B["text_config"], "num_hidden_layers": 2}}
    text.num_hidden_layers = 2
    text.layer_types = text.layer_types[:2]
    with torch.device("meta"):
        tower = transformers.AutoModelForCausalLM.from_config(text, attn_implementation="sdpa")
    ours = count(write(tmp_path, small), seq_len=16)
    assert (ours.forward_macs, ours.backward_macs) == flop_counter_mode(tower, 16)


# -- (c) closed forms from the config alone


def closed_form(c: dict[str, Any]) -> tuple[int, int, int]:
    """(parameters, the weights a token multiplies, L·H·(d_qk + d_v)): forward multiply-adds
    of T tokens are T × weights + T² × the last."""
    t = c["model_type"]
    if t == "gemma3":  # the text tower, with transformers' defaults for what is not listed
        c = {"vocab_size": 262208, "num_attention_heads": 8, "num_key_value_heads": 4}
        c |= {"head_dim": 256, "model_type": "gemma3_text", **GEMMA3_4B["text_config"]}
        return closed_form(c)
    d, layers, vocab = c["hidden_size"], c["num_hidden_layers"], c["vocab_size"]
    heads = c["num_attention_heads"]
    if t == "deepseek_v2":
        qk, v = c["qk_nope_head_dim"] + c["qk_rope_head_dim"], c["v_head_dim"]
        lora = c["kv_lora_rank"]
        attn = (
            d * heads * qk
            + d * (lora + c["qk_rope_head_dim"])
            + lora * heads * (c["qk_nope_head_dim"] + v)
            + heads * v * d
        )
        norms = 2 * d + lora
        e, k, fe = c["n_routed_experts"], c["num_experts_per_tok"], c["moe_intermediate_size"]
        dense = 3 * d * c["intermediate_size"]
        moe_all = d * e + e * 3 * d * fe + 3 * d * fe * c["n_shared_experts"]
        moe_active = d * e + k * 3 * d * fe + 3 * d * fe * c["n_shared_experts"]
        first = c["first_k_dense_replace"]
        params = 2 * vocab * d + d + layers * (attn + norms) + first * dense
        params += (layers - first) * moe_all
        weights = layers * attn + first * dense + (layers - first) * moe_active + d * vocab
        return params, weights, layers * heads * (qk + v)
    f = c.get("intermediate_size", 4 * d)
    kv = c.get("num_key_value_heads", heads)
    hd = c.get("head_dim", d // heads)
    new_falcon = c.get("new_decoder_architecture", False)
    if t == "falcon":
        kv = c["num_kv_heads"] if new_falcon else 1
    attn = d * heads * hd + 2 * d * kv * hd + heads * hd * d
    ffn = (2 if t == "falcon" else 3) * d * f
    norms = {
        "gemma": 2 * d,
        "gemma2": 4 * d,
        "gemma3_text": 4 * d + 2 * hd,
        "phi3": 2 * d,
        "falcon": 2 * 2 * d if new_falcon else 2 * d,  # weight and bias
        "olmo": 0,  # non-parametric LayerNorm
        "olmo2": 2 * d + heads * hd + kv * hd,
        "qwen2_moe": 2 * d,
    }[t]
    final = {"falcon": 2 * d, "olmo": 0}.get(t, d)
    tied = c.get("tie_word_embeddings", t.startswith(("gemma", "falcon")))
    embeddings = vocab * d * (1 if tied else 2)
    if t == "qwen2_moe":
        e, k, fe = c["num_experts"], c["num_experts_per_tok"], c["moe_intermediate_size"]
        shared = 3 * d * c["shared_expert_intermediate_size"] + d  # and its sigmoid gate d→1
        biases = heads * hd + 2 * kv * hd  # q, k and v have biases, the output none
        params = embeddings + final + layers * (attn + biases + norms + d * e + e * 3 * d * fe)
        params += layers * shared
        weights = layers * (attn + d * e + k * 3 * d * fe + shared) + d * vocab
        return params, weights, layers * heads * 2 * hd
    params = embeddings + final + layers * (attn + ffn + norms)
    return params, layers * (attn + ffn) + d * vocab, layers * heads * 2 * hd


@pytest.mark.parametrize("name", list(MODELS))
def test_closed_forms(tmp_path: Path, name: str) -> None:
    config = MODELS[name][0]
    params, weights, attention = closed_form(config)
    seq_len = 4096
    result = count(write(tmp_path, config), seq_len=seq_len, backward="ratio")
    assert result.params == params
    assert result.forward_macs == seq_len * weights + seq_len**2 * attention
    # PaLM's 6N + 6·L·H·(Q + Q_v)·T (12·L·H·Q·T when Q_v = Q), N without the norms: exact when
    # there are no biases (every decoder here but Qwen2-MoE, whose q/k/v biases add no MAC)
    palm = result.formulas["per_token_training_flop"]["palm"]
    counted = result.formulas["per_token_training_flop"]["counted"]
    if name != "qwen1.5-moe-a2.7b":
        assert palm == pytest.approx(counted, rel=1e-12)


def test_gemma3_text_tower_closed_form(tmp_path: Path) -> None:
    params, weights, attention = closed_form(GEMMA3_4B)
    result = count(write(tmp_path, GEMMA3_4B), seq_len=1024, backward="ratio")
    assert result.params == params
    assert result.forward_macs == 1024 * weights + 1024**2 * attention


@pytest.mark.slow
def test_qwen2_moe_counts_its_shared_expert(tmp_path: Path) -> None:
    """The shared expert (5,632 wide: 3·d·5632 per token and layer) was once left out: a
    third of the forward count of Qwen1.5-MoE-A2.7B at 1,024 tokens."""
    result = count(write(tmp_path, QWEN15_MOE), seq_len=1024, backward="ratio")
    shared = 24 * 1024 * (3 * 2048 * 5632 + 2048)  # the shared experts and their gates
    assert 0.30 < shared / result.forward_macs < 0.34
    _, weights, attention = closed_form(QWEN15_MOE)
    assert result.forward_macs == 1024 * weights + 1024**2 * attention


# -- attention conventions: full and causal, sliding windows per layer


@pytest.mark.parametrize(
    ("config", "windows"),
    [
        (GEMMA2_9B, [4096 if i % 2 == 0 else None for i in range(42)]),
        (GEMMA3_1B, [None if (i + 1) % 6 == 0 else 512 for i in range(26)]),
        (PHI3_MINI, [2047] * 32),
        (
            {**QWEN15_MOE, "use_sliding_window": True},
            [32768 if i % 2 == 0 and i < 21 else None for i in range(24)],
        ),
    ],
)
def test_windows_per_layer_as_transformers_sets_them(
    tmp_path: Path, config: dict, windows: list
) -> None:
    spec = from_hf_config(write(tmp_path, config)).spec
    assert [w or None for w in spec.windows] == windows
    fields = {k: v for k, v in config.items() if k != "model_type"}
    theirs = transformers.AutoConfig.for_model(config["model_type"], **fields)
    types = getattr(theirs, "layer_types", None) or ["sliding_attention"] * len(windows)
    assert [w is not None for w in windows] == [t == "sliding_attention" for t in types]


@pytest.mark.slow
def test_causal_attention_with_sliding_windows_is_exact(tmp_path: Path) -> None:
    path, seq_len = write(tmp_path, GEMMA3_1B), 2048
    full = count(path, seq_len=seq_len)
    causal = count(path, seq_len=seq_len, attention="causal")
    _, weights, _ = closed_form(GEMMA3_1B)
    per_score = 4 * (256 + 256)  # heads · (d_qk + d_v)
    # 22 local layers: a query sees min(i + 1, 512) keys; 4 global layers: i + 1
    local = 512 * 513 // 2 + (seq_len - 512) * 512
    kept = 22 * local + 4 * seq_len * (seq_len + 1) // 2
    assert causal.forward_macs == seq_len * weights + per_score * kept
    assert full.forward_macs == seq_len * weights + per_score * 26 * seq_len**2
    assert causal.backward_macs == 2 * causal.forward_macs
    assert causal.attention == "causal" and full.attention == "full"
    assert causal.attention_macs == {
        "full": per_score * 26 * seq_len**2,
        "causal": per_score * kept,
    }
    assert local == causal_scores(seq_len, seq_len, 512)
    # under full, a note says the windows were not applied and what causal gives
    (note,) = [n for n in full.notes if "not applied" in n]
    assert "window 512 on 22 of 26 layers" in note and f"{2 * causal.forward_macs:.4g}" in note
    assert any("sliding windows applied" in n for n in causal.notes)


def test_mistral_window_and_causal_half_alias(tmp_path: Path) -> None:
    config = {
        "model_type": "mistral",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "intermediate_size": 128,
        "vocab_size": 100,
        "sliding_window": 8,
    }
    path = write(tmp_path, config)
    causal = count(path, seq_len=32, attention="causal")
    assert causal.attention_windows == [8, 8]
    left_out = 2 * 4 * (32 * 32 - causal_scores(32, 32, 8)) * (16 + 16)
    assert count(path, seq_len=32).forward_macs - causal.forward_macs == left_out
    assert count(path, seq_len=32, causal_half=True).forward_macs == causal.forward_macs
    with pytest.raises(InputError, match="use full or causal"):
        count(path, seq_len=32, attention="half")


def test_cli_attention_option_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    path = write(tmp_path, {**GEMMA2_9B, "num_hidden_layers": 4})
    r = runner.invoke(app, ["count", path, "--seq-len", "8192", "--attention", "causal", "--json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["attention"] == "causal"
    assert data["attention_windows"] == [4096, None, 4096, None]
    scores = 2 * (4096 * 4097 // 2 + 4096 * 4096) + 2 * 8192 * 8193 // 2
    assert data["attention_flop"]["causal"] == 2 * 16 * 512 * scores
    r = runner.invoke(app, ["count", path, "--seq-len", "8192", "--causal-half", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["forward_flop"] == data["forward_flop"]
    r = runner.invoke(app, ["count", path, "--seq-len", "8192"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "attention full" in r.stdout and "not applied" in r.stdout
    r = runner.invoke(app, ["count", path, "--attention", "half"])
    assert r.exit_code == 2 and "use full or causal" in r.stderr


def test_multi_head_latent_attention_formulas(tmp_path: Path) -> None:
    """PaLM's attention term with the score head size (qk_nope + qk_rope = 192) and the value
    head size (128), not d_model / heads (128)."""
    result = count(write(tmp_path, DEEPSEEK_V2_LITE), seq_len=2048, backward="ratio")
    per_token = result.formulas["per_token_training_flop"]
    attention = 6 * 27 * 16 * (192 + 128) * 2048
    assert per_token["counted"] == pytest.approx(per_token["palm"], rel=1e-12)
    assert per_token["palm"] - attention == pytest.approx(6 * (closed_form(DEEPSEEK_V2_LITE)[1]))
    # Kaplan's context term 2·n_layer·n_ctx·d_attn uses d_attn = H·(Q + Q_v)/2
    kaplan_context = 3 * 2 * 27 * 2048 * 16 * (192 + 128) / 2
    non_embedding = result.active_params - 102400 * 2048
    assert per_token["kaplan"] == pytest.approx(6 * non_embedding + kaplan_context)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"mlp_only_layers": [99]}, "mlp_only_layers must be a list of layer indexes"),
        ({"shared_expert_intermediate_size": -1}, "must be a non-negative integer"),
        ({"qkv_bias": "yes"}, "qkv_bias must be true or false"),
    ],
)
def test_bad_qwen2_moe_configs(tmp_path: Path, change: dict, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        from_hf_config(write(tmp_path, {**QWEN15_MOE, **change}))


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({**GEMMA2_9B, "attn_logit_softcapping": "50"}, "must be a number"),
        ({**GEMMA3_4B, "text_config": [1]}, "text_config must be an object"),
        ({**FALCON_40B, "num_ln_in_parallel_attn": 3}, "must be 1 or 2"),
        ({**DEEPSEEK_V2_LITE, "kv_lora_rank": None}, "missing kv_lora_rank"),
    ],
)
def test_bad_configs(tmp_path: Path, config: dict, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        from_hf_config(write(tmp_path, config))
