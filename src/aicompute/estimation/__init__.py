"""The two estimation methods of the seed, an architecture counter, and their cross-check."""

from aicompute.estimation.architecture import ArchitectureCount, LayerCount, count_architecture
from aicompute.estimation.combine import Recomputed, estimate, estimate_from, recompute
from aicompute.estimation.hardware_time import hardware_estimate
from aicompute.estimation.inputs import FIELDS, InputField
from aicompute.estimation.operations import operations_estimate
from aicompute.estimation.result import Estimate, EstimateResult

__all__ = [
    "FIELDS",
    "ArchitectureCount",
    "Estimate",
    "EstimateResult",
    "InputField",
    "LayerCount",
    "Recomputed",
    "count_architecture",
    "estimate",
    "estimate_from",
    "hardware_estimate",
    "operations_estimate",
    "recompute",
]
