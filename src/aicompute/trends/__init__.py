"""Trends in training compute: fits with intervals, subsets and frontiers, eras, growth.

>>> from aicompute import dataset, trends
>>> records = dataset.load()
>>> modern = records[records.tags.apply(lambda tags: "seed-modern" in tags)]
>>> fit = trends.fit_frame(trends.select(modern, since="2012"), bootstrap=0)
>>> round(fit.doubling_months, 2)
3.44
"""

from aicompute.trends.analysis import Analysis, analyze
from aicompute.trends.eras import Eras, detect_eras, eras_frame, fit_segments
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
from aicompute.trends.select import FILTER_FIELDS, RecordFilter, frontier, parse_frontier, select

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
