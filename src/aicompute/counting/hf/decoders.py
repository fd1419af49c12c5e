"""Builders for decoders beyond the Llama family: qwen2_moe, and (to come) gemma, phi3,
falcon, olmo and deepseek_v2."""

from __future__ import annotations

from aicompute.counting.hf import Config, register
from aicompute.counting.specs import MoESpec, Preset, TransformerSpec, build_spec


@register("qwen2_moe")
def qwen2_moe(c: Config) -> Preset:
    d = c.need("hidden_size")
    heads = c.need("num_attention_heads")
    moe = MoESpec(
        n_experts=c.need("num_experts"),
        top_k=c.need("num_experts_per_tok"),
        d_ff_expert=c.need("moe_intermediate_size"),
        n_shared=c.opt("n_shared_experts", 0),
        dense_layers=c.opt("first_k_dense_replace", 0),
        d_ff_dense=c.opt("intermediate_size", 0),
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
        bias=bool(c.get("attention_bias", False)),
        tie_embeddings=bool(c.get("tie_word_embeddings", False)),
        moe=moe,
    )
    return Preset(c.name, "text", lambda: build_spec(spec), 4096, spec=spec)
