"""Builders for encoders and encoder-decoders: bert, t5 (and, to come, roberta, xlm-roberta
and clip)."""

from __future__ import annotations

from aicompute.counting.hf import Config, register
from aicompute.counting.specs import Preset, TransformerSpec, build_spec


@register("bert")
def bert(c: Config) -> Preset:
    spec = TransformerSpec(
        c.name,
        "encoder",
        c.need("hidden_size"),
        c.need("num_hidden_layers"),
        c.need("num_attention_heads"),
        c.need("intermediate_size"),
        c.need("vocab_size"),
        max_positions=c.need("max_position_embeddings"),
        type_vocab=c.check("type_vocab_size", c.get("type_vocab_size", 2), zero=True),
        pooler=True,
        lm_head=False,
    )
    return Preset(c.name, "text", lambda: build_spec(spec), 128, spec=spec)


@register("t5")
def t5(c: Config) -> Preset:
    spec = TransformerSpec(
        c.name,
        "encoder-decoder",
        c.need("d_model"),
        c.need("num_layers"),
        c.need("num_heads"),
        c.need("d_ff"),
        c.need("vocab_size"),
        head_dim=c.need("d_kv"),
        decoder_layers=c.opt("num_decoder_layers", c.need("num_layers")),
        ffn="swiglu" if "gated" in str(c.get("feed_forward_proj", "")) else "relu",
        norm="rms",
        positions="relative",
        bias=False,
    )
    return Preset(c.name, "text", lambda: build_spec(spec), 512, spec=spec)
