"""The standard analysis of a dataset: eras, the modern-era trend, growth, trends per domain.

It is what the report and the charts show; the charts draw these results and compute nothing.

>>> from aicompute import dataset
>>> a = analyze(dataset.load(), bootstrap=200)
>>> round(a.modern_fit.doubling_months, 2), a.growth.start_name, a.growth.end_name
(3.44, 'AlexNet', 'AlphaGoZero')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicompute.errors import InputError
from aicompute.trends.eras import Eras, eras_frame
from aicompute.trends.fit import MIN_POINTS, Fit, check_bootstrap, fit_frame, trend_rows
from aicompute.trends.growth import Growth, growth_frame

__all__ = ["MODERN_TAG", "Analysis", "analyze"]

MODERN_TAG = "seed-modern"


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
            "notes": list(self.notes),
        }


def analyze(frame: Any, *, bootstrap: int = 1000, seed: int = 0) -> Analysis:
    """Eras (when there are enough records), the modern-era fit, growth over the modern era
    from its first record to its largest, and a fit per domain within the modern era."""
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
    modern_fit = fit_frame(modern, bootstrap=bootstrap, seed=seed)
    all_fit = fit_frame(frame, bootstrap=bootstrap, seed=seed)
    growth = None
    if len(modern) >= 2:
        first = modern.sort_values("year").iloc[0]
        largest = modern.loc[modern["flop"].idxmax()]
        if largest["year"] > first["year"]:
            growth = growth_frame(modern, first["id"], largest["id"])
    domain_fits = {}
    for domain, rows in modern.groupby("domain"):
        if len(rows) >= MIN_POINTS and rows["year"].nunique() > 1:
            domain_fits[str(domain)] = fit_frame(rows, bootstrap=min(bootstrap, 500), seed=seed)
    return Analysis(
        frame, modern, label, modern_fit, all_fit, eras, growth, domain_fits, tuple(notes)
    )
