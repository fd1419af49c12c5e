"""The charts: the modern era, two eras, domains, an estimate in context, the forecast and the
cost of the largest run.

Each function takes results computed elsewhere (:func:`aicompute.trends.analyze`, a forecast,
the economics module) and returns a :class:`~aicompute.charts.Chart`; the numbers drawn
(trend lines, doubling times, the distance from the trend) all come from there. Labels are
placed in Python for every toggle state and breakpoint width (:mod:`aicompute.charts.layout`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from aicompute.charts.chart import Chart
from aicompute.charts.formats import flop_text, number_text, pfs_days_text, usd_text
from aicompute.charts.layout import Label
from aicompute.charts.spec import (
    DOMAIN_COLOURS,
    DOMAIN_PARAM,
    ERRORS_PARAM,
    IN_TREND,
    INK,
    LABEL_SIZE,
    MUTED,
    NOT_IN_TREND,
    NOTE_SIZE,
    POINT_SIZE,
    TOOLTIP,
    TREND,
    Domain,
    View,
    base_spec,
    ci_text,
    compute_title,
    domain_param,
    doubling_text,
    errors_param,
    label_rows,
    line_rows,
    padded_domain,
    placements,
    point_rows,
    scale_param,
    state_key,
    text_layers,
    unit_param,
    views,
    x_encoding,
    y_encoding,
    y_transform,
    zoom_filter,
    zoom_param,
)

__all__ = [
    "CHARTS",
    "cost_chart",
    "domains_chart",
    "eras_chart",
    "estimate_chart",
    "forecast_chart",
    "modern_chart",
    "notable",
]

SEED_CREDIT = 'Data: OpenAI, "AI and Compute" (2018, 2019 addendum)'
NOTABLE_FACTOR = 3.0
NOTABLE_LIMIT = 18
NOTE_LIFTS = (0.0, 1.0, 2.0)
"""Orders of magnitude above its line a trend's note may be lifted when the line is crowded."""


def _credit(frame: Any, extra: list[str] | None = None) -> str:
    tags = {t for tags in frame["tags"] for t in tags}
    credits = []
    if "seed" in tags:
        credits.append(SEED_CREDIT)
    if "epoch" in tags:
        credits.append("Epoch AI, 'Data on AI Models' (CC BY 4.0)")
    if any(not ({"seed", "epoch"} & set(t)) for t in frame["tags"]):
        credits.append("other records: sources in each record")
    credits += extra or []
    return "; ".join(credits)


def _colour_scale(domains: list[str]) -> dict[str, Any]:
    return {"domain": domains, "range": [DOMAIN_COLOURS[d] for d in domains]}


def _domains_of(rows: list[dict[str, Any]]) -> list[str]:
    return [d for d in DOMAIN_COLOURS if any(r["domain"] == d for r in rows)] + sorted(
        {r["domain"] for r in rows} - set(DOMAIN_COLOURS)
    )


def _points_layer(
    x: dict[str, Any],
    y: dict[str, Any],
    colour: str | dict[str, Any],
    filters: Sequence[dict[str, Any]] = (),
    shape_legend: bool = False,
) -> dict[str, Any]:
    """Filled points; triangles for records outside the trend fits."""
    shape: dict[str, Any] = {
        "field": "kind",
        "type": "nominal",
        "scale": {"domain": [IN_TREND, NOT_IN_TREND], "range": ["circle", "triangle-down"]},
        "legend": {"title": None, "symbolFillColor": "#777", "symbolStrokeWidth": 0}
        if shape_legend
        else None,
    }
    encoding: dict[str, Any] = {"x": x, "y": y, "tooltip": TOOLTIP, "shape": shape}
    mark: dict[str, Any] = {"type": "point", "filled": True, "size": POINT_SIZE, "opacity": 0.85}
    if isinstance(colour, str):
        mark["color"] = colour
    else:
        encoding["color"] = colour
    return {"transform": [y_transform(), *filters], "mark": mark, "encoding": encoding}


