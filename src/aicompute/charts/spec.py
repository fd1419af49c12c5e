"""Vega-Lite building blocks shared by the charts: style, palette, toggles, layers, labels.

The charts are plain Vega-Lite specifications (dicts), so they can be tested as data, shown in
a browser by vega-embed, and exported to SVG/PNG without a browser by vl-convert.
"""

from __future__ import annotations

import math
from typing import Any

from aicompute.constants import FLOP_PER_PFS_DAY

VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#000000"]
DOMAIN_COLOURS = {
    "Vision": "#0072B2", "Language": "#E69F00", "Speech": "#009E73", "Games": "#CC79A7",
    "Fundamentals": "#56B4E9", "Autonomous Vehicles": "#D55E00", "Multimodal": "#000000",
    "Other": "#999999",
}  # fmt: skip
FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
WIDTH, HEIGHT = 760, 440

SCALE_PARAM = "yScale"
ERRORS_PARAM = "showErrors"
DOMAIN_PARAM = "domainFilter"

CONFIG: dict[str, Any] = {
    "font": FONT,
    "title": {"fontSize": 18, "subtitleFontSize": 12, "subtitleColor": "#555", "anchor": "start",
              "offset": 12},
    "axis": {"labelFontSize": 12, "titleFontSize": 13, "grid": True, "gridColor": "#e6e6e6"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12},
    "view": {"stroke": None},
}  # fmt: skip


def scale_param() -> dict[str, Any]:
    """The log / linear toggle (radio buttons under the chart)."""
    return {
        "name": SCALE_PARAM,
        "value": "log",
        "bind": {
            "input": "radio",
            "options": ["log", "linear"],
            "labels": ["Log scale", "Linear scale"],
            "name": "Scale: ",
        },
    }


def errors_param() -> dict[str, Any]:
    """The "show error bars" checkbox."""
    return {
        "name": ERRORS_PARAM,
        "value": False,
        "bind": {"input": "checkbox", "name": "Show error bars "},
    }


def domain_param(domains: list[str]) -> dict[str, Any]:
    """A drop-down filter by domain."""
    return {
        "name": DOMAIN_PARAM,
        "value": "All",
        "bind": {"input": "select", "options": ["All", *domains], "name": "Domain: "},
    }


def y_transform(field: str = "pfs_days", out: str = "y") -> dict[str, Any]:
    """log10 of the value in log mode, the value itself in linear mode."""
    return {
        "calculate": f"{SCALE_PARAM} == 'log' ? log(datum.{field}) / LN10 : datum.{field}",
        "as": out,
    }


def y_encoding(title: str = "Training compute (petaflop/s-days)") -> dict[str, Any]:
    label = (
        f"{SCALE_PARAM} == 'log' ? (abs(datum.value - round(datum.value)) < 1e-9 ? "
        "format(pow(10, datum.value), '.0e') : '') : format(datum.value, '~s')"
    )
    return {
        "field": "y",
        "type": "quantitative",
        "title": title,
        "scale": {"zero": False, "nice": True},
        "axis": {"labelExpr": label, "tickCount": 10},
    }


X_ENCODING: dict[str, Any] = {
    "field": "date", "type": "temporal", "title": "Publication date",
    "axis": {"format": "%Y", "labelAngle": 0, "labelOverlap": True,
             "tickCount": {"interval": "year", "step": 1}},
}  # fmt: skip


def x_encoding(span_years: float) -> dict[str, Any]:
    """The date axis with about a dozen yearly ticks over ``span_years``."""
    step = max(1, math.ceil(span_years / 12))
    if step > 1:
        step = next(s for s in (2, 5, 10, 20, 50) if s >= step)
    return {
        **X_ENCODING,
        "axis": {**X_ENCODING["axis"], "tickCount": {"interval": "year", "step": step}},
    }


TOOLTIP: list[dict[str, Any]] = [
    {"field": "name", "title": "Model"},
    {"field": "date_text", "title": "Date"},
    {"field": "domain", "title": "Domain"},
    {"field": "pfs_days", "title": "Compute (pfs-days)", "format": ".3~g"},
    {"field": "flop", "title": "Compute (FLOP)", "format": ".3~e"},
    {"field": "range_text", "title": "Range (pfs-days)"},
    {"field": "method", "title": "Method"},
    {"field": "source", "title": "Source"},
]


def point_rows(frame: Any) -> list[dict[str, Any]]:
    """Chart data from a records DataFrame: one dict per record with compute."""
    rows = []
    for r in frame[frame["flop"].notna()].itertuples():
        methods = ", ".join(r.methods) or "value as published"
        bound = "less than " if r.upper_bound else ""
        rows.append({
            "id": r.id, "name": r.name, "date": _iso(r.date), "date_text": r.date,
            "year": float(r.year), "domain": r.domain, "flop": float(r.flop),
            "pfs_days": float(r.flop) / FLOP_PER_PFS_DAY,
            "low_pfs_days": float(r.low_flop) / FLOP_PER_PFS_DAY,
            "high_pfs_days": float(r.high_flop) / FLOP_PER_PFS_DAY,
            "range_text": f"{bound}{r.low_flop / FLOP_PER_PFS_DAY:.2g} – "
                          f"{r.high_flop / FLOP_PER_PFS_DAY:.2g}",
            "method": methods,
            "source": next((u for u in r.sources if u.lower().startswith(("http://", "https://"))),
                           ""),
            "confidence": r.confidence, "upper_bound": bool(r.upper_bound),
            "in_trend": r.in_trend,
        })  # fmt: skip
    return rows


