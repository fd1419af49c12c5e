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

from aicompute.hardware import catalog
from aicompute.hardware.catalog import *  # noqa: F403  (the catalog's public names)

__all__ = list(catalog.__all__)
