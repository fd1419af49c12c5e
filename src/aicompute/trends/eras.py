"""Eras: trends fitted on either side of a break date, and the break found from the data.

Three models of log10(compute) against time compete by BIC (lower is better):

- ``line``: one straight line (3 parameters with the noise);
- ``kink``: one continuous line that changes slope at the break (5);
- ``jump``: two separate lines, before and after the break (6).

For the kink and the jump, every break between two consecutive dates with at least
``min_points`` records on each side is tried, in closed form from cumulative sums (no loop over
candidates). A bootstrap over records gives an interval for the break date.

>>> import numpy as np
>>> x = np.r_[np.linspace(1960, 2011, 30), np.linspace(2012.5, 2018, 15)]
>>> noise = np.random.default_rng(1).normal(0, 0.3, len(x))
>>> y = np.where(x < 2012, 0.15 * (x - 2012), 1.0 * (x - 2012)) + 17 + noise
>>> eras = detect_eras(x, 10**y, bootstrap=50)
>>> eras.model, 2011 < eras.break_year < 2012.5
('kink', True)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aicompute.constants import DEFAULT_SEED, INTERVAL_LEVEL
from aicompute.errors import InputError
from aicompute.trends.fit import Fit, check_bootstrap, fit_trend, trend_rows, year_to_date

__all__ = [
    "BREAK_EVIDENCE",
    "BreakSearch",
    "Eras",
    "break_in",
    "checked_fit",
    "detect_eras",
    "eras_frame",
    "fit_segments",
    "search_break",
]

MODELS = {"line": 3, "kink": 5, "jump": 6}

BREAK_EVIDENCE = 10.0
"""How much lower (better) the BIC of a kink or a jump must be than one line's before a fit
across the break is flagged: a difference above 10 is "very strong" evidence on Kass and
Raftery's scale (J. Am. Stat. Assoc. 90, 1995, p. 777)."""


@dataclass(frozen=True)
class BreakSearch:
    """The best break of the kink and jump models on one sample."""

    rss: dict[str, float]
    breaks: dict[str, float | None]
    n: int

    def bic(self) -> dict[str, float]:
        n = self.n
        return {
            m: n * math.log(max(self.rss[m], 1e-300) / n) + k * math.log(n)
            for m, k in MODELS.items()
            if math.isfinite(self.rss[m])
        }


@dataclass(frozen=True)
class Eras:
    """The chosen model, its break date with an interval, and a fit per segment."""

    model: str
    break_year: float | None
    break_ci: tuple[float, float] | None
    bic: dict[str, float]
    candidate_breaks: dict[str, float | None]
    segments: tuple[Fit, ...]
    n: int
    min_points: int
    bootstrap: int
    seed: int
    level: float = INTERVAL_LEVEL
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "model": self.model,
            "break": None if self.break_year is None else year_to_date(self.break_year),
            "break_year": self.break_year,
            "break_ci": None if self.break_ci is None else [year_to_date(v) for v in self.break_ci],
            "break_year_ci": None if self.break_ci is None else list(self.break_ci),
            "bic": self.bic,
            "candidate_breaks": self.candidate_breaks,
            "n": self.n,
            "min_points": self.min_points,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "level": self.level,
            "segments": [s.to_dict() for s in self.segments],
            "notes": list(self.notes),
        }