def _iso(date: str) -> str:
    """A record date as a full ISO date for the temporal axis (mid-month / mid-year)."""
    if len(date) == 4:
        return f"{date}-07-01"
    if len(date) == 7:
        return f"{date}-15"
    return date


def year_to_iso(year: float) -> str:
    from aicompute.trends import year_to_date

    return year_to_date(year)


def line_rows(fit: Any, label: str, points: int = 60) -> list[dict[str, Any]]:
    """Rows of a fitted trend line (years and FLOP come from the fit)."""
    years, flop = fit.line(points)
    return [
        {"date": year_to_iso(float(y)), "pfs_days": float(f) / FLOP_PER_PFS_DAY, "series": label}
        for y, f in zip(years, flop, strict=True)
    ]


def doubling_text(months: float | None) -> str:
    """``3.4-month doubling`` or ``~2-year doubling`` from a fitted doubling time."""
    if months is None:
        return "no growth"
    if months >= 12:
        return f"~{months / 12:.1f}-year doubling"
    return f"{months:.1f}-month doubling"


def place_labels(
    rows: list[dict[str, Any]],
    width: float = WIDTH,
    height: float = HEIGHT,
    char_px: float = 6.6,
    line_px: float = 13.0,
) -> None:
    """Choose a side (``label_pos``: right, left, above, below) for each point's label so that
    labels neither overlap each other nor cover points, in the default (log) view. Labels that
    cannot be placed get ``label_pos = 'none'``."""
    if not rows:
        return
    years = [r["year"] for r in rows]
    logs = [math.log10(r["pfs_days"]) for r in rows]
    x0, x1 = min(years), max(years)
    y0, y1 = math.floor(min(logs)), math.ceil(max(logs))
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1

    def px(r: dict[str, Any]) -> tuple[float, float]:
        return (
            (r["year"] - x0) / (x1 - x0) * width,
            (y1 - math.log10(r["pfs_days"])) / (y1 - y0) * height,
        )

    points = [px(r) for r in rows]
    boxes: list[tuple[float, float, float, float]] = [
        (x - 4, y - 4, x + 4, y + 4) for x, y in points
    ]
    order = sorted(range(len(rows)), key=lambda i: -rows[i]["pfs_days"])
    for i in order:
        x, y = points[i]
        w = len(rows[i]["name"]) * char_px
        candidates = {
            "right": (x + 7, y - line_px / 2, x + 7 + w, y + line_px / 2),
            "left": (x - 7 - w, y - line_px / 2, x - 7, y + line_px / 2),
            "above": (x - w / 2, y - 8 - line_px, x + w / 2, y - 8),
            "below": (x - w / 2, y + 8, x + w / 2, y + 8 + line_px),
        }
        rows[i]["label_pos"] = "none"
        for pos, box in candidates.items():
            inside = box[0] >= -20 and box[2] <= width + 40 and box[1] >= -10 and box[3] <= height
            if inside and not any(_overlap(box, other) for other in boxes):
                rows[i]["label_pos"] = pos
                boxes.append(box)
                break


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


LABEL_OFFSETS = {
    "right": ("left", 7, 0),
    "left": ("right", -7, 0),
    "above": ("center", 0, -10),
    "below": ("center", 0, 14),
}


def label_layers(rows: list[dict[str, Any]], linear_min: float) -> list[dict[str, Any]]:
    """Text layers for the placed labels (one per side in use); in linear mode only labels of
    points above ``linear_min`` pfs-days are shown (the others sit on the axis)."""
    layers = []
    used = {r.get("label_pos") for r in rows}
    for pos, (align, dx, dy) in LABEL_OFFSETS.items():
        if pos not in used:
            continue
        layers.append({
            "transform": [y_transform(), {"filter": f"datum.label_pos == '{pos}'"}],
            "mark": {"type": "text", "align": align, "baseline": "middle", "dx": dx, "dy": dy,
                     "fontSize": 11, "color": "#333"},
            "encoding": {
                "x": X_ENCODING, "y": {"field": "y", "type": "quantitative"},
                "text": {"field": "name"},
                "opacity": {"condition": {
                    "test": f"{SCALE_PARAM} == 'log' || datum.pfs_days >= {linear_min!r}",
                    "value": 1}, "value": 0},
            },
        })  # fmt: skip
    return layers


def base_spec(
    title: str,
    subtitle: list[str],
    params: list[dict[str, Any]],
    layers: list[dict[str, Any]],
    data: list[dict[str, Any]] | None = None,
    transforms: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "$schema": VL_SCHEMA,
        "title": {"text": title, "subtitle": subtitle},
        "width": WIDTH,
        "height": HEIGHT,
        "params": params,
        "layer": layers,
        "config": CONFIG,
    }
    if data is not None:
        spec["data"] = {"values": data}
    if transforms:
        spec["transform"] = transforms
    return spec
