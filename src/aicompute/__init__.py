"""aicompute: measure, estimate and forecast the compute used to train AI systems.

The software form of OpenAI's "AI and Compute" (2018): training compute estimated by counting
operations or from hardware time, in FLOP and petaflop/s-days, with intervals.

>>> import aicompute
>>> result = aicompute.estimate(forward_macs="11.4G", examples="1.2M", epochs=128)
>>> round(result.pfs_days, 3)
0.122
>>> aicompute.hardware.get("GTX 580").peak_flops()[0]
1581000000000.0
"""

from aicompute import hardware, units
from aicompute.constants import FLOP_PER_PFS_DAY
from aicompute.errors import InputError
from aicompute.estimation import (
    ArchitectureCount,
    Estimate,
    EstimateResult,
    count_architecture,
    estimate,
    hardware_estimate,
    operations_estimate,
)
from aicompute.uncertainty import Interval, Range
from aicompute.units import flop_to_pfs_days, pfs_days_to_flop

__version__ = "0.1.0"

_LAZY = ("dataset", "trends", "reproduce", "charts", "report", "counting")


def __getattr__(name: str) -> object:
    """``aicompute.dataset``, ``aicompute.trends`` and ``aicompute.reproduce`` load on first use
    (they need pandas, which the estimation core does not)."""
    import importlib

    if name in _LAZY:
        return importlib.import_module(f"aicompute.{name}")
    if name == "count":  # needs the torch extra
        try:
            return importlib.import_module("aicompute.counting").count
        except Exception as error:  # a broken torch can raise anything, not only ImportError
            from aicompute.counting.limits import torch_failure

            raise ImportError(f"aicompute.count: {torch_failure(error)}") from None
    raise AttributeError(f"module 'aicompute' has no attribute {name!r}")


__all__ = [
    "FLOP_PER_PFS_DAY",
    "ArchitectureCount",
    "Estimate",
    "EstimateResult",
    "InputError",
    "Interval",
    "Range",
    "__version__",
    "count",
    "count_architecture",
    "dataset",
    "estimate",
    "flop_to_pfs_days",
    "hardware",
    "hardware_estimate",
    "operations_estimate",
    "pfs_days_to_flop",
    "reproduce",
    "trends",
    "units",
]
