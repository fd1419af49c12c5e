"""Exponential trends: least squares of log10(compute) on the fractional year.

The slope is in orders of magnitude per year; growth per year is 10**slope and the doubling
time 12·log10(2)/slope months. Intervals come from a bootstrap over records (vectorized,
seeded) and analytically from the t distribution; the doubling-time interval is derived from
the slope's, so a faster slope gives the shorter end (never inverted). A slope interval that
reaches zero leaves the doubling time unbounded above (``None``).

>>> import numpy as np
>>> years = np.arange(2012, 2018, 0.5)
>>> flop = 1e17 * 10 ** (years - 2012)          # exactly 10x per year
>>> fit = fit_trend(years, flop, bootstrap=0)
>>> round(fit.growth_per_year, 6), round(fit.doubling_months, 4), fit.r2
(10.0, 3.6124, 1.0)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aicompute.constants import (
    DEFAULT_SEED,
    INTERVAL_LEVEL,
    MAX_BOOTSTRAP,
    MAX_SEED,
    MIN_BOOTSTRAP,
)
from aicompute.errors import InputError
from aicompute.units import show, show_whole

__all__ = [
    "MIN_POINTS",
    "Fit",
    "check_bootstrap",
    "doubling_from_slope",
    "fit_frame",
    "fit_trend",
    "year_to_date",
]

MIN_POINTS = 3
LOG10_2 = math.log10(2)
RESAMPLE_CHUNK = 2_000_000
"""Resampled points drawn per vectorized block of a bootstrap (bounds its memory)."""


def _whole(value: object, field: str) -> int:
    """``value`` as a whole number, refused with an error naming ``field`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(field, f"must be a whole number, got {show(value)}")
    return int(value)


def check_bootstrap(
    bootstrap: object,
    seed: object = DEFAULT_SEED,
    field: str = "bootstrap",
    *,
    zero: bool = True,
    minimum: int = MIN_BOOTSTRAP,
) -> None:
    """Refuse, before any work, a number of resamples outside ``minimum`` to
    :data:`~aicompute.constants.MAX_BOOTSTRAP` (0 is allowed with ``zero``: the analytic
    interval alone), or a seed outside 0..2**63-1.

    >>> check_bootstrap(1000, seed=0)
    >>> check_bootstrap(10**12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aicompute.errors.InputError: bootstrap: must be 0 (analytic interval only) or 10 to ...
    """
    number = _whole(bootstrap, field)
    if not (minimum <= number <= MAX_BOOTSTRAP or (zero and number == 0)):
        allowed = f"{minimum:,} to {MAX_BOOTSTRAP:,} resamples"
        if zero and minimum > 1:
            allowed = f"0 (analytic interval only) or {allowed}"
        elif zero:
            allowed = f"0 to {MAX_BOOTSTRAP:,} resamples"
        raise InputError(field, f"must be {allowed}, got {show_whole(number)}")
    chosen = _whole(seed, "seed")
    if not 0 <= chosen <= MAX_SEED:
        raise InputError("seed", f"must be between 0 and 2**63-1, got {show_whole(chosen)}")


def doubling_from_slope(slope: float) -> float | None:
    """Months to double at ``slope`` orders of magnitude per year (None if not growing)."""
    return 12 * LOG10_2 / slope if slope > 0 else None


def year_to_date(year: float) -> str:
    """A fractional year back to ``YYYY-MM-DD``."""
    import datetime as dt

    whole = math.floor(year)
    days = 366 if (whole % 4 == 0 and whole % 100 != 0) or whole % 400 == 0 else 365
    offset = round((year - whole) * days) - 1
    return (dt.date(whole, 1, 1) + dt.timedelta(days=max(offset, 0))).isoformat()


@dataclass(frozen=True)
class Fit:
    """A fitted exponential trend with its intervals."""

    n: int
    slope: float
    intercept: float
    r2: float
    since: float
    until: float
    slope_ci: tuple[float, float]
    slope_ci_analytic: tuple[float, float]
    residual_std: float
    ci_method: str
    bootstrap: int
    seed: int
    level: float = INTERVAL_LEVEL
    point_uncertainty: bool = False
    names: tuple[str, ...] = field(default=(), repr=False)
    scope: str = ""
    """Which records a fit of a records frame counts (:data:`aicompute.dataset.TREND_SCOPE`)."""
    warnings: tuple[str, ...] = ()
    """What a reader must know before citing the fit (a break inside its span, see
    :func:`aicompute.trends.eras.checked_fit`); field names are marked with backticks."""

    @property
    def growth_per_year(self) -> float:
        return 10**self.slope

    @property
    def doubling_months(self) -> float | None:
        return doubling_from_slope(self.slope)

    @property
    def growth_per_year_ci(self) -> tuple[float, float]:
        return (10 ** self.slope_ci[0], 10 ** self.slope_ci[1])

    @property
    def doubling_months_ci(self) -> tuple[float | None, float | None]:
        """(shortest, longest): the fast end of the slope gives the short doubling time."""
        low, high = self.slope_ci
        return (doubling_from_slope(high), doubling_from_slope(low))

    def predict_log10(self, year: float | np.ndarray) -> float | np.ndarray:
        """log10 FLOP on the trend line at ``year``."""
        return self.intercept + self.slope * (np.asarray(year) - self.centre)

    def line(
        self, points: int = 60, since: float | None = None, until: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Years and FLOP along the trend line (for drawing), over the fitted span by default."""
        years = np.linspace(
            self.since if since is None else since, self.until if until is None else until, points
        )
        return years, 10 ** np.asarray(self.predict_log10(years))

    def months_from_trend(self, year: float, flop: float) -> float:
        """How far a run of ``flop`` at ``year`` is from the trend, in months of trend growth:
        positive when it is above the line (ahead), negative when below."""
        return float((math.log10(flop) - self.predict_log10(year)) / self.slope * 12)

    @property
    def centre(self) -> float:
        """The year the intercept refers to (the fit is centred for numerical stability)."""
        return round((self.since + self.until) / 2, 6)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "n": self.n,
            "slope_oom_per_year": self.slope,
            "slope_oom_per_year_ci": list(self.slope_ci),
            "growth_per_year": self.growth_per_year,
            "growth_per_year_ci": list(self.growth_per_year_ci),
            "doubling_months": self.doubling_months,
            "doubling_months_ci": list(self.doubling_months_ci),
            "r2": self.r2,
            "since": year_to_date(self.since),
            "until": year_to_date(self.until),
            "since_year": self.since,
            "until_year": self.until,
            "intercept_log10_flop": self.intercept,
            "intercept_year": self.centre,
            "residual_std_oom": self.residual_std,
            "level": self.level,
            "ci_method": self.ci_method,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "point_uncertainty": self.point_uncertainty,
            "scope": self.scope,
            "warnings": list(self.warnings),
            "analytic": {
                "slope_oom_per_year_ci": list(self.slope_ci_analytic),
                "doubling_months_ci": [
                    doubling_from_slope(self.slope_ci_analytic[1]),
                    doubling_from_slope(self.slope_ci_analytic[0]),
                ],
            },
        }


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Slope, intercept (at mean x), R², residual sum of squares."""
    xm, ym = x.mean(), y.mean()
    dx, dy = x - xm, y - ym
    sxx = float(dx @ dx)
    slope = float(dx @ dy) / sxx
    resid = dy - slope * dx
    rss = float(resid @ resid)
    syy = float(dy @ dy)
    r2 = 1 - rss / syy if syy > 0 else 1.0
    return slope, float(ym - slope * xm), r2, rss


def bootstrap_slopes(
    x: np.ndarray,
    y: np.ndarray,
    count: int,
    seed: int,
    sigma: np.ndarray | None = None,
) -> np.ndarray:
    """Slopes of ``count`` resamples of the points (with replacement), computed in vectorized
    blocks; resamples with no spread in x are dropped. With ``sigma`` (log10 standard deviation
    per point), each resampled point is also moved by its own uncertainty."""
    check_bootstrap(count, seed, zero=False, minimum=1)
    rng = np.random.default_rng(seed)
    n = len(x)
    per_block = max(1, RESAMPLE_CHUNK // n)
    slopes = []
    done = 0
    while done < count:
        block = min(per_block, count - done)
        idx = rng.integers(0, n, size=(block, n))
        xs, ys = x[idx], y[idx]
        if sigma is not None:
            ys = ys + rng.standard_normal((block, n)) * sigma[idx]
        dx = xs - xs.mean(axis=1, keepdims=True)
        sxx = np.einsum("ij,ij->i", dx, dx)
        sxy = np.einsum("ij,ij->i", dx, ys)
        with np.errstate(divide="ignore", invalid="ignore"):
            slopes.append(np.where(sxx > 0, sxy / sxx, np.nan))
        done += block
    out = np.concatenate(slopes)
    return out[np.isfinite(out)]


def fit_trend(
    years: np.ndarray | list[float],
    flop: np.ndarray | list[float],
    *,
    bootstrap: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = INTERVAL_LEVEL,
    low_flop: np.ndarray | list[float] | None = None,
    high_flop: np.ndarray | list[float] | None = None,
    names: tuple[str, ...] = (),
) -> Fit:
    """Fit log10(flop) = a + b·year. ``bootstrap`` resamples give the interval (0: analytic
    only). Given ``low_flop``/``high_flop`` (each point's 90% range), the bootstrap also draws
    each point within its own uncertainty."""
    check_bootstrap(bootstrap, seed)
    x = np.asarray(years, dtype=float)
    f = np.asarray(flop, dtype=float)
    if x.shape != f.shape:
        raise InputError("data", "years and compute values differ in length")
    keep = np.isfinite(x) & np.isfinite(f) & (f > 0)
    x, f = x[keep], f[keep]
    n = len(x)
    if n < MIN_POINTS:
        raise InputError(
            "data",
            f"a trend needs at least {MIN_POINTS} records with compute; this selection has {n}",
        )
    if np.ptp(x) == 0:
        raise InputError("data", "all selected records have the same date; no trend to fit")
    y = np.log10(f)
    centre = round((x.min() + x.max()) / 2, 6)
    slope, intercept_mean, r2, rss = _ols(x - centre, y)
    dof = n - 2
    tail = (1 - level) / 2
    sxx = float(((x - x.mean()) ** 2).sum())
    resid_std = math.sqrt(rss / dof) if dof > 0 else 0.0
    if dof > 0:
        from scipy.special import stdtrit

        half = float(stdtrit(dof, 1 - tail)) * resid_std / math.sqrt(sxx)
    else:
        half = math.inf
    analytic = (slope - half, slope + half)
    sigma = None
    if low_flop is not None and high_flop is not None:
        lo = np.log10(np.asarray(low_flop, dtype=float)[keep])
        hi = np.log10(np.asarray(high_flop, dtype=float)[keep])
        sigma = np.nan_to_num((hi - lo) / (2 * 1.6448536269514722), nan=0.0)
    if bootstrap > 0:
        slopes = bootstrap_slopes(x, y, bootstrap, seed, sigma)
        if len(slopes) < max(10, bootstrap // 2):
            raise InputError("data", "too few distinct dates for a bootstrap interval")
        low, high = np.quantile(slopes, [tail, 1 - tail])
        slope_ci, method = (float(low), float(high)), "bootstrap"
    else:
        slope_ci, method = analytic, "analytic"
    return Fit(
        n=n,
        slope=slope,
        intercept=intercept_mean,
        r2=r2,
        since=float(x.min()),
        until=float(x.max()),
        slope_ci=slope_ci,
        slope_ci_analytic=analytic,
        residual_std=resid_std,
        ci_method=method,
        bootstrap=bootstrap,
        seed=seed,
        level=level,
        point_uncertainty=sigma is not None,
        names=tuple(np.asarray(names, dtype=object)[keep]) if len(names) == len(keep) else (),
    )


def fit_frame(frame: Any, *, point_uncertainty: bool = False, **kwargs: Any) -> Fit:
    """:func:`fit_trend` on a records DataFrame (columns ``year``, ``flop``, ``low_flop``,
    ``high_flop``, ``name``), on the rows of :func:`trend_rows`."""
    check_bootstrap(kwargs.get("bootstrap", 0), kwargs.get("seed", DEFAULT_SEED))
    data = trend_rows(frame)
    extra = {}
    if point_uncertainty:
        extra = {"low_flop": data["low_flop"].to_numpy(), "high_flop": data["high_flop"].to_numpy()}
    fit = fit_trend(
        data["year"].to_numpy(),
        data["flop"].to_numpy(),
        names=tuple(data["name"]),
        **extra,
        **kwargs,
    )
    from aicompute.dataset.record import TREND_SCOPE  # pydantic: off the CLI's start-up path

    return dataclasses.replace(fit, scope=TREND_SCOPE)


def trend_rows(frame: Any) -> Any:
    """The rows a trend is fitted to (:data:`aicompute.dataset.TREND_SCOPE`): compute known,
    not excluded, not an upper bound, not derived from another record."""
    mask = frame["flop"].notna()
    if "in_trend" in frame:
        mask &= frame["in_trend"].astype(bool)
    if "exclude_from_trend" in frame:
        mask &= ~frame["exclude_from_trend"].astype(bool)
    if "upper_bound" in frame:
        mask &= ~frame["upper_bound"].astype(bool)
    return frame[mask]
