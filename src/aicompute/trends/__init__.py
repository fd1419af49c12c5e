"""Trends in training compute: fits with intervals, subsets and frontiers, eras, growth.

>>> from aicompute import dataset, trends
>>> records = dataset.load()
>>> modern = records[records.tags.apply(lambda tags: "seed-modern" in tags)]
>>> fit = trends.fit_frame(trends.select(modern, since="2012"), bootstrap=0)
>>> round(fit.doubling_months, 2)
3.44
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below load with their module on first use (numpy, pydantic)
    from aicompute.trends.analysis import Analysis, analyze
    from aicompute.trends.eras import Eras, detect_eras, eras_frame, fit_segments
    from aicompute.trends.fields import FILTER_FIELDS
    from aicompute.trends.fit import (
        MIN_POINTS,
        Fit,
        doubling_from_slope,
        fit_frame,
        fit_trend,
        trend_rows,
        year_to_date,
    )
    from aicompute.trends.forecast import (
        TRENDS,
        Backtest,
        Forecast,
        backtest_frame,
        forecast_frame,
        forecast_trend,
        select_trend,
    )
    from aicompute.trends.growth import MOORE_MONTHS, Growth, growth_between, growth_frame
    from aicompute.trends.selection import RecordFilter, frontier, parse_frontier, select

_HOME = {
    "Analysis": "analysis",
    "Backtest": "forecast",
    "Eras": "eras",
    "FILTER_FIELDS": "fields",
    "Fit": "fit",
    "Forecast": "forecast",
    "Growth": "growth",
    "MIN_POINTS": "fit",
    "MOORE_MONTHS": "growth",
    "RecordFilter": "selection",
    "TRENDS": "forecast",
    "analyze": "analysis",
    "backtest_frame": "forecast",
    "detect_eras": "eras",
    "doubling_from_slope": "fit",
    "eras_frame": "eras",
    "fit_frame": "fit",
    "fit_segments": "eras",
    "fit_trend": "fit",
    "forecast_frame": "forecast",
    "forecast_trend": "forecast",
    "frontier": "selection",
    "growth_between": "growth",
    "growth_frame": "growth",
    "parse_frontier": "selection",
    "select": "selection",
    "select_trend": "forecast",
    "trend_rows": "fit",
    "year_to_date": "fit",
}
"""Where each public name lives: a submodule is imported only when one of its names is used,
so the command line starts without numpy (``aicompute.trends.fields`` is light)."""

__all__ = [
    "FILTER_FIELDS",
    "MIN_POINTS",
    "MOORE_MONTHS",
    "TRENDS",
    "Analysis",
    "Backtest",
    "Eras",
    "Fit",
    "Forecast",
    "Growth",
    "RecordFilter",
    "analyze",
    "backtest_frame",
    "detect_eras",
    "doubling_from_slope",
    "eras_frame",
    "fit_frame",
    "fit_segments",
    "fit_trend",
    "forecast_frame",
    "forecast_trend",
    "frontier",
    "growth_between",
    "growth_frame",
    "parse_frontier",
    "select",
    "select_trend",
    "trend_rows",
    "year_to_date",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"aicompute.trends.{_HOME[name]}"), name)
    raise AttributeError(f"module 'aicompute.trends' has no attribute {name!r}")
