"""Result types of the estimation methods, and input checks they share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from aicompute.constants import DISAGREEMENT_FACTOR
from aicompute.errors import InputError
from aicompute.uncertainty import Range, Spread, product_interval
from aicompute.units import Kind, flop_to_pfs_days, format_flop, format_si, parse_range

__all__ = ["Estimate", "EstimateResult", "Working", "as_positive", "fmt_range"]


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
    given: dict[str, Any] = field(default_factory=dict)
    """The inputs as they were given (the text people typed), which reproduce this estimate
    through :func:`aicompute.estimation.estimate_from`; ``inputs`` holds the values used."""
    log_sigma: float = 0.0
    log_halves: tuple[float, ...] = ()
    """The interval's parts in natural log (:class:`~aicompute.uncertainty.Interval`'s
    ``sigma`` and ``halves``): the distribution the 90% interval is a quantile of, which
    :mod:`aicompute.threshold` samples."""

    @property
    def pfs_days(self) -> float:
        """The central estimate in petaflop/s-days."""
        return flop_to_pfs_days(self.flop)

    @property
    def low_pfs_days(self) -> float:
        return flop_to_pfs_days(self.low_flop)

    @property
    def interval_factor(self) -> float:
        """Half-width of the 90% interval as a factor: sqrt(high / low)."""
        return math.sqrt(self.high_flop / self.low_flop)

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
            "given": self.given,
            "interval": {
                "level": 0.9,
                "factor": self.interval_factor,
                "basis": self.interval_basis,
                "how": self.interval_how,
            },
            "notes": list(self.notes),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class EstimateResult:
    """Every method that could run, the preferred estimate, how well they agree, and the
    interval to cite.

    The preferred estimate is the one with the narrower interval (the better-informed one);
    on a tie, the operation count (the seed's practice). ``agreement_ratio`` is the
    hardware-time estimate divided by the operation count. When the two differ by more than
    :data:`~aicompute.constants.DISAGREEMENT_FACTOR`, the interval to cite is widened to cover
    both methods' intervals: at least one of them is wrong, and nothing says which.
    """

    estimates: tuple[Estimate, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def preferred(self) -> Estimate:
        """The estimate with the narrower interval; the operation count on a tie."""
        return min(
            self.estimates,
            key=lambda e: (round(e.interval_factor, 9), e.method != "operations"),
        )

    @property
    def preferred_reason(self) -> str:
        """Why the preferred estimate was chosen, in one sentence."""
        pref = self.preferred
        name = _METHOD_NAMES[pref.method]
        if len(self.estimates) == 1:
            other = "hardware" if pref.method == "operations" else "operations"
            why = self.skipped.get(other)
            return f"{name}: the only method with all its inputs" + (
                f" (the {_METHOD_NAMES[other]} {why})" if why else ""
            )
        other_est = next(e for e in self.estimates if e is not pref)
        if round(pref.interval_factor, 9) == round(other_est.interval_factor, 9):
            return f"{name}: both intervals are as wide, and counting is the seed's practice"
        return (
            f"{name}: its interval is narrower (×/÷{pref.interval_factor:.2f} against "
            f"×/÷{other_est.interval_factor:.2f} for the {_METHOD_NAMES[other_est.method]})"
        )

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
        """Low end of the interval to cite (covering both methods when they disagree)."""
        if self.disagreement:
            return min(e.low_flop for e in self.estimates)
        return self.preferred.low_flop

    @property
    def high_flop(self) -> float:
        """High end of the interval to cite (covering both methods when they disagree)."""
        if self.disagreement:
            return max(e.high_flop for e in self.estimates)
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

    @property
    def interval_basis(self) -> str:
        """What the interval to cite reflects."""
        if self.disagreement:
            return "widened to cover both methods' intervals, which disagree"
        return self.preferred.interval_basis

    @property
    def warnings(self) -> list[str]:
        """What a reader of the figure must know: a disagreement, a method not run."""
        out = []
        ratio = self.agreement_ratio
        if ratio is not None and self.disagreement:
            out.append(
                f"the two methods disagree by {max(ratio, 1 / ratio):.2f}x (more than "
                f"{DISAGREEMENT_FACTOR:g}x): check the inputs; the interval is widened to cover "
                "both"
            )
        for method, why in self.skipped.items():
            out.append(f"the {_METHOD_NAMES[method]} method was not run: it {why}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form: the figures to cite, then every estimate."""
        return {
            "flop": self.flop,
            "pfs_days": self.pfs_days,
            "low_flop": self.low_flop,
            "high_flop": self.high_flop,
            "low_pfs_days": flop_to_pfs_days(self.low_flop),
            "high_pfs_days": flop_to_pfs_days(self.high_flop),
            "interval_basis": self.interval_basis,
            "method": self.preferred.method,
            "preferred_reason": self.preferred_reason,
            "agreement_ratio": self.agreement_ratio,
            "disagreement": self.disagreement,
            "warnings": self.warnings,
            "estimates": [e.to_dict() for e in self.estimates],
            "skipped": self.skipped,
        }


_METHOD_NAMES = {"operations": "operation count", "hardware": "hardware time"}


def as_positive(
    value: object, kind: Kind, field: str, default_unit: str = "days", allow_zero: bool = False
) -> Range:
    """Like :func:`~aicompute.units.parse_range`, and require both ends to be positive (or
    non-negative)."""
    r = parse_range(value, kind, field, default_unit)
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
                raise InputError("adjust_reason", "given without an `adjust` factor")
            return
        from aicompute.estimation.inputs import FIELDS

        factor = FIELDS["adjust"].read(adjust)
        if not reason or not reason.strip():
            raise InputError("adjust_reason", "an adjustment needs a stated reason")
        self.inputs["adjust"] = factor.to_json()
        self.inputs["adjust_reason"] = reason.strip()
        shown = format_si(factor.central, 4)
        if not factor.is_point:
            shown += f" (geometric mean of {factor})"
        self.factor("adjust", factor, shown + " adjustment", "adjustment")
        self.notes.append(f"adjusted ×{format_si(factor.central, 4)}: {reason.strip()}")

    def _overflow(self) -> InputError:
        """The error for a result no float can hold, naming the most extreme input."""
        from aicompute.estimation.inputs import FIELDS

        def size(value: Any) -> float:
            ends = value if isinstance(value, list) else [value]
            return max(abs(math.log10(v)) if v > 0 else math.inf for v in ends)

        numeric = {
            n: v
            for n, v in self.inputs.items()
            if n in FIELDS and isinstance(v, (int, float, list)) and not isinstance(v, bool)
        }
        name = max(numeric, key=lambda n: size(numeric[n])) if numeric else None
        return InputError(
            name,
            "the result is not a positive finite number of FLOP (beyond 1.8e308, or below "
            f"the smallest float); check {', '.join(f'`{n}`' for n in numeric)}",
        )

    def finish(self, *, spreads: list[Spread], scale: float = 1.0) -> Estimate:
        """The estimate: the product of the factors times ``scale``, with its interval from
        the method's ``spreads`` and the ranged inputs."""
        interval = product_interval(self.factors, spreads=spreads)
        flop = interval.central * scale
        if not (math.isfinite(flop) and flop > 0 and math.isfinite(interval.high * scale)):
            raise self._overflow()
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
            log_sigma=interval.sigma,
            log_halves=interval.halves,
        )
