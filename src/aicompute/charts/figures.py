"""The four charts: the modern era, two eras, domains over time, and an estimate in context.

Each function takes the results of :func:`aicompute.trends.analyze` (and records) and returns a
:class:`~aicompute.charts.Chart`; the numbers drawn (trend lines, doubling times, the distance
from the trend) all come from the trends module.
"""

from __future__ import annotations

from typing import Any

from aicompute.charts.chart import Chart
from aicompute.charts.spec import (
    DOMAIN_COLOURS,
    DOMAIN_PARAM,
    ERRORS_PARAM,
    TOOLTIP,
    X_ENCODING,
    base_spec,
    domain_param,
    doubling_text,
    errors_param,
    label_layers,
    line_rows,
    place_labels,
    point_rows,
    scale_param,
    x_encoding,
    y_encoding,
    y_transform,
    year_to_iso,
)
from aicompute.constants import FLOP_PER_PFS_DAY

__all__ = ["CHARTS", "domains_chart", "eras_chart", "estimate_chart", "modern_chart"]

SEED_CREDIT = 'Data: OpenAI, "AI and Compute" (2018, 2019 addendum)'


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


def _points_layer(colour_by_domain: bool = True, filtered: bool = False) -> dict[str, Any]:
    transform = [y_transform()]
    if filtered:
        transform.append({"filter": f"{DOMAIN_PARAM} == 'All' || datum.domain == {DOMAIN_PARAM}"})
    encoding: dict[str, Any] = {
        "x": X_ENCODING, "y": y_encoding(), "tooltip": TOOLTIP,
        "shape": {"condition": {"test": "datum.in_trend", "value": "circle"},
                  "value": "triangle-down"},
    }  # fmt: skip
    if colour_by_domain:
        encoding["color"] = {"field": "domain", "type": "nominal", "title": "Domain"}
    return {
        "transform": transform,
        "mark": {
            "type": "point",
            "filled": True,
            "size": 70,
            "opacity": 0.9,
            **({} if colour_by_domain else {"color": "#0072B2"}),
        },
        "encoding": encoding,
    }


def _line_layer(rows: list[dict[str, Any]], colour: str | None = None) -> dict[str, Any]:
    encoding: dict[str, Any] = {
        "x": X_ENCODING,
        "y": {"field": "y", "type": "quantitative"},
        "detail": {"field": "series"},
    }
    mark: dict[str, Any] = {"type": "line", "strokeWidth": 2, "strokeDash": [6, 4]}
    if colour:
        mark["color"] = colour
    else:
        encoding["color"] = {"field": "series", "type": "nominal", "legend": None}
    return {
        "data": {"values": rows},
        "transform": [y_transform()],
        "mark": mark,
        "encoding": encoding,
    }


def _note_layer(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "data": {"values": rows},
        "transform": [y_transform()],
        "mark": {
            "type": "text",
            "align": "right",
            "dy": -14,
            "fontSize": 13,
            "fontWeight": "bold",
            "color": "#444",
        },
        "encoding": {
            "x": X_ENCODING,
            "y": {"field": "y", "type": "quantitative"},
            "text": {"field": "text"},
        },
    }


def _fit_note(fit: Any, label: str = "") -> dict[str, Any]:
    years, flop = fit.line(2)
    lo, hi = fit.doubling_months_ci
    ci = f" (90% CI {lo:.1f}–{hi:.1f})" if lo and hi and fit.doubling_months < 12 else ""
    return {
        "date": year_to_iso(float(years[-1])),
        "pfs_days": float(flop[-1]) / FLOP_PER_PFS_DAY,
        "text": f"{label}{doubling_text(fit.doubling_months)}{ci}",
    }


def modern_chart(analysis: Any) -> Chart:
    """Chart 1: the modern era with its fitted trend and non-overlapping labels."""
    rows = point_rows(analysis.modern)
    place_labels(rows)
    g = analysis.growth
    if g is not None:
        title = f"{g.start_name} to {g.end_name}: a {_round_factor(g.factor)}x increase in compute"
    else:
        title = "The modern era of training compute"
    fit = analysis.modern_fit
    subtitle = [
        f"{fit.n} results; fitted doubling time {fit.doubling_months:.1f} months "
        f"({analysis.modern_label}).",
        _credit(analysis.modern),
    ]
    biggest = max((r["pfs_days"] for r in rows), default=1.0)
    layers = [
        _line_layer(line_rows(fit, "trend"), "#666"),
        _points_layer(colour_by_domain=False),
        *label_layers(rows, biggest * 0.02),
        _note_layer([_fit_note(fit)]),
    ]
    spec = base_spec(title, subtitle, [scale_param()], layers, data=rows)
    return Chart("modern", spec, {"rows": rows, "fit": fit})


