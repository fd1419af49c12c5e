"""Accelerator catalog: look up chips and their peak FLOP/s.

>>> from aicompute import hardware
>>> gpu = hardware.get("GTX 580 3GB")
>>> gpu.peak_flops()
(1581000000000.0, 'fp32')
>>> gpu.default_utilization
0.33
>>> hardware.resolve("Cloud TPU v3").chips_per_unit
4
"""

from aicompute.hardware.catalog import (
    CREDIT,
    PRECISIONS,
    Accelerator,
    Resolution,
    Unit,
    all_accelerators,
    all_units,
    get,
    resolve,
    resolve_precision,
    suggest,
)

__all__ = [
    "CREDIT",
    "PRECISIONS",
    "Accelerator",
    "Resolution",
    "Unit",
    "all_accelerators",
    "all_units",
    "get",
    "resolve",
    "resolve_precision",
    "suggest",
]
