"""The standard analysis of a dataset: eras, the modern-era trend, growth, trends per domain.

It is what the report and the charts show; the charts draw these results and compute nothing.

>>> from aicompute import dataset
>>> a = analyze(dataset.load(), bootstrap=200)
>>> round(a.modern_fit.doubling_months, 2), a.growth.start_name, a.growth.end_name
(3.44, 'AlexNet', 'AlphaGoZero')
>>> a.recent_since, a.all_fit.warnings[0][:40]
('2010-07-02', 'one exponential across a break: these re')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicompute.errors import InputError
from aicompute.trends.eras import Eras, checked_fit, eras_frame
from aicompute.trends.fit import MIN_POINTS, Fit, check_bootstrap, fit_frame, trend_rows
from aicompute.trends.growth import Growth, growth_frame

__all__ = ["DEEP_LEARNING_SINCE", "MIN_DOMAIN_POINTS", "MODERN_TAG", "Analysis", "analyze"]

MODERN_TAG = "seed-modern"

DEEP_LEARNING_SINCE = "2010"
"""Where the current era starts when no break is detected (Sevilla et al. 2022 date the deep
learning era from 2010), and where the frontier trend starts (as Epoch AI's 4-5x per year)."""

MIN_DOMAIN_POINTS = 10
"""Fewest records of a domain for its own trend line: with fewer, one or two unusual runs
decide the slope (three Games records gave a 0.6-month doubling)."""


@dataclass(frozen=True)
class Analysis:
    """Results for one dataset; ``modern`` is the frame of the modern-era records."""

    frame: Any = field(repr=False)
    modern: Any = field(repr=False)
    modern_label: str
    modern_fit: Fit
    all_fit: Fit
    eras: Eras | None
    growth: Growth | None
    domain_fits: dict[str, Fit]
    notes: tuple[str, ...] = ()
    recent: Any = field(default=None, repr=False)
    """The trend records of the current era: since the detected break (or 2010)."""
    recent_since: str = DEEP_LEARNING_SINCE
    """The date the current era starts, as the ``since`` filter gives it."""
    recent_fit: Fit | None = None
    frontier_fit: Fit | None = None
    """The ten largest runs at publication, from 2010."""
    domain_skipped: dict[str, int] = field(default_factory=dict)
    """Domains of the current era with too few records for a trend line, and their count."""

    def to_dict(self) -> dict[str, Any]:
        """The headline figures (``summary.json`` of the report)."""
        return {
            "records": len(self.frame),
            "records_with_compute": int(self.frame["flop"].notna().sum()),
            "trend_records": len(trend_rows(self.frame)),
            "modern_era": {"selection": self.modern_label, **self.modern_fit.to_dict()},
            "all_records": self.all_fit.to_dict(),
            "eras": None if self.eras is None else self.eras.to_dict(),
            "growth": None if self.growth is None else self.growth.to_dict(),
            "domains": {d: f.to_dict() for d, f in self.domain_fits.items()},
            "domains_without_fit": dict(self.domain_skipped),
            "current_era": None
            if self.recent_fit is None
            else {"since": self.recent_since, **self.recent_fit.to_dict()},
            "frontier": None if self.frontier_fit is None else self.frontier_fit.to_dict(),
            "notes": list(self.notes),
        }


def analyze(frame: Any, *, bootstrap: int = 1000, seed: int = 0) -> Analysis:
    """Eras (when there are enough records); today's trends (the current era since the break,
    the frontier since 2010); the seed's modern-era fit and its growth from its first record to
    its largest; a fit per domain of the current era. Every fit is :func:`checked_fit`, so a
    fit across a break says so."""
    from aicompute.trends.forecast import select_trend
    from aicompute.trends.selection import RecordFilter

    check_bootstrap(bootstrap, seed)
    trend = trend_rows(frame)
    if len(trend) < MIN_POINTS:
        raise InputError(
            "data",
            f"the analysis needs at least {MIN_POINTS} records with "
            f"compute; this dataset has {len(trend)}",
        )
    notes: list[str] = []
    eras = None
    if len(trend) >= 10:
        eras = eras_frame(frame, bootstrap=200, fit_bootstrap=bootstrap, seed=seed)
    else:
        notes.append("fewer than 10 records: no era detection")
    tagged = trend[trend["tags"].apply(lambda tags: MODERN_TAG in tags)]
    if len(tagged) >= MIN_POINTS:
        modern, label = tagged, "the seed's modern-era results (2012-2017)"
    elif eras is not None and eras.break_year is not None:
        modern = trend[trend["year"] >= eras.break_year]
        label = f"records after the detected break ({eras.to_dict()['break']})"
    else:
        modern, label = trend, "all records (no break detected)"
    modern_fit = checked_fit(modern, bootstrap=bootstrap, seed=seed)
    all_fit = checked_fit(frame, bootstrap=bootstrap, seed=seed)
    since = DEEP_LEARNING_SINCE
    if eras is not None and eras.break_year is not None:
        since = eras.to_dict()["break"]
    recent = RecordFilter.parse(since=since).apply(trend)
    recent_fit = checked_fit(recent, bootstrap=bootstrap, seed=seed) if len(recent) >= 3 else None
    top = select_trend(frame, "frontier")
    frontier_fit = checked_fit(top, bootstrap=bootstrap, seed=seed) if len(top) >= 3 else None
    growth = None
    if len(modern) >= 2:
        first = modern.sort_values("year").iloc[0]
        largest = modern.loc[modern["flop"].idxmax()]
        if largest["year"] > first["year"]:
            growth = growth_frame(modern, first["id"], largest["id"])
    domain_fits = {}
    skipped = {}
    for domain, rows in recent.groupby("domain"):
        if len(rows) >= MIN_DOMAIN_POINTS and rows["year"].nunique() > 1:
            domain_fits[str(domain)] = fit_frame(rows, bootstrap=min(bootstrap, 500), seed=seed)
        else:
            skipped[str(domain)] = len(rows)
    return Analysis(
        frame, modern, label, modern_fit, all_fit, eras, growth, domain_fits, tuple(notes),
        recent, since, recent_fit, frontier_fit, skipped,
    )  # fmt: skip