def _pfs_text(flop: float) -> str:
    value = flop / FLOP_PER_PFS_DAY
    return f"{value:,.4g}" if 1e-3 <= value < 1e7 else f"{value:.3g}"


def _use_x(layers: list[dict[str, Any]], x: dict[str, Any]) -> None:
    """Give every layer the same date axis."""
    for layer in layers:
        if "x" in layer.get("encoding", {}):
            layer["encoding"]["x"] = x


def _round_factor(factor: float) -> str:
    from math import floor, log10

    digits = floor(log10(factor)) - 1 if factor >= 100 else 0
    return f"{round(factor, -digits):,.0f}"


def eras_chart(analysis: Any) -> Chart:
    """Chart 2: all records, one fitted line per era, domains, a domain filter, error bars."""
    rows = point_rows(analysis.frame)
    domains = [d for d in DOMAIN_COLOURS if any(r["domain"] == d for r in rows)]
    layers: list[dict[str, Any]] = [{
        "transform": [y_transform(), y_transform("low_pfs_days", "y_low"),
                      y_transform("high_pfs_days", "y_high"),
                      {"filter": f"{DOMAIN_PARAM} == 'All' || datum.domain == {DOMAIN_PARAM}"}],
        "mark": {"type": "rule", "strokeWidth": 1.5},
        "encoding": {"x": X_ENCODING, "y": {"field": "y_low", "type": "quantitative"},
                     "y2": {"field": "y_high"},
                     "color": {"field": "domain", "type": "nominal",
                               "scale": _colour_scale(domains)},
                     "opacity": {"condition": {"param": ERRORS_PARAM, "value": 0.55,
                                               "empty": False},
                                 "value": 0}},
    }]  # fmt: skip
    points = _points_layer(filtered=True)
    points["encoding"]["color"]["scale"] = _colour_scale(domains)
    layers.append(points)
    notes = []
    segments = analysis.eras.segments if analysis.eras is not None else (analysis.all_fit,)
    for i, fit in enumerate(segments):
        layers.append(_line_layer(line_rows(fit, f"era {i + 1}"), "#444"))
        notes.append(_fit_note(fit))
    layers.append(_note_layer(notes))
    eras = analysis.eras
    if eras is not None and eras.break_year is not None:
        subtitle0 = (
            f"Break detected at {eras.to_dict()['break'][:7]} ({eras.model} model, "
            f"by BIC); "
            + "; ".join(
                f"{doubling_text(s.doubling_months)} {s.to_dict()['since'][:4]}–"
                f"{s.to_dict()['until'][:4]}"
                for s in eras.segments
            )
            + "."
        )
    else:
        subtitle0 = f"One trend: {doubling_text(analysis.all_fit.doubling_months)}."
    _use_x(layers, x_encoding(max(r["year"] for r in rows) - min(r["year"] for r in rows)))
    spec = base_spec(
        "Two distinct eras of compute usage in training AI systems",
        [subtitle0, _credit(analysis.frame)],
        [scale_param(), errors_param(), domain_param(domains)],
        layers,
        data=rows,
    )
    return Chart("eras", spec, {"rows": rows, "segments": segments})


