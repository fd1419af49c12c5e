"""Builders for decoders beyond the Llama family: gemma, gemma2, gemma3_text and gemma3 (its
text tower), phi3, falcon, olmo, olmo2, deepseek_v2 and qwen2_moe.

Each reads the config as transformers does (the same defaults where a key is missing) and
describes the model it builds: biases, norms and their placement, fused projections (counted
as the split ones: the same multiply-adds), mixture-of-experts layers and the sliding window
of each layer (:func:`layer_windows`, shared with the Llama family).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from aicompute.counting.hf import Config, register
from aicompute.counting.specs import MLASpec, MoESpec, Preset, TransformerSpec, build_spec
from aicompute.errors import InputError
from aicompute.units import show

__all__ = ["layer_windows", "qwen_sparse_layers"]


def _real(c: Config, key: str, default: float = 0.0) -> float:
    """An optional positive real setting (absent or null: ``default``; 0 means none)."""
    value = c.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError("model", f"{c.path}: {key} must be a number, got {show(value)}")
    if not math.isfinite(value) or value < 0:
        raise InputError("model", f"{c.path}: {key} must be a non-negative number")
    return float(value)


def _layer_list(c: Config, key: str, n_layers: int) -> set[int]:
    """A list of layer indexes (e.g. ``mlp_only_layers``), each checked."""
    value = c.get(key) or []
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n_layers for i in value
    ):
        raise InputError(
            "model", f"{c.path}: {key} must be a list of layer indexes below {n_layers}"
        )
    return set(value)


def layer_windows(
    c: Config,
    n_layers: int,
    sliding: Callable[[int], bool] | None = None,
    enabled: bool = True,
) -> tuple[int, ...]:
    """The sliding window of each layer (0: global attention), () when none has one.

    The config's ``layer_types`` decide when they are given ("sliding_attention" layers get
    ``sliding_window``), else ``sliding(layer)`` (the model's own pattern), else every layer
    gets the window (Mistral, Phi-3).
    """
    window = c.opt("sliding_window", 0, zero=True) if enabled else 0
    if not window:
        return ()
    types = c.get("layer_types")
    if isinstance(types, list) and len(types) == n_layers:
        windows = tuple(window if t == "sliding_attention" else 0 for t in types)
    elif sliding is not None:
        windows = tuple(window if sliding(i) else 0 for i in range(n_layers))
    else:
        windows = (window,) * n_layers
    return windows if any(windows) else ()


def qwen_sparse_layers(c: Config, n_layers: int) -> tuple[int, ...]:
    """The layers with experts of Qwen2-MoE and Qwen3-MoE: every ``decoder_sparse_step``-th
    layer, except those in ``mlp_only_layers``."""
    step = c.opt("decoder_sparse_step", 1)
    dense = _layer_list(c, "mlp_only_layers", n_layers)
    return tuple(i for i in range(n_layers) if i not in dense and (i + 1) % step == 0)


def _preset(c: Config, spec: TransformerSpec, seq_len: int = 4096) -> Preset:
    return Preset(c.name, "text", lambda: build_spec(spec), seq_len, spec=spec)


# Gemma 3's text tower as transformers defaults it (a multimodal config lists only what differs)
_GEMMA3_TEXT: dict[str, Any] = {
    "vocab_size": 262_208,
    "hidden_size": 2304,
    "intermediate_size": 9216,
    "num_hidden_layers": 26,
    "num_attention_heads": 8,
    "num_key_value_heads": 4,
    "head_dim": 256,
    "query_pre_attn_scalar": 256,
    "sliding_window": 4096,
    "tie_word_embeddings": True,
}


@register("gemma", "gemma2", "gemma3_text", "gemma3")
def gemma(c: Config) -> Preset:
    """Gemma 1, 2 and 3: embeddings × sqrt(d), GeGLU, RMSNorm (1 + w), tied embeddings;
    Gemma 2 and 3 add norms after attention and FFN, query_pre_attn_scalar and sliding-window
    layers (Gemma 2 every other one, Gemma 3 five of six); Gemma 2 soft-caps the attention and
    output logits; Gemma 3 normalizes queries and keys per head. For ``gemma3`` (multimodal)
    the text tower is counted."""
    notes = []
    if c.model_type == "gemma3":
        text = c.get("text_config") or {}
        if not isinstance(text, dict):
            raise InputError("model", f"{c.path}: text_config must be an object")
        c = Config({**_GEMMA3_TEXT, **text}, c.path, "gemma3_text", c.name)
        notes.append(
            "gemma3: the text tower is counted (the SigLIP vision tower and the projector are "
            "not; image tokens count as text tokens)"
        )
    v1, v2 = c.model_type == "gemma", c.model_type == "gemma2"
    d = c.need("hidden_size")
    heads = c.need("num_attention_heads")
    layers = c.need("num_hidden_layers")
    attention_bias = c.flag("attention_bias", False)
    windows: tuple[int, ...] = ()
    if not v1:
        if v2:
            windows = layer_windows(c, layers, lambda i: i % 2 == 0)
        else:
            pattern = c.opt("sliding_window_pattern", 6)
            windows = layer_windows(c, layers, lambda i: (i + 1) % pattern != 0)
    spec = c.decoder(
        d_model=d,
        n_layers=layers,
        n_heads=heads,
        head_dim=c.opt("head_dim", 256),
        ffn="geglu",
        qkv_bias=attention_bias,
        out_bias=attention_bias,
        ffn_bias=False,
        tie_embeddings=c.flag("tie_word_embeddings", True),
        norm_place="pre" if v1 else "sandwich",
        qk_norm="head" if c.model_type == "gemma3_text" else "",
        embed_scale=True,
        attn_scale=0.0 if v1 else _real(c, "query_pre_attn_scalar", 256),
        attn_softcap=_real(c, "attn_logit_softcapping", 50.0 if v2 else 0.0),
        final_softcap=_real(c, "final_logit_softcapping", 30.0 if v2 else 0.0),
        windows=windows,
        extra={"notes": notes} if notes else {},
    )
    return _preset(c, spec)


@register("phi3")
def phi3(c: Config) -> Preset:
    """Phi-3: a Llama-shaped decoder with fused qkv and gate_up projections (the same
    multiply-adds as split ones), no biases, a sliding window on every layer when set."""
    d = c.need("hidden_size")
    heads = c.need("num_attention_heads")
    layers = c.need("num_hidden_layers")
    spec = c.decoder(
        d_model=d,
        n_layers=layers,
        n_heads=heads,
        head_dim=d // heads,
        tie_embeddings=c.flag("tie_word_embeddings", False),
        windows=layer_windows(c, layers),
    )
    return _preset(c, spec)


@register("falcon")
def falcon(c: Config) -> Preset:
    """Falcon: LayerNorm, a GELU MLP (4d), fused qkv, parallel attention and MLP. The old
    architecture (Falcon-7B) has one norm per layer and multi-query attention; the new one
    (``new_decoder_architecture``: Falcon-40B, 180B) has ``num_kv_heads`` groups and two norms
    (ln_attn, ln_mlp). ALiBi or rotary positions (elementwise)."""
    d = c.need("hidden_size", "n_embed")
    heads = c.need("num_attention_heads", "n_head")
    layers = c.need("num_hidden_layers", "n_layer")
    if c.flag("new_decoder_architecture", False):
        kv = c.opt("num_kv_heads", heads)
        parallel = c.opt("num_ln_in_parallel_attn", 2)
        if parallel not in {1, 2}:
            raise InputError("model", f"{c.path}: num_ln_in_parallel_attn must be 1 or 2")
    else:
        kv = 1 if c.flag("multi_query", True) else heads
        parallel = 1 if c.flag("parallel_attn", True) else 0
    spec = c.decoder(
        d_model=d,
        n_layers=layers,
        n_heads=heads,
        d_ff=c.opt("ffn_hidden_size", 4 * d),
        n_kv_heads=kv,
        head_dim=d // heads,
        ffn="gelu",
        norm="layer",
        positions="alibi" if c.flag("alibi", False) else "rotary",
        bias=c.flag("bias", False),
        tie_embeddings=c.flag("tie_word_embeddings", True),
        parallel=parallel,
    )
    return _preset(c, spec, 2048)


@register("olmo", "olmo2")
def olmo(c: Config) -> Preset:
    """OLMo: non-parametric LayerNorm, no biases, SwiGLU, q/k/v clipped at ``clip_qkv``.
    OLMo 2: RMSNorm after attention and after the MLP (before the residual), and RMSNorm on
    the whole query and key projections."""
    v2 = c.model_type == "olmo2"
    d = c.need("hidden_size")
    heads = c.need("num_attention_heads")
    spec = c.decoder(
        d_model=d,
        n_layers=c.need("num_hidden_layers"),
        n_heads=heads,
        head_dim=d // heads,
        norm="rms" if v2 else "layer",
        bias=c.flag("attention_bias", False),
        ffn_bias=False,
        tie_embeddings=c.flag("tie_word_embeddings", False),
        norm_affine=v2,
        norm_place="after" if v2 else "pre",
        qk_norm="full" if v2 else "",
        qkv_clip=_real(c, "clip_qkv"),
    )
    return _preset(c, spec)


@register("deepseek_v2")
def deepseek_v2(c: Config) -> Preset:
    """DeepSeek-V2: multi-head latent attention (``q_lora_rank`` null, as V2-Lite: a plain
    query projection), mixture of experts with shared experts and softmax gating, dense FFNs
    in the first ``first_k_dense_replace`` layers and off the ``moe_layer_freq`` pattern."""
    d = c.need("hidden_size")
    heads = c.need("num_attention_heads")
    layers = c.need("num_hidden_layers")
    first_dense = c.opt("first_k_dense_replace", 0, zero=True)
    freq = c.opt("moe_layer_freq", 1)
    moe = None
    if c.get("n_routed_experts") is not None:
        moe = MoESpec(
            n_experts=c.need("n_routed_experts"),
            top_k=c.need("num_experts_per_tok"),
            d_ff_expert=c.need("moe_intermediate_size"),
            n_shared=c.opt("n_shared_experts", 0, zero=True),
            dense_layers=first_dense,
            d_ff_dense=c.need("intermediate_size"),
            sparse_layers=tuple(i for i in range(layers) if i >= first_dense and i % freq == 0),
            gating="softmax",
        )
    attention_bias = c.flag("attention_bias", False)
    spec = c.decoder(
        d_model=d,
        n_layers=layers,
        n_heads=heads,
        n_kv_heads=None,  # multi-head latent attention sets its own widths
        head_dim=None,
        qkv_bias=attention_bias,
        out_bias=attention_bias,
        ffn_bias=c.flag("mlp_bias", False),
        tie_embeddings=c.flag("tie_word_embeddings", False),
        moe=moe,
        mla=MLASpec(
            c.opt("q_lora_rank", 0, zero=True),
            c.need("kv_lora_rank"),
            c.need("qk_nope_head_dim"),
            c.need("qk_rope_head_dim"),
            c.need("v_head_dim"),
        ),
    )
    return _preset(c, spec)


@register("qwen2_moe")
def qwen2_moe(c: Config) -> Preset:
    """Qwen2-MoE (Qwen1.5-MoE): q/k/v biases (no output bias), routed experts, and a shared
    expert of ``shared_expert_intermediate_size`` behind a sigmoid gate (a d→1 linear);
    dense MLPs in ``mlp_only_layers`` and off the ``decoder_sparse_step`` pattern."""
    d = c.need("hidden_size")
    heads = c.need("num_attention_heads")
    layers = c.need("num_hidden_layers")
    experts = c.opt("num_experts", 0, zero=True)
    moe = None
    if experts:
        shared = c.opt("shared_expert_intermediate_size", 0, zero=True)
        moe = MoESpec(
            n_experts=experts,
            top_k=c.need("num_experts_per_tok"),
            d_ff_expert=c.need("moe_intermediate_size"),
            d_ff_dense=c.need("intermediate_size"),
            d_ff_shared=shared,
            shared_gate=bool(shared),
            sparse_layers=qwen_sparse_layers(c, layers),
        )
    given = c.get("max_window_layers")
    max_window = 28 if given is None else c.check("max_window_layers", given, zero=True)
    spec = c.decoder(
        d_model=d,
        n_layers=layers,
        n_heads=heads,
        qkv_bias=c.flag("qkv_bias", True),
        out_bias=False,
        ffn_bias=False,
        tie_embeddings=c.flag("tie_word_embeddings", False),
        moe=moe,
        windows=layer_windows(
            c,
            layers,
            lambda i: i % 2 == 0 and i < max_window,
            enabled=c.flag("use_sliding_window", False),
        ),
    )
    return _preset(c, spec)
