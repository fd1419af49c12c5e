"""Hugging Face ``config.json`` files: a registry of builders keyed by ``model_type``.

Each builder reads a config through :class:`Config` (every size checked and bounded, a missing
key named) and returns the :class:`~aicompute.counting.specs.Preset` to count. Everything here
runs without torch, so an unknown or invalid config is refused before torch loads. Builders live
in the modules of this package, one family each, and register with :func:`register`, which
refuses a ``model_type`` registered twice. A ``model_type`` with no builder here is built by
``transformers`` on the meta device when it is installed (:mod:`aicompute.counting.hf.auto`),
else refused, still before torch loads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
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
from aicompute.counting.specs import Preset, TransformerSpec, rotary_decoder
from aicompute.errors import InputError
from aicompute.units import show, show_whole

__all__ = ["BUILDERS", "HF_TYPES", "Config", "from_hf_config", "model_name", "register"]

Builder = Callable[["Config"], Preset]
BUILDERS: dict[str, Builder] = {}
"""The builder of each ``model_type``."""

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
CONFIG_LIMITS: dict[str, int] = {
    **dict.fromkeys(_LAYER_KEYS, MAX_MODEL_LAYERS),
    **dict.fromkeys(_EXPERT_KEYS, MAX_MODEL_EXPERTS),
}
"""The limit of each size of a config that sets how many modules are built; any other size is
bounded by :data:`~aicompute.constants.MAX_COUNT_SIZE`."""


def register(*model_types: str) -> Callable[[Builder], Builder]:
    """Register a builder for these ``model_type`` values (each at most once)."""

    def add(builder: Builder) -> Builder:
        for mtype in model_types:
            if mtype in BUILDERS:
                raise RuntimeError(f"model_type {mtype!r} is registered twice")
            BUILDERS[mtype] = builder
        return builder

    return add


@dataclass
class Config:
    """A config being read: its JSON object, where it came from, its ``model_type`` and name;
    :meth:`need` / :meth:`opt` read sizes, checked and bounded."""

    data: dict[str, Any]
    path: Path
    model_type: str
    name: str

    def check(self, key: str, value: Any, zero: bool = False) -> int:
        """A size of the config: a positive (or, with ``zero``, non-negative) whole number
        within its limit."""
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
            what = "a non-negative" if zero else "a positive"
            raise InputError(
                "model", f"{self.path}: {key} must be {what} integer, got {show(value)}"
            )
        limit = CONFIG_LIMITS.get(key, MAX_COUNT_SIZE)
        if value > limit:
            raise InputError(
                "model", f"{self.path}: {key} = {show_whole(value)} is over the limit of {limit:,}"
            )
        return value

    def need(self, *keys: str) -> int:
        """The first of ``keys`` the config has, as a size; refused when it has none."""
        for key in keys:
            if key in self.data and self.data[key] is not None:
                return self.check(key, self.data[key])
        raise InputError("model", f"{self.path}: missing {' or '.join(keys)} for {self.model_type}")

    def opt(self, key: str, default: int, zero: bool = False) -> int:
        """An optional size (absent, null or 0 means ``default``)."""
        value = self.data.get(key)
        return default if value is None or value == 0 else self.check(key, value, zero)

    def flag(self, key: str, default: bool) -> bool:
        """A true/false setting (absent or null means ``default``)."""
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise InputError(
                "model", f"{self.path}: {key} must be true or false, got {show(value)}"
            )
        return value

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def decoder(self, **fields: Any) -> TransformerSpec:
        """The spec of a decoder in the common Hugging Face layout (``hidden_size``,
        ``num_hidden_layers``, ``num_attention_heads``, ``intermediate_size``, ``vocab_size``,
        ``num_key_value_heads``, ``head_dim``; RMSNorm, rotary positions, SwiGLU, no biases),
        with ``fields`` replacing any of those defaults."""
        d = fields.pop("d_model", None) or self.need("hidden_size")
        heads = fields.pop("n_heads", None) or self.need("num_attention_heads")
        defaults: dict[str, Any] = {
            "d_model": d,
            "n_heads": heads,
            "n_layers": fields.pop("n_layers", None) or self.need("num_hidden_layers"),
            "d_ff": fields.pop("d_ff", None) or self.need("intermediate_size"),
            "vocab": self.need("vocab_size"),
            "n_kv_heads": self.opt("num_key_value_heads", heads),
            "head_dim": self.opt("head_dim", d // heads),
        }
        return rotary_decoder(self.name, **{**defaults, **fields})

    def encoder(self, **fields: Any) -> TransformerSpec:
        """The spec of a BERT-shaped encoder (learned positions and token types, a pooler, no
        pretraining head), with ``fields`` replacing any default."""
        defaults: dict[str, Any] = {
            "d_model": self.need("hidden_size"),
            "n_layers": self.need("num_hidden_layers"),
            "n_heads": self.need("num_attention_heads"),
            "d_ff": self.need("intermediate_size"),
            "vocab": self.need("vocab_size"),
            "max_positions": self.need("max_position_embeddings"),
            "type_vocab": self.check("type_vocab_size", self.get("type_vocab_size", 2), True),
            "pooler": True,
            "lm_head": False,
        }
        return TransformerSpec(self.name, "encoder", **{**defaults, **fields})


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


def model_name(cfg: dict[str, Any], path: Path) -> str:
    """What to call the model: the config's ``_name_or_path``, else the folder of a Hub
    download (``models--org--name/snapshots/<hash>/config.json`` → ``org/name``, or a folder
    named for the model), else its ``architectures``, else the file's name.

    >>> model_name({}, Path("/hub/models--Qwen--Qwen3-8B/snapshots/ab12/config.json"))
    'Qwen/Qwen3-8B'
    >>> model_name({"architectures": ["GemmaForCausalLM"]}, Path("config.json"))
    'GemmaForCausalLM'
    """
    given = cfg.get("_name_or_path")
    if isinstance(given, str) and given.strip():
        return given.strip()[:MAX_NAME_CHARS]
    for part in path.parts:
        if part.startswith("models--") and part.count("--") >= 2:
            return part.removeprefix("models--").replace("--", "/")[:MAX_NAME_CHARS]
    folder = path.parent.name if path.name == "config.json" else ""
    if folder and folder not in {".", "snapshots"} and not _is_hash(folder):
        return folder[:MAX_NAME_CHARS]
    archs = cfg.get("architectures")
    if isinstance(archs, list) and archs and isinstance(archs[0], str):
        return archs[0][:MAX_NAME_CHARS]
    return path.stem[:MAX_NAME_CHARS]


def _is_hash(text: str) -> bool:
    return len(text) >= 7 and all(c in "0123456789abcdef" for c in text)


def _check_scale(cfg: dict[str, Any], path: Path) -> None:
    """Refuse a config whose layers × experts would build too many modules."""
    layers = [
        cfg[k]
        for k in ("n_layer", "num_hidden_layers", "num_layers", "num_decoder_layers")
        if isinstance(cfg.get(k), int) and not isinstance(cfg.get(k), bool)
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


def from_hf_config(path: str | Path) -> Preset:
    """A countable model from a Hugging Face ``config.json`` (read and checked before torch
    loads)."""
    path = Path(path)
    cfg = _read_config(path)
    mtype = str(cfg.get("model_type", "")).lower()
    builder = BUILDERS.get(mtype)
    _check_scale(cfg, path)
    if builder is None:  # built by transformers when it is installed, else refused
        from aicompute.counting.hf import auto

        return auto.fallback(cfg, path, mtype, model_name(cfg, path))
    config = Config(cfg, path, mtype, model_name(cfg, path))
    try:
        return replace(builder(config), builder=f"native:{mtype}")
    except (TypeError, KeyError) as error:
        raise InputError("model", f"{path}: unexpected config ({error})") from None


# the builders, one module per family (each registers on import)
from aicompute.counting.hf import core, decoders, encoders  # noqa: E402, F401

HF_TYPES: tuple[str, ...] = tuple(BUILDERS)
"""``model_type`` values of Hugging Face configs that aicompute can build."""
