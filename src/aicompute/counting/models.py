"""Reference architectures for counting: transformers (decoder, encoder, encoder-decoder,
mixture-of-experts, multi-head latent attention, vision) and ConvNets (ResNet, VGG, AlexNet).

These modules reproduce the shapes of the published models so that their operations can be
counted on the meta device; they are not meant for training or inference. Two conventions are
explicit: attention runs through :func:`attend` (``scaled_dot_product_attention`` over the
full matrix, causal flag set for decoders, a sliding window as a mask; soft-capped logits run
the two matmuls explicitly), which lists each call so that the causal convention can be
counted exactly; and mixture-of-experts layers route tokens by *expected* routing (every
token to k of the E experts, the k·T rows split evenly), not by data-dependent dispatch.
Rotary position embeddings and ALiBi biases are elementwise work and are left out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from aicompute.counting.specs import MLASpec, MoESpec, TransformerSpec

__all__ = [
    "AttentionCall",
    "MLASpec",
    "MoESpec",
    "TransformerSpec",
    "ViT",
    "alexnet",
    "alexnet_2012",
    "attend",
    "build_transformer",
    "causal_scores",
    "record_attention",
    "resnet",
    "vgg16",
]


def _norm(spec: TransformerSpec) -> nn.Module:
    if spec.norm == "rms":
        return nn.RMSNorm(spec.d_model)
    return nn.LayerNorm(spec.d_model, elementwise_affine=spec.norm_affine)


def causal_scores(lq: int, lk: int, window: int = 0) -> int:
    """How many scores a causal mask keeps: query i (from 0) sees min(i + 1, lk, window) keys
    (``window`` 0: no sliding window).

    >>> causal_scores(4, 4), causal_scores(4, 4, window=2), causal_scores(1024, 1024, 4096)
    (10, 7, 524800)
    """
    cap = min(lk, window) if window else lk
    if lq <= cap:
        return lq * (lq + 1) // 2
    return cap * (cap + 1) // 2 + (lq - cap) * cap


@dataclass(frozen=True)
class AttentionCall:
    """One attention executed: ``batch`` (× heads) score matrices of lq × lk, head sizes
    ``d_qk`` (scores) and ``d_v`` (values), causal or not, with its sliding window (0: none)."""

    batch: int
    lq: int
    lk: int
    d_qk: int
    d_v: int
    causal: bool
    window: int = 0

    @property
    def full_macs(self) -> int:
        """Q·Kᵀ and P·V over the whole score matrix, as the kernels execute them."""
        return self.batch * self.lq * self.lk * (self.d_qk + self.d_v)

    @property
    def causal_macs(self) -> int:
        """Only the scores the causal (and sliding-window) mask keeps."""
        if not self.causal:
            return self.full_macs
        return self.batch * causal_scores(self.lq, self.lk, self.window) * (self.d_qk + self.d_v)


_ATTENTION_LOG: ContextVar[list[AttentionCall] | None] = ContextVar("attention_log", default=None)
_IN_ATTEND: ContextVar[bool] = ContextVar("in_attend", default=False)


@contextmanager
def record_attention() -> Iterator[list[AttentionCall]]:
    """Within this block, every attention the reference models execute is listed."""
    log: list[AttentionCall] = []
    token = _ATTENTION_LOG.set(log)
    try:
        yield log
    finally:
        _ATTENTION_LOG.reset(token)


def log_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool, window: int = 0
) -> None:
    """Add an attention call to the list of :func:`record_attention`, if one is open."""
    log = _ATTENTION_LOG.get()
    if log is not None:
        batch = math.prod(q.shape[:-2])
        log.append(
            AttentionCall(batch, q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1], causal, window)
        )


def inside_attend() -> bool:
    """Whether :func:`attend` is running (its call is listed already)."""
    return _IN_ATTEND.get()


def _causal_mask(lq: int, lk: int, window: int, device: torch.device) -> torch.Tensor:
    """True where query i may see key j: j <= i, and i - j < window when there is one."""
    i = torch.arange(lq, device=device).unsqueeze(-1)
    j = torch.arange(lk, device=device).unsqueeze(0)
    keep = j <= i
    return keep & (j > i - window) if window else keep


def attend(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    causal: bool,
    window: int = 0,
    scale: float | None = None,
    softcap: float = 0.0,
) -> torch.Tensor:
    """Attention over the whole score matrix (what the kernels execute), listed for
    :func:`record_attention`. A sliding window is a mask; soft-capped logits (Gemma 2) run the
    math explicitly (two matmuls, as HF's eager attention)."""
    log_attention(q, k, v, causal, window)
    if not softcap:
        mask = _causal_mask(q.shape[-2], k.shape[-2], window, q.device) if window else None
        token = _IN_ATTEND.set(True)
        try:
            return F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, is_causal=causal and mask is None, scale=scale
            )
        finally:
            _IN_ATTEND.reset(token)
    scores = torch.matmul(q, k.transpose(-2, -1)) * (scale or q.shape[-1] ** -0.5)
    scores = torch.tanh(scores / softcap) * softcap
    if causal:
        keep = _causal_mask(q.shape[-2], k.shape[-2], window, q.device)
        scores = scores.masked_fill(~keep, float("-inf"))
    return torch.matmul(torch.softmax(scores, dim=-1), v)


