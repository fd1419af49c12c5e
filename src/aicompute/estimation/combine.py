"""Run every method whose inputs are complete and cross-check them.

>>> r = estimate(forward_macs="0.75G", examples="1.2M", epochs=90,
...              hardware="GTX 580", count=2, days=5.5)
>>> [e.method for e in r.estimates], round(r.agreement_ratio, 2), r.disagreement
(['operations', 'hardware'], 1.02, False)
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from typing import Any

from aicompute.constants import MAX_ARCHITECTURE_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS
from aicompute.errors import InputError
from aicompute.estimation.hardware_time import (
    HARDWARE_INPUTS,
    hardware_estimate,
    hardware_missing,
)
from aicompute.estimation.inputs import FIELDS, check_names
from aicompute.estimation.operations import (
    OPERATIONS_INPUTS,
    operations_estimate,
    operations_missing,
)
from aicompute.estimation.result import Estimate, EstimateResult
from aicompute.uncertainty import Range
from aicompute.units import check_length, show

__all__ = ["estimate", "estimate_from"]

_SHARED = tuple(n for n, f in FIELDS.items() if f.method == "both")


def estimate(
    *,
    forward_macs: object = None,
    forward_flop: object = None,
    params: object = None,
    active_params: object = None,
    architecture: object = None,
    encoder_decoder: object = False,
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
    precision: object = None,
    peak_flops: object = None,
    adjust: object = None,
    adjust_reason: object = None,
) -> EstimateResult:
    """Estimate training compute with every method whose inputs are complete.

    The inputs are those of :data:`aicompute.estimation.inputs.FIELDS`. Numbers may be given
    as numbers, as text people type (``"1.2M"``, ``"300BT"``, ``"5.5 days"``,
    ``"1.58 TFLOPS"``) or as ranges (``"5..6"`` or ``(5, 6)``). A method given some but not all
    of its inputs is skipped and the reason kept in ``skipped``; when no method can run,
    :class:`~aicompute.InputError` says what each one needs. ``adjust`` (with its reason)
    multiplies every method's result.

    >>> estimate(params="175B", tokens="300B").pfs_days > 3600
    True
    """
    return estimate_from({name: value for name, value in locals().items() if name in FIELDS})


def estimate_from(inputs: Mapping[str, Any]) -> EstimateResult:
    """:func:`estimate` from a mapping of input names to values (a stored record's inputs, a
    web form); an unknown name is refused, naming the closest input.

    >>> estimate_from({"params": "7B", "tokens": "2T tokens"}).flop
    8.4e+22
    """
    check_names(inputs)
    values = {name: _clean(name, value) for name, value in inputs.items()}
    if values.get("days") is not None and values.get("hours") is not None:
        raise InputError("hours", "give `days` or `hours`, not both")
    estimates = []
    skipped: dict[str, str] = {}
    for method, names, missing_of, run in (
        ("operations", OPERATIONS_INPUTS, operations_missing, operations_estimate),
        ("hardware", HARDWARE_INPUTS, hardware_missing, hardware_estimate),
    ):
        own = {n: values[n] for n in names if values.get(n) is not None}
        missing = missing_of(**own)
        if missing is None:
            shared = {n: values[n] for n in _SHARED if values.get(n) is not None}
            est = run(**own, **shared)
            given = {n: inputs[n] for n in (*names, *_SHARED) if n in own or n in shared}
            estimates.append(dataclasses.replace(est, given=given))
        elif own:
            skipped[method] = missing
    if not estimates:
        ops = operations_missing(**values) or ""
        hw = hardware_missing(**values) or ""
        raise InputError(
            None,
            "no method has all its inputs: operations counting "
            f"{ops.removeprefix('needs ')}; hardware time {hw.removeprefix('needs ')} "
            "(e.g. `forward_macs` 11.4G, `examples` 1.2M and `epochs` 128; or `hardware` "
            "GTX 580, `count` 2 and `days` 5.5)",
        )
    return EstimateResult(tuple(estimates), skipped)


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}


_TEXT_LIMITS = {"architecture": MAX_ARCHITECTURE_CHARS, "adjust_reason": MAX_TEXT_CHARS}
"""Longest text of each text input; any other (a chip's name, a precision) is a name."""


def _clean(name: str, value: Any) -> Any:
    """None for an absent value; flags as booleans; text inputs as stripped, bounded text;
    numbers as text, a whole or finite number, a (low, high) pair of them, or a Range."""
    field = FIELDS[name]
    if field.kind == "flag":
        if isinstance(value, bool):
            return value or None
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return True if value.strip().lower() in _TRUE else None
        if value is None:
            return None
        raise InputError(name, f"must be true or false, got {show(value)}")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field.kind in ("text", "choice"):
        if not isinstance(value, str):
            raise InputError(name, f"must be text, got {show(value)}")
        limit = _TEXT_LIMITS.get(name, MAX_NAME_CHARS)
        if len(value) > limit:
            raise InputError(
                name, f"is {len(value):,} characters long, over the limit of {limit:,}"
            )
        return value.strip()
    scalars = (str, numbers.Real)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        ends = value
    elif isinstance(value, Range):
        return value
    else:
        ends = [value]
    if not all(isinstance(v, scalars) and not isinstance(v, bool) for v in ends):
        raise InputError(
            name,
            f"must be a number, text such as '1.2M', or a (low, high) pair; got {show(value)}",
        )
    for end in ends:
        if isinstance(end, str):
            check_length(end, name)
    return value


@dataclasses.dataclass(frozen=True)
class Recomputed:
    """A stored calculation done again: its estimate, or why it cannot be computed (``error``;
    neither when the stored inputs are not enough for the method)."""

    method: str
    estimate: Estimate | None
    error: str | None = None

    @property
    def reason(self) -> str | None:
        """Why there is no estimate (None when there is one)."""
        if self.estimate is not None:
            return None
        return self.error or f"the {self.method} inputs are incomplete"


def recompute(stored: Any, method: str | None = None) -> Recomputed:
    """Redo a record's stored calculation (an object with ``method`` and ``inputs``, such as
    :class:`aicompute.dataset.EstimateInputs`): the estimate of its method, or the error (one
    line, field names marked with backticks) when its inputs no longer compute. Every face
    shows stored calculations through this.

    >>> from types import SimpleNamespace
    >>> stored = SimpleNamespace(method="operations", inputs={"params": "1B", "tokens": "20B"})
    >>> redone = recompute(stored)
    >>> f"{redone.estimate.flop:.3g}", redone.error
    ('1.2e+20', None)
    """
    method = method or stored.method
    try:
        found = estimate_from(stored.inputs).by_method(method)
    except InputError as error:
        return Recomputed(method, None, str(error))
    return Recomputed(method, found)
