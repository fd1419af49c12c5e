"""Run every method whose inputs are complete and cross-check them.

>>> r = estimate(forward_macs="0.75G", examples="1.2M", epochs=90,
...              hardware="GTX 580", count=2, days=5.5)
>>> [e.method for e in r.estimates], round(r.agreement_ratio, 2), r.disagreement
(['operations', 'hardware'], 1.02, False)
"""

from __future__ import annotations

from typing import Any

from aicompute.errors import InputError
from aicompute.estimation.hardware_time import (
    HARDWARE_INPUTS,
    hardware_estimate,
    hardware_missing,
)
from aicompute.estimation.operations import (
    OPERATIONS_INPUTS,
    operations_estimate,
    operations_missing,
)
from aicompute.estimation.result import EstimateResult

__all__ = ["estimate"]


def estimate(
    *,
    forward_macs: object = None,
    forward_flop: object = None,
    params: object = None,
    active_params: object = None,
    architecture: object = None,
    encoder_decoder: bool = False,
    examples: object = None,
    epochs: object = None,
    updates: object = None,
    batch_size: object = None,
    tokens: object = None,
    backward_ratio: object = None,
    runs: object = None,
    hardware: object = None,
    count: object = None,
    days: object = None,
    hours: object = None,
    chip_hours: object = None,
    utilization: object = None,
    precision: str | None = None,
    peak_flops: object = None,
    adjust: object = None,
    adjust_reason: str | None = None,
    seed: int = 0,
) -> EstimateResult:
    """Estimate training compute with every method whose inputs are complete.

    Numbers may be given as numbers, as text people type (``"1.2M"``, ``"5.5 days"``,
    ``"1.58 TFLOPS"``) or as ranges (``"5..6"`` or ``(5, 6)``). A method given some but not
    all of its inputs is skipped and the reason kept in ``skipped``; when no method can run,
    :class:`~aicompute.InputError` says what each one needs. ``adjust`` (with its reason)
    multiplies every method's result.

    >>> estimate(params="175B", tokens="300B").pfs_days > 3600
    True
    """
    ops_values = dict(
        forward_macs=forward_macs,
        forward_flop=forward_flop,
        params=params,
        active_params=active_params,
        architecture=architecture,
        examples=examples,
        epochs=epochs,
        updates=updates,
        batch_size=batch_size,
        tokens=tokens,
        backward_ratio=backward_ratio,
        runs=runs,
        encoder_decoder=encoder_decoder,
    )
    hw_values = dict(
        hardware=hardware,
        count=count,
        days=days,
        hours=hours,
        chip_hours=chip_hours,
        utilization=utilization,
        precision=precision,
        peak_flops=peak_flops,
    )
    if days is not None and hours is not None:
        raise InputError("hours", "give days or hours, not both")
    shared = dict(adjust=adjust, adjust_reason=adjust_reason, seed=seed)
    estimates = []
    skipped: dict[str, str] = {}
    ops_missing = operations_missing(**ops_values)
    hw_missing = hardware_missing(**hw_values)
    if ops_missing is None:
        estimates.append(operations_estimate(**ops_values, **shared))  # type: ignore[arg-type]
    elif _any_given(ops_values, OPERATIONS_INPUTS):
        skipped["operations"] = ops_missing
    if hw_missing is None:
        estimates.append(hardware_estimate(**hw_values, **shared))  # type: ignore[arg-type]
    elif _any_given(hw_values, HARDWARE_INPUTS):
        skipped["hardware"] = hw_missing
    if not estimates:
        raise InputError(
            None,
            "no method has all its inputs: operations counting "
            f"{ops_missing.removeprefix('needs ') if ops_missing else ''}"
            f"; hardware time {hw_missing.removeprefix('needs ') if hw_missing else ''}"
            " (e.g. --forward-macs 11.4G --examples 1.2M --epochs 128, or "
            "--hardware 'GTX 580' --count 2 --days 5.5)",
        )
    return EstimateResult(tuple(estimates), skipped)


def _any_given(values: dict[str, Any], names: tuple[str, ...]) -> bool:
    return any(values.get(n) is not None and values.get(n) is not False for n in names)