def _line_layer(
    rows: list[dict[str, Any]],
    x: dict[str, Any],
    y: dict[str, Any],
    colour: str | dict[str, Any],
    dash: bool = True,
    field: str = "flop",
    unit: bool = True,
) -> dict[str, Any]:
    encoding: dict[str, Any] = {"x": x, "y": y, "detail": {"field": "series"}}
    mark: dict[str, Any] = {"type": "line", "strokeWidth": 2, "clip": True}
    if dash:
        mark["strokeDash"] = [6, 4]
    if isinstance(colour, str):
        mark["color"] = colour
    else:
        encoding["color"] = colour
    return {
        "data": {"values": rows},
        "transform": [y_transform(field, unit=unit)],
        "mark": mark,
        "encoding": encoding,
    }


def _note(fit: Any, prefix: str = "", steps: int = 12) -> Label:
    """The doubling time of a fit, to sit beside its line: anchors along the line from its end
    back to its start, above-left or below-right of it (clear of a rising line)."""
    years, flop = fit.line(steps + 1)
    anchors = tuple(
        (float(y), float(f) * 10**lift)
        for lift in NOTE_LIFTS
        for y, f in zip(years[::-1], flop[::-1], strict=True)
    )
    lines = [f"{prefix}{doubling_text(fit.doubling_months)}"]
    if ci_text(fit):
        lines.append(ci_text(fit))
    return Label(tuple(lines), NOTE_SIZE, True, anchors, ("upper-left", "lower-right"), 7.0)


def _name_label(row: dict[str, Any]) -> Label:
    return Label((row["label"],), LABEL_SIZE, False, ((row["year"], row["flop"]),))


def _split(placed: list[dict[str, str]], labels: Sequence[Label]) -> list[list[dict[str, str]]]:
    """The flat placement rows of :func:`placements`, cut back into groups of labels."""
    out, i = [], 0
    for label in labels:
        out.append(placed[i : i + len(label.anchors)])
        i += len(label.anchors)
    return out


def _labelled(
    groups: list[tuple[list[Label], list[dict[str, Any]], dict[str, Any]]],
    all_views: list[View],
    x: dict[str, Any],
    key: str,
) -> list[dict[str, Any]]:
    """Place every group of labels together (in order: earlier groups first) and return their
    text layers. A group: its labels, a payload per label, and :func:`text_layers` options."""
    labels = [label for group in groups for label in group[0]]
    placed = _split(placements(labels, all_views), labels)
    layers: list[dict[str, Any]] = []
    i = 0
    for group_labels, payload, options in groups:
        flat = [row for p in placed[i : i + len(group_labels)] for row in p]
        i += len(group_labels)
        rows = label_rows(group_labels, flat, payload, options.pop("value_field", "flop"))
        if rows:
            layers += text_layers(rows, group_labels[0], x, key, **options)
    return layers


def _views_for(
    domains: dict[str, Domain], rows: list[dict[str, Any]], lines: list[list[dict[str, Any]]]
) -> list[View]:
    return views(
        domains,
        [(r["year"], r["flop"]) for r in rows],
        [[(p["year"], p["flop"]) for p in line] for line in lines],
    )


def _round_factor(factor: float) -> str:
    digits = math.floor(math.log10(factor)) - 1 if factor >= 100 else 0
    return f"{round(factor, -digits):,.0f}"


# --- chart 1: the modern era --------------------------------------------------------------------


def modern_chart(analysis: Any) -> Chart:
    """Chart 1: the seed's modern era (AlexNet to AlphaGo Zero) with its fitted trend, every
    point labelled where it fits, in petaflop/s-days by default as in the seed."""
    rows = point_rows(analysis.modern)
    fit = analysis.modern_fit
    line = line_rows(fit, "trend")
    domains = {"all": padded_domain([r["year"] for r in rows], [r["flop"] for r in rows])}
    x = x_encoding(domains)
    y = y_encoding(domains, compute_title())
    g = analysis.growth
    if g is not None:
        title = f"{g.start_name} to {g.end_name}: a {_round_factor(g.factor)}x increase in compute"
    else:
        title = "The modern era of training compute"
    ranked = sorted(rows, key=lambda r: -r["flop"])
    text = _labelled(
        [
            ([_note(fit)], [{}], {"colour": TREND}),
            ([_name_label(r) for r in ranked], [{} for _ in ranked], {}),
        ],
        _views_for(domains, rows, [line]),
        x,
        state_key("all"),
    )
    layers = [_line_layer(line, x, y, TREND), _points_layer(x, y, "#0072B2"), *text]
    months = fit.doubling_months
    doubling = "no growth" if months is None else f"doubling time {months:.1f} months"
    subtitle = [
        f"{fit.n} results; fitted {doubling} "
        f"({analysis.modern_label}). Dashed: the fitted exponential trend.",
        _credit(analysis.modern),
    ]
    spec = base_spec(title, subtitle, [scale_param(), unit_param("pfs-days")], layers, rows)
    return Chart("modern", spec, {"rows": rows, "fit": fit, "domains": domains})


