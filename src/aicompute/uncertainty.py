"""Ranges of inputs, sources of uncertainty, and the intervals they give a product of factors.

Every estimate aicompute makes is a product of positive factors (multiply-adds × examples ×
epochs ..., or chips × peak × time × utilization), so its logarithm is a sum, and so is its
uncertainty:

* a range ``LOW..HIGH`` given for an input is read as "anywhere in between, on a log scale"
  (log-uniform); its central value is the geometric mean;
* a method's own uncertainty (how far the formula itself can be from the truth, calibrated on
  published runs) is a :class:`Spread`: log-normal, described by its 90% factor (×/÷ F).

The interval is the quantile of the sum of all of them, computed, not sampled: in closed form
for at most one range, by exact convolution on a fine grid otherwise. Every part is symmetric
in log space around the central value, which is therefore also the median. Because the method's
spread is a normal and each range a symmetric addition to it, a range can only widen the
interval (Anderson's theorem), never narrow it: knowing less never looks like knowing more.

>>> Range(5, 6).central
5.477225575051661
>>> iv = product_interval({"days": Range(5, 6), "count": Range(2, 2)})
>>> round(iv.central, 3), round(iv.low, 3), round(iv.high, 3), iv.how
(10.954, 10.092, 11.891, 'exact')
>>> wide = product_interval({"days": Range(5, 6)}, spreads=[Spread("method", 2.0, "why")])
>>> round(wide.factor, 3)
2.011
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from aicompute.constants import INTERVAL_LEVEL

__all__ = ["Interval", "Range", "Spread", "product_interval"]

_Z90 = NormalDist().inv_cdf(0.95)
"""Two-sided 90% normal quantile, z(0.95)."""

_GRID_STEPS_PER_SIGMA = 24
"""Grid cells per standard deviation of the normal part: the grid depends on the spread
alone, so adding a range narrower than a cell leaves the result exactly as it was."""
_GRID_CELLS_MAX = 50_000
_GRID_STEPS_RANGES = 2_000
"""Grid cells over the ranges' total width when there is no normal part."""


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
class Spread:
    """A log-normal source of uncertainty whose 90% interval is ×/÷ ``factor``.

    ``reason`` says where the factor comes from (a calibration, a published spread).
    """

    name: str
    factor: float
    reason: str

    @property
    def sigma(self) -> float:
        """Standard deviation of the natural log."""
        return math.log(self.factor) / _Z90

    def describe(self) -> str:
        return f"{self.name} ×/÷{self.factor:.3g} ({self.reason})"


@dataclass(frozen=True)
class Interval:
    """A central value with a 90% interval, and how the interval was obtained.

    ``basis`` says what the interval reflects (the method's spreads and the ranged inputs);
    ``how`` is ``"exact"`` (closed form) or ``"convolution"`` (exact sum on a fine grid).
    """

    central: float
    low: float
    high: float
    basis: str
    how: str
    level: float = INTERVAL_LEVEL
    sigma: float = 0.0
    """Standard deviation of the normal part of log(value) (the spreads, in quadrature)."""
    halves: tuple[float, ...] = ()
    """Half-widths, in natural log, of the uniform parts (one per ranged input): log(value) is
    log(central) + N(0, sigma²) + the sum of U(-h, h) (what :mod:`aicompute.threshold`
    draws)."""

    @property
    def factor(self) -> float:
        """The interval's half-width as a factor: sqrt(high / low)."""
        return math.sqrt(self.high / self.low) if self.low > 0 else math.inf


