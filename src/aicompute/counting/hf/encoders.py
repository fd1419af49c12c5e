"""Builders for encoders and encoder-decoders: bert, roberta, xlm-roberta, t5 (and mt5) and
clip."""

from __future__ import annotations

from typing import Any

from aicompute.counting.hf import Config, register
from aicompute.counting.specs import Preset, TransformerSpec, build_spec
from aicompute.errors import InputError
from aicompute.units import show


@register("bert")
def bert(c: Config) -> Preset:
    spec = c.encoder()
    return Preset(c.name, "text", lambda: build_spec(spec), 128, spec=spec)


@register("roberta", "xlm-roberta")
def roberta(c: Config) -> Preset:
    """BERT's shape with RoBERTa's positions: they start at ``pad_token_id + 1`` (so 514
    position embeddings hold 512 tokens) and there is one token type. Counted as the base
    model with its pooler, as ``bert`` (and the published 125M / 278M): the masked-LM head
    of pretraining (``*ForMaskedLM``, a d×d dense layer, LayerNorm and the tied vocabulary
    projection) is not part of it."""
    pad = c.check("pad_token_id", c.get("pad_token_id", 1), zero=True)
    spec = c.encoder(position_offset=pad + 1)
    if spec.max_positions <= spec.position_offset:
        raise InputError(
            "model",
            f"{c.path}: max_position_embeddings {spec.max_positions} leaves no position after "
            f"the {spec.position_offset} that RoBERTa reserves (pad_token_id + 1)",
        )
    default = min(512, spec.max_positions - spec.position_offset)
    return Preset(c.name, "text", lambda: build_spec(spec), default, spec=spec)


_T5_FFN = {"relu": "relu", "gelu": "gelu", "gated-gelu": "geglu", "gated-silu": "swiglu"}


@register("t5", "mt5")
def t5(c: Config) -> Preset:
    """T5 1.0 (ReLU, the output layer shares the embedding: ``tie_word_embeddings`` absent or
    true, and the decoder output is scaled by d_model**-0.5), and T5 1.1 / Flan-T5 / mT5
    (gated GELU, ``tie_word_embeddings: false``: an output layer of its own). Transformers 5
    ties T5's output layer whatever the flag says (it keeps the flag only for the scaling);
    the 1.1 checkpoints store a separate ``lm_head``, which is counted here, as transformers 4
    did. Each stack's first layer holds a relative attention bias table (buckets × heads)."""
    proj = str(c.get("feed_forward_proj", "relu"))
    if proj not in _T5_FFN:
        raise InputError(
            "model",
            f"{c.path}: feed_forward_proj {show(proj)[:40]} is not one of {', '.join(_T5_FFN)}",
        )
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
        ffn=_T5_FFN[proj],
        norm="rms",
        positions="relative",
        bias=False,
        tie_embeddings=c.flag("tie_word_embeddings", True),
        relative_buckets=c.opt("relative_attention_num_buckets", 32),
    )
    return Preset(c.name, "text", lambda: build_spec(spec), 512, spec=spec)


def _sub(c: Config, key: str) -> Config:
    """A nested config (CLIP's ``text_config`` / ``vision_config``); absent means all
    defaults."""
    data: Any = c.get(key) or {}
    if not isinstance(data, dict):
        raise InputError("model", f"{c.path}: {key} must be an object, got {show(data)[:40]}")
    return Config(data, c.path, f"{c.model_type} {key}", c.name)


def _size(c: Config, key: str, default: int) -> int:
    """A size that may be a single number or a [height, width] pair of equal numbers."""
    value = c.get(key)
    if isinstance(value, list) and len(value) == 2 and value[0] == value[1]:
        value = value[0]
    return default if value is None else c.check(key, value)


@register("clip")
def clip(c: Config) -> Preset:
    """CLIP, both towers on an image+text pair: the text transformer (causal, quick_gelu,
    final LayerNorm, projection of the end-of-text token), the ViT image tower (class
    embedding, LayerNorm before and after, projection of the class token), the similarity
    logits and the learned temperature. Sizes absent from ``text_config`` / ``vision_config``
    take CLIP's defaults (ViT-B/32), as transformers does."""
    text, vision = _sub(c, "text_config"), _sub(c, "vision_config")
    projection = c.opt("projection_dim", 512)
    image = TransformerSpec(
        c.name + " (vision)",
        "vit",
        vision.opt("hidden_size", 768),
        vision.opt("num_hidden_layers", 12),
        vision.opt("num_attention_heads", 12),
        vision.opt("intermediate_size", 3072),
        image_size=_size(vision, "image_size", 224),
        patch=_size(vision, "patch_size", 32),
        channels=vision.opt("num_channels", 3),
        activation=str(vision.get("hidden_act", "quick_gelu")),
        projection_dim=projection,
    )
    if image.image_size % image.patch:
        raise InputError(
            "model",
            f"{c.path}: image_size {image.image_size} is not a multiple of patch_size "
            f"{image.patch}",
        )
    spec = TransformerSpec(
        c.name,
        "clip",
        text.opt("hidden_size", 512),
        text.opt("num_hidden_layers", 12),
        text.opt("num_attention_heads", 8),
        text.opt("intermediate_size", 2048),
        text.opt("vocab_size", 49408),
        max_positions=text.opt("max_position_embeddings", 77),
        activation=str(text.get("hidden_act", "quick_gelu")),
        projection_dim=projection,
        vision=image,
        image_size=image.image_size,
        patch=image.patch,
        channels=image.channels,
    )
    return Preset(
        c.name, "text+image", lambda: build_spec(spec), spec.max_positions, image.image_size, spec
    )