# --- chart 2: two eras -----------------------------------------------------------------------


def notable(rows: list[dict[str, Any]], analysis: Any = None) -> list[dict[str, Any]]:
    """The records the eras chart names, by rule: each record that set a new compute record
    by at least :data:`NOTABLE_FACTOR` times the previous one (in date order), plus the first
    and largest runs of the modern era (the seed's AlexNet and AlphaGo Zero); the biggest
    jumps first, at most :data:`NOTABLE_LIMIT`."""
    chosen: dict[str, float] = {}
    best = 0.0
    for r in sorted(rows, key=lambda r: r["year"]):
        if r["flop"] > best * NOTABLE_FACTOR:
            chosen[r["id"]] = math.log10(r["flop"] / best) if best else 99.0
        best = max(best, r["flop"])
    g = getattr(analysis, "growth", None)
    if g is not None:
        for r in rows:
            if r["name"] in (g.start_name, g.end_name):
                chosen[r["id"]] = 100.0
    by_id = {r["id"]: r for r in rows}
    ranked = sorted(chosen, key=lambda i: -chosen[i])[:NOTABLE_LIMIT]
    return [by_id[i] for i in ranked]


ZOOMS = {"all": "all years", "2010": "2010 to today"}


def eras_chart(analysis: Any) -> Chart:
    """Chart 2: all records, one fitted line per era over shaded eras, notable models named,
    domains, a domain filter, error bars, and a zoom on 2010 to today."""
    rows = point_rows(analysis.frame)
    domain_names = _domains_of(rows)
    recent = [r for r in rows if r["year"] >= 2010]
    domains = {"all": padded_domain([r["year"] for r in rows], [r["flop"] for r in rows])}
    if len(recent) >= 2:
        near = padded_domain([r["year"] for r in recent], [r["flop"] for r in recent])
        shown = [r for r in rows if near.x0 <= r["year"] <= near.x1]  # the padding's too
        domains["2010"] = padded_domain([r["year"] for r in recent], [r["flop"] for r in shown])
    x, y = x_encoding(domains), y_encoding(domains, compute_title())
    eras = analysis.eras
    segments = eras.segments if eras is not None else (analysis.all_fit,)
    lines = [line_rows(fit, f"era {i + 1}") for i, fit in enumerate(segments)]
    keep = [z for z in (zoom_filter(domains),) if z is not None]
    chosen = {
        "filter": f"{DOMAIN_PARAM} == 'All' || datum.domain == {DOMAIN_PARAM} || !datum.domain"
    }
    layers: list[dict[str, Any]] = []
    bands: list[Label] = []
    band_rows: list[dict[str, Any]] = []
    if eras is not None and eras.break_year is not None:
        full = domains["all"]
        band_rows = [
            {"year": full.x0, "year2": eras.break_year, "era": "First Era", "fill": "#f3f3f3"},
            {"year": eras.break_year, "year2": full.x1, "era": "Modern Era", "fill": "#e4eef7"},
        ]
        layers.append({
            "data": {"values": band_rows},
            "mark": {"type": "rect", "clip": True, "opacity": 0.8},
            "encoding": {"x": x, "x2": {"field": "year2"},
                         "color": {"field": "fill", "type": "nominal", "scale": None}},
        })  # fmt: skip
        bands = [
            Label((b["era"],), NOTE_SIZE, True, ((b["year"], 1.0),), ("right",), 6.0, 11.0)
            for b in band_rows
        ]
    layers.append({
        "transform": [y_transform("low_flop", "y_low"), y_transform("high_flop", "y_high"),
                      *keep, chosen],
        "mark": {"type": "rule", "strokeWidth": 1.5},
        "encoding": {"x": x, "y": {"field": "y_low", "type": "quantitative"},
                     "y2": {"field": "y_high"},
                     "color": {"field": "domain", "type": "nominal", "title": None,
                               "scale": _colour_scale(domain_names),
                               "legend": {"symbolType": "circle"}},
                     "opacity": {"condition": {"param": ERRORS_PARAM, "value": 0.55,
                                               "empty": False}, "value": 0}},
    })  # fmt: skip
    colour = {"field": "domain", "type": "nominal", "title": None,
              "scale": _colour_scale(domain_names), "legend": {"symbolType": "circle"}}  # fmt: skip
    layers.append(_points_layer(x, y, colour, [*keep, chosen]))
    layers += [_line_layer(line, x, y, TREND) for line in lines]
    names = notable(rows, analysis)
    notes = [_note(fit) for fit in segments]
    layers += _labelled(
        [
            *([(bands, [{"py": 11.0} for _ in bands], {"pixel_y": True, "colour": MUTED})]
              if bands else []),
            (notes, [{} for _ in notes], {"colour": TREND}),
            ([_name_label(r) for r in names], [{"domain": r["domain"]} for r in names],
             {"extra": [chosen]}),
        ],
        _views_for(domains, rows, lines),
        x,
        state_key(),
    )  # fmt: skip
    if eras is not None and eras.break_year is not None:
        summary = (
            f"Break detected at {eras.to_dict()['break'][:7]} ({eras.model} model, by BIC); "
            + "; ".join(
                f"{doubling_text(s.doubling_months)} {s.to_dict()['since'][:4]}–"
                f"{s.to_dict()['until'][:4]}"
                for s in eras.segments
            )
            + "."
        )
    else:
        summary = f"One trend: {doubling_text(analysis.all_fit.doubling_months)}."
    params = [scale_param(), unit_param(), errors_param(), domain_param(domain_names)]
    if len(domains) > 1:
        params.insert(0, zoom_param({k: ZOOMS[k] for k in domains}))
    broken = eras is not None and eras.break_year is not None
    spec = base_spec(
        "Two distinct eras of compute usage in training AI systems"
        if broken
        else "One trend in the compute used to train AI systems",
        [
            summary,
            ("Dashed: the trend fitted to each era." if broken else "Dashed: the fitted trend.")
            + " Named: each model that set a compute record "
            f"by at least {NOTABLE_FACTOR:g}× the previous one. Circles: records in the trend "
            f"fits; triangles: {NOT_IN_TREND}.",
            _credit(analysis.frame),
        ],
        params,
        layers,
        data=rows,
    )
    return Chart("eras", spec, {"rows": rows, "segments": segments, "domains": domains,
                                "notable": names})  # fmt: skip


