"""Vega-Lite building blocks shared by the charts: style, palette, toggles, axes, rows, labels.

The charts are plain Vega-Lite specifications (dicts), so they can be tested as data, shown in
a browser by vega-embed, and exported to SVG/PNG without a browser by vl-convert.

Every chart fills the width of its container (``"width": "container"``, autosized to fit in
x) and has a fixed plot height. Both scales have explicit domains (no "nice" rounding, no zero)
so Python knows exactly where each mark is drawn and can place labels
(:mod:`aicompute.charts.layout`); the static exports substitute a fixed width.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aicompute.charts.fonts import FONT
from aicompute.charts.formats import (
    flop_text,
    linear_ticks,
    log_ticks,
    number_text,
    pfs_days_text,
)
from aicompute.charts.layout import BREAKPOINTS, SIDES, Frame, Label, line_boxes, place, point_boxes
from aicompute.constants import FLOP_PER_PFS_DAY

VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

# Okabe & Ito's palette (https://jfly.uni-koeln.de/color/), distinguishable with the common
# colour-vision deficiencies, and a neutral grey for "Other"
OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "purple": "#CC79A7",
    "sky": "#56B4E9", "vermillion": "#D55E00", "yellow": "#F0E442", "black": "#000000",
}  # fmt: skip
PALETTE = [*OKABE_ITO.values(), "#999999"]
DOMAIN_COLOURS = {
    "Vision": OKABE_ITO["blue"], "Language": OKABE_ITO["orange"], "Speech": OKABE_ITO["green"],
    "Games": OKABE_ITO["purple"], "Fundamentals": OKABE_ITO["sky"],
    "Multimodal": OKABE_ITO["vermillion"], "Autonomous Vehicles": OKABE_ITO["black"],
    "Other": "#999999",
}  # fmt: skip
HEIGHT = 420
"""Plot height in pixels (fixed at every width)."""
EXPORT_WIDTH = 900
"""Total width of the static SVG / PNG exports, which have no container to fill."""
POINT_SIZE = 60
"""Area of a point mark (px²): a circle of radius 4.4 px, a triangle within ±4 px."""
POINT_RADIUS = 5.5
"""Half-size of the square a point occupies for label placement (its mark, plus 1 px)."""
LABEL_SIZE = 11.0
NOTE_SIZE = 12.0
INK, MUTED, TREND = "#333333", "#555555", "#444444"

SCALE_PARAM = "yScale"
UNIT_PARAM = "unit"
ERRORS_PARAM = "showErrors"
DOMAIN_PARAM = "domainFilter"
ZOOM_PARAM = "zoom"
UNITS = {"FLOP": 1.0, "pfs-days": FLOP_PER_PFS_DAY}
UNIT_TITLES = {"FLOP": "FLOP", "pfs-days": "petaflop/s-days"}

CONFIG: dict[str, Any] = {
    "font": FONT,
    "title": {"fontSize": 18, "subtitleFontSize": 12.5, "subtitleColor": MUTED, "anchor": "start",
              "offset": 10, "subtitlePadding": 6, "limit": {"expr": "width + 60"}},
    "axis": {"labelFontSize": 12, "titleFontSize": 12.5, "titleFontWeight": "normal",
             "titleColor": MUTED, "grid": True, "gridColor": "#e9e9e9", "domainColor": "#888",
             "tickColor": "#888", "labelColor": MUTED},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "direction":
               "horizontal", "columns": {"expr": "max(1, floor(width / 150))"},
               "symbolStrokeWidth": 0, "labelLimit": 260},
    "view": {"stroke": None},
}  # fmt: skip


# --- toggles --------------------------------------------------------------------------------


def scale_param() -> dict[str, Any]:
    """The log / linear toggle (radio buttons under the chart)."""
    return {
        "name": SCALE_PARAM,
        "value": "log",
        "bind": {"input": "radio", "options": ["log", "linear"],
                 "labels": ["Log scale", "Linear scale"], "name": "Scale: "},
    }  # fmt: skip


def unit_param(default: str = "FLOP") -> dict[str, Any]:
    """The FLOP / petaflop/s-days toggle."""
    return {
        "name": UNIT_PARAM,
        "value": default,
        "bind": {"input": "radio", "options": list(UNITS), "labels": ["FLOP", "pfs-days"],
                 "name": "Unit: "},
    }  # fmt: skip


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


def zoom_param(options: dict[str, str]) -> dict[str, Any]:
    """A radio choice between x ranges (key → label)."""
    keys = list(options)
    return {
        "name": ZOOM_PARAM,
        "value": keys[0],
        "bind": {"input": "radio", "options": keys, "labels": list(options.values()),
                 "name": "Years: "},
    }  # fmt: skip


# --- values and axes ------------------------------------------------------------------------


def y_transform(field: str = "flop", out: str = "y", unit: bool = True) -> dict[str, Any]:
    """The plotted value of ``field``: in the chosen unit (FLOP or pfs-days, when ``unit``),
    its log10 in log mode and itself in linear mode."""
    value = f"datum.{field}"
    if unit:
        value = f"{value} / ({UNIT_PARAM} == 'FLOP' ? 1 : {FLOP_PER_PFS_DAY!r})"
    return {"calculate": f"{SCALE_PARAM} == 'log' ? log({value}) / LN10 : {value}", "as": out}


LINEAR_HEADROOM = 1.06
"""The linear scale runs from 0 to this much above the domain's top value."""


