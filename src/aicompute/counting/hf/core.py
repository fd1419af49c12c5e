"""Builders for the Llama family of decoders (llama, mistral, qwen2, qwen3, mixtral,
qwen3_moe, deepseek_v3), GPT-2 and ViT."""

from __future__ import annotations

from aicompute.counting.hf import Config, register
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
    moe = mla = None
    if c.model_type in {"mixtral", "qwen3_moe", "deepseek_v3"}:
        moe = MoESpec(
            n_experts=c.need("num_local_experts", "num_experts", "n_routed_experts"),
            top_k=c.need("num_experts_per_tok"),
            d_ff_expert=c.need("moe_intermediate_size", "intermediate_size"),
            n_shared=c.opt("n_shared_experts", 0),
            dense_layers=c.opt("first_k_dense_replace", 0),
            d_ff_dense=c.opt("intermediate_size", 0),
        )
    if c.model_type == "deepseek_v3":
        mla = MLASpec(
            c.need("q_lora_rank"),
            c.need("kv_lora_rank"),
            c.need("qk_nope_head_dim"),
            c.need("qk_rope_head_dim"),
            c.need("v_head_dim"),
        )
    spec = TransformerSpec(
        c.name,
        "decoder",
        d,
        c.need("num_hidden_layers"),
        heads,
        c.need("intermediate_size"),
        c.need("vocab_size"),
        n_kv_heads=c.opt("num_key_value_heads", heads),
        head_dim=c.opt("head_dim", d // heads),
        ffn="swiglu",
        norm="rms",
        positions="rotary",
        bias=bool(c.get("attention_bias", c.model_type == "qwen2")),
        tie_embeddings=bool(c.get("tie_word_embeddings", False)),
        moe=moe,
        mla=mla,
    )
    return Preset(c.name, "text", lambda: build_spec(spec), 4096, spec=spec)