# --- chart 3: domains -----------------------------------------------------------------------


def domains_chart(analysis: Any) -> Chart:
    """Chart 3: the current era (every trend record since the detected break) by domain, with
    a trend line for each domain with enough records; the others are named in the subtitle."""
    frame = analysis.recent if getattr(analysis, "recent", None) is not None else analysis.modern
    rows = point_rows(frame)
    names = _domains_of(rows)
    domains = {"all": padded_domain([r["year"] for r in rows], [r["flop"] for r in rows])}
    x, y = x_encoding(domains), y_encoding(domains, compute_title())
    fits = dict(analysis.domain_fits)
    label = {d: f"{d}: {doubling_text(f.doubling_months)}" for d, f in fits.items()}
    skipped = dict(getattr(analysis, "domain_skipped", {}) or {})
    for d in names:
        label.setdefault(d, f"{d}: no trend line" if d in skipped else d)
    legend_expr = " : ".join(f"datum.label == {d!r} ? {t!r}" for d, t in label.items())
    legend = {
        "symbolType": "circle",
        "labelExpr": f"{legend_expr} : datum.label",
        "columns": {"expr": "max(1, floor(width / 215))"},  # labels with doubling times
    }
    colour = {
        "field": "domain",
        "type": "nominal",
        "title": None,
        "scale": _colour_scale(names),
        "legend": legend,
    }
    layers: list[dict[str, Any]] = [_points_layer(x, y, colour)]
    for d, fit in fits.items():
        line = line_rows(fit, d)
        layers.append(
            _line_layer(line, x, y, {**colour, "field": "series", "legend": None}, dash=False)
        )
    from aicompute.trends.analysis import MIN_DOMAIN_POINTS

    lines = [
        f"{len(rows)} records since {getattr(analysis, 'recent_since', '')[:4] or 'the break'}; "
        f"a trend line for each domain with at least {MIN_DOMAIN_POINTS} records: "
        + (", ".join(f"{d} {doubling_text(f.doubling_months)}" for d, f in fits.items()) or "none")
        + "."
    ]
    if skipped:
        lines.append(
            "No fit for "
            + "; ".join(
                f"{d}: {n} record{'s' if n != 1 else ''}" for d, n in sorted(skipped.items())
            )
            + f", fewer than {MIN_DOMAIN_POINTS}."
        )
    lines.append(_credit(frame))
    spec = base_spec(
        "Training compute by domain", lines, [scale_param(), unit_param()], layers, data=rows
    )
    return Chart(
        "domains", spec, {"rows": rows, "fits": fits, "skipped": skipped, "domains": domains}
    )