class Attention(nn.Module):
    def __init__(
        self, spec: TransformerSpec, causal: bool, cross: bool = False, window: int = 0
    ) -> None:
        super().__init__()
        self.spec, self.causal, self.cross, self.window = spec, causal, cross, window
        h, hd, kv = spec.n_heads, spec.dim_head, spec.kv_heads
        qkv_bias = spec.bias if spec.qkv_bias is None else spec.qkv_bias
        out_bias = spec.bias if spec.out_bias is None else spec.out_bias
        self.scale = spec.attn_scale**-0.5 if spec.attn_scale else None
        if spec.mla is not None:
            m = spec.mla
            if m.q_lora:
                self.q_a = nn.Linear(spec.d_model, m.q_lora, bias=qkv_bias)
                self.q_norm = nn.RMSNorm(m.q_lora)
                self.q_b = nn.Linear(m.q_lora, h * (m.qk_nope + m.qk_rope), bias=False)
            else:  # DeepSeek-V2-Lite: a plain query projection
                self.q = nn.Linear(spec.d_model, h * (m.qk_nope + m.qk_rope), bias=False)
            self.kv_a = nn.Linear(spec.d_model, m.kv_lora + m.qk_rope, bias=qkv_bias)
            self.kv_norm = nn.RMSNorm(m.kv_lora)
            self.kv_b = nn.Linear(m.kv_lora, h * (m.qk_nope + m.v_head), bias=False)
            self.o = nn.Linear(h * m.v_head, spec.d_model, bias=out_bias)
        else:
            self.q = nn.Linear(spec.d_model, h * hd, bias=qkv_bias)
            self.k = nn.Linear(spec.d_model, kv * hd, bias=qkv_bias)
            self.v = nn.Linear(spec.d_model, kv * hd, bias=qkv_bias)
            self.o = nn.Linear(h * hd, spec.d_model, bias=out_bias)
            if spec.qk_norm == "head":  # per head (Qwen3, Gemma 3)
                self.q_norm, self.k_norm = nn.RMSNorm(hd), nn.RMSNorm(hd)
            elif spec.qk_norm == "full":  # over the whole projection (OLMo 2)
                self.q_norm, self.k_norm = nn.RMSNorm(h * hd), nn.RMSNorm(kv * hd)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None) -> torch.Tensor:
        spec, (b, lq, _) = self.spec, x.shape
        h = spec.n_heads
        if spec.mla is not None:
            m = spec.mla
            q = self.q(x) if not m.q_lora else self.q_b(self.q_norm(self.q_a(x)))
            q = q.view(b, lq, h, -1).transpose(1, 2)
            kv_a = self.kv_a(x)
            latent, rope = kv_a.split([m.kv_lora, m.qk_rope], dim=-1)
            kv = self.kv_b(self.kv_norm(latent)).view(b, lq, h, -1).transpose(1, 2)
            k_nope, v = kv.split([m.qk_nope, m.v_head], dim=-1)
            k_rope = rope.view(b, 1, lq, m.qk_rope).expand(b, h, lq, m.qk_rope)
            k = torch.cat([k_nope, k_rope], dim=-1)
        else:
            source = memory if memory is not None else x
            lk = source.shape[1]
            hd, kv_heads = spec.dim_head, spec.kv_heads
            q, k, v = self.q(x), self.k(source), self.v(source)
            if spec.qk_norm == "full":
                q, k = self.q_norm(q), self.k_norm(k)
            if spec.qkv_clip:
                c = spec.qkv_clip
                q, k, v = q.clamp(-c, c), k.clamp(-c, c), v.clamp(-c, c)
            q = q.view(b, lq, h, hd).transpose(1, 2)
            k = k.view(b, lk, kv_heads, hd).transpose(1, 2)
            v = v.view(b, lk, kv_heads, hd).transpose(1, 2)
            if spec.qk_norm == "head":
                q, k = self.q_norm(q), self.k_norm(k)
            if kv_heads != h:
                k = k.repeat_interleave(h // kv_heads, dim=1)
                v = v.repeat_interleave(h // kv_heads, dim=1)
        out = attend(
            q,
            k,
            v,
            causal=self.causal and not self.cross,
            window=self.window,
            scale=self.scale,
            softcap=spec.attn_softcap,
        )
        return self.o(out.transpose(1, 2).reshape(b, lq, -1))


class FeedForward(nn.Module):
    def __init__(self, d_model: int, d_ff: int, kind: str, bias: bool) -> None:
        super().__init__()
        self.kind = kind
        if kind in {"swiglu", "geglu"}:
            self.gate = nn.Linear(d_model, d_ff, bias=bias)
        self.up = nn.Linear(d_model, d_ff, bias=bias)
        self.down = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "swiglu":
            return self.down(F.silu(self.gate(x)) * self.up(x))
        if self.kind == "geglu":  # Gemma: GELU (tanh approximation) gate
            return self.down(F.gelu(self.gate(x), approximate="tanh") * self.up(x))
        return self.down(F.relu(self.up(x)) if self.kind == "relu" else F.gelu(self.up(x)))


class MixtureOfExperts(nn.Module):
    """Router, routed experts (SwiGLU) with expected routing, and shared experts (optionally
    behind a sigmoid gate, as Qwen2-MoE)."""

    def __init__(self, spec: TransformerSpec) -> None:
        super().__init__()
        moe = spec.moe
        assert moe is not None
        self.moe = moe
        d, f, e = spec.d_model, moe.d_ff_expert, moe.n_experts
        self.router = nn.Linear(d, e, bias=False)
        self.w_gate = nn.Parameter(torch.empty(e, d, f))
        self.w_up = nn.Parameter(torch.empty(e, d, f))
        self.w_down = nn.Parameter(torch.empty(e, f, d))
        width = moe.shared_width
        self.shared = FeedForward(d, width, "swiglu", False) if width else None
        self.shared_gate = nn.Linear(d, 1, bias=False) if width and moe.shared_gate else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, length, d = x.shape
        tokens = x.reshape(-1, d)
        t, e, k = tokens.shape[0], self.moe.n_experts, self.moe.top_k
        logits = self.router(tokens)
        scores = torch.sigmoid(logits) if self.moe.gating == "sigmoid" else F.softmax(logits, -1)
        weights = scores.topk(k, dim=-1).values
        rows = tokens.repeat_interleave(k, dim=0)  # each token, once per chosen expert
        if (t * k) % e == 0:  # expected routing: the k·T rows split evenly over the experts
            grouped = rows.view(e, t * k // e, d)
            hidden = F.silu(torch.bmm(grouped, self.w_gate)) * torch.bmm(grouped, self.w_up)
            out = torch.bmm(hidden, self.w_down).reshape(t, k, d)
        else:
            sizes = [t * k // e + (1 if i < (t * k) % e else 0) for i in range(e)]
            parts = []
            for i, chunk in enumerate(rows.split(sizes)):
                hidden = F.silu(chunk @ self.w_gate[i]) * (chunk @ self.w_up[i])
                parts.append(hidden @ self.w_down[i])
            out = torch.cat(parts).reshape(t, k, d)
        mixed = (out * weights.unsqueeze(-1)).sum(dim=1)
        if self.shared is not None:
            shared = self.shared(tokens)
            if self.shared_gate is not None:
                shared = torch.sigmoid(self.shared_gate(tokens)) * shared
            mixed = mixed + shared
        return mixed.reshape(b, length, d)

    def inactive_params(self) -> int:
        """Parameters of the experts a token does not use."""
        per_expert = self.w_gate[0].numel() + self.w_up[0].numel() + self.w_down[0].numel()
        return (self.moe.n_experts - self.moe.top_k) * per_expert


class Block(nn.Module):
    """A transformer layer: pre-norm (default), sandwich norms (Gemma 2/3), norms after each
    sublayer (OLMo 2), parallel attention and FFN (Falcon), or post-norm (BERT)."""

    def __init__(
        self,
        spec: TransformerSpec,
        causal: bool,
        cross: bool = False,
        dense_ff: int | None = None,
        post_norm: bool = False,
        window: int = 0,
    ) -> None:
        super().__init__()
        self.post_norm = post_norm
        self.place, self.parallel = spec.norm_place, spec.parallel
        self.norm1, self.attn = _norm(spec), Attention(spec, causal, window=window)
        self.cross = Attention(spec, causal=False, cross=True) if cross else None
        self.norm_cross = _norm(spec) if cross else None
        self.norm2 = _norm(spec) if spec.parallel != 1 else None  # Falcon-7B: one shared norm
        if spec.norm_place == "sandwich":
            self.post_attn_norm, self.post_ffn_norm = _norm(spec), _norm(spec)
        if spec.moe is not None and dense_ff is None:
            self.ffn: nn.Module = MixtureOfExperts(spec)
        else:
            ffn_bias = spec.bias if spec.ffn_bias is None else spec.ffn_bias
            self.ffn = FeedForward(spec.d_model, dense_ff or spec.d_ff, spec.ffn, ffn_bias)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None) -> torch.Tensor:
        if self.post_norm:  # BERT
            assert self.norm2 is not None
            x = self.norm1(x + self.attn(x))
            return self.norm2(x + self.ffn(x))
        if self.parallel:  # Falcon: x + attn(norm(x)) + ffn(norm'(x))
            h = self.norm1(x)
            return x + self.attn(h) + self.ffn(h if self.norm2 is None else self.norm2(x))
        assert self.norm2 is not None
        if self.place == "after":  # OLMo 2: x + norm(attn(x)), x + norm(ffn(x))
            x = x + self.norm1(self.attn(x))
            return x + self.norm2(self.ffn(x))
        a = self.attn(self.norm1(x))
        x = x + (self.post_attn_norm(a) if self.place == "sandwich" else a)
        if self.cross is not None and self.norm_cross is not None:
            x = x + self.cross(self.norm_cross(x), memory)
        f = self.ffn(self.norm2(x))
        return x + (self.post_ffn_norm(f) if self.place == "sandwich" else f)


class Transformer(nn.Module):
    """Decoder-only, encoder-only or encoder-decoder language model."""

    def __init__(self, spec: TransformerSpec) -> None:
        super().__init__()
        self.spec = spec
        self.embed = nn.Embedding(spec.vocab, spec.d_model)
        self.pos = (
            nn.Embedding(spec.max_positions, spec.d_model) if spec.positions == "learned" else None
        )
        self.types = nn.Embedding(spec.type_vocab, spec.d_model) if spec.type_vocab else None
        self.embed_norm = _norm(spec) if spec.kind == "encoder" else None
        decoder = spec.kind != "encoder"
        moe = spec.moe

        def dense_ff(layer: int) -> int | None:
            """The width of a dense FFN, None for a layer with experts."""
            if moe is None or moe.sparse(layer):
                return None
            return moe.d_ff_dense or spec.d_ff

        main_causal = spec.kind == "decoder"
        self.layers = nn.ModuleList(
            [
                Block(
                    spec,
                    causal=main_causal,
                    dense_ff=dense_ff(i),
                    post_norm=spec.kind == "encoder",
                    window=spec.window(i) if main_causal else 0,
                )
                for i in range(spec.n_layers)
            ]
        )
        self.final_norm = _norm(spec) if spec.kind != "encoder" else None
        self.decoder = None
        if spec.kind == "encoder-decoder":
            self.decoder = nn.ModuleList(
                [
                    Block(spec, causal=True, cross=True)
                    for _ in range(spec.decoder_layers or spec.n_layers)
                ]
            )
            self.decoder_norm = _norm(spec)
        self.pooler = nn.Linear(spec.d_model, spec.d_model) if spec.pooler else None
        self.head = (
            nn.Linear(spec.d_model, spec.vocab, bias=False) if spec.lm_head and decoder else None
        )
        if self.head is not None and spec.tie_embeddings:
            self.head.weight = self.embed.weight

    def _embed(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)
        if self.spec.embed_scale:  # Gemma: × sqrt(d_model)
            x = x * self.spec.d_model**0.5
        if self.pos is not None:
            x = x + self.pos(torch.arange(ids.shape[1], device=ids.device))
        if self.types is not None:
            x = x + self.types(torch.zeros_like(ids))
        return self.embed_norm(x) if self.embed_norm is not None else x

    def _encode(self, ids: torch.Tensor) -> torch.Tensor:
        """The embedded tokens through every layer and the final norm."""
        x = self._embed(ids)
        for layer in self.layers:
            x = layer(x)
        return self.final_norm(x) if self.final_norm is not None else x

    def forward(self, ids: torch.Tensor, decoder_ids: torch.Tensor | None = None) -> torch.Tensor:
        x = self._encode(ids)
        if self.decoder is not None:
            y = self.embed(decoder_ids if decoder_ids is not None else ids)
            for layer in self.decoder:
                y = layer(y, memory=x)
            x = self.decoder_norm(y)
        if self.pooler is not None:
            return torch.tanh(self.pooler(x[:, 0]))
        if self.head is None:
            return x
        logits = self.head(x)
        if self.spec.final_softcap:  # Gemma 2: c·tanh(logits / c)
            cap = self.spec.final_softcap
            logits = torch.tanh(logits / cap) * cap
        return logits


class ViT(nn.Module):
    """Vision transformer: patch embedding, class token, pre-norm encoder, linear head."""

    def __init__(self, spec: TransformerSpec) -> None:
        super().__init__()
        self.spec = spec
        n_patches = (spec.image_size // spec.patch) ** 2
        self.patch = nn.Conv2d(spec.channels, spec.d_model, spec.patch, stride=spec.patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, spec.d_model))
        self.pos = nn.Parameter(torch.zeros(1, n_patches + 1, spec.d_model))
        self.layers = nn.ModuleList([Block(spec, causal=False) for _ in range(spec.n_layers)])
        self.norm = _norm(spec)
        self.head = nn.Linear(spec.d_model, spec.n_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.patch(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for layer in self.layers:
            x = layer(x)
        return self.head(self.norm(x)[:, 0])


def build_transformer(spec: TransformerSpec) -> nn.Module:
    """The module for a transformer spec."""
    if spec.kind in {"encoder-decoder", "clip"}:  # defined below, with the encoder variants
        return T5(spec) if spec.kind == "encoder-decoder" else CLIP(spec)
    return ViT(spec) if spec.kind == "vit" else Transformer(spec)


# --- ConvNets -------------------------------------------------------------------------------


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, c_in: int, width: int, stride: int) -> None:
        super().__init__()
        c_out = width * self.expansion
        self.conv1 = nn.Conv2d(c_in, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)  # v1.5
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet(nn.Module):
    def __init__(self, blocks: list[int], n_classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, c_in = [], 64
        for i, n in enumerate(blocks):
            width = 64 * 2**i
            stages = []
            for j in range(n):
                stages.append(Bottleneck(c_in, width, 2 if (j == 0 and i > 0) else 1))
                c_in = width * Bottleneck.expansion
            layers.append(nn.Sequential(*stages))
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.fc = nn.Linear(c_in, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, stride=2, padding=1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def resnet(depth: int) -> nn.Module:
    """ResNet-50 or -152 (torchvision's v1.5: the stride on the 3x3 convolution)."""
    return ResNet({50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth])


class _Classifier(nn.Module):
    def __init__(self, features: nn.Module, pool: int, fc: list[int]) -> None:
        super().__init__()
        self.features, self.pool = features, pool
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(itertools.pairwise(fc)):
            layers.append(nn.Linear(a, b))
            if i < len(fc) - 2:
                layers += [nn.ReLU(), nn.Dropout()]
        self.classifier = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.adaptive_avg_pool2d(self.features(x), self.pool)
        return self.classifier(torch.flatten(x, 1))


def vgg16() -> nn.Module:
    layers: list[nn.Module] = []
    c_in = 3
    plan: list[int | str] = [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        "M",
    ]
    for v in plan:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c_in, int(v), 3, padding=1), nn.ReLU()]
            c_in = int(v)
    return _Classifier(nn.Sequential(*layers), 7, [512 * 7 * 7, 4096, 4096, 1000])


def alexnet() -> nn.Module:
    """torchvision's single-tower AlexNet (64-192-384-256-256 filters)."""
    features = nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
    )
    return _Classifier(features, 6, [256 * 6 * 6, 4096, 4096, 1000])


def alexnet_2012() -> nn.Module:
    """The 2012 paper's two-GPU AlexNet: 96-256-384-384-256 filters, convolutions 2, 4 and 5
    split into two groups (one per GPU), on 227x227 inputs."""
    features = nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2),
        nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
    )
    return _Classifier(features, 6, [256 * 6 * 6, 4096, 4096, 1000])


# --- Encoder-decoders and CLIP ----------------------------------------------------------------


class T5(Transformer):
    """T5's encoder-decoder: the :class:`Transformer` stacks, plus the relative attention bias
    tables (``relative_buckets`` × heads, held by the first layer of each stack; looking them
    up and adding them to the scores is elementwise work, left out as rotary embeddings are),
    and, when the output layer shares the embedding, the decoder output scaled by
    ``d_model ** -0.5`` before it (as Mesh TensorFlow and Hugging Face do)."""

    def __init__(self, spec: TransformerSpec) -> None:
        super().__init__(spec)
        buckets = spec.relative_buckets
        self.relative_bias = nn.Embedding(buckets, spec.n_heads) if buckets else None
        self.decoder_relative_bias = nn.Embedding(buckets, spec.n_heads) if buckets else None

    def forward(self, ids: torch.Tensor, decoder_ids: torch.Tensor | None = None) -> torch.Tensor:
        x = self._encode(ids)
        y = self.embed(decoder_ids if decoder_ids is not None else ids)
        for layer in self.decoder or ():
            y = layer(y, memory=x)
        y = self.decoder_norm(y)
        if self.head is None:
            return y
        if self.spec.tie_embeddings:
            y = y * self.spec.d_model**-0.5
        return self.head(y)


def quick_gelu(x: torch.Tensor) -> torch.Tensor:
    """CLIP's activation, x·σ(1.702·x)."""
    return x * torch.sigmoid(1.702 * x)


class MLP(nn.Module):
    """Two linear layers with biases around an activation (CLIP: quick_gelu)."""

    def __init__(self, d_model: int, d_ff: int, activation: str) -> None:
        super().__init__()
        self.activation = activation
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.fc1(x)
        if self.activation == "quick_gelu":
            h = quick_gelu(h)
        elif self.activation == "relu":
            h = F.relu(h)
        else:
            tanh = self.activation in {"gelu_new", "gelu_pytorch_tanh", "gelu_fast"}
            h = F.gelu(h, approximate="tanh" if tanh else "none")
        return self.fc2(h)


class PreNormLayer(nn.Module):
    """x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x)): a CLIP encoder layer."""

    def __init__(self, spec: TransformerSpec, causal: bool) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(spec.d_model)
        self.attn = Attention(spec, causal)
        self.norm2 = nn.LayerNorm(spec.d_model)
        self.mlp = MLP(spec.d_model, spec.d_ff, spec.activation or "gelu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class CLIPText(nn.Module):
    """CLIP's text tower: token and position embeddings, causal pre-norm layers, a final
    LayerNorm, and the end-of-text token's state projected (no bias) to ``projection_dim``."""

    def __init__(self, spec: TransformerSpec) -> None:
        super().__init__()
        d = spec.d_model
        self.embed = nn.Embedding(spec.vocab, d)
        self.pos = nn.Embedding(spec.max_positions, d)
        self.layers = nn.ModuleList([PreNormLayer(spec, causal=True) for _ in range(spec.n_layers)])
        self.final_norm = nn.LayerNorm(d)
        self.projection = nn.Linear(d, spec.projection_dim, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        b, length = ids.shape
        x = self.embed(ids) + self.pos(torch.arange(length, device=ids.device))
        for layer in self.layers:
            x = layer(x)
        x = self.final_norm(x)
        # the end-of-text token: the highest id of each sequence
        pooled = x[torch.arange(b, device=ids.device), ids.argmax(dim=-1)]
        return self.projection(pooled)


class CLIPVision(nn.Module):
    """CLIP's image tower: a ViT with a class embedding, a LayerNorm before the layers and one
    after them (on the class token), projected (no bias) to ``projection_dim``."""

    def __init__(self, spec: TransformerSpec, projection_dim: int) -> None:
        super().__init__()
        d = spec.d_model
        self.n_positions = (spec.image_size // spec.patch) ** 2 + 1
        self.patch = nn.Conv2d(spec.channels, d, spec.patch, stride=spec.patch, bias=False)
        self.cls = nn.Parameter(torch.zeros(d))
        self.pos = nn.Embedding(self.n_positions, d)
        self.pre_norm = nn.LayerNorm(d)
        self.layers = nn.ModuleList(
            [PreNormLayer(spec, causal=False) for _ in range(spec.n_layers)]
        )
        self.post_norm = nn.LayerNorm(d)
        self.projection = nn.Linear(d, projection_dim, bias=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.patch(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], dim=1)
        x = self.pre_norm(x + self.pos(torch.arange(x.shape[1], device=x.device)))
        for layer in self.layers:
            x = layer(x)
        return self.projection(self.post_norm(x[:, 0]))


class CLIP(nn.Module):
    """Both CLIP towers on an image+text pair: the normalized embeddings and their
    similarity logits (text × image, scaled by exp(logit_scale))."""

    def __init__(self, spec: TransformerSpec) -> None:
        super().__init__()
        assert spec.vision is not None
        self.spec = spec
        self.text = CLIPText(spec)
        self.vision = CLIPVision(spec.vision, spec.projection_dim)
        self.logit_scale = nn.Parameter(torch.zeros(()))

    def forward(self, ids: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        text, image = self.text(ids), self.vision(images)
        text = text * text.pow(2).sum(dim=-1, keepdim=True).rsqrt()
        image = image * image.pow(2).sum(dim=-1, keepdim=True).rsqrt()
        return text @ image.t() * self.logit_scale.exp()
