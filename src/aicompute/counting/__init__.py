"""Exact operation counts of PyTorch models on the meta device (needs the torch extra).

The package loads torch only when :func:`count` (or another name of ``api``) is used, so that
:mod:`aicompute.counting.limits` can check a request (and say why torch is missing) first.

>>> from aicompute.counting import count
>>> r = count("resnet50")
>>> int(r.forward_macs)
4089184256
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# presets.py loads torch only inside its functions
from aicompute.counting.presets import HF_TYPES, PRESET_NAMES, from_hf_config, presets

if TYPE_CHECKING:
    from aicompute.counting.api import CountResult, count, resolve_model

_LAZY = ("CountResult", "count", "resolve_model")

__all__ = [
    "HF_TYPES",
    "PRESET_NAMES",
    "CountResult",
    "count",
    "from_hf_config",
    "presets",
    "resolve_model",
]


def __getattr__(name: str) -> Any:
    """The counting names that need torch, loaded on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module("aicompute.counting.api"), name)
    raise AttributeError(f"module 'aicompute.counting' has no attribute {name!r}")