# --- chart 4: an estimate in context ------------------------------------------------------------


def estimate_point(flop: str | None, date: str | None) -> float:
    """Read the estimate that chart 4 places: its FLOP (text as people write it, positive) and
    its date (checked); raises :class:`~aicompute.errors.InputError` naming ``flop`` or
    ``date``. Every face checks its input with this before any work.

    >>> estimate_point("3640 pfs-days", "2020-05")
    3.14496e+23
    """
    from aicompute.dataset.record import parse_date
    from aicompute.errors import InputError
    from aicompute.units import parse_flop

    if not flop or not date:
        raise InputError("flop", "the estimate chart needs its flop and date")
    value = parse_flop(flop, "flop")
    if value <= 0:
        raise InputError("flop", "must be positive")
    try:
        parse_date(date)
    except ValueError as error:
        raise InputError("date", str(error)) from None
    return value


def estimate_chart(
    analysis: Any,
    flop: float,
    date: str,
    name: str = "Your estimate",
    low_flop: float | None = None,
    high_flop: float | None = None,
) -> Chart:
    """Chart 4: a user's estimate as a highlighted point over the dataset and the trend, with
    its distance from the trend in months."""
    from aicompute.dataset.record import parse_date

    year = parse_date(date)[2]
    fit = analysis.all_fit if analysis.eras is None else analysis.eras.segments[-1]
    months = fit.months_from_trend(year, flop)
    shown = analysis.frame[analysis.frame["year"] >= min(fit.since, year) - 3]
    rows = point_rows(shown)
    low, high = low_flop or flop, high_flop or flop
    text = (
        f"{name}: {flop_text(flop)}, {abs(months):.1f} months "
        f"{'ahead of' if months >= 0 else 'behind'} the trend"
    )
    mark = {"name": name, "year": year, "date_text": date, "flop": flop, "low_flop": low,
            "high_flop": high, "flop_text": flop_text(flop), "pfs_days_text": pfs_days_text(flop),
            "range_text": f"{number_text(low)} – {flop_text(high)}", "method": "your estimate",
            "source": "", "domain": "", "kind": IN_TREND, "text": text}  # fmt: skip
    start, end = min(fit.since, year), max(fit.until, year)
    trend = line_rows(fit, "trend", 60, start, end)
    domains = {"all": padded_domain([r["year"] for r in rows] + [year, start, end],
                                    [r["flop"] for r in rows] + [low, high, trend[0]["flop"],
                                                                 trend[-1]["flop"]])}  # fmt: skip
    x, y = x_encoding(domains), y_encoding(domains, compute_title())
    # a key in the top-left corner (clear of the data, which rises to the right), marked with
    # the estimate's own symbol
    key = Label((f"◆ {name}: {flop_text(flop)}", text.split(", ", 1)[1]), NOTE_SIZE, True,
                ((domains["all"].x0, flop),), ("right",), 6.0, 16.0)  # fmt: skip
    layers = [
        _line_layer(trend, x, y, TREND), _points_layer(x, y, "#9aa5b1"),
        {"data": {"values": [mark]},
         "transform": [y_transform("low_flop", "y_low"), y_transform("high_flop", "y_high")],
         "mark": {"type": "rule", "color": "#D55E00", "strokeWidth": 2},
         "encoding": {"x": x, "y": {"field": "y_low", "type": "quantitative"},
                      "y2": {"field": "y_high"}}},
        {"data": {"values": [mark]}, "transform": [y_transform()],
         "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 220,
                  "color": "#D55E00", "stroke": "#000", "strokeWidth": 1},
         "encoding": {"x": x, "y": y, "tooltip": TOOLTIP[:6]}},
        *_labelled([([key], [{"py": 16.0}], {"colour": "#D55E00", "pixel_y": True})],
                   _views_for(domains, rows, [trend]), x, state_key("all")),
    ]  # fmt: skip
    spec = base_spec(
        f"{name} in context",
        [
            f"Trend: {doubling_text(fit.doubling_months)} ({fit.to_dict()['since'][:4]}–"
            f"{fit.to_dict()['until'][:4]}); the estimate is {months:+.1f} months from it.",
            _credit(analysis.frame),
        ],
        [scale_param(), unit_param()],
        layers,
        data=rows,
    )
    return Chart("estimate", spec, {"months_from_trend": months, "fit": fit, "domains": domains})