def search_break(x: np.ndarray, y: np.ndarray, min_points: int) -> BreakSearch:
    """Best kink and jump breaks of sorted ``x`` (closed form, vectorized over candidates)."""
    n = len(x)
    xc = x - x.mean()
    yc = y - y.mean()
    sxx_all = float(xc @ xc)
    sxy_all = float(xc @ yc)
    syy_all = float(yc @ yc)
    rss_line = syy_all - sxy_all**2 / sxx_all if sxx_all > 0 else math.inf
    rss = {"line": rss_line, "kink": math.inf, "jump": math.inf}
    breaks: dict[str, float | None] = {"line": None, "kink": None, "jump": None}
    k = np.arange(min_points, n - min_points + 1)  # points on the left
    if len(k) == 0:
        return BreakSearch(rss, breaks, n)
    valid = x[k - 1] < x[k]
    k = k[valid]
    if len(k) == 0:
        return BreakSearch(rss, breaks, n)
    tau = (x[k - 1] + x[k]) / 2 - x.mean()
    zero = np.zeros(1)
    c1 = np.concatenate([zero, np.cumsum(np.ones(n))])
    cx = np.concatenate([zero, np.cumsum(xc)])
    cy = np.concatenate([zero, np.cumsum(yc)])
    cxx = np.concatenate([zero, np.cumsum(xc * xc)])
    cxy = np.concatenate([zero, np.cumsum(xc * yc)])
    cyy = np.concatenate([zero, np.cumsum(yc * yc)])
    left = [c[k] for c in (c1, cx, cy, cxx, cxy, cyy)]
    right = [c[n] - c[k] for c in (c1, cx, cy, cxx, cxy, cyy)]

    def seg_rss(s: list[np.ndarray]) -> np.ndarray:
        m, sx, sy, sxx, sxy, syy = s
        vxx = sxx - sx * sx / m
        vxy = sxy - sx * sy / m
        vyy = syy - sy * sy / m
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(vxx > 0, vyy - vxy * vxy / vxx, np.inf)

    jump = seg_rss(left) + seg_rss(right)
    best = int(np.argmin(jump))
    rss["jump"], breaks["jump"] = float(jump[best]), float(tau[best] + x.mean())

    # kink: regressors 1, x, h = max(0, x - tau); right-side sums give every cross product
    rn, rx, ry, rxx, rxy, _ = right
    sh = rx - tau * rn
    sxh = rxx - tau * rx
    shh = rxx - 2 * tau * rx + tau * tau * rn
    shy = rxy - tau * ry
    kk = len(k)
    xtx = np.empty((kk, 3, 3))
    xtx[:, 0, 0], xtx[:, 0, 1], xtx[:, 0, 2] = n, 0.0, sh
    xtx[:, 1, 0], xtx[:, 1, 1], xtx[:, 1, 2] = 0.0, sxx_all, sxh
    xtx[:, 2, 0], xtx[:, 2, 1], xtx[:, 2, 2] = sh, sxh, shh
    xty = np.stack([np.zeros(kk), np.full(kk, sxy_all), shy], axis=1)
    det = np.linalg.det(xtx)
    ok = np.abs(det) > 1e-12 * np.abs(xtx).max(axis=(1, 2)) ** 3
    kink = np.full(kk, np.inf)
    if ok.any():
        beta = np.linalg.solve(xtx[ok], xty[ok][..., None])[..., 0]
        kink[ok] = syy_all - np.einsum("ij,ij->i", beta, xty[ok])
    best = int(np.argmin(kink))
    if math.isfinite(kink[best]):
        rss["kink"], breaks["kink"] = float(max(kink[best], 0.0)), float(tau[best] + x.mean())
    return BreakSearch(rss, breaks, n)


def fit_segments(
    x: np.ndarray,
    flop: np.ndarray,
    breaks: list[float],
    *,
    bootstrap: int = 1000,
    seed: int = DEFAULT_SEED,
    names: tuple[str, ...] = (),
) -> tuple[Fit, ...]:
    """A trend fit on each segment between the break years."""
    edges = [-math.inf, *sorted(breaks), math.inf]
    names_arr = np.asarray(names, dtype=object) if len(names) == len(x) else None
    fits = []
    for lo, hi in itertools.pairwise(edges):
        mask = (x >= lo) & (x < hi)
        try:
            fits.append(
                fit_trend(
                    x[mask],
                    flop[mask],
                    bootstrap=bootstrap,
                    seed=seed,
                    names=tuple(names_arr[mask]) if names_arr is not None else (),
                )
            )
        except InputError as error:
            span = (
                f"{'start' if lo == -math.inf else year_to_date(lo)} to "
                f"{'end' if hi == math.inf else year_to_date(hi)}"
            )
            raise InputError("data", f"segment {span}: {error.message}") from None
    return tuple(fits)


