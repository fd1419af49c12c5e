"""How many models crossed each compute threshold, year by year: bars of the expected count
with whiskers for its 90% interval, one colour per threshold.

The figures come from :func:`aicompute.threshold.dataset.dataset_view` (the report keeps the
same dict in ``summary.json``, and ``aicompute threshold --dataset --json`` prints it); this
module only draws them.

>>> from aicompute.dataset import read_embedded
>>> from aicompute.threshold.dataset import dataset_view
>>> chart = above_chart(dataset_view(read_embedded().records, samples=1_000))
>>> chart.name, [layer["mark"]["type"] for layer in chart.spec["layer"]]
('above', ['bar', 'rule', 'tick', 'tick'])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicompute.charts.chart import Chart
from aicompute.charts.formats import linear_ticks
from aicompute.charts.spec import LINEAR_HEADROOM, MUTED, OKABE_ITO, PALETTE, base_spec
from aicompute.threshold.dataset import shown_years
from aicompute.units import format_number

__all__ = ["COLOURS", "above_chart", "line_label"]

COLOURS = {1e23: OKABE_ITO["green"], 1e25: OKABE_ITO["blue"], 1e26: OKABE_ITO["vermillion"]}
"""A threshold's colour; others take the palette's next free colour."""
SHOWN_FROM = 0.05
"""Years drawn: from the first that expects this many models above some line."""


def line_label(flop: float) -> str:
    """The legend's name of a threshold: ``Above 1e25 FLOP`` (as the formatter writes FLOP;
    superscript digits would fall back to another font in the static exports).

    >>> line_label(1e25), line_label(3e24)
    ('Above 1e25 FLOP', 'Above 3e24 FLOP')
    """
    return f"Above {format_number(flop, 'flop')}"


def _colours(flops: list[float]) -> list[str]:
    spare = iter(c for c in PALETTE if c not in COLOURS.values())
    return [COLOURS.get(f) or next(spare, MUTED) for f in flops]


def above_chart(view: Mapping[str, Any]) -> Chart:
    """Bars of the expected number of models above each threshold per year of publication,
    with whiskers for the count's 90% interval (``view``: a
    :func:`~aicompute.threshold.dataset.dataset_view`)."""
    lines = list(view["thresholds"])
    every = [row for line in lines for row in view["by_year"][line["key"]]]
    years = shown_years(every, SHOWN_FROM) or sorted({int(r["year"]) for r in every})[-1:]
    labels = [line_label(line["flop"]) for line in lines]
    rows = []
    for line, label in zip(lines, labels, strict=True):
        for r in view["by_year"][line["key"]]:
            if r["year"] not in years:
                continue
            rows.append({
                "year": str(r["year"]), "line": label, "threshold": line["name"],
                "expected": r["expected"], "low": r["low"], "high": r["high"],
                "expected_text": format_number(r["expected"], "number", 2),
                "interval_text": f"{r['low']}–{r['high']}",
                "likely": r["likely"], "certain": r["certain"], "n": r["n"],
                "names": ", ".join(r["records"]) or "none",
            })  # fmt: skip
    top = max([1.0, *(r["high"] for r in rows), *(r["expected"] for r in rows)])
    x = {
        "field": "year",
        "type": "ordinal",
        "title": "Year of publication",
        "sort": [str(y) for y in years],
        "scale": {"paddingInner": 0.2, "paddingOuter": 0.1},
        "axis": {"labelAngle": 0, "labelOverlap": True},
    }
    offset = {"field": "line", "type": "nominal", "sort": labels}
    y = {
        "field": "expected",
        "type": "quantitative",
        "scale": {"domain": [0, top * LINEAR_HEADROOM], "nice": False, "zero": True},
        "axis": {"labelExpr": linear_ticks(), "tickMinStep": 1, "labelOverlap": True,
                 "title": "Models above the line (expected count)"},
    }  # fmt: skip
    colour = {
        "field": "line",
        "type": "nominal",
        "scale": {"domain": labels, "range": _colours([line["flop"] for line in lines])},
        "legend": {"title": None},
    }
    tooltip = [
        {"field": "year", "title": "Year"},
        {"field": "threshold", "title": "Threshold"},
        {"field": "expected_text", "title": "Expected count"},
        {"field": "interval_text", "title": "90% interval"},
        {"field": "likely", "title": f"Likely above (p ≥ {view['likely']:.0%})"},
        {"field": "certain", "title": f"Certain (p ≥ {view['certain']:.0%})"},
        {"field": "n", "title": "Records that year"},
        {"field": "names", "title": "Likely above"},
    ]
    whisker = {"x": x, "xOffset": offset}
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "bar", "opacity": 0.85},
         "encoding": {"x": x, "xOffset": offset, "y": y, "color": colour, "tooltip": tooltip}},
        {"mark": {"type": "rule", "color": "#222", "strokeWidth": 1.5},
         "encoding": {**whisker, "y": {**y, "field": "low"}, "y2": {"field": "high"},
                      "tooltip": tooltip}},
        *({"mark": {"type": "tick", "color": "#222", "thickness": 1.5, "bandSize": 8},
           "encoding": {**whisker, "y": {**y, "field": end}}} for end in ("low", "high")),
    ]  # fmt: skip
    meaning = "; ".join(f"{format_number(line['flop'], 'flop')}: {line['name']}" for line in lines)
    latest = max((str(r["date"]) for r in view.get("records") or ()), default="")
    if latest[:4] == str(years[-1]) and not latest.endswith("12-31"):
        meaning += f". {years[-1]} so far: the records run to {latest}"
    subtitle = [
        "Bars: the expected number of models published that year whose training compute is "
        "above each line (the sum of every record's probability of being above it, from its "
        "90% interval). Whiskers: the 90% interval of the count, with the records' errors taken "
        "as independent, which is too narrow where estimates share assumptions.",
        f"{meaning}. Data: aicompute's records.",
    ]
    spec = base_spec(
        "How many models crossed the compute thresholds, by year", subtitle, [], layers, rows
    )
    return Chart("above", spec, {"rows": rows, "years": years})
