"""The distribution of a threshold assessment's total compute, against the thresholds.

A histogram of the Monte Carlo draws of the total on a log axis, the 90% interval shaded, the
median dashed, and each threshold as a labelled rule with its probability of being exceeded.
The histogram is computed here (NumPy), so the specification carries a few dozen bins, not
the draws.

>>> import numpy as np
>>> draws = np.exp(np.random.default_rng(0).normal(np.log(3e25), 0.15, 10_000))
>>> chart = distribution_chart(draws, [{"key": "eu-systemic", "flop": 1e25, "p_exceed": 1.0}])
>>> chart.info["thresholds"][0]["label"]
'eu-systemic · P > 0.999'
>>> round(sum(b["share"] for b in chart.info["bins"]), 3)  # the central 99.8%
0.998
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from aicompute.charts.chart import Chart
from aicompute.charts.formats import flop_text, superscript
from aicompute.charts.spec import INK, OKABE_ITO, base_spec

__all__ = ["BINS", "WINDOW_DECADES", "distribution_chart", "p_text"]

BINS = 48
"""Histogram bins across the draws' central 99.8%."""
WINDOW_DECADES = 3.0
"""Thresholds further than this from the draws (in orders of magnitude) are left off the
axis and named in the subtitle instead, so the histogram keeps a readable width."""
MIN_SPAN = 1.2
"""Fewest orders of magnitude the axis spans."""
HEIGHT = 280
LABEL_ROW = 16
"""Pixels between the rows of threshold labels at the top of the plot."""
BAND, BAR, RULE = "#cfe3f3", OKABE_ITO["blue"], OKABE_ITO["vermillion"]


def p_text(p: float) -> str:
    """A probability as the assessment shows it: two decimals, three near the ends, and
    ``< 0.001`` / ``> 0.999`` beyond (a finite sample cannot say 0 or 1).

    >>> [p_text(v) for v in (0.0, 0.0004, 0.0042, 0.62, 0.996, 1.0)]
    ['< 0.001', '< 0.001', '0.004', '0.62', '0.996', '> 0.999']
    """
    if p < 0.001:
        return "< 0.001"
    if p > 0.999:
        return "> 0.999"
    if p < 0.01 or p > 0.99:
        return f"{p:.3f}"
    return f"{p:.2f}"


def _label(threshold: Mapping[str, Any]) -> str:
    shown = p_text(float(threshold["p_exceed"]))
    return f"{threshold['key']} · P {shown if shown[0] in '<>' else '= ' + shown}"


def _tick_text(value: float) -> str:
    """``10²⁵`` at a whole decade, ``2×10²⁵`` between."""
    exponent = math.floor(value + 1e-9)
    mantissa = round(10 ** (value - exponent), 6)
    power = f"10{superscript(exponent)}"
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


def _ticks(low: float, high: float) -> list[float]:
    """Tick positions (log10): every decade, with 2 and 5 between on a short axis."""
    steps = (1.0,) if high - low > 2.5 else (1.0, 2.0, 5.0)
    return [
        e + math.log10(m)
        for e in range(math.floor(low), math.ceil(high) + 1)
        for m in steps
        if low <= e + math.log10(m) <= high
    ]


