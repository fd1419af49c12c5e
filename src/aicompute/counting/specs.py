"""The shapes of the reference transformers (no torch): what a preset or a Hugging Face config
describes, checked before torch loads; :mod:`aicompute.counting.models` builds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["MLASpec", "MoESpec", "Preset", "TransformerSpec", "build_spec", "rotary_decoder"]


@dataclass(frozen=True)
class MoESpec:
    n_experts: int
    top_k: int
    d_ff_expert: int
    n_shared: int = 0
    dense_layers: int = 0  # the first layers keep a dense FFN
    d_ff_dense: int = 0
    d_ff_shared: int = 0  # width of the shared expert when not n_shared × d_ff_expert (Qwen2-MoE)
    shared_gate: bool = False  # a sigmoid gate (a d→1 linear) on the shared expert (Qwen2-MoE)
    sparse_layers: tuple[int, ...] | None = None  # the layers with experts (None: all but the
    # first dense_layers)
    gating: str = "softmax"  # router scores: softmax | sigmoid (elementwise work only)

    def sparse(self, layer: int) -> bool:
        """Whether layer ``layer`` (from 0) has experts; the others keep a dense FFN."""
        if self.sparse_layers is not None:
            return layer in self.sparse_layers
        return layer >= self.dense_layers

    @property
    def shared_width(self) -> int:
        """The hidden width of the shared expert(s), 0 when there are none."""
        return self.d_ff_shared or self.d_ff_expert * self.n_shared


@dataclass(frozen=True)
class MLASpec:
    """DeepSeek's multi-head latent attention projections (``q_lora`` 0: a plain query
    projection, as DeepSeek-V2-Lite)."""

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
    # decoders beyond the Llama family (Gemma, Phi-3, Falcon, OLMo, DeepSeek-V2, Qwen2-MoE)
    qkv_bias: bool | None = None  # biases of the q/k/v projections (None: as ``bias``)
    out_bias: bool | None = None  # bias of the attention output projection (None: as ``bias``)
    ffn_bias: bool | None = None  # biases of the FFN (None: as ``bias``)
    norm_affine: bool = True  # False: non-parametric LayerNorm (OLMo)
    norm_place: str = "pre"  # pre | sandwich (pre and post, Gemma 2/3) | after (OLMo 2: after
    # each sublayer, before the residual)
    parallel: int = 0  # attention and FFN in parallel (Falcon): 1 with one shared norm, 2 two
    qk_norm: str = ""  # "" | head (RMSNorm per head: Qwen3, Gemma 3) | full (OLMo 2)
    qkv_clip: float = 0.0  # q, k, v clamped to ±qkv_clip (OLMo clip_qkv)
    embed_scale: bool = False  # embeddings multiplied by sqrt(d_model) (Gemma)
    attn_scale: float = 0.0  # scores scaled by attn_scale**-0.5 (query_pre_attn_scalar); 0: head
    attn_softcap: float = 0.0  # attention logits soft-capped: c·tanh(s/c) (Gemma 2)
    final_softcap: float = 0.0  # output logits soft-capped (Gemma 2)
    windows: tuple[int, ...] = ()  # sliding window of each layer, 0 global; () all global
    image_size: int = 0
    patch: int = 0
    channels: int = 3
    n_classes: int = 0
    # encoders, T5 and CLIP
    position_offset: int = 0  # positions start here (RoBERTa: padding_idx + 1), so the usable
    # length is max_positions - position_offset
    relative_buckets: int = 0  # T5: relative attention bias (buckets × heads, first layer of
    # each stack)
    activation: str = ""  # the FFN's activation when not the ffn kind's own (CLIP: quick_gelu)
    projection_dim: int = 0  # CLIP: the width both towers project to
    vision: TransformerSpec | None = None  # CLIP: the image tower (a vit spec)
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kv_heads(self) -> int:
        return self.n_kv_heads or self.n_heads

    @property
    def dim_head(self) -> int:
        return self.head_dim or self.d_model // self.n_heads

    @property
    def attention_dims(self) -> tuple[int, int]:
        """The head sizes of the scores and of the values: (qk_nope + qk_rope, v_head) for
        multi-head latent attention, else (head_dim, head_dim)."""
        if self.mla is not None:
            return self.mla.qk_nope + self.mla.qk_rope, self.mla.v_head
        return self.dim_head, self.dim_head

    def window(self, layer: int) -> int:
        """The sliding window of layer ``layer`` (0: global attention)."""
        return self.windows[layer] if layer < len(self.windows) else 0

    def with_(self, **changes: Any) -> TransformerSpec:
        return replace(self, **changes)


def rotary_decoder(name: str, **fields: Any) -> TransformerSpec:
    """A decoder of the Llama layout (SwiGLU, RMSNorm, rotary positions, no biases) with the
    given shape; ``fields`` may replace any of those."""
    layout: dict[str, Any] = {"ffn": "swiglu", "norm": "rms", "positions": "rotary", "bias": False}
    return TransformerSpec(name, "decoder", **{**layout, **fields})


@dataclass(frozen=True)
class Preset:
    """A model to count: how to build it and what its input looks like."""

    name: str
    kind: str  # text | image | text+image (CLIP: token ids and an image) | auto (transformers:
    # known once built)
    build: Callable[[], Any]
    default_seq_len: int = 0
    image_size: int = 224
    spec: Any = None
    source: str = ""
    builder: str = "preset"  # preset | native:<model_type> | transformers (:<class> once built)
    run: Callable[[Any, tuple], Any] | None = None  # calls the module on its inputs (default:
    # module(*inputs))


def build_spec(spec: TransformerSpec) -> Any:
    """The module of a transformer spec (torch loads here, not before)."""
    from aicompute.counting import models

    return models.build_transformer(spec)
