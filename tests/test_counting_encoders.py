"""Encoders, T5, CLIP and the transformers fallback against transformers itself: parameter
counts of the real Hub configs, and forward and backward multiply-adds against
``torch.utils.flop_counter.FlopCounterMode`` on the transformers model (meta tensors), to the
integer."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from rich.console import Console  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from aicompute import InputError  # noqa: E402
from aicompute.cli import app  # noqa: E402
from aicompute.counting import count, from_hf_config, presets  # noqa: E402
from aicompute.counting.hf import auto  # noqa: E402

# -- the Hub's config.json files (their shape fields; task_specific_params and the like left out)

ROBERTA_BASE = {  # FacebookAI/roberta-base
    "architectures": ["RobertaForMaskedLM"],
    "attention_probs_dropout_prob": 0.1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 768,
    "initializer_range": 0.02,
    "intermediate_size": 3072,
    "layer_norm_eps": 1e-05,
    "max_position_embeddings": 514,
    "model_type": "roberta",
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "pad_token_id": 1,
    "type_vocab_size": 1,
    "vocab_size": 50265,
}
XLM_ROBERTA_BASE = {  # FacebookAI/xlm-roberta-base
    **ROBERTA_BASE,
    "architectures": ["XLMRobertaForMaskedLM"],
    "layer_norm_eps": 1e-05,
    "model_type": "xlm-roberta",
    "output_past": True,
    "position_embedding_type": "absolute",
    "vocab_size": 250002,
}
T5_BASE = {  # google-t5/t5-base: no tie_word_embeddings, so tied (T5 1.0)
    "architectures": ["T5ForConditionalGeneration"],
    "d_ff": 3072,
    "d_kv": 64,
    "d_model": 768,
    "decoder_start_token_id": 0,
    "dropout_rate": 0.1,
    "eos_token_id": 1,
    "initializer_factor": 1.0,
    "is_encoder_decoder": True,
    "layer_norm_epsilon": 1e-06,
    "model_type": "t5",
    "n_positions": 512,
    "num_heads": 12,
    "num_layers": 12,
    "output_past": True,
    "pad_token_id": 0,
    "relative_attention_num_buckets": 32,
    "vocab_size": 32128,
}
FLAN_T5_BASE = {  # google/flan-t5-base: T5 1.1, gated GELU, an output layer of its own
    **T5_BASE,
    "d_ff": 2048,
    "dense_act_fn": "gelu_new",
    "feed_forward_proj": "gated-gelu",
    "is_gated_act": True,
    "num_decoder_layers": 12,
    "relative_attention_max_distance": 128,
    "tie_word_embeddings": False,
    "use_cache": True,
}
CLIP_VIT_B32 = {  # openai/clip-vit-base-patch32
    "architectures": ["CLIPModel"],
    "initializer_factor": 1.0,
    "logit_scale_init_value": 2.6592,
    "model_type": "clip",
    "projection_dim": 512,
    "text_config": {
        "attention_dropout": 0.0,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "hidden_act": "quick_gelu",
        "hidden_size": 512,
        "intermediate_size": 2048,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": 77,
        "model_type": "clip_text_model",
        "num_attention_heads": 8,
        "num_hidden_layers": 12,
        "pad_token_id": 1,
        "projection_dim": 512,
        "vocab_size": 49408,
    },
    "vision_config": {
        "attention_dropout": 0.0,
        "hidden_act": "quick_gelu",
        "hidden_size": 768,
        "image_size": 224,
        "intermediate_size": 3072,
        "layer_norm_eps": 1e-05,
        "model_type": "clip_vision_model",
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "patch_size": 32,
        "projection_dim": 512,
    },
}

# the class transformers builds for each, and whether its output layer has weights of its own
HF_CLASS = {
    "roberta": "RobertaModel",
    "xlm-roberta": "XLMRobertaModel",
    "t5": "T5ForConditionalGeneration",
    "clip": "CLIPModel",
}


def write(tmp_path: Path, config: dict[str, Any], name: str = "config.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(config), encoding="utf-8")
    return str(path)


def hf_model(config: dict[str, Any], cls: str | None = None, **kwargs: Any) -> nn.Module:
    """The transformers model of a config, on the meta device; T5 1.1's output layer untied
    (transformers 5 ties it whatever the config says, its checkpoints store it apart)."""
    fields = {k: v for k, v in config.items() if k != "model_type"}
    hf_config = transformers.AutoConfig.for_model(config["model_type"], **fields)
    with torch.device("meta"):
        model = getattr(transformers, cls or HF_CLASS[config["model_type"]])._from_config(
            hf_config, **kwargs
        )
    if config.get("tie_word_embeddings") is False and hasattr(model, "lm_head"):
        model.lm_head.weight = nn.Parameter(torch.empty_like(model.lm_head.weight))
    return model


def floats(out: Any) -> list[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        return [out] if out.is_floating_point() else []
    if isinstance(out, dict):
        return [t for v in out.values() for t in floats(v)]
    if isinstance(out, (tuple, list)):
        return [t for v in out for t in floats(v)]
    return []


def flop_counter(model: nn.Module, **inputs: Any) -> tuple[int, int]:
    """Forward and backward multiply-adds by FlopCounterMode (FLOP / 2)."""
    forward, backward = FlopCounterMode(display=False), FlopCounterMode(display=False)
    with forward:
        out = model(**inputs)
    loss = sum(t.float().sum() for t in floats(out))
    with backward:
        loss.backward()  # type: ignore[union-attr]
    return forward.get_total_flops() // 2, backward.get_total_flops() // 2


def ids(length: int) -> torch.Tensor:
    return torch.zeros(1, length, dtype=torch.long, device="meta")


# -- parameters of the real configs ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "params"),
    [
        (ROBERTA_BASE, 124_645_632),  # the base model with its pooler
        (XLM_ROBERTA_BASE, 278_043_648),
        (CLIP_VIT_B32, 151_277_313),  # both towers, projections and the temperature
        (T5_BASE, 222_903_552),  # output layer = embedding
        (FLAN_T5_BASE, 247_577_856),  # + 32,128 × 768 of its own output layer
    ],
    ids=["roberta-base", "xlm-roberta-base", "clip-vit-base-patch32", "t5-base", "flan-t5-base"],
)
def test_hub_configs_have_the_published_parameters(
    tmp_path: Path, config: dict[str, Any], params: int
) -> None:
    preset = from_hf_config(write(tmp_path, config))
    assert preset.builder == f"native:{config['model_type']}"
    with torch.device("meta"):
        module = preset.build()
    assert sum(p.numel() for p in module.parameters()) == params
    assert sum(p.numel() for p in hf_model(config).parameters()) == params


def test_t5_ties_by_default_and_the_11b_preset_matches_transformers() -> None:
    spec = presets()["t5-11b"].spec
    assert spec.tie_embeddings and spec.relative_buckets == 32  # T5 1.0 11B shares it
    config = {
        **T5_BASE,
        "d_model": 1024,
        "d_ff": 65536,
        "d_kv": 128,
        "num_heads": 128,
        "num_layers": 24,
    }
    expected = sum(p.numel() for p in hf_model(config).parameters())
    assert expected == 11_307_321_344
    with torch.device("meta"):
        preset = presets()["t5-11b"].build()
    assert sum(p.numel() for p in preset.parameters()) == expected


# -- forward and backward against FlopCounterMode on reduced configs ---------------------------

SMALL_ENCODER = {"hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4}
SMALL_ENCODER |= {"num_hidden_layers": 2, "vocab_size": 120, "max_position_embeddings": 34}
SMALL_T5 = {"d_model": 64, "d_ff": 96, "d_kv": 16, "num_heads": 4, "num_layers": 2}
SMALL_T5 |= {"vocab_size": 100}


@pytest.mark.parametrize(
    "config",
    [
        {**ROBERTA_BASE, **SMALL_ENCODER},
        {**XLM_ROBERTA_BASE, **SMALL_ENCODER},
        {**T5_BASE, **SMALL_T5},
        {**FLAN_T5_BASE, **SMALL_T5, "num_decoder_layers": 3},
    ],
    ids=["roberta", "xlm-roberta", "t5", "flan-t5"],
)
def test_text_models_equal_flop_counter(tmp_path: Path, config: dict[str, Any]) -> None:
    result = count(write(tmp_path, config), seq_len=16)
    model = hf_model(config)
    inputs: dict[str, Any] = {"input_ids": ids(16)}
    if config["model_type"] == "t5":
        inputs |= {"decoder_input_ids": ids(16), "use_cache": False}
    assert (result.forward_macs, result.backward_macs) == flop_counter(model, **inputs)
    assert result.params == sum(p.numel() for p in model.parameters())
    assert result.uncounted_ops == {}


def test_clip_counts_both_towers_as_flop_counter(tmp_path: Path) -> None:
    config = {
        **CLIP_VIT_B32,
        "projection_dim": 32,
        "text_config": {**CLIP_VIT_B32["text_config"], **SMALL_ENCODER},
        "vision_config": {
            **CLIP_VIT_B32["vision_config"],
            "hidden_size": 48,
            "intermediate_size": 96,
            "num_attention_heads": 4,
            "num_hidden_layers": 2,
            "image_size": 64,
            "patch_size": 16,
        },
    }
    result = count(write(tmp_path, config), seq_len=16)
    model = hf_model(config)
    images = torch.empty(1, 3, 64, 64, device="meta")
    fwd, bwd = flop_counter(model, input_ids=ids(16), pixel_values=images)
    assert (result.forward_macs, result.backward_macs) == (fwd, bwd)
    assert bwd < 2 * fwd  # the pixels need no gradient: the patch convolution's input grad
    assert result.params == sum(p.numel() for p in model.parameters())
    assert result.uncounted_ops == {} and "image+text pair" in result.notes[0]
    with pytest.raises(InputError, match="has 34 positions"):
        count(write(tmp_path, config), seq_len=35)


def test_roberta_positions_start_after_the_padding(tmp_path: Path) -> None:
    path = write(tmp_path, ROBERTA_BASE)
    assert count(path, seq_len=512, backward="ratio").seq_len == 512
    with pytest.raises(InputError, match="has 512 positions; 513 is too long"):
        count(path, seq_len=513)


# -- any other config, built by transformers ---------------------------------------------------

SMALL_DECODER = {**SMALL_ENCODER, "max_position_embeddings": 64}


def test_a_type_without_builder_is_counted_through_transformers(tmp_path: Path) -> None:
    config = {**SMALL_DECODER, "model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"]}
    result = count(write(tmp_path, config), seq_len=16)
    assert result.builder == "transformers:GPTNeoXForCausalLM"
    assert result.to_dict()["builder"] == result.builder
    assert "built by transformers" in result.notes[0]
    # the oracle: transformers' own eager attention with an all-ones mask
    model = hf_model(config, "GPTNeoXForCausalLM", attn_implementation="eager")
    mask = torch.ones(1, 16, dtype=torch.long, device="meta")
    expected = flop_counter(model, input_ids=ids(16), attention_mask=mask, use_cache=False)
    assert (result.forward_macs, result.backward_macs) == expected
    assert result.params == sum(p.numel() for p in model.parameters())
    assert result.uncounted_ops == {}
    # no architectures: the causal-LM class of the type
    stablelm = {**SMALL_DECODER, "model_type": "stablelm", "num_key_value_heads": 4}
    assert count(write(tmp_path, stablelm), seq_len=8).builder == "transformers:StableLmForCausalLM"


def test_mixture_of_experts_through_transformers_counts_the_experts(tmp_path: Path) -> None:
    e, k, d, f, t = 8, 2, 64, 128, 16
    config = {**SMALL_DECODER, "model_type": "olmoe", "num_experts": e, "num_experts_per_tok": k}
    result = count(write(tmp_path, config), seq_len=t)
    model = hf_model(
        config,
        "OlmoeForCausalLM",
        attn_implementation="eager",
        experts_implementation="batched_mm",
    )
    mask = torch.ones(1, t, dtype=torch.long, device="meta")
    expected = flop_counter(model, input_ids=ids(t), attention_mask=mask, use_cache=False)
    assert (result.forward_macs, result.backward_macs) == expected
    # by hand: per layer q/k/v/o, QKᵀ and PV over 16², the router, k SwiGLU experts per token
    layer = t * 4 * d * d + 4 * t * t * (2 * 16) + t * d * e + t * k * 3 * d * f
    assert result.forward_macs == 2 * layer + t * d * 120  # + the output layer
    experts = 2 * e * 3 * d * f  # two layers of E experts, three matrices each
    assert result.active_params == result.params - experts * (e - k) // e


def test_unknown_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="neither aicompute nor the installed transformers"):
        from_hf_config(write(tmp_path, {"model_type": "nonesuch"}))
    known = auto.transformers_model_types()
    assert known is not None and {"gpt_neox", "xlm-roberta", "olmoe"} <= known
    with pytest.raises(InputError, match="over the limit"):
        from_hf_config(write(tmp_path, {"model_type": "gpt_neox", "hidden_size": 10**12}))


def test_without_transformers_an_unknown_type_fails_fast_without_torch(tmp_path: Path) -> None:
    path = write(tmp_path, {"model_type": "gpt_neox", "hidden_size": 64})
    script = (
        "import json, sys, time\n"
        "sys.modules['transformers'] = None  # not installed\n"
        "from typer.testing import CliRunner\nfrom aicompute.cli import app\n"
        "start = time.perf_counter()\n"
        "r = CliRunner().invoke(app, ['count', sys.argv[1]])\n"
        "print(json.dumps([r.exit_code, time.perf_counter() - start, 'torch' in sys.modules, "
        "r.stderr]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, path], capture_output=True, text=True, check=True
    ).stdout
    code, seconds, torch_loaded, stderr = json.loads(out)
    assert (code, torch_loaded) == (2, False) and seconds < 0.5
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown architecture 'gpt_neox'; aicompute builds " in lines[0]
    listed = lines[0].split("aicompute builds ")[1].split(";")[0].split(", ")
    assert {"llama", "bert", "roberta", "xlm-roberta", "t5", "clip"} <= set(listed)
    assert lines[0].endswith("install transformers to count any other config")


# -- factories' outputs, builders, gradients, progress -----------------------------------------


class DictNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(16, 8), nn.Linear(16, 4)

    def forward(self, x: torch.Tensor) -> dict[str, Any]:
        a = self.a(x)
        return {"logits": a, "more": [self.b(x), (a, torch.zeros(2, dtype=torch.long))], "n": 3}


class OutputNet(DictNet):
    def forward(self, x: torch.Tensor) -> Any:  # type: ignore[override]
        from transformers.modeling_outputs import SequenceClassifierOutput

        return SequenceClassifierOutput(logits=self.a(x), hidden_states=(self.b(x),))


class IntNet(DictNet):
    def forward(self, x: torch.Tensor) -> Any:  # type: ignore[override]
        return 3


def dict_factory() -> nn.Module:
    return DictNet()


def output_factory() -> nn.Module:
    return OutputNet()


def int_factory() -> nn.Module:
    return IntNet()


def test_factory_outputs_are_reduced_the_same_way() -> None:
    for name in ("dict_factory", "output_factory"):
        result = count(f"{__name__}:{name}", input_shape=(16,))
        # both layers, forward; backward: weight gradients only (the input needs none)
        assert (result.forward_macs, result.backward_macs) == (16 * 12, 16 * 12)
        assert result.builder == "factory"
    with pytest.raises(InputError, match="returned int with no floating-point tensor"):
        count(f"{__name__}:int_factory", input_shape=(16,))


def test_builders_and_inference_mode(tmp_path: Path) -> None:
    assert count("gpt2", seq_len=8).builder == "preset"
    assert count(DictNet(), input_shape=(16,)).builder == "module"
    with torch.inference_mode():
        inside = count("bert-base", seq_len=16)
    assert inside.backward_macs == 2 * inside.forward_macs > 0


def test_progress_names_the_steps_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from aicompute.cli import output as output_cli

    steps: list[str] = []
    count("bert-base", seq_len=8, progress=steps.append)
    assert steps == ["building bert-base on meta", "counting forward and backward"]
    buffer = StringIO()
    real = output_cli.console

    def console(stderr: bool = False) -> Any:
        if stderr:
            return Console(file=buffer, force_terminal=True, width=100)
        return real()

    monkeypatch.setattr(output_cli, "console", console)
    r = CliRunner().invoke(app, ["count", "bert-base", "--seq-len", "8", "--json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["builder"] == "preset"  # stdout holds the JSON only
    assert "counting forward and backward" in buffer.getvalue()
    monkeypatch.setattr(output_cli, "console", real)
    r = CliRunner().invoke(app, ["count", "bert-base", "--seq-len", "8"])
    assert "Built by preset." in r.stdout and "counting forward" not in r.stderr


# -- closed forms (independent of both counters) ---------------------------------------------


def test_encoders_equal_their_closed_form(tmp_path: Path) -> None:
    """Forward multiply-adds of one sequence by hand (Hoffmann et al. 2022, appendix F, in
    MACs): per layer Q, K, V, O projections 4·S·d·d, scores and mixing 2·S²·d, feed-forward
    2·S·d·f; the pooler one d×d on the first token; lookups are free."""
    s, d, f, layers = 16, 64, 128, 2
    for config in ({**ROBERTA_BASE, **SMALL_ENCODER}, {**XLM_ROBERTA_BASE, **SMALL_ENCODER}):
        result = count(write(tmp_path, config), seq_len=s)
        per_layer = 4 * s * d * d + 2 * s * s * d + 2 * s * d * f
        assert result.forward_macs == layers * per_layer + d * d


def test_t5_equals_its_closed_form(tmp_path: Path) -> None:
    """T5 by hand with S encoder and S decoder tokens, inner width h·d_kv: encoder layers
    4·S·d·inner + 2·S²·inner + 2·S·d·f; decoder layers add cross-attention (Q, O on the decoder,
    K, V on the encoder output, scores over the encoder's S); the tied LM head S·d·V."""
    s, d, f, heads, dkv, vocab, layers = 16, 64, 96, 4, 16, 100, 2
    inner = heads * dkv
    result = count(write(tmp_path, {**T5_BASE, **SMALL_T5}), seq_len=s)
    attention = 4 * s * d * inner + 2 * s * s * inner
    ffn = 2 * s * d * f
    cross = 4 * s * d * inner + 2 * s * s * inner
    expected = layers * (attention + ffn) + layers * (attention + cross + ffn) + s * d * vocab
    assert result.forward_macs == expected