@dataclass(frozen=True)
class Domain:
    """The y extent (in base units: FLOP or dollars) and the x extent (years) of one view."""

    x0: float
    x1: float
    low: float
    high: float

    def frame(self, scale: str) -> Frame:
        if scale == "log":
            return Frame(self.x0, self.x1, math.log10(self.low), math.log10(self.high), HEIGHT,
                         math.log10)  # fmt: skip
        return Frame(self.x0, self.x1, 0.0, self.high * LINEAR_HEADROOM, HEIGHT)


def padded_domain(
    years: Iterable[float],
    values: Iterable[float],
    pad_x: float = 0.04,
    pad_decades: float = 0.45,
    min_pad_years: float = 0.25,
) -> Domain:
    """A domain around the data: x padded by ``pad_x`` of its span on each side (at least
    ``min_pad_years``, so an edge point is drawn whole even at the narrowest breakpoint), y by
    ``pad_decades`` orders of magnitude in log mode (linear mode starts at 0, 6% headroom)."""
    xs, vs = [float(x) for x in years], [float(v) for v in values if v > 0]
    lo, hi = min(xs), max(xs)
    pad = max((hi - lo) * pad_x, min_pad_years)
    return Domain(lo - pad, hi + pad, min(vs) / 10**pad_decades, max(vs) * 10**pad_decades)


def _choose(param: str, cases: dict[str, str]) -> str:
    """A Vega expression choosing among ``cases`` by the value of ``param``."""
    items = list(cases.items())
    expr = items[-1][1]
    for key, value in reversed(items[:-1]):
        expr = f"({param} == '{key}' ? {value} : {expr})"
    return expr


def y_domain_exprs(
    domains: dict[str, Domain], unit: bool = True
) -> tuple[dict[str, str], dict[str, str]]:
    """Vega expressions for the y scale's minimum and maximum, by zoom key (``domains``), scale
    and unit; linear mode runs from 0."""

    def by_unit(value: float, log: bool) -> str:
        if not unit:
            return repr(math.log10(value) if log else value)
        cases = {u: repr(math.log10(value / f) if log else value / f) for u, f in UNITS.items()}
        return _choose(UNIT_PARAM, cases)

    low = {
        k: _choose(SCALE_PARAM, {"log": by_unit(d.low, True), "linear": "0"})
        for k, d in domains.items()
    }
    high = {
        k: _choose(
            SCALE_PARAM,
            {"log": by_unit(d.high, True), "linear": by_unit(d.high * LINEAR_HEADROOM, False)},
        )
        for k, d in domains.items()
    }
    return low, high


def y_encoding(
    domains: dict[str, Domain], title: str | dict[str, str], money: bool = False
) -> dict[str, Any]:
    """The y channel: the ``y`` field on an explicit domain, ticks as people write them; the
    title names the unit in use."""
    low, high = y_domain_exprs(domains, unit=not money)
    label = f"{SCALE_PARAM} == 'log' ? ({log_ticks(money)}) : ({linear_ticks(money)})"
    lo = _choose(ZOOM_PARAM, low) if len(low) > 1 else next(iter(low.values()))
    hi = _choose(ZOOM_PARAM, high) if len(high) > 1 else next(iter(high.values()))
    return {
        "field": "y",
        "type": "quantitative",
        "scale": {"domain": [{"expr": lo}, {"expr": hi}], "nice": False, "zero": False},
        # the title sits in the axis: an expression title on the channel is lost when layers
        # are merged (Vega-Lite 6)
        "axis": {"labelExpr": label, "tickMinStep": 1, "labelOverlap": True, "title": title},
    }


