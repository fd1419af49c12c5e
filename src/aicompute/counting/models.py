"""Reference architectures for counting: transformers (decoder, encoder, encoder-decoder,
mixture-of-experts, multi-head latent attention, vision) and ConvNets (ResNet, VGG, AlexNet).

These modules reproduce the shapes of the published models so that their operations can be
counted on the meta device; they are not meant for training or inference. Two conventions are
explicit: attention runs through ``scaled_dot_product_attention`` (full matrix, causal flag
set for decoders), and mixture-of-experts layers route tokens by *expected* routing (every
token to k of the E experts, the k·T rows split evenly), not by data-dependent dispatch.
Rotary position embeddings are elementwise work and are left out.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from aicompute.counting.specs import MLASpec, MoESpec, TransformerSpec

__all__ = [
    "MLASpec",
    "MoESpec",
    "TransformerSpec",
    "ViT",
    "alexnet",
    "alexnet_2012",
    "build_transformer",
    "resnet",
    "vgg16",
]


def _norm(spec: TransformerSpec) -> nn.Module:
    if spec.norm == "rms":
        return nn.RMSNorm(spec.d_model)
    return nn.LayerNorm(spec.d_model)


class Attention(nn.Module):
    def __init__(self, spec: TransformerSpec, causal: bool, cross: bool = False) -> None:
        super().__init__()
        self.spec, self.causal, self.cross = spec, causal, cross
        h, hd, kv = spec.n_heads, spec.dim_head, spec.kv_heads
        if spec.mla is not None:
            m = spec.mla
            self.q_a = nn.Linear(spec.d_model, m.q_lora, bias=False)
            self.q_norm = nn.RMSNorm(m.q_lora)
            self.q_b = nn.Linear(m.q_lora, h * (m.qk_nope + m.qk_rope), bias=False)
            self.kv_a = nn.Linear(spec.d_model, m.kv_lora + m.qk_rope, bias=False)
            self.kv_norm = nn.RMSNorm(m.kv_lora)
            self.kv_b = nn.Linear(m.kv_lora, h * (m.qk_nope + m.v_head), bias=False)
            self.o = nn.Linear(h * m.v_head, spec.d_model, bias=False)
        else:
            self.q = nn.Linear(spec.d_model, h * hd, bias=spec.bias)
            self.k = nn.Linear(spec.d_model, kv * hd, bias=spec.bias)
            self.v = nn.Linear(spec.d_model, kv * hd, bias=spec.bias)
            self.o = nn.Linear(h * hd, spec.d_model, bias=spec.bias)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None) -> torch.Tensor:
        spec, (b, lq, _) = self.spec, x.shape
        h = spec.n_heads
        if spec.mla is not None:
            m = spec.mla
            q = self.q_b(self.q_norm(self.q_a(x))).view(b, lq, h, -1).transpose(1, 2)
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
            q = self.q(x).view(b, lq, h, hd).transpose(1, 2)
            k = self.k(source).view(b, lk, kv_heads, hd).transpose(1, 2)
            v = self.v(source).view(b, lk, kv_heads, hd).transpose(1, 2)
            if kv_heads != h:
                k = k.repeat_interleave(h // kv_heads, dim=1)
                v = v.repeat_interleave(h // kv_heads, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal and not self.cross)
        return self.o(out.transpose(1, 2).reshape(b, lq, -1))


class FeedForward(nn.Module):
    def __init__(self, d_model: int, d_ff: int, kind: str, bias: bool) -> None:
        super().__init__()
        self.kind = kind
        if kind == "swiglu":
            self.gate = nn.Linear(d_model, d_ff, bias=bias)
        self.up = nn.Linear(d_model, d_ff, bias=bias)
        self.down = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "swiglu":
            return self.down(F.silu(self.gate(x)) * self.up(x))
        return self.down(F.relu(self.up(x)) if self.kind == "relu" else F.gelu(self.up(x)))


class MixtureOfExperts(nn.Module):
    """Router, routed experts (SwiGLU) with expected routing, and shared experts."""

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
        self.shared = FeedForward(d, f * moe.n_shared, "swiglu", False) if moe.n_shared else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, length, d = x.shape
        tokens = x.reshape(-1, d)
        t, e, k = tokens.shape[0], self.moe.n_experts, self.moe.top_k
        weights = F.softmax(self.router(tokens), dim=-1).topk(k, dim=-1).values
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
            mixed = mixed + self.shared(tokens)
        return mixed.reshape(b, length, d)

    def inactive_params(self) -> int:
        """Parameters of the experts a token does not use."""
        per_expert = self.w_gate[0].numel() + self.w_up[0].numel() + self.w_down[0].numel()
        return (self.moe.n_experts - self.moe.top_k) * per_expert


class Block(nn.Module):
    def __init__(
        self,
        spec: TransformerSpec,
        causal: bool,
        cross: bool = False,
        dense_ff: int | None = None,
        post_norm: bool = False,
    ) -> None:
        super().__init__()
        self.post_norm = post_norm
        self.norm1, self.attn = _norm(spec), Attention(spec, causal)
        self.cross = Attention(spec, causal=False, cross=True) if cross else None
        self.norm_cross = _norm(spec) if cross else None
        self.norm2 = _norm(spec)
        if spec.moe is not None and dense_ff is None:
            self.ffn: nn.Module = MixtureOfExperts(spec)
        else:
            self.ffn = FeedForward(spec.d_model, dense_ff or spec.d_ff, spec.ffn, spec.bias)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None) -> torch.Tensor:
        if self.post_norm:  # BERT
            x = self.norm1(x + self.attn(x))
            return self.norm2(x + self.ffn(x))
        x = x + self.attn(self.norm1(x))
        if self.cross is not None and self.norm_cross is not None:
            x = x + self.cross(self.norm_cross(x), memory)
        return x + self.ffn(self.norm2(x))


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
        dense = spec.moe.dense_layers if spec.moe else 0
        d_ff_dense = spec.moe.d_ff_dense if spec.moe else None
        main_causal = spec.kind == "decoder"
        self.layers = nn.ModuleList(
            [
                Block(
                    spec,
                    causal=main_causal,
                    dense_ff=d_ff_dense if i < dense else None,
                    post_norm=spec.kind == "encoder",
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
        if self.pos is not None:
            x = x + self.pos(torch.arange(ids.shape[1], device=ids.device))
        if self.types is not None:
            x = x + self.types(torch.zeros_like(ids))
        return self.embed_norm(x) if self.embed_norm is not None else x

    def forward(self, ids: torch.Tensor, decoder_ids: torch.Tensor | None = None) -> torch.Tensor:
        x = self._embed(ids)
        for layer in self.layers:
            x = layer(x)
        if self.final_norm is not None:
            x = self.final_norm(x)
        if self.decoder is not None:
            y = self.embed(decoder_ids if decoder_ids is not None else ids)
            for layer in self.decoder:
                y = layer(y, memory=x)
            x = self.decoder_norm(y)
        if self.pooler is not None:
            return torch.tanh(self.pooler(x[:, 0]))
        return self.head(x) if self.head is not None else x


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
    for v in [
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
    ]:
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