CHARTS = {"modern": modern_chart, "eras": eras_chart, "domains": domains_chart}
"""Charts built from an analysis alone (the estimate chart also needs an estimate)."""


# --- the forecast -------------------------------------------------------------------------------


def forecast_chart(rows: Any, forecast: Any) -> Chart:
    """Projection fan chart: the selected runs, the fitted trend and its 90% prediction band
    to the forecast horizon, and the date a target is reached."""
    points = point_rows(rows)
    info = forecast.to_dict()
    band = [
        {"year": p["year"] + 0.5, "flop": p["flop"], "low_flop": p["low_flop"],
         "high_flop": p["high_flop"]}
        for p in info["projection"]
    ]  # fmt: skip
    start, end = forecast.fit.since, forecast.years[-1] + 0.5
    trend = line_rows(forecast.fit, "trend", 60, start, end)
    points = [p for p in points if p["year"] >= start - 0.5]
    target: list[dict[str, Any]] = []
    labels: list[Label] = []
    if forecast.target is not None:
        lo, hi = info["target_date_interval"]
        target = [{"year": forecast.target_year, "flop": forecast.target}]
        if forecast.target_year is None or forecast.target_year > end:
            target = []
        text = (
            f"{flop_text(forecast.target)}: {(info['target_date'] or 'never')[:7]}",
            f"90%: {lo[:7] if lo else '?'} to {hi[:7] if hi else 'never'}",
        )
        if target:
            labels.append(
                Label(
                    text,
                    NOTE_SIZE,
                    True,
                    ((target[0]["year"], target[0]["flop"]),),
                    ("upper-left", "left", "lower-right", "below", "above"),
                    10.0,
                )
            )
    values = [p["flop"] for p in points] + [b["low_flop"] for b in band]
    values += [b["high_flop"] for b in band] + [t["flop"] for t in target]
    domains = {"all": padded_domain([p["year"] for p in points] + [start, end], values,
                                    pad_decades=0.3)}  # fmt: skip
    x, y = x_encoding(domains), y_encoding(domains, compute_title())
    all_views = _views_for(domains, points, [trend])
    layers: list[dict[str, Any]] = [
        {"data": {"values": band},
         "transform": [y_transform("low_flop", "y_low"), y_transform("high_flop", "y_high")],
         "mark": {"type": "area", "color": "#0072B2", "opacity": 0.16, "clip": True},
         "encoding": {"x": x, "y": {"field": "y_low", "type": "quantitative"},
                      "y2": {"field": "y_high"}}},
        _line_layer(trend, x, y, "#0072B2"),
        _points_layer(x, y, "#0072B2"),
    ]  # fmt: skip
    subtitle = [
        f"{forecast.selection} trend: {doubling_text(forecast.fit.doubling_months)} "
        f"({forecast.fit.n} runs since {info['fit']['since'][:4]}); shaded: 90% prediction "
        "interval (fit uncertainty and scatter)."
    ]
    if forecast.target is not None:
        if target:
            layers.append({
                "data": {"values": target}, "transform": [y_transform()],
                "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 160,
                         "color": "#D55E00"},
                "encoding": {"x": x, "y": y},
            })  # fmt: skip
            layers += _labelled([(labels, [{}], {"colour": "#D55E00"})], all_views, x,
                                state_key("all"))  # fmt: skip
        lo, hi = info["target_date_interval"]
        subtitle.append(
            f"{flop_text(forecast.target)} reached {(info['target_date'] or 'never')[:7]} "
            f"(90%: {lo[:7] if lo else '?'} to {hi[:7] if hi else 'never'})."
        )
    subtitle.append(_credit(rows))
    spec = base_spec(
        "Where the trend goes: the largest training runs, projected",
        subtitle,
        [scale_param(), unit_param()],
        layers,
        data=points,
    )
    return Chart("forecast", spec, {"forecast": forecast, "domains": domains})