def compute_title(what: str = "Training compute") -> dict[str, str]:
    """An axis title that names the unit chosen by the toggle."""
    cases = {u: repr(f"{what} ({t})") for u, t in UNIT_TITLES.items()}
    return {"expr": _choose(UNIT_PARAM, cases)}


def x_encoding(domains: dict[str, Domain], title: str = "Publication date") -> dict[str, Any]:
    """The x channel: fractional years on an explicit domain (by zoom key), whole-year ticks."""
    if len(domains) == 1:
        d = next(iter(domains.values()))
        domain: list[Any] = [d.x0, d.x1]
    else:
        domain = [
            {"expr": _choose(ZOOM_PARAM, {k: repr(d.x0) for k, d in domains.items()})},
            {"expr": _choose(ZOOM_PARAM, {k: repr(d.x1) for k, d in domains.items()})},
        ]
    return {
        "field": "year",
        "type": "quantitative",
        "title": title,
        "scale": {"domain": domain, "nice": False, "zero": False},
        "axis": {
            "format": "d",
            "tickMinStep": 1,
            "labelOverlap": True,
            "labelFlush": True,
            "tickCount": {"expr": "ceil(width / 75)"},
        },
    }


def zoom_filter(domains: dict[str, Domain]) -> dict[str, Any] | None:
    """A filter keeping the rows inside the chosen x range (None with one range)."""
    if len(domains) == 1:
        return None
    cases = {k: f"(datum.year >= {d.x0!r} && datum.year <= {d.x1!r})" for k, d in domains.items()}
    return {"filter": _choose(ZOOM_PARAM, cases)}


TOOLTIP: list[dict[str, Any]] = [
    {"field": "name", "title": "Model"},
    {"field": "date_text", "title": "Date"},
    {"field": "domain", "title": "Domain"},
    {"field": "flop_text", "title": "Compute"},
    {"field": "pfs_days_text", "title": "Compute (pfs-days)"},
    {"field": "range_text", "title": "90% range"},
    {"field": "method", "title": "Method"},
    {"field": "source", "title": "Source"},
]


# --- rows ------------------------------------------------------------------------------------

SHORT_NAME_CHARS = 26


def short_name(name: str, limit: int = SHORT_NAME_CHARS) -> str:
    """A chart label for a record: its name without parenthetical asides, cut at a word
    boundary with an ellipsis when longer than ``limit`` characters.

    >>> short_name("Stupid Backoff 5-gram LM on 1.8T web tokens (Brants et al. 2007)")
    'Stupid Backoff 5-gram LM…'
    """
    text = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


IN_TREND = "in trend fits"
NOT_IN_TREND = "not in trend fits (derived models, upper bounds)"


def point_rows(frame: Any) -> list[dict[str, Any]]:
    """Chart data from a records DataFrame: one dict per record with compute, its numbers
    already written as text for the tooltip."""
    rows = []
    for r in frame[frame["flop"].notna()].itertuples():
        methods = ", ".join(r.methods) or "value as published"
        bound = "less than " if r.upper_bound else ""
        rows.append({
            "id": r.id, "name": r.name, "label": short_name(r.name), "year": float(r.year),
            "date_text": r.date, "domain": r.domain, "flop": float(r.flop),
            "pfs_days": float(r.flop) / FLOP_PER_PFS_DAY,
            "low_flop": float(r.low_flop), "high_flop": float(r.high_flop),
            "flop_text": bound + flop_text(float(r.flop)),
            "pfs_days_text": bound + pfs_days_text(float(r.flop)),
            "range_text": f"{bound}{number_text(float(r.low_flop))} – "
                          f"{flop_text(float(r.high_flop))}",
            "method": methods,
            "source": next((u for u in r.sources if u.lower().startswith(("http://", "https://"))),
                           ""),
            "confidence": r.confidence, "upper_bound": bool(r.upper_bound),
            "in_trend": bool(r.in_trend), "kind": IN_TREND if r.in_trend else NOT_IN_TREND,
        })  # fmt: skip
    return rows


def line_rows(
    fit: Any,
    label: str,
    points: int = 60,
    since: float | None = None,
    until: float | None = None,
) -> list[dict[str, Any]]:
    """Rows of a fitted trend line (years and FLOP come from the fit)."""
    years, flop = fit.line(points, since, until)
    return [
        {"year": float(y), "flop": float(f), "series": label}
        for y, f in zip(years, flop, strict=True)
    ]


