"""Built-in models (shapes from the published configs and papers) and Hugging Face configs.

>>> sorted(PRESET_NAMES)[:4]
['alexnet', 'alexnet-2012', 'bert-base', 'bert-large']
"""

from __future__ import annotations

import functools

from aicompute.counting.specs import Preset, TransformerSpec, rotary_decoder

__all__ = ["HF_TYPES", "PRESET_NAMES", "Preset", "from_hf_config", "presets"]


_META = "https://huggingface.co/meta-llama"


def _specs() -> dict[str, TransformerSpec]:
    from aicompute.counting.specs import MLASpec, MoESpec

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
    llama3 = rotary_decoder(
        "llama-3.1-8b",
        d_model=4096,
        n_layers=32,
        n_heads=32,
        n_kv_heads=8,
        d_ff=14336,
        vocab=128256,
        source=f"{_META}/Llama-3.1-8B",
    )
    # the larger sizes of a family: (name, d_model, layers, heads, d_ff, source)
    sizes = [
        (gpt2, "gpt2-xl", 1600, 48, 25, 6400, "https://huggingface.co/gpt2-xl"),
        (bert, "bert-large", 1024, 24, 16, 4096, "https://huggingface.co/bert-large-uncased"),
        (llama3, "llama-3.1-70b", 8192, 80, 64, 28672, f"{_META}/Llama-3.1-70B"),
        (llama3, "llama-3.1-405b", 16384, 126, 128, 53248, "https://arxiv.org/abs/2407.21783"),
    ]
    sized = {
        name: base.with_(
            name=name, d_model=d_model, n_layers=layers, n_heads=heads, d_ff=d_ff, source=source
        )
        for base, name, d_model, layers, heads, d_ff, source in sizes
    }
    return {
        "gpt2": gpt2,
        "bert-base": bert,
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
            tie_embeddings=True,  # T5 1.0 shares the output layer with the embedding
            relative_buckets=32,
            source="https://huggingface.co/t5-11b",
        ),
        "llama-2-70b": rotary_decoder(
            "llama-2-70b",
            d_model=8192,
            n_layers=80,
            n_heads=64,
            n_kv_heads=8,
            d_ff=28672,
            vocab=32000,
            source="https://arxiv.org/abs/2307.09288",
        ),
        "llama-3.1-8b": llama3,
        "mixtral-8x7b": rotary_decoder(
            "mixtral-8x7b",
            d_model=4096,
            n_layers=32,
            n_heads=32,
            n_kv_heads=8,
            d_ff=14336,
            vocab=32000,
            moe=MoESpec(n_experts=8, top_k=2, d_ff_expert=14336),
            source="https://arxiv.org/abs/2401.04088",
        ),
        "deepseek-v3": rotary_decoder(
            "deepseek-v3",
            d_model=7168,
            n_layers=61,
            n_heads=128,
            d_ff=18432,
            vocab=129280,
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
        "qwen3-30b-a3b": rotary_decoder(
            "qwen3-30b-a3b",
            d_model=2048,
            n_layers=48,
            n_heads=32,
            n_kv_heads=4,
            head_dim=128,
            d_ff=6144,
            vocab=151936,
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
        **sized,
    }


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
            functools.partial(models.build_transformer, spec),
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


# Hugging Face configs: the registry of builders (imported last: it builds Presets)
from aicompute.counting.hf import HF_TYPES, from_hf_config  # noqa: E402
