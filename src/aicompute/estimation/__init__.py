"""The two estimation methods of the seed, an architecture counter, and their cross-check."""

from aicompute.estimation.architecture import ArchitectureCount, LayerCount, count_architecture
from aicompute.estimation.combine import estimate
from aicompute.estimation.hardware_time import hardware_estimate
from aicompute.estimation.operations import operations_estimate
from aicompute.estimation.result import Estimate, EstimateResult

__all__ = [
    "ArchitectureCount",
    "Estimate",
    "EstimateResult",
    "LayerCount",
    "count_architecture",
    "estimate",
    "hardware_estimate",
    "operations_estimate",
]
