"""Ranges of inputs and the intervals they give a product of factors.

Every estimate aicompute makes is a product of positive factors (multiply-adds × examples ×
epochs ..., or chips × peak × time × utilization), so its logarithm is a sum. A range
``LOW..HIGH`` given for an input is read as "anywhere in between, on a log scale" (log-uniform):
its central value is the geometric mean, which also makes the product's central value its
median. With one ranged input the 90% interval is exact; with several it comes from a seeded
Monte Carlo sample of the sum of logs. With no range at all, the method's own default
uncertainty is used (see :data:`aicompute.constants.METHOD_INTERVAL_FACTOR`).

>>> Range(5, 6).central
5.477225575051661
>>> iv = product_interval({"days": Range(5, 6), "count": Range(2, 2)})
>>> round(iv.central, 3), round(iv.low, 3), round(iv.high, 3), iv.how
(10.954, 10.092, 11.891, 'exact')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

from aicompute.constants import DEFAULT_SEED, INTERVAL_LEVEL, MONTE_CARLO_SAMPLES

__all__ = ["Interval", "Range", "product_interval"]

# two-sided 90% normal quantile, z(0.95)
_Z90 = 1.6448536269514722


@dataclass(frozen=True)
class Range:
    """A value known to lie between ``low`` and ``high`` (equal for an exact value)."""

    low: float
    high: float

    @classmethod
    def point(cls, value: float) -> Range:
        """An exactly known value."""
        return cls(value, value)

    @property
    def is_point(self) -> bool:
        """True when the value is exact (low == high)."""
        return self.low == self.high

    @property
    def central(self) -> float:
        """The geometric mean of the ends (the value itself for a point)."""
        if self.is_point:
            return self.low
        if self.low > 0:
            return math.sqrt(self.low * self.high)
        return (self.low + self.high) / 2

    def scaled(self, factor: float) -> Range:
        """This range multiplied by a positive constant."""
        return Range(self.low * factor, self.high * factor)

    def to_json(self) -> float | list[float]:
        """A number for a point, ``[low, high]`` for a range."""
        return self.low if self.is_point else [self.low, self.high]

    def __str__(self) -> str:
        return f"{self.low:g}" if self.is_point else f"{self.low:g}..{self.high:g}"


@dataclass(frozen=True)
class Interval:
    """A central value with a 90% interval, and how the interval was obtained.

    ``basis`` says what the interval reflects (the ranged inputs, or the method's default);
    ``how`` is ``"exact"`` or ``"monte-carlo"``.
    """

    central: float
    low: float
    high: float
    basis: str
    how: str
    level: float = INTERVAL_LEVEL


def product_interval(
    factors: Mapping[str, Range],
    *,
    default_factor: float | None = None,
    default_basis: str = "method default",
    level: float = INTERVAL_LEVEL,
    seed: int = DEFAULT_SEED,
    samples: int = MONTE_CARLO_SAMPLES,
) -> Interval:
    """Central value and ``level`` interval of the product of positive ``factors``.

    Ranged factors are log-uniform between their ends. When no factor is ranged and
    ``default_factor`` is given, the interval is ×/÷ ``default_factor`` (a log-normal whose
    ``level`` interval has that width).

    >>> round(product_interval({"a": Range.point(3.0)}, default_factor=2.0).low, 12)
    1.5
    """
    central = math.prod(r.central for r in factors.values())
    ranged = {name: r for name, r in factors.items() if not r.is_point}
    tail = (1.0 - level) / 2
    if not ranged:
        if default_factor is None:
            return Interval(central, central, central, "exact inputs, no interval", "exact", level)
        # scale a 90% factor to the requested level through the normal quantile
        width = math.log(default_factor) / _Z90 * _normal_quantile(1 - tail)
        return Interval(
            central,
            central / math.exp(width),
            central * math.exp(width),
            default_basis,
            "exact",
            level,
        )
    basis = (
        "input ranges only ("
        + ", ".join(f"{name} {r}" for name, r in ranged.items())
        + "); other inputs taken as exact"
    )
    if len(ranged) == 1:
        (r,) = ranged.values()
        rest = central / r.central
        ratio = r.high / r.low
        return Interval(
            central,
            rest * r.low * ratio**tail,
            rest * r.low * ratio ** (1 - tail),
            basis,
            "exact",
            level,
        )
    import numpy as np  # only needed with two or more ranges

    rng = np.random.default_rng(seed)
    logs = np.zeros(samples)
    for r in ranged.values():
        logs += rng.uniform(math.log(r.low), math.log(r.high), samples)
    log_rest = math.log(central) - sum(math.log(r.central) for r in ranged.values())
    low, high = np.quantile(logs, [tail, 1 - tail])
    return Interval(
        central, math.exp(log_rest + low), math.exp(log_rest + high), basis, "monte-carlo", level
    )


def _normal_quantile(p: float) -> float:
    """Inverse of the standard normal CDF."""
    return NormalDist().inv_cdf(p)