def doubling_text(months: float | None) -> str:
    """``3.4-month doubling`` or ``~2-year doubling`` from a fitted doubling time."""
    if months is None:
        return "no growth"
    if months >= 12:
        return f"~{months / 12:.1f}-year doubling"
    return f"{months:.1f}-month doubling"


def ci_text(fit: Any) -> str:
    """The doubling time's interval as a short line (empty when unbounded)."""
    lo, hi = fit.doubling_months_ci
    if not lo or not hi:
        return ""
    if fit.doubling_months and fit.doubling_months >= 12:
        return f"90% CI {lo / 12:.1f}–{hi / 12:.1f} years"
    return f"90% CI {lo:.1f}–{hi:.1f} months"


# --- labels placed for every view and width ----------------------------------------------------


@dataclass(frozen=True)
class View:
    """One state of a chart's toggles that moves marks: its key (``all_log``), pixel frame and
    what labels must avoid (points and polylines, in data coordinates)."""

    key: str
    frame: Frame
    points: Sequence[tuple[float, float]]
    lines: Sequence[Sequence[tuple[float, float]]]

    def obstacles(self) -> np.ndarray:
        boxes = [point_boxes(self.frame, self.points, POINT_RADIUS)]
        boxes += [line_boxes(self.frame, line) for line in self.lines]
        return np.vstack(boxes) if boxes else np.zeros((0, 6))


def views(
    domains: dict[str, Domain],
    points: Sequence[tuple[float, float]],
    lines: Sequence[Sequence[tuple[float, float]]],
    scales: Sequence[str] = ("log", "linear"),
) -> list[View]:
    """A view per x range and scale (the unit does not move anything: it divides every value
    by the same number, and the domain with it)."""
    return [
        View(f"{zoom}_{scale}", d.frame(scale), points, lines)
        for zoom, d in domains.items()
        for scale in scales
    ]


def placements(labels: Sequence[Label], all_views: Sequence[View]) -> list[dict[str, str]]:
    """For each label and each of its anchors, the side it takes in every view at every
    breakpoint (``p_<view>_<width>``: a key of :data:`~aicompute.charts.layout.SIDES` or
    ``none``). Labels are placed in the order given (highest priority first)."""
    out: list[dict[str, str]] = [{} for label in labels for _ in (label.anchors or [(0.0, 0.0)])]
    starts = np.cumsum([0] + [len(label.anchors or [(0.0, 0.0)]) for label in labels])
    for view in all_views:
        obstacles = view.obstacles()
        for width in BREAKPOINTS:
            key = f"p_{view.key}_{width}"
            for row in out:
                row[key] = "none"
            for i, choice in enumerate(place(labels, view.frame, obstacles, width)):
                if choice is not None:
                    out[starts[i] + choice[0]][key] = choice[1]
    return out


def state_key(zoom: str | None = None) -> str:
    """Vega expression: the name of the placement field for the current view and plot width
    (undefined below the smallest breakpoint, so nothing shows)."""
    bp = " : ".join(f"width >= {b} ? '{b}'" for b in reversed(BREAKPOINTS)) + " : 'none'"
    zoom_part = ZOOM_PARAM if zoom is None else repr(zoom)
    return f"datum['p_' + {zoom_part} + '_' + {SCALE_PARAM} + '_' + ({bp})]"


def text_layers(
    rows: list[dict[str, Any]],
    label: Label,
    x: dict[str, Any],
    key_expr: str,
    y_field: str = "flop",
    extra: Sequence[dict[str, Any]] = (),
    colour: str = INK,
    pixel_y: bool = False,
    unit: bool = True,
) -> list[dict[str, Any]]:
    """Text layers (one per side in use) drawing the placed labels: each row shows where its
    placement field for the current view and width names that side."""
    layers = []
    used = {v for row in rows for k, v in row.items() if k.startswith("p_")} - {"none"}
    y: dict[str, Any] = (
        {"field": "py", "type": "quantitative", "scale": None}
        if pixel_y
        else {"field": "y", "type": "quantitative"}
    )
    for side in SIDES:
        if side not in used:
            continue
        align, _, _ = SIDES[side]
        dx, dy = label.offset(side)
        transform = [] if pixel_y else [y_transform(y_field, unit=unit)]
        layers.append({
            "data": {"values": rows},
            "transform": [*transform, *extra, {"filter": f"{key_expr} == '{side}'"}],
            "mark": {"type": "text", "align": align, "baseline": "middle", "dx": round(dx, 2),
                     "dy": round(dy, 2), "fontSize": label.size, "lineHeight": round(
                         label.size * 1.25, 2), "fontWeight": "bold" if label.bold else "normal",
                     "color": colour},
            "encoding": {"x": x, "y": y, "text": {"field": "text"}},
        })  # fmt: skip
    return layers


