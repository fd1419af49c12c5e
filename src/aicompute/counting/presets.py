"""Built-in models (shapes from the published configs and papers) and Hugging Face configs.

>>> sorted(PRESET_NAMES)[:4]
['alexnet', 'alexnet-2012', 'bert-base', 'bert-large']
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicompute.constants import (
    MAX_CONFIG_BYTES,
    MAX_COUNT_SIZE,
    MAX_MODEL_EXPERT_LAYERS,
    MAX_MODEL_EXPERTS,
    MAX_MODEL_LAYERS,
    MAX_NAME_CHARS,
)
from aicompute.errors import InputError
from aicompute.units import show, show_whole

__all__ = ["HF_TYPES", "PRESET_NAMES", "Preset", "from_hf_config", "presets"]


@dataclass(frozen=True)
class Preset:
    """A model to count: how to build it and what its input looks like."""

    name: str
    kind: str  # text | image
    build: Callable[[], Any]
    default_seq_len: int = 0
    image_size: int = 224
    spec: Any = None
    source: str = ""


def _specs() -> dict[str, Any]:
    from aicompute.counting.specs import MLASpec, MoESpec, TransformerSpec

    gpt2 = TransformerSpec(
        "gpt2",
        "decoder",
        d_model=768,
        n_layers=12,
        n_heads=12,
        d_ff=3072,
        vocab=50257,
        max_positions=1024,
        tie_embeddings=True,
        source="https://huggingface.co/gpt2",
    )
    bert = TransformerSpec(
        "bert-base",
        "encoder",
        d_model=768,
        n_layers=12,
        n_heads=12,
        d_ff=3072,
        vocab=30522,
        max_positions=512,
        type_vocab=2,
        pooler=True,
        lm_head=False,
        source="https://huggingface.co/bert-base-uncased",
    )
    llama3 = dict(
        kind="decoder",
        ffn="swiglu",
        norm="rms",
        positions="rotary",
        bias=False,
        vocab=128256,
        n_kv_heads=8,
    )
    return {
        "gpt2": gpt2,
        "gpt2-xl": gpt2.with_(
            name="gpt2-xl",
            d_model=1600,
            n_layers=48,
            n_heads=25,
            d_ff=6400,
            source="https://huggingface.co/gpt2-xl",
        ),
        "bert-base": bert,
        "bert-large": bert.with_(
            name="bert-large",
            d_model=1024,
            n_layers=24,
            n_heads=16,
            d_ff=4096,
            source="https://huggingface.co/bert-large-uncased",
        ),
        "t5-11b": TransformerSpec(
            "t5-11b",
            "encoder-decoder",
            d_model=1024,
            n_layers=24,
            decoder_layers=24,
            n_heads=128,
            head_dim=128,
            d_ff=65536,
            vocab=32128,
            ffn="relu",
            norm="rms",
            positions="relative",
            bias=False,
            tie_embeddings=True,
            source="https://huggingface.co/t5-11b",
        ),
        "llama-2-70b": TransformerSpec(
            "llama-2-70b",
            "decoder",
            d_model=8192,
            n_layers=80,
            n_heads=64,
            n_kv_heads=8,
            d_ff=28672,
            vocab=32000,
            ffn="swiglu",
            norm="rms",
            positions="rotary",
            bias=False,
            source="https://arxiv.org/abs/2307.09288",
        ),
        "llama-3.1-8b": TransformerSpec(
            "llama-3.1-8b",
            d_model=4096,
            n_layers=32,
            n_heads=32,
            d_ff=14336,
            **llama3,
            source="https://huggingface.co/meta-llama/Llama-3.1-8B",
        ),
        "llama-3.1-70b": TransformerSpec(
            "llama-3.1-70b",
            d_model=8192,
            n_layers=80,
            n_heads=64,
            d_ff=28672,
            **llama3,
            source="https://huggingface.co/meta-llama/Llama-3.1-70B",
        ),
        "llama-3.1-405b": TransformerSpec(
            "llama-3.1-405b",
            d_model=16384,
            n_layers=126,
            n_heads=128,
            d_ff=53248,
            **llama3,
            source="https://arxiv.org/abs/2407.21783",
        ),
        "mixtral-8x7b": TransformerSpec(
            "mixtral-8x7b",
            "decoder",
            d_model=4096,
            n_layers=32,
            n_heads=32,
            n_kv_heads=8,
            d_ff=14336,
            vocab=32000,
            ffn="swiglu",
            norm="rms",
            positions="rotary",
            bias=False,
            moe=MoESpec(n_experts=8, top_k=2, d_ff_expert=14336),
            source="https://arxiv.org/abs/2401.04088",
        ),
        "deepseek-v3": TransformerSpec(
            "deepseek-v3",
            "decoder",
            d_model=7168,
            n_layers=61,
            n_heads=128,
            d_ff=18432,
            vocab=129280,
            ffn="swiglu",
            norm="rms",
            positions="rotary",
            bias=False,
            moe=MoESpec(
                n_experts=256,
                top_k=8,
                d_ff_expert=2048,
                n_shared=1,
                dense_layers=3,
                d_ff_dense=18432,
            ),
            mla=MLASpec(q_lora=1536, kv_lora=512, qk_nope=128, qk_rope=64, v_head=128),
            source="https://arxiv.org/abs/2412.19437",
        ),
        "qwen3-30b-a3b": TransformerSpec(
            "qwen3-30b-a3b",
            "decoder",
            d_model=2048,
            n_layers=48,
            n_heads=32,
            n_kv_heads=4,
            head_dim=128,
            d_ff=6144,
            vocab=151936,
            ffn="swiglu",
            norm="rms",
            positions="rotary",
            bias=False,
            moe=MoESpec(n_experts=128, top_k=8, d_ff_expert=768),
            source="https://huggingface.co/Qwen/Qwen3-30B-A3B",
        ),
        "vit-b16": TransformerSpec(
            "vit-b16",
            "vit",
            d_model=768,
            n_layers=12,
            n_heads=12,
            d_ff=3072,
            image_size=224,
            patch=16,
            n_classes=1000,
            source="https://arxiv.org/abs/2010.11929",
        ),
    }


def _build(spec: Any) -> Any:
    """The module of a transformer spec (torch loads here, not before)."""
    from aicompute.counting import models

    return models.build_transformer(spec)


def _presets() -> dict[str, Preset]:
    from aicompute.counting import models

    out: dict[str, Preset] = {}
    for name, spec in _specs().items():
        kind = "image" if spec.kind == "vit" else "text"
        seq = (
            0
            if kind == "image"
            else {
                "bert-base": 128,
                "bert-large": 128,
                "t5-11b": 512,
                "gpt2": 1024,
                "gpt2-xl": 1024,
            }.get(name, 4096)
        )
        out[name] = Preset(
            name,
            kind,
            lambda s=spec: models.build_transformer(s),
            seq,
            spec.image_size or 224,
            spec,
            spec.source,
        )
    conv = {
        "resnet50": (lambda: models.resnet(50), 224, "https://arxiv.org/abs/1512.03385"),
        "resnet152": (lambda: models.resnet(152), 224, "https://arxiv.org/abs/1512.03385"),
        "vgg16": (models.vgg16, 224, "https://arxiv.org/abs/1409.1556"),
        "alexnet": (models.alexnet, 224, "https://pytorch.org/vision/main/models/alexnet.html"),
        "alexnet-2012": (models.alexnet_2012, 227, "https://papers.nips.cc/paper/4824"),
    }
    for name, (build, size, source) in conv.items():
        out[name] = Preset(name, "image", build, 0, size, None, source)
    return out


@functools.lru_cache(maxsize=1)
def presets() -> dict[str, Preset]:
    """Every built-in model, by name (needs torch)."""
    return _presets()


PRESET_NAMES = (
    "gpt2",
    "gpt2-xl",
    "bert-base",
    "bert-large",
    "t5-11b",
    "llama-2-70b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "mixtral-8x7b",
    "deepseek-v3",
    "qwen3-30b-a3b",
    "vit-b16",
    "alexnet",
    "alexnet-2012",
    "vgg16",
    "resnet50",
    "resnet152",
)
"""The names of the built-in models (no torch needed to list them)."""

HF_TYPES = (
    "llama",
    "mistral",
    "qwen2",
    "qwen3",
    "mixtral",
    "qwen2_moe",
    "qwen3_moe",
    "deepseek_v3",
    "gpt2",
    "bert",
    "t5",
    "vit",
)
"""``model_type`` values of Hugging Face configs that aicompute can build."""


_LAYER_KEYS = (
    "n_layer",
    "num_hidden_layers",
    "num_layers",
    "num_decoder_layers",
    "first_k_dense_replace",
)
_EXPERT_KEYS = (
    "num_local_experts",
    "num_experts",
    "n_routed_experts",
    "n_shared_experts",
    "num_experts_per_tok",
)
_CONFIG_LIMITS: dict[str, int] = {
    **dict.fromkeys(_LAYER_KEYS, MAX_MODEL_LAYERS),
    **dict.fromkeys(_EXPERT_KEYS, MAX_MODEL_EXPERTS),
}
"""The limit of each size of a config that sets how many modules are built; any other size is
bounded by :data:`~aicompute.constants.MAX_COUNT_SIZE`."""


def _read_config(path: Path) -> dict[str, Any]:
    """A Hugging Face config's JSON object, read within the size limit; too deep a nesting
    is refused rather than left to raise RecursionError."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise InputError("model", f"cannot read {path}: {error}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise InputError(
            "model", f"{path} is over the limit of {MAX_CONFIG_BYTES:,} bytes for a config.json"
        )
    try:
        cfg = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputError("model", f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise InputError("model", f"{path} is not valid JSON (line {error.lineno})") from None
    except RecursionError:
        raise InputError("model", f"{path}: the JSON is nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise InputError("model", f"{path}: {str(error).splitlines()[0]}") from None
    if not isinstance(cfg, dict):
        raise InputError("model", f"{path}: expected a JSON object")
    return cfg


def from_hf_config(path: str | Path) -> Preset:
    """A countable model from a Hugging Face ``config.json`` (read and checked before torch
    loads)."""
    path = Path(path)
    cfg = _read_config(path)
    mtype = str(cfg.get("model_type", "")).lower()
    if mtype not in HF_TYPES:
        raise InputError(
            "model",
            f"{path}: unknown architecture {mtype[:60] or '(no model_type)'!r}; "
            f"aicompute builds {', '.join(HF_TYPES)} (or pass "
            "package.module:factory)",
        )

    def check(key: str, value: Any, zero: bool = False) -> int:
        """A size of the config: a positive (or, with ``zero``, non-negative) whole number
        within its limit."""
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
            what = "a non-negative" if zero else "a positive"
            raise InputError("model", f"{path}: {key} must be {what} integer, got {show(value)}")
        limit = _CONFIG_LIMITS.get(key, MAX_COUNT_SIZE)
        if value > limit:
            raise InputError(
                "model", f"{path}: {key} = {show_whole(value)} is over the limit of {limit:,}"
            )
        return value

    def need(*keys: str) -> Any:
        for key in keys:
            if key in cfg:
                return check(key, cfg[key])
        raise InputError("model", f"{path}: missing {' or '.join(keys)} for {mtype}")

    def opt(key: str, default: int, zero: bool = False) -> int:
        """An optional size (absent, null or 0 means ``default``)."""
        value = cfg.get(key)
        return default if value is None or value == 0 else check(key, value, zero)

    layers = [
        cfg[k]
        for k in ("n_layer", "num_hidden_layers", "num_layers", "num_decoder_layers")
        if isinstance(cfg.get(k), int)
    ]
    experts = next(
        (cfg[k] for k in ("num_local_experts", "num_experts", "n_routed_experts") if k in cfg),
        None,
    )
    within = layers and max(layers) <= MAX_MODEL_LAYERS
    if (
        within
        and isinstance(experts, int)
        and 0 < experts <= MAX_MODEL_EXPERTS
        and max(layers) * experts > MAX_MODEL_EXPERT_LAYERS
    ):
        raise InputError(
            "model",
            f"{path}: {max(layers):,} layers of {experts:,} experts is over the limit of "
            f"{MAX_MODEL_EXPERT_LAYERS:,} experts in all",
        )

    name = cfg.get("_name_or_path")
    name = name[:MAX_NAME_CHARS] if isinstance(name, str) and name.strip() else path.stem
    from aicompute.counting.specs import MLASpec, MoESpec, TransformerSpec

    try:
        if mtype == "gpt2":
            d = need("n_embd", "hidden_size")
            spec = TransformerSpec(
                name,
                "decoder",
                d,
                need("n_layer", "num_hidden_layers"),
                need("n_head", "num_attention_heads"),
                opt("n_inner", 4 * d),
                need("vocab_size"),
                max_positions=need("n_positions", "max_position_embeddings"),
                tie_embeddings=True,
            )
            return Preset(name, "text", lambda: _build(spec), 1024, spec=spec)
        if mtype == "bert":
            spec = TransformerSpec(
                name,
                "encoder",
                need("hidden_size"),
                need("num_hidden_layers"),
                need("num_attention_heads"),
                need("intermediate_size"),
                need("vocab_size"),
                max_positions=need("max_position_embeddings"),
                type_vocab=check("type_vocab_size", cfg.get("type_vocab_size", 2), zero=True),
                pooler=True,
                lm_head=False,
            )
            return Preset(name, "text", lambda: _build(spec), 128, spec=spec)
        if mtype == "t5":
            spec = TransformerSpec(
                name,
                "encoder-decoder",
                need("d_model"),
                need("num_layers"),
                need("num_heads"),
                need("d_ff"),
                need("vocab_size"),
                head_dim=need("d_kv"),
                decoder_layers=opt("num_decoder_layers", need("num_layers")),
                ffn="swiglu" if "gated" in str(cfg.get("feed_forward_proj", "")) else "relu",
                norm="rms",
                positions="relative",
                bias=False,
            )
            return Preset(name, "text", lambda: _build(spec), 512, spec=spec)
        if mtype == "vit":
            spec = TransformerSpec(
                name,
                "vit",
                need("hidden_size"),
                need("num_hidden_layers"),
                need("num_attention_heads"),
                need("intermediate_size"),
                image_size=need("image_size"),
                patch=need("patch_size"),
                channels=opt("num_channels", 3),
                n_classes=len(cfg.get("id2label", {})) or 1000,
            )
            return Preset(name, "image", lambda: _build(spec), 0, spec.image_size, spec)
        d = need("hidden_size")
        heads = need("num_attention_heads")
        moe = mla = None
        if mtype in {"mixtral", "qwen2_moe", "qwen3_moe", "deepseek_v3"}:
            moe = MoESpec(
                n_experts=need("num_local_experts", "num_experts", "n_routed_experts"),
                top_k=need("num_experts_per_tok"),
                d_ff_expert=need("moe_intermediate_size", "intermediate_size"),
                n_shared=opt("n_shared_experts", 0),
                dense_layers=opt("first_k_dense_replace", 0),
                d_ff_dense=opt("intermediate_size", 0),
            )
        if mtype == "deepseek_v3":
            mla = MLASpec(
                need("q_lora_rank"),
                need("kv_lora_rank"),
                need("qk_nope_head_dim"),
                need("qk_rope_head_dim"),
                need("v_head_dim"),
            )
        spec = TransformerSpec(
            name,
            "decoder",
            d,
            need("num_hidden_layers"),
            heads,
            need("intermediate_size"),
            need("vocab_size"),
            n_kv_heads=opt("num_key_value_heads", heads),
            head_dim=opt("head_dim", d // heads),
            ffn="swiglu",
            norm="rms",
            positions="rotary",
            bias=bool(cfg.get("attention_bias", mtype == "qwen2")),
            tie_embeddings=bool(cfg.get("tie_word_embeddings", False)),
            moe=moe,
            mla=mla,
        )
    except (TypeError, KeyError) as error:
        raise InputError("model", f"{path}: unexpected config ({error})") from None
    return Preset(name, "text", lambda: _build(spec), 4096, spec=spec)
