"""Builders for the Llama family of decoders (llama, mistral, qwen2, qwen3, mixtral,
qwen3_moe, deepseek_v3), GPT-2 and ViT."""

from __future__ import annotations

from aicompute.counting.hf import Config, register
from aicompute.counting.hf.decoders import layer_windows, qwen_sparse_layers
from aicompute.counting.specs import MLASpec, MoESpec, Preset, TransformerSpec, build_spec


@register("gpt2")
def gpt2(c: Config) -> Preset:
    d = c.need("n_embd", "hidden_size")
    spec = TransformerSpec(
        c.name,
        "decoder",
        d,
        c.need("n_layer", "num_hidden_layers"),
        c.need("n_head", "num_attention_heads"),
        c.opt("n_inner", 4 * d),
        c.need("vocab_size"),
        max_positions=c.need("n_positions", "max_position_embeddings"),
        tie_embeddings=True,
    )
    return Preset(c.name, "text", lambda: build_spec(spec), 1024, spec=spec)


@register("vit")
def vit(c: Config) -> Preset:
    spec = TransformerSpec(
        c.name,
        "vit",
        c.need("hidden_size"),
        c.need("num_hidden_layers"),
        c.need("num_attention_heads"),
        c.need("intermediate_size"),
        image_size=c.need("image_size"),
        patch=c.need("patch_size"),
        channels=c.opt("num_channels", 3),
        n_classes=len(c.get("id2label", {}) or {}) or 1000,
    )
    return Preset(c.name, "image", lambda: build_spec(spec), 0, spec.image_size, spec)


@register("llama", "mistral", "qwen2", "qwen3", "mixtral", "qwen3_moe", "deepseek_v3")
def llama_family(c: Config) -> Preset:
    """Pre-norm decoders with RMSNorm, rotary positions and SwiGLU, with grouped-query
    attention, and mixture-of-experts (mixtral, qwen3_moe, deepseek_v3) or multi-head latent
    attention (deepseek_v3)."""
    d = c.need("hidden_size")
    heads = c.need("num_attention_heads")
    layers = c.need("num_hidden_layers")
    moe = mla = None
    attention_bias = c.flag("attention_bias", False)
    if c.model_type in {"mixtral", "qwen3_moe", "deepseek_v3"}:
        moe = MoESpec(
            n_experts=c.need("num_local_experts", "num_experts", "n_routed_experts"),
            top_k=c.need("num_experts_per_tok"),
            d_ff_expert=c.need("moe_intermediate_size", "intermediate_size"),
            n_shared=c.opt("n_shared_experts", 0),
            dense_layers=c.opt("first_k_dense_replace", 0),
            d_ff_dense=c.opt("intermediate_size", 0),
            sparse_layers=qwen_sparse_layers(c, layers) if c.model_type == "qwen3_moe" else None,
            gating="sigmoid" if c.model_type == "deepseek_v3" else "softmax",
        )
    if c.model_type == "deepseek_v3":
        mla = MLASpec(
            c.need("q_lora_rank"),
            c.need("kv_lora_rank"),
            c.need("qk_nope_head_dim"),
            c.need("qk_rope_head_dim"),
            c.need("v_head_dim"),
        )
    spec = c.decoder(
        d_model=d,
        n_layers=layers,
        n_heads=heads,
        # qwen2: q/k/v biases, none on the output; the others: attention_bias on all four
        qkv_bias=c.model_type == "qwen2" or attention_bias,
        out_bias=attention_bias and c.model_type != "qwen2",
        ffn_bias=c.model_type == "llama" and c.flag("mlp_bias", False),
        tie_embeddings=bool(c.get("tie_word_embeddings", False)),
        moe=moe,
        mla=mla,
        qk_norm="head" if c.model_type in {"qwen3", "qwen3_moe"} else "",
        windows=_windows(c, layers),
    )
    return Preset(c.name, "text", lambda: build_spec(spec), 4096, spec=spec)


def _windows(c: Config, layers: int) -> tuple[int, ...]:
    """Sliding windows as transformers applies them: Mistral and Mixtral on every layer when
    ``sliding_window`` is set; Qwen2 and Qwen3 only with ``use_sliding_window``, from layer
    ``max_window_layers`` on; Qwen3-MoE on every layer with ``use_sliding_window``."""
    if c.model_type in {"mistral", "mixtral"}:
        return layer_windows(c, layers)
    if c.model_type in {"qwen2", "qwen3"}:
        given = c.get("max_window_layers")
        first = 28 if given is None else c.check("max_window_layers", given, zero=True)
        enabled = c.flag("use_sliding_window", False)
        return layer_windows(c, layers, lambda i: i >= first, enabled=enabled)
    if c.model_type == "qwen3_moe":
        return layer_windows(c, layers, enabled=c.flag("use_sliding_window", False))
    return ()
