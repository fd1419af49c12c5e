"""Exact operation counts of PyTorch models on the meta device (needs the torch extra).

>>> from aicompute.counting import count
>>> r = count("resnet50")
>>> int(r.forward_macs)
4089184256
"""

from aicompute.counting.api import CountResult, count, resolve_model
from aicompute.counting.presets import HF_TYPES, PRESET_NAMES, from_hf_config, presets

__all__ = [
    "HF_TYPES",
    "PRESET_NAMES",
    "CountResult",
    "count",
    "from_hf_config",
    "presets",
    "resolve_model",
]
