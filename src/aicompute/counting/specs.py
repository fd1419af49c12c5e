"""The shapes of the reference transformers (no torch): what a preset or a Hugging Face config
describes, checked before torch loads; :mod:`aicompute.counting.models` builds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["MLASpec", "MoESpec", "Preset", "TransformerSpec", "build_spec"]


@dataclass(frozen=True)
class MoESpec:
    n_experts: int
    top_k: int
    d_ff_expert: int
    n_shared: int = 0
    dense_layers: int = 0  # the first layers keep a dense FFN
    d_ff_dense: int = 0


@dataclass(frozen=True)
class MLASpec:
    """DeepSeek's multi-head latent attention projections."""

    q_lora: int
    kv_lora: int
    qk_nope: int
    qk_rope: int
    v_head: int


@dataclass(frozen=True)
class TransformerSpec:
    """The shape of a transformer, enough to count it."""

    name: str
    kind: str  # decoder | encoder | encoder-decoder | vit
    d_model: int
    n_layers: int
    n_heads: int
    d_ff: int
    vocab: int = 0
    n_kv_heads: int | None = None
    head_dim: int | None = None
    ffn: str = "gelu"  # gelu | relu | swiglu
    norm: str = "layer"  # layer | rms
    positions: str = "learned"  # learned | rotary | relative | none
    max_positions: int = 0
    type_vocab: int = 0
    bias: bool = True
    lm_head: bool = True
    tie_embeddings: bool = False
    pooler: bool = False
    decoder_layers: int = 0
    moe: MoESpec | None = None
    mla: MLASpec | None = None
    image_size: int = 0
    patch: int = 0
    channels: int = 3
    n_classes: int = 0
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kv_heads(self) -> int:
        return self.n_kv_heads or self.n_heads

    @property
    def dim_head(self) -> int:
        return self.head_dim or self.d_model // self.n_heads

    def with_(self, **changes: Any) -> TransformerSpec:
        return replace(self, **changes)


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


def build_spec(spec: TransformerSpec) -> Any:
    """The module of a transformer spec (torch loads here, not before)."""
    from aicompute.counting import models

    return models.build_transformer(spec)