def domains_chart(analysis: Any) -> Chart:
    """Chart 3: the modern era by domain, each domain with its own trend."""
    rows = point_rows(analysis.modern)
    domains = [d for d in DOMAIN_COLOURS if any(r["domain"] == d for r in rows)]
    points = _points_layer()
    points["encoding"]["color"]["scale"] = _colour_scale(domains)
    layers: list[dict[str, Any]] = [points]
    notes = []
    for domain, fit in analysis.domain_fits.items():
        layer = _line_layer(line_rows(fit, domain))
        layer["encoding"]["color"] = {
            "field": "series",
            "type": "nominal",
            "scale": _colour_scale(domains),
            "legend": None,
        }
        layers.append(layer)
        notes.append(_fit_note(fit, f"{domain}: "))
    if notes:
        layers.append(_note_layer(notes))
    spec = base_spec(
        "Training compute by domain",
        [
            "Each domain with at least 3 results has its own fitted trend: "
            + ", ".join(
                f"{d} {doubling_text(f.doubling_months)}" for d, f in analysis.domain_fits.items()
            )
            + ".",
            _credit(analysis.modern),
        ],
        [scale_param()],
        layers,
        data=rows,
    )
    return Chart("domains", spec, {"rows": rows, "fits": analysis.domain_fits})


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
    mark = {"name": name, "date": parse_date(date)[0] if len(date) == 10 else
            (date + "-15" if len(date) == 7 else date + "-07-01"), "date_text": date,
            "pfs_days": flop / FLOP_PER_PFS_DAY, "flop": flop,
            "low_pfs_days": (low_flop or flop) / FLOP_PER_PFS_DAY,
            "high_pfs_days": (high_flop or flop) / FLOP_PER_PFS_DAY,
            "range_text": "", "method": "your estimate", "source": "", "domain": "",
            "text": f"{name}: {_pfs_text(flop)} pfs-days, "
                    f"{abs(months):.1f} months {'ahead of' if months >= 0 else 'behind'} the "
                    f"trend"}  # fmt: skip
    start = min(fit.since, year)
    end = max(fit.until, year)
    years, line = fit.line(60, start, end)
    trend = [
        {"date": year_to_iso(float(y)), "pfs_days": float(f) / FLOP_PER_PFS_DAY, "series": "trend"}
        for y, f in zip(years, line, strict=True)
    ]
    points = _points_layer(colour_by_domain=False)
    points["mark"]["color"] = "#9aa5b1"
    layers = [
        _line_layer(trend, "#666"), points,
        {"data": {"values": [mark]},
         "transform": [y_transform(), y_transform("low_pfs_days", "y_low"),
                       y_transform("high_pfs_days", "y_high")],
         "mark": {"type": "rule", "color": "#D55E00", "strokeWidth": 2},
         "encoding": {"x": X_ENCODING, "y": {"field": "y_low", "type": "quantitative"},
                      "y2": {"field": "y_high"}}},
        {"data": {"values": [mark]}, "transform": [y_transform()],
         "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 260,
                  "color": "#D55E00", "stroke": "#000", "strokeWidth": 1},
         "encoding": {"x": X_ENCODING, "y": {"field": "y", "type": "quantitative"},
                      "tooltip": TOOLTIP[:6]}},
        {"data": {"values": [mark]}, "transform": [y_transform()],
         "mark": {"type": "text", "align": "right", "dx": -12, "dy": -12, "fontSize": 13,
                  "fontWeight": "bold", "color": "#D55E00"},
         "encoding": {"x": X_ENCODING, "y": {"field": "y", "type": "quantitative"},
                      "text": {"field": "text"}}},
    ]  # fmt: skip
    _use_x(
        layers,
        x_encoding(
            max(end, max(r["year"] for r in rows)) - min(start, min(r["year"] for r in rows))
        ),
    )
    spec = base_spec(
        f"{name} in context",
        [
            f"Trend: {doubling_text(fit.doubling_months)} ({fit.to_dict()['since'][:4]}–"
            f"{fit.to_dict()['until'][:4]}); the estimate is {months:+.1f} months from it.",
            _credit(analysis.frame),
        ],
        [scale_param()],
        layers,
        data=rows,
    )
    return Chart("estimate", spec, {"months_from_trend": months, "fit": fit})


CHARTS = {"modern": modern_chart, "eras": eras_chart, "domains": domains_chart}
"""Charts built from an analysis alone (the estimate chart also needs an estimate)."""