def distribution_chart(
    total: np.ndarray,
    thresholds: Sequence[Mapping[str, Any]],
    title: str = "Total training compute",
) -> Chart:
    """The histogram of ``total`` (draws of FLOP) with the ``thresholds`` (``key``,
    ``flop``, ``p_exceed``: an assessment's outputs) as labelled rules."""
    logs = np.log10(np.asarray(total, dtype=float))
    low, median, high = (float(v) for v in np.quantile(logs, [0.05, 0.5, 0.95]))
    lo, hi = (float(v) for v in np.quantile(logs, [0.001, 0.999]))
    if hi - lo < 1e-9:  # every draw the same: one narrow bar
        lo, hi = lo - 0.01, hi + 0.01
    counts, edges = np.histogram(logs, bins=BINS, range=(lo, hi))
    bins = [
        {"x0": float(a), "x1": float(b), "share": float(c) / logs.size}
        for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]
    shown: list[dict[str, Any]] = []
    off: list[dict[str, Any]] = []
    for t in sorted(thresholds, key=lambda t: float(t["flop"])):
        at = math.log10(float(t["flop"]))
        row = {"key": str(t["key"]), "x": at, "label": _label(t), "flop_text": flop_text(t["flop"])}
        (shown if lo - WINDOW_DECADES <= at <= hi + WINDOW_DECADES else off).append(row)
    x0 = min([lo, *(r["x"] for r in shown)])
    x1 = max([hi, *(r["x"] for r in shown)])
    if x1 - x0 < MIN_SPAN:
        grow = (MIN_SPAN - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    pad = (x1 - x0) * 0.04
    x0, x1 = x0 - pad, x1 + pad
    middle = (x0 + x1) / 2
    for i, row in enumerate(shown):
        row["y"] = LABEL_ROW * (i + 1) - 4
        row["align"] = "left" if row["x"] <= middle else "right"
        row["dx"] = 4 if row["align"] == "left" else -4
    top = max(b["share"] for b in bins)
    # room above the tallest bar for one row of label per threshold
    y_top = top / max(0.25, 1 - (LABEL_ROW * (len(shown) + 0.5)) / HEIGHT)
    ticks = _ticks(x0, x1)
    label_expr = (
        " : ".join(f"abs(datum.value - {v!r}) < 1e-6 ? '{_tick_text(v)}'" for v in ticks) + " : ''"
    )
    x_axis: dict[str, Any] = {
        "type": "quantitative",
        "scale": {"domain": [x0, x1], "nice": False, "zero": False},
        "axis": {"values": ticks, "labelExpr": label_expr, "title": "FLOP (log scale)"},
    }
    y_axis: dict[str, Any] = {
        "type": "quantitative",
        "scale": {"domain": [0, y_top], "nice": False},
        "axis": {"format": ".0%", "title": "Share of draws", "tickCount": 4},
    }
    subtitle = [
        f"Median {flop_text(10**median)} (dashed); 90% interval {flop_text(10**low)} – "
        f"{flop_text(10**high)} (shaded); {logs.size:,} draws.",
        "P: probability that the compute a threshold counts exceeds it.",
    ]
    for row in off:
        side = "below" if row["x"] < x0 else "above"
        subtitle.append(f"{row['label']} ({row['flop_text']}, far {side} this axis).")
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": [{"a": low, "b": high}]},
            "mark": {"type": "rect", "color": BAND, "opacity": 0.7},
            "encoding": {"x": {"field": "a", **x_axis}, "x2": {"field": "b"}},
        },
        {
            "data": {"values": bins},
            "mark": {"type": "rect", "color": BAR},
            "encoding": {
                "x": {"field": "x0", **x_axis},
                "x2": {"field": "x1"},
                "y": {"field": "share", **y_axis},
                "y2": {"datum": 0},
            },
        },
        {
            "data": {"values": [{"x": median}]},
            "mark": {"type": "rule", "color": INK, "strokeDash": [4, 3], "strokeWidth": 1.5},
            "encoding": {"x": {"field": "x", **x_axis}},
        },
    ]
    if shown:
        layers += [
            {
                "data": {"values": shown},
                "mark": {"type": "rule", "color": RULE, "strokeWidth": 2},
                "encoding": {"x": {"field": "x", **x_axis}},
            },
            # each label twice: a white outline that keeps it readable over the bars, then
            # the text
            *(
                {
                    "data": {"values": [row]},
                    "mark": {
                        "type": "text",
                        "align": row["align"],
                        "dx": row["dx"],
                        "baseline": "middle",
                        "fontSize": 11,
                        "fontWeight": "bold",
                        "color": RULE,
                        **halo,
                    },
                    "encoding": {
                        "x": {"field": "x", **x_axis},
                        "y": {"value": row["y"]},
                        "text": {"field": "label"},
                    },
                }
                for row in shown
                for halo in ({"stroke": "white", "strokeWidth": 4, "strokeJoin": "round"}, {})
            ),
        ]
    spec = {**base_spec(title, subtitle, [], layers), "height": HEIGHT}  # a shorter chart
    info = {"bins": bins, "thresholds": shown, "off_axis": off, "domain": (x0, x1)}
    return Chart("distribution", spec, info)