def detect_eras(
    years: np.ndarray | list[float],
    flop: np.ndarray | list[float],
    *,
    min_points: int = 5,
    bootstrap: int = 200,
    fit_bootstrap: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = INTERVAL_LEVEL,
    names: tuple[str, ...] = (),
    break_year: float | None = None,
) -> Eras:
    """Choose between one line, a kink and a jump by BIC and fit each era. With ``break_year``
    the break is given rather than searched (model: the better of kink/jump at that date is
    not searched; segments are fitted separately, as for a jump)."""
    check_bootstrap(bootstrap, seed, minimum=1)
    check_bootstrap(fit_bootstrap, seed, "fit_bootstrap")
    x = np.asarray(years, dtype=float)
    f = np.asarray(flop, dtype=float)
    keep = np.isfinite(x) & np.isfinite(f) & (f > 0)
    x, f = x[keep], f[keep]
    names = tuple(np.asarray(names, dtype=object)[keep]) if len(names) == len(keep) else ()
    order = np.argsort(x, kind="stable")
    x, f = x[order], f[order]
    names = tuple(np.asarray(names, dtype=object)[order]) if names else ()
    y = np.log10(f)
    if min_points < 3:
        raise InputError("min_points", "must be at least 3")
    if break_year is not None:
        segments = fit_segments(x, f, [break_year], bootstrap=fit_bootstrap, seed=seed, names=names)
        return Eras(
            "given",
            break_year,
            None,
            {},
            {},
            segments,
            len(x),
            min_points,
            0,
            seed,
            level,
            ("break date given, not searched",),
        )
    if len(x) < 2 * min_points:
        raise InputError(
            "data",
            f"finding eras needs at least {2 * min_points} records with "
            f"compute ({min_points} per era); this selection has {len(x)}",
        )
    search = search_break(x, y, min_points)
    bic = search.bic()
    model = min(bic, key=bic.__getitem__)
    notes: list[str] = []
    if model == "line":
        segments = fit_segments(x, f, [], bootstrap=fit_bootstrap, seed=seed, names=names)
        notes.append("one line fits best by BIC: no break")
        return Eras(
            model,
            None,
            None,
            bic,
            search.breaks,
            segments,
            len(x),
            min_points,
            0,
            seed,
            level,
            tuple(notes),
        )
    tau = search.breaks[model]
    assert tau is not None
    rng = np.random.default_rng(seed)
    taus = []
    for _ in range(bootstrap):
        idx = np.sort(rng.integers(0, len(x), len(x)))
        found = search_break(x[idx], y[idx], min_points).breaks[model]
        if found is not None:
            taus.append(found)
    tail = (1 - level) / 2
    ci = (float(np.quantile(taus, tail)), float(np.quantile(taus, 1 - tail))) if taus else None
    segments = fit_segments(x, f, [tau], bootstrap=fit_bootstrap, seed=seed, names=names)
    return Eras(
        model,
        tau,
        ci,
        bic,
        search.breaks,
        segments,
        len(x),
        min_points,
        bootstrap,
        seed,
        level,
        tuple(notes),
    )


def eras_frame(frame: Any, **kwargs: Any) -> Eras:
    """:func:`detect_eras` on a records DataFrame (trend rows only)."""
    check_bootstrap(kwargs.get("bootstrap", 0), kwargs.get("seed", DEFAULT_SEED), minimum=1)
    check_bootstrap(
        kwargs.get("fit_bootstrap", 0), kwargs.get("seed", DEFAULT_SEED), "fit_bootstrap"
    )
    data = trend_rows(frame)
    return detect_eras(
        data["year"].to_numpy(), data["flop"].to_numpy(), names=tuple(data["name"]), **kwargs
    )


@dataclass(frozen=True)
class BreakInside:
    """A break found inside the span of a selection: the model that found it, its date, and
    the BIC of each model."""

    model: str
    year: float
    bic: dict[str, float]
    before: int
    after: int

    @property
    def date(self) -> str:
        return year_to_date(self.year)

    def warning(self) -> str:
        """The warning a fit across this break carries (``since`` marked as a field)."""
        return (
            f"one exponential across a break: these records follow two trends, with a "
            f"{self.model} at {self.date} (BIC {self.bic[self.model]:.0f} against "
            f"{self.bic['line']:.0f} for one line; {self.before} records before, {self.after} "
            f"after). Fit each era instead, e.g. the later one with `since` {self.date}"
        )


def break_in(frame: Any, *, min_points: int = 5) -> BreakInside | None:
    """The break inside the trend rows of ``frame``, when a kink or a jump beats one line by
    more than :data:`BREAK_EVIDENCE` in BIC with at least ``min_points`` records on each side;
    else None (too few records to tell is None too)."""
    data = trend_rows(frame)
    x = data["year"].to_numpy(dtype=float)
    if len(x) < 2 * min_points:
        return None
    order = np.argsort(x, kind="stable")
    x = x[order]
    y = np.log10(data["flop"].to_numpy(dtype=float))[order]
    search = search_break(x, y, min_points)
    bic = search.bic()
    model = min(bic, key=bic.__getitem__)
    tau = search.breaks.get(model)
    if model == "line" or tau is None or bic["line"] - bic[model] <= BREAK_EVIDENCE:
        return None
    before = int((x < tau).sum())
    return BreakInside(model, float(tau), bic, before, len(x) - before)


def checked_fit(frame: Any, **kwargs: Any) -> Fit:
    """:func:`~aicompute.trends.fit_frame` with a warning when its records span a break
    (:func:`break_in`): the one fit every face (the command line, the report, the web app)
    shows for a selection of records."""
    import dataclasses

    from aicompute.trends.fit import fit_frame

    fit = fit_frame(frame, **kwargs)
    inside = break_in(frame)
    if inside is None:
        return fit
    return dataclasses.replace(fit, warnings=(*fit.warnings, inside.warning()))