def forecast_chart(rows: Any, forecast: Any) -> Chart:
    """Projection fan chart: the selected runs, the fitted trend and its 90% prediction band
    to the forecast horizon, and the date a target is reached."""
    points = point_rows(rows)
    info = forecast.to_dict()
    band = [
        {
            "date": year_to_iso(p["year"] + 0.5),
            "pfs_days": p["flop"] / FLOP_PER_PFS_DAY,
            "low_pfs_days": p["low_flop"] / FLOP_PER_PFS_DAY,
            "high_pfs_days": p["high_flop"] / FLOP_PER_PFS_DAY,
            "text": f"{p['year']}: {p['flop']:.2g} FLOP",
        }
        for p in info["projection"]
    ]
    start = forecast.fit.since
    end = forecast.years[-1] + 0.5
    years, line = forecast.fit.line(60, start, end)
    trend = [
        {"date": year_to_iso(float(y)), "pfs_days": float(f) / FLOP_PER_PFS_DAY, "series": "trend"}
        for y, f in zip(years, line, strict=True)
    ]
    layers: list[dict[str, Any]] = [
        {"data": {"values": band},
         "transform": [y_transform("low_pfs_days", "y_low"),
                       y_transform("high_pfs_days", "y_high")],
         "mark": {"type": "area", "color": "#0072B2", "opacity": 0.18},
         "encoding": {"x": X_ENCODING, "y": {"field": "y_low", "type": "quantitative"},
                      "y2": {"field": "y_high"}}},
        _line_layer(trend, "#0072B2"),
        _points_layer(colour_by_domain=False),
    ]  # fmt: skip
    subtitle = [
        f"{forecast.selection} trend: {doubling_text(forecast.fit.doubling_months)} "
        f"({forecast.fit.n} runs since {info['fit']['since'][:4]}); band: 90% "
        "prediction interval (fit uncertainty and scatter)."
    ]
    if forecast.target is not None:
        lo, hi = info["target_date_interval"]
        target = [
            {
                "date": info["target_date"],
                "pfs_days": forecast.target / FLOP_PER_PFS_DAY,
                "text": f"{forecast.target:.0e} FLOP: {info['target_date'][:7]} "
                f"(90% {lo[:7] if lo else '?'} to {hi[:7] if hi else 'never'})",
            }
        ]
        layers.append(
            {
                "data": {"values": target},
                "transform": [y_transform()],
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "filled": True,
                    "size": 200,
                    "color": "#D55E00",
                },
                "encoding": {"x": X_ENCODING, "y": {"field": "y", "type": "quantitative"}},
            }
        )
        note = _note_layer(target)
        note["mark"]["color"] = "#D55E00"
        layers.append(note)
        subtitle.append(target[0]["text"])
    subtitle.append(_credit(rows))
    _use_x(layers, x_encoding(end - start))
    spec = base_spec(
        "Where the trend goes: the largest training runs, projected",
        subtitle,
        [scale_param()],
        layers,
        data=points,
    )
    return Chart("forecast", spec, {"forecast": forecast})


def cost_chart(costs: list[dict[str, Any]], limits: list[dict[str, Any]]) -> Chart:
    """The hardware cost of the trend's largest run over time, against fractions of the
    world's annual hardware budget (rows from :func:`aicompute.economics.run_cost_usd`)."""
    line = [{"date": year_to_iso(c["year"]), "pfs_days": c["usd"], "series": "cost"} for c in costs]
    rules = [
        {
            "pfs_days": r["usd"],
            "text": f"{r['fraction']:.0%} of the world's hardware budget: {r['year']:.0f}"
            if r["year"]
            else f"{r['fraction']:.0%}: never",
        }
        for r in limits
    ]
    assumptions = limits[0]["assumptions"] if limits else {}
    layers: list[dict[str, Any]] = [
        {"data": {"values": rules}, "transform": [y_transform()],
         "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#999"},
         "encoding": {"y": {"field": "y", "type": "quantitative"}}},
        {"data": {"values": rules}, "transform": [y_transform()],
         "mark": {"type": "text", "align": "left", "dx": 4, "dy": -6, "x": 0, "color": "#555"},
         "encoding": {"y": {"field": "y", "type": "quantitative"}, "text": {"field": "text"}}},
        _line_layer(line, "#D55E00"),
    ]  # fmt: skip
    for layer in layers:
        if "y" in layer["encoding"] and "title" not in layer["encoding"]["y"]:
            layer["encoding"]["y"] = {
                **y_encoding("Hardware cost of the largest run (USD)"),
                "field": "y",
            }
    spec = base_spec(
        "What the largest run's hardware would cost",
        [
            f"Compute {assumptions.get('compute_growth_per_year', 0):.2f}x per year, hardware "
            f"FLOP/s per dollar {assumptions.get('price_performance_growth_per_year', 0):.2f}x per "
            f"year; a {assumptions.get('run_days', 0):g}-day run at "
            f"{assumptions.get('utilization', 0):.0%} utilization; world hardware budget "
            f"${assumptions.get('budget_usd', 0):.3g} a year (the seed's figure).",
            "Data: aicompute's records; hardware prices: Epoch AI (CC BY 4.0)",
        ],
        [scale_param()],
        layers,
    )
    return Chart("cost", spec, {"costs": costs, "limits": limits})