# --- the cost of the largest run ---------------------------------------------------------------

COST_FROM_USD = 1e4
"""The cost chart starts in the first year the trend's largest run needs at least this much
hardware ($10 K: a few accelerators for the whole run); before that the price-performance
trend, fitted to data-centre accelerators, says little about what was used."""
COST_MAX_YEAR = 2040


def cost_chart(
    compute_fit: Any,
    price_fit: Any,
    rows: Any = None,
    *,
    budget_usd: float | None = None,
    utilization: float = 0.4,
    run_days: float = 100.0,
) -> Chart:
    """The hardware cost of the trend's largest run over time, with its band and the implied
    cost of each record of ``rows`` (a records frame, e.g. the frontier), against fractions of
    the world's annual hardware budget; the x range runs to the year the run would take the
    whole budget (marked at the edge when that is after :data:`COST_MAX_YEAR`)."""
    from aicompute import economics

    limits = economics.limits(compute_fit, price_fit, budget_usd=budget_usd,
                              utilization=utilization, run_days=run_days)  # fmt: skip
    whole = next((lim for lim in limits if lim["fraction"] == 1.0), limits[-1])
    crossing = whole["year"]
    until = COST_MAX_YEAR if crossing is None else min(max(crossing + 1.5, 2030), COST_MAX_YEAR)
    curve = economics.cost_curve(compute_fit, price_fit, until=math.ceil(until),
                                 utilization=utilization, run_days=run_days,
                                 since=min(compute_fit.since, 2000))  # fmt: skip
    start_at = next((c["year"] for c in curve if c["usd"] >= COST_FROM_USD), curve[0]["year"])
    curve = [c for c in curve if start_at - 1e-9 <= c["year"] <= until + 1e-9]
    points = []
    if rows is not None:
        points = [
            p for p in economics.cost_points(rows, price_fit, utilization=utilization,
                                             run_days=run_days)
            if p["year"] >= start_at - 0.5
        ]  # fmt: skip
    for p in points:
        p["usd_text"] = usd_text(p["usd"])
    line: list[dict[str, Any]] = [
        {"year": c["year"], "usd": c["usd"], "series": "cost"} for c in curve
    ]
    band = [{"year": c["year"], "usd_low": c["usd_low"], "usd_high": c["usd_high"]} for c in curve]
    values = [c["usd_low"] for c in curve] + [c["usd_high"] for c in curve]
    values += [p["usd"] for p in points] + [lim["usd"] for lim in limits]
    years = [c["year"] for c in curve] + [p["year"] for p in points]
    domains = {"all": padded_domain(years, values, pad_x=0.02, pad_decades=0.3)}
    d = domains["all"]
    x = x_encoding(domains, "Year")
    y = y_encoding(domains, "Hardware cost of the largest run (US dollars)", money=True)
    rules = [{"usd": lim["usd"], "series": f"{lim['fraction']:.0%}", "year": d.x0}
             for lim in limits]  # fmt: skip
    rule_lines: list[list[dict[str, Any]]] = [
        [{"year": d.x0, "usd": r["usd"]}, {"year": d.x1, "usd": r["usd"]}] for r in rules
    ]
    marks: list[dict[str, float]] = []
    labels: list[Label] = []
    for lim in limits:
        share = f"{lim['fraction']:.0%} of budget"
        year = lim["year"]
        if year is not None and d.x0 <= year <= d.x1:
            marks.append({"year": year, "usd": lim["usd"]})
            text = f"{share}: {year:.0f}"
        elif year is None:
            text = f"{share}: never at these trends"
        else:
            text = f"{share}: {year:.0f} →"
        sides = ("upper-left", "upper-right", "lower-left", "lower-right")
        anchors = ((d.x1, lim["usd"]), (d.x0, lim["usd"]))
        labels.append(Label((text,), LABEL_SIZE, False, anchors, sides, 4.0))
    obstacles = [(float(p["year"]), float(p["usd"])) for p in [*points, *marks]]
    cost_views = views(
        domains,
        obstacles,
        [[(float(q["year"]), float(q["usd"])) for q in r] for r in (line, *rule_lines)],
    )  # fmt: skip
    money_y = {"field": "y", "type": "quantitative"}
    layers: list[dict[str, Any]] = [
        {"data": {"values": rules}, "transform": [y_transform("usd", unit=False)],
         "mark": {"type": "rule", "strokeDash": [3, 3], "color": "#999"},
         "encoding": {"y": y}},
        {"data": {"values": band},
         "transform": [y_transform("usd_low", "y_low", unit=False),
                       y_transform("usd_high", "y_high", unit=False)],
         "mark": {"type": "area", "color": "#D55E00", "opacity": 0.15, "clip": True},
         "encoding": {"x": x, "y": {**money_y, "field": "y_low"}, "y2": {"field": "y_high"}}},
        _line_layer(line, x, y, "#D55E00", dash=False, field="usd", unit=False),
    ]  # fmt: skip
    if points:
        layers.append({
            "data": {"values": points}, "transform": [y_transform("usd", unit=False)],
            "mark": {"type": "point", "filled": True, "size": POINT_SIZE, "color": INK,
                     "opacity": 0.75},
            "encoding": {"x": x, "y": y, "tooltip": [
                {"field": "name", "title": "Model"}, {"field": "date_text", "title": "Date"},
                {"field": "flop_text", "title": "Compute"},
                {"field": "usd_text", "title": "Implied hardware cost"}]},
        })  # fmt: skip
    if marks:
        layers.append({
            "data": {"values": marks}, "transform": [y_transform("usd", unit=False)],
            "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 110,
                     "color": "#D55E00"},
            "encoding": {"x": x, "y": y},
        })  # fmt: skip
    layers += _labelled(
        [(labels, [{} for _ in labels], {"colour": MUTED, "value_field": "usd", "unit": False,
                                         "y_field": "usd"})],
        cost_views,
        x,
        state_key("all"),
    )  # fmt: skip
    a = whole["assumptions"]
    spec = base_spec(
        "What the largest run's hardware would cost",
        [
            f"Line: the compute trend ({a['compute_growth_per_year']:.2f}x a year) priced at the "
            f"hardware trend ({a['price_performance_growth_per_year']:.2f}x FLOP/s per dollar a "
            f"year), a {a['run_days']:g}-day run at {a['utilization']:.0%} utilization; shaded: "
            "the 90% intervals of both fitted slopes, combined. Dots: each record's compute "
            "priced the same way.",
            f"From the first year the run needs {usd_text(COST_FROM_USD)} of hardware; dotted: "
            f"shares of the world's hardware budget, {usd_text(a['budget_usd'])} a year (the "
            "seed's figure).",
            "Data: aicompute's records; hardware prices: Epoch AI (CC BY 4.0)",
        ],
        [scale_param()],
        layers,
    )
    return Chart("cost", spec, {"costs": curve, "limits": limits, "points": points,
                                "domains": domains})  # fmt: skip
