"""Forecasts: where the trend goes, when it reaches a target, and how well it would have done.

The projection uses the bootstrap of the fit (resampled slopes and intercepts, vectorized) and
adds the scatter of the points around the trend, so its 90% band is a prediction interval for
a run on the trend, not just for the line. The date a target is reached comes from the same
draws.

>>> import numpy as np
>>> years = np.linspace(2010, 2020, 40)
>>> f = forecast_trend(years, 1e18 * 10 ** (0.6 * (years - 2010)), until=2025, target=1e26)
>>> round(f.target_year, 2)
2023.33
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aicompute.constants import DEFAULT_SEED, FORECAST_BOOTSTRAP, INTERVAL_LEVEL
from aicompute.errors import InputError
from aicompute.trends.fit import (
    MIN_POINTS,
    RESAMPLE_CHUNK,
    Fit,
    check_bootstrap,
    fit_trend,
    trend_rows,
    year_to_date,
)

__all__ = [
    "TRENDS",
    "Backtest",
    "Forecast",
    "backtest_frame",
    "forecast_frame",
    "forecast_trend",
    "select_trend",
]

TRENDS = ("frontier", "all", "record")
"""``frontier``: the ten largest runs at publication; ``all``: every run; ``record``: the
record-setters. Each from 2010 (the deep-learning era) unless ``since`` says otherwise."""


@dataclass(frozen=True)
class Forecast:
    fit: Fit
    years: tuple[float, ...]
    median: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    target: float | None = None
    target_year: float | None = None
    target_interval: tuple[float | None, float | None] | None = None
    selection: str = ""
    level: float = INTERVAL_LEVEL
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.target_interval or (None, None)
        return {
            "trend": self.selection,
            "fit": self.fit.to_dict(),
            "target_flop": self.target,
            "target_date": None if self.target_year is None else year_to_date(self.target_year),
            "target_year": self.target_year,
            "target_date_interval": None
            if self.target_interval is None
            else [
                None if lo is None else year_to_date(lo),
                None if hi is None else year_to_date(hi),
            ],
            "projection": [
                {"year": round(y), "flop": m, "low_flop": lo_, "high_flop": hi_}
                for y, m, lo_, hi_ in zip(self.years, self.median, self.low, self.high, strict=True)
            ],
            "level": self.level,
            "notes": list(self.notes),
        }


def _draws(
    x: np.ndarray, y: np.ndarray, count: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.random.Generator]:
    """Bootstrap slopes, intercepts at the centre, and residual scales (vectorized, in blocks
    of bounded memory that draw the same stream as one block would)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    per_block = max(1, RESAMPLE_CHUNK // max(n, 1))
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    done = 0
    while done < count:
        block = min(per_block, count - done)
        idx = rng.integers(0, n, size=(block, n))
        xs, ys = x[idx], y[idx]
        xm, ym = xs.mean(axis=1), ys.mean(axis=1)
        dx = xs - xm[:, None]
        sxx = np.einsum("ij,ij->i", dx, dx)
        ok = sxx > 0
        slope = np.einsum("ij,ij->i", dx, ys - ym[:, None])[ok] / sxx[ok]
        intercept = ym[ok] - slope * xm[ok]  # at x = 0 (x is centred by the caller)
        resid = ys[ok] - (intercept[:, None] + slope[:, None] * xs[ok])
        scale = np.sqrt((resid**2).sum(axis=1) / max(n - 2, 1))
        parts.append((slope, intercept, scale))
        done += block
    slopes, intercepts, scales = (np.concatenate(p) for p in zip(*parts, strict=True))
    return slopes, intercepts, scales, rng


def forecast_trend(
    years: Any,
    flop: Any,
    *,
    until: float,
    target: float | None = None,
    bootstrap: int = FORECAST_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
    level: float = INTERVAL_LEVEL,
    selection: str = "",
) -> Forecast:
    """Project log10(flop) on the year to ``until`` with prediction intervals; with ``target``
    (FLOP), the date the trend reaches it."""
    check_bootstrap(bootstrap, seed, zero=False)
    x = np.asarray(years, dtype=float)
    f = np.asarray(flop, dtype=float)
    fit = fit_trend(x, f, bootstrap=min(bootstrap, 2000), seed=seed, level=level)
    last = float(x.max())
    if until <= last:
        raise InputError("until", f"must be after the last record ({year_to_date(last)})")
    if until > last + 100:
        raise InputError("until", "more than a century beyond the data: not a forecast")
    centre = fit.centre
    slope, intercept, scale, rng = _draws(x - centre, np.log10(f), bootstrap, seed)
    noise = rng.standard_normal(len(slope)) * scale
    tail = (1 - level) / 2
    grid = np.arange(math.floor(last) + 1, math.floor(until) + 1, dtype=float)
    mids = grid + 0.5  # the middle of each calendar year
    pred = intercept[:, None] + slope[:, None] * (mids - centre) + noise[:, None]
    line = fit.predict_log10(mids)
    lo, hi = np.quantile(pred, [tail, 1 - tail], axis=0)
    notes = []
    target_year = target_interval = None
    if target is not None:
        if not (target > 0 and math.isfinite(target)):
            raise InputError("target", "must be a positive number of FLOP")
        biggest = float(f.max())
        if target <= biggest:
            raise InputError(
                "target",
                f"{target:.3g} FLOP is already reached: the largest "
                f"selected run has {biggest:.3g} FLOP",
            )
        goal = math.log10(target)
        if fit.slope <= 0:
            raise InputError("target", "the trend is not growing: no date reaches the target")
        target_year = centre + (goal - fit.intercept) / fit.slope
        growing = slope > 0
        dates = centre + (goal - intercept[growing] - noise[growing]) / slope[growing]
        low_date, high_date = np.quantile(dates, [tail, 1 - tail])
        never = 1 - growing.mean()
        target_interval = (float(low_date), None if never > tail else float(high_date))
        if never > tail:
            notes.append("in more than 5% of resamples the trend does not grow: no upper date")
    return Forecast(
        fit,
        tuple(float(g) for g in grid),
        tuple(10.0**line),
        tuple(10.0**lo),
        tuple(10.0**hi),
        target,
        None if target_year is None else float(target_year),
        target_interval,
        selection,
        level,
        tuple(notes),
    )


def select_trend(frame: Any, trend: str, since: float | str | None = None) -> Any:
    """The records of a trend selection (see :data:`TRENDS`)."""
    from aicompute.trends.selection import frontier, parse_frontier, select

    rows = trend_rows(frame)
    rows = select(rows, since=since if since is not None else 2010.0)
    if trend == "all":
        return rows
    if trend == "frontier":
        return frontier(rows, "top-10")
    if trend == "record":
        return frontier(rows, "record")
    parse_frontier(trend)  # top-N, residual: validated the same way as elsewhere
    return frontier(rows, trend)


def forecast_frame(
    frame: Any,
    *,
    trend: str = "frontier",
    until: float = 2030,
    target: float | None = None,
    since: float | str | None = None,
    bootstrap: int = FORECAST_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
) -> Forecast:
    """:func:`forecast_trend` on a records DataFrame, for a trend selection (see
    :data:`TRENDS`, or any frontier rule such as ``top-5``)."""
    check_bootstrap(bootstrap, seed, zero=False)
    rows = select_trend(frame, trend, since)
    if len(rows) < MIN_POINTS:
        raise InputError(
            "data",
            f"the {trend} selection has {len(rows)} records; a forecast "
            f"needs at least {MIN_POINTS}",
        )
    return forecast_trend(
        rows["year"].to_numpy(),
        rows["flop"].to_numpy(),
        until=until,
        target=target,
        bootstrap=bootstrap,
        seed=seed,
        selection=trend,
    )


@dataclass(frozen=True)
class Backtest:
    cutoff: float
    forecast: Forecast
    checks: tuple[dict[str, Any], ...]

    @property
    def coverage(self) -> float | None:
        return (sum(c["inside"] for c in self.checks) / len(self.checks)) if self.checks else None

    @property
    def median_error_oom(self) -> float | None:
        """The median size of the errors (orders of magnitude, sign ignored)."""
        errs = [abs(c["error_oom"]) for c in self.checks]
        return float(np.median(errs)) if errs else None

    @property
    def bias_oom(self) -> float | None:
        """The median signed error, actual minus predicted (orders of magnitude): negative
        when the trend over-predicted the later runs, positive when it under-predicted."""
        errs = [c["error_oom"] for c in self.checks]
        return float(np.median(errs)) if errs else None

    @property
    def mean_error_oom(self) -> float | None:
        errs = [c["error_oom"] for c in self.checks]
        return float(np.mean(errs)) if errs else None

    @property
    def over_predicted(self) -> int:
        """Later runs below their predicted median."""
        return sum(c["error_oom"] < 0 for c in self.checks)

    @property
    def under_predicted(self) -> int:
        """Later runs above their predicted median."""
        return sum(c["error_oom"] > 0 for c in self.checks)

    def summary(self) -> str:
        """One sentence on the size and the direction of the errors."""
        if not self.checks:
            return "no later records to check"
        bias = self.bias_oom or 0.0
        n = len(self.checks)
        lean = "over" if bias < 0 else "under"
        count = self.over_predicted if bias < 0 else self.under_predicted
        return (
            f"the trend fitted up to {year_to_date(self.cutoff)} {lean}-predicted {count} of "
            f"{n} later runs; median signed error {bias:+.2f} orders of magnitude (a factor "
            f"of {10 ** abs(bias):.1f}), median size {self.median_error_oom:.2f}; "
            f"{self.coverage:.0%} inside the {self.forecast.level:.0%} interval"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "cutoff": year_to_date(self.cutoff),
            "fit": self.forecast.fit.to_dict(),
            "checks": list(self.checks),
            "coverage": self.coverage,
            "median_abs_error_oom": self.median_error_oom,
            "bias_oom": self.bias_oom,
            "mean_error_oom": self.mean_error_oom,
            "over_predicted": self.over_predicted,
            "under_predicted": self.under_predicted,
            "summary": self.summary(),
        }


def backtest_frame(
    frame: Any,
    *,
    cutoff: str | float,
    trend: str = "frontier",
    names: list[str] | None = None,
    bootstrap: int = FORECAST_BOOTSTRAP,
    seed: int = DEFAULT_SEED,
) -> Backtest:
    """Fit the selection on records up to ``cutoff`` and predict the later ones: the later
    records of the same selection (or the named records), each with the predicted median and
    90% interval at its date, the error in orders of magnitude, and whether it fell inside."""
    from aicompute.trends.selection import year_of

    check_bootstrap(bootstrap, seed, zero=False)
    cut = year_of(cutoff, "cutoff")
    if cut is None:
        raise InputError("cutoff", "a date or year is required")
    selected = select_trend(frame, trend, None)
    before = selected[selected["year"] <= cut]
    if len(before) < MIN_POINTS:
        raise InputError(
            "cutoff",
            f"only {len(before)} records of the {trend} selection before "
            f"{year_to_date(cut)}; a backtest needs at least {MIN_POINTS}",
        )
    later = selected[selected["year"] > cut]
    if names:
        wanted = {n.lower() for n in names}
        rows = trend_rows(frame)
        later = rows[rows["name"].str.lower().isin(wanted) & (rows["year"] > cut)]
    x = before["year"].to_numpy()
    y = np.log10(before["flop"].to_numpy())
    fit = fit_trend(x, 10**y, bootstrap=min(bootstrap, 2000), seed=seed)
    slope, intercept, scale, rng = _draws(x - fit.centre, y, bootstrap, seed)
    noise = rng.standard_normal(len(slope)) * scale
    checks = []
    for row in later.itertuples():
        pred = intercept + slope * (row.year - fit.centre) + noise
        tail = (1 - INTERVAL_LEVEL) / 2
        lo, med, hi = np.quantile(pred, [tail, 0.5, 1 - tail])
        actual = math.log10(row.flop)
        checks.append(
            {
                "name": row.name,
                "date": row.date,
                "flop": float(row.flop),
                "predicted_flop": float(10**med),
                "low_flop": float(10**lo),
                "high_flop": float(10**hi),
                "error_oom": float(actual - med),
                "inside": bool(lo <= actual <= hi),
            }
        )
    projection = forecast_trend(
        x,
        10**y,
        until=max(cut + 1, float(later["year"].max()) + 1) if len(later) else cut + 5,
        bootstrap=bootstrap,
        seed=seed,
        selection=trend,
    )
    return Backtest(cut, projection, tuple(checks))