def product_interval(
    factors: Mapping[str, Range],
    *,
    spreads: Sequence[Spread] = (),
    level: float = INTERVAL_LEVEL,
) -> Interval:
    """Central value and ``level`` interval of the product of positive ``factors``.

    Ranged factors are log-uniform between their ends; each spread adds an independent
    log-normal factor of median 1. With neither, the interval is the value itself.

    >>> product_interval({"a": Range.point(3.0)}, spreads=[Spread("m", 2.0, "")]).low
    1.5
    """
    central = math.prod(r.central for r in factors.values())
    ranged = {name: r for name, r in factors.items() if not r.is_point}
    sigma = math.sqrt(sum(s.sigma**2 for s in spreads))
    halves = [math.log(r.high / r.low) / 2 for r in ranged.values()]
    parts = [s.describe() for s in spreads]
    if ranged:
        parts.append("input ranges " + ", ".join(f"{name} {r}" for name, r in ranged.items()))
    basis = "; ".join(parts) if parts else "exact inputs, no interval"
    p = 1 - (1 - level) / 2
    how = "exact"
    if not halves:
        q = sigma * NormalDist().inv_cdf(p)
    elif len(halves) == 1 and sigma == 0:
        q = halves[0] * (2 * p - 1)
    elif len(halves) == 1:
        q = _normal_plus_uniform_quantile(sigma, halves[0], p)
    else:
        q = _convolution_quantile(sigma, halves, p)
        how = "convolution"
    low, high = central * math.exp(-q), central * math.exp(q)
    return Interval(central, low, high, basis, how, level, sigma, tuple(halves))


def _bisect(cdf: Callable[[float], float], p: float, high: float) -> float:
    """The t in [0, high] with cdf(t) = p, for an increasing cdf with cdf(0) = 0.5."""
    low = 0.0
    for _ in range(200):
        mid = (low + high) / 2
        if cdf(mid) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-13 * max(1.0, high):
            break
    return (low + high) / 2


def _normal_plus_uniform_quantile(sigma: float, half: float, p: float) -> float:
    """Quantile ``p`` of N(0, sigma²) + U(-half, half), from its closed-form CDF."""
    phi = NormalDist()

    def g(z: float) -> float:  # antiderivative of the normal CDF
        return z * phi.cdf(z) + phi.pdf(z)

    def cdf(t: float) -> float:
        return sigma / (2 * half) * (g((t + half) / sigma) - g((t - half) / sigma))

    return _bisect(cdf, p, half + 10 * sigma)


def _convolution_quantile(sigma: float, halves: Sequence[float], p: float) -> float:
    """Quantile ``p`` of N(0, sigma²) + the sum of U(-h, h) for each h of ``halves``.

    The widest uniform and the normal are kept in closed form; the other uniforms are laid on
    a grid of cells centred on multiples of the step, each cell holding the exact probability
    that falls in it, and convolved exactly. The grid is symmetric, so the result is too, and
    a uniform narrower than a cell leaves the result exactly as it was without it.
    """
    import numpy as np  # only needed with two or more ranges
    from scipy.signal import fftconvolve
    from scipy.special import ndtr

    widest, *rest = sorted(halves, reverse=True)
    total = sum(rest)
    step = sigma / _GRID_STEPS_PER_SIGMA if sigma > 0 else widest / _GRID_STEPS_RANGES
    step = max(step, 2 * total / _GRID_CELLS_MAX)
    mass = np.ones(1)
    for half in rest:
        n = math.ceil(half / step - 0.5)
        edges = (np.arange(-n, n + 2) - 0.5) * step
        clipped = np.clip(edges, -half, half)
        cells = np.diff(clipped) / (2 * half)
        if min(mass.size, cells.size) > 64:
            mass = fftconvolve(mass, cells)
        else:
            mass = np.convolve(mass, cells)
        mass = np.clip((mass + mass[::-1]) / 2, 0.0, None)  # symmetric to the last bit
    offsets = (np.arange(mass.size) - (mass.size - 1) / 2) * step

    def g(z: np.ndarray) -> np.ndarray:  # antiderivative of the normal CDF
        return z * ndtr(z) + np.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    def cdf(t: float) -> float:
        x = t - offsets
        if sigma > 0:
            inner = sigma / (2 * widest) * (g((x + widest) / sigma) - g((x - widest) / sigma))
        else:
            inner = np.clip((x + widest) / (2 * widest), 0.0, 1.0)
        return float(np.dot(mass, inner))

    return _bisect(cdf, p, widest + total + step + 10 * sigma)
