"""Result types of the estimation methods, and input checks they share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from aicompute.constants import (
    DISAGREEMENT_FACTOR,
    METHOD_INTERVAL_FACTOR,
    METHOD_INTERVAL_REASON,
)
from aicompute.errors import InputError
from aicompute.uncertainty import Range, product_interval
from aicompute.units import Kind, flop_to_pfs_days, format_flop, format_si, parse_range

__all__ = ["Estimate", "EstimateResult", "Working", "as_positive", "as_range", "fmt_range"]


@dataclass(frozen=True)
class Estimate:
    """One method's estimate of training compute, with its working shown.

    ``formula`` is the method's formula in words; ``calculation`` the same with the numbers
    substituted, as in the seed's appendix. ``inputs`` holds the values used (a range as
    ``[low, high]``), ``sources`` the URLs behind defaults and catalog figures.
    """

    method: str
    flop: float
    low_flop: float
    high_flop: float
    formula: str
    calculation: str
    inputs: dict[str, Any]
    interval_basis: str
    interval_how: str
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def pfs_days(self) -> float:
        """The central estimate in petaflop/s-days."""
        return flop_to_pfs_days(self.flop)

    @property
    def low_pfs_days(self) -> float:
        return flop_to_pfs_days(self.low_flop)

    @property
    def high_pfs_days(self) -> float:
        return flop_to_pfs_days(self.high_flop)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form of this estimate."""
        return {
            "method": self.method,
            "flop": self.flop,
            "pfs_days": self.pfs_days,
            "low_flop": self.low_flop,
            "high_flop": self.high_flop,
            "low_pfs_days": self.low_pfs_days,
            "high_pfs_days": self.high_pfs_days,
            "formula": self.formula,
            "calculation": self.calculation,
            "inputs": self.inputs,
            "interval": {"level": 0.9, "basis": self.interval_basis, "how": self.interval_how},
            "notes": list(self.notes),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class EstimateResult:
    """Every method that could run, the preferred estimate, and how well they agree.

    Operation counting is preferred when both methods ran (the seed's practice).
    ``agreement_ratio`` is the hardware-time estimate divided by the operation count.
    """

    estimates: tuple[Estimate, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def preferred(self) -> Estimate:
        """The operations estimate when there is one, else the hardware-time estimate."""
        return next((e for e in self.estimates if e.method == "operations"), self.estimates[0])

    def by_method(self, method: str) -> Estimate | None:
        """The estimate of one method, if it ran."""
        return next((e for e in self.estimates if e.method == method), None)

    @property
    def flop(self) -> float:
        return self.preferred.flop

    @property
    def pfs_days(self) -> float:
        return self.preferred.pfs_days

    @property
    def low_flop(self) -> float:
        return self.preferred.low_flop

    @property
    def high_flop(self) -> float:
        return self.preferred.high_flop

    @property
    def agreement_ratio(self) -> float | None:
        ops, hw = self.by_method("operations"), self.by_method("hardware")
        if ops is None or hw is None:
            return None
        return hw.flop / ops.flop

    @property
    def disagreement(self) -> bool:
        """True when the two methods differ by more than a factor of 3."""
        ratio = self.agreement_ratio
        return ratio is not None and abs(math.log(ratio)) > math.log(DISAGREEMENT_FACTOR)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form: the preferred estimate's figures, then every estimate."""
        return {
            "flop": self.flop,
            "pfs_days": self.pfs_days,
            "low_flop": self.low_flop,
            "high_flop": self.high_flop,
            "method": self.preferred.method,
            "agreement_ratio": self.agreement_ratio,
            "disagreement": self.disagreement,
            "estimates": [e.to_dict() for e in self.estimates],
            "skipped": self.skipped,
        }


def as_range(value: object, kind: Kind, field: str, default_unit: str = "days") -> Range:
    """Read ``value`` (number, text, ``(low, high)``, or :class:`Range`) as a range of ``kind``."""
    return parse_range(value, kind, field, default_unit)


def as_positive(
    value: object, kind: Kind, field: str, default_unit: str = "days", allow_zero: bool = False
) -> Range:
    """Like :func:`as_range`, and require both ends to be positive (or non-negative)."""
    r = as_range(value, kind, field, default_unit)
    if r.low < 0 or (r.low == 0 and not allow_zero):
        what = "non-negative" if allow_zero else "positive"
        raise InputError(field, f"must be {what}, got {r}")
    return r


def fmt_range(r: Range, digits: int = 3, unit: str = "") -> str:
    """A range for a calculation line: ``1.2M``, ``5..6``, ``1.581 TFLOP/s``."""
    if r.is_point:
        return format_si(r.low, digits, unit)
    return f"{format_si(r.low, digits)}..{format_si(r.high, digits, unit)}"


class Working:
    """One method's calculation as it is built: its factors, how each reads in the formula and
    in the substituted calculation, the inputs used, notes and sources."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.inputs: dict[str, Any] = {}
        self.factors: dict[str, Range] = {}
        self.terms: list[str] = []
        self.symbols: list[str] = []
        self.notes: list[str] = []
        self.sources: list[str] = []

    def factor(self, name: str, value: Range, term: str, symbol: str) -> None:
        """Multiply by ``value``, shown as ``term`` in the calculation and ``symbol`` in the
        formula."""
        self.factors[name] = value
        self.terms.append(term)
        self.symbols.append(symbol)

    def adjust(self, adjust: object, reason: str | None) -> None:
        """Multiply by a user's adjustment factor, which must come with its reason."""
        if adjust is None:
            if reason:
                raise InputError("adjust_reason", "given without an adjust factor")
            return
        factor = as_positive(adjust, "number", "adjust")
        if not reason or not reason.strip():
            raise InputError("adjust_reason", "an adjustment needs a stated reason")
        self.inputs["adjust"] = factor.to_json()
        self.inputs["adjust_reason"] = reason.strip()
        shown = format_si(factor.central, 4)
        if not factor.is_point:
            shown += f" (geometric mean of {factor})"
        self.factor("adjust", factor, shown + " adjustment", "adjustment")
        self.notes.append(f"adjusted ×{format_si(factor.central, 4)}: {reason.strip()}")

    def finish(self, *, seed: int, scale: float = 1.0) -> Estimate:
        """The estimate: the product of the factors times ``scale``, with its interval."""
        interval = product_interval(
            self.factors,
            default_factor=METHOD_INTERVAL_FACTOR[self.method],
            default_basis=METHOD_INTERVAL_REASON[self.method],
            seed=seed,
        )
        flop = interval.central * scale
        return Estimate(
            method=self.method,
            flop=flop,
            low_flop=interval.low * scale,
            high_flop=interval.high * scale,
            formula=" × ".join(self.symbols),
            calculation=" × ".join(self.terms) + f" = {format_flop(flop)}",
            inputs=self.inputs,
            interval_basis=interval.basis,
            interval_how=interval.how,
            notes=tuple(self.notes),
            sources=tuple(dict.fromkeys(self.sources)),
        )