def label_rows(
    labels: Sequence[Label],
    placed: list[dict[str, str]],
    payload: Sequence[dict[str, Any]],
    value_field: str = "flop",
) -> list[dict[str, Any]]:
    """One row per label anchor shown somewhere: its ``year`` and value (``value_field``), its
    text (a list for several lines), the label's ``payload`` and its placement fields."""
    rows = []
    fields = iter(placed)
    for label, extra in zip(labels, payload, strict=True):
        text: str | list[str] = label.lines[0] if len(label.lines) == 1 else list(label.lines)
        for year, value in label.anchors:
            where = next(fields)
            if any(v != "none" for v in where.values()):
                rows.append({**extra, "year": year, value_field: value, "text": text, **where})
    return rows


def wrap(lines: Sequence[str], width: float, size: float) -> list[str]:
    """Greedy word wrap of each line to ``width`` px at ``size`` px (real font metrics)."""
    from aicompute.charts.fonts import text_width

    out: list[str] = []
    for line in lines:
        current = ""
        for word in line.split(" "):
            trial = f"{current} {word}" if current else word
            if current and text_width(trial, size) > width:
                out.append(current)
                current = word
            else:
                current = trial
        out.append(current)
    return out


NARROW_TEXT = 330.0
"""Width (px) subtitles wrap to on a phone (a 390 px screen leaves about 340)."""
WIDE_TEXT = 760.0
NARROW_BELOW = 520
"""Plot widths below this get the narrow wrapping."""


def subtitle_expr(lines: Sequence[str]) -> dict[str, str]:
    """The subtitle wrapped for a phone and for a desktop, chosen by the plot width."""
    import json

    size = CONFIG["title"]["subtitleFontSize"]
    narrow = json.dumps(wrap(lines, NARROW_TEXT, size), ensure_ascii=False)
    wide = json.dumps(wrap(lines, WIDE_TEXT, size), ensure_ascii=False)
    return {"expr": f"width < {NARROW_BELOW} ? {narrow} : {wide}"}


def title_params(title: str, subtitle: Sequence[str]) -> dict[str, Any]:
    """The title (shrunk to fit narrow plots: its width at 1 px times the font size must fit
    the plot and the y axis) and the wrapped subtitle."""
    from aicompute.charts.fonts import text_width

    per_px = text_width(title, 100.0, bold=True) / 100.0
    return {
        "text": title,
        "subtitle": subtitle_expr(subtitle),
        "fontSize": {"expr": f"clamp((width + 40) / {per_px:.3f}, 11, 18)"},
        "limit": {"expr": "width + 50"},
    }


def base_spec(
    title: str,
    subtitle: list[str],
    params: list[dict[str, Any]],
    layers: list[dict[str, Any]],
    data: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "$schema": VL_SCHEMA,
        "title": title_params(title, subtitle),
        "width": "container",
        "height": HEIGHT,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "params": params,
        "layer": layers,
        "config": CONFIG,
        # vega-embed's default style makes its container an inline-block, which then shrinks
        # to its content: a chart drawn again into it would find no width to fill
        "usermeta": {"embedOptions": {"defaultStyle": False}},
    }
    if data is not None:
        spec["data"] = {"values": data}
    named = _hoist(layers)
    if named:
        spec["datasets"] = named
    return spec


def _hoist(layers: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Inline data shared by several layers (the label layers, one per side) moved to named
    top-level datasets, so the spec holds each list of rows once."""
    seen: dict[int, str] = {}
    users: dict[int, list[dict[str, Any]]] = {}
    for layer in layers:
        values = layer.get("data", {}).get("values")
        if isinstance(values, list):
            users.setdefault(id(values), []).append(layer)
    named = {}
    for key, group in users.items():
        if len(group) < 2:
            continue
        name = seen.setdefault(key, f"rows_{len(seen)}")
        named[name] = group[0]["data"]["values"]
        for layer in group:
            layer["data"] = {"name": name}
    return named
