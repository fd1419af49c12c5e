"""Chart specifications: points inside explicit domains, labels that never collide at any
width, computed annotations, toggles, ticks, escaping, exports."""

from __future__ import annotations

import json
import math
import re
import struct
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aicompute import charts, dataset, economics, trends
from aicompute.charts.fonts import text_width
from aicompute.charts.layout import BREAKPOINTS, Frame, Label, place, point_boxes
from aicompute.charts.spec import DOMAIN_COLOURS, HEIGHT, OKABE_ITO, PALETTE, doubling_text
from aicompute.dataset import Record, records_to_frame
from tests.conftest import seed_records


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    return trends.analyze(records_to_frame(seed_records()), bootstrap=200)


@pytest.fixture(scope="module")
def outlook():  # type: ignore[no-untyped-def]
    frame = dataset.load()
    forecast = trends.forecast_frame(
        frame, trend="frontier", until=2030, target=1e27, bootstrap=100
    )
    rows = trends.select_trend(frame, "frontier")
    _, price_fit = economics.price_performance(bootstrap=100)
    return forecast, rows, price_fit


def kind(layer: dict) -> str:
    m = layer.get("mark")
    return m if isinstance(m, str) else (m or {}).get("type", "")


def layers_with(spec: dict, mark: str) -> list[dict]:
    return [layer for layer in spec["layer"] if kind(layer) == mark]


def values(spec: dict, layer: dict) -> list[dict]:
    data = layer["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def params(spec: dict) -> dict[str, dict]:
    return {p["name"]: p for p in spec["params"]}


def subtitle(spec: dict) -> str:
    return spec["title"]["subtitle"]["expr"]


# --- the pixel frame, rebuilt from the spec alone ------------------------------------------


def pixel(
    x: float, x_dom: list[float], width: float, value: float, y_dom: tuple, log: bool = True
) -> tuple:
    """Where a (year, FLOP) lands in a plot ``width`` px wide: log scale over ``y_dom``, or
    linear from 0 to 6% above its top."""
    px = (x - x_dom[0]) / (x_dom[1] - x_dom[0]) * width
    if log:
        py = (math.log10(y_dom[1]) - math.log10(value)) / math.log10(y_dom[1] / y_dom[0]) * HEIGHT
    else:
        py = (1 - value / (y_dom[1] * 1.06)) * HEIGHT
    return px, py


def text_boxes(spec: dict, x_dom: list, y_dom: tuple, width: int, view: str) -> list[tuple]:
    """Every label drawn at ``width`` in ``view`` (``all_log``), as a pixel box built from its
    text mark (align, dx, dy, font size) and its font's widths."""
    bp = max(b for b in BREAKPOINTS if b <= width)
    boxes = []
    for layer in layers_with(spec, "text"):
        mark = layer["mark"]
        if "y" in layer["encoding"] and layer["encoding"]["y"].get("scale", 0) is None:
            continue  # pixel-placed era titles: checked by the browser test
        for row in values(spec, layer):
            side = row.get(f"p_{view}_{bp}")
            if side in (None, "none") or f"'{side}'" not in layer["transform"][-1]["filter"]:
                continue
            lines = row["text"] if isinstance(row["text"], list) else [row["text"]]
            bold = mark["fontWeight"] == "bold"
            w = max(text_width(t, mark["fontSize"], bold) for t in lines)
            x, y = pixel(row["year"], x_dom, width, row["flop"], y_dom, view.endswith("log"))
            x += mark["dx"]
            top = y + mark["dy"] - mark["fontSize"] * 0.625
            bottom = top + mark["lineHeight"] * (len(lines) - 1) + mark["fontSize"] * 1.25
            left = {"left": x, "right": x - w, "center": x - w / 2}[mark["align"]]
            boxes.append((left, top, left + w, bottom, lines[0]))
    return boxes


def overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] - 1e-6 and b[0] < a[2] - 1e-6 and a[1] < b[3] - 1e-6 and b[1] < a[3] - 1e-6


def assert_layout(chart: Any, view: str = "all_log") -> int:
    """No two labels overlap, no label covers a point and every label is inside the plot, at
    every breakpoint; returns how many labels the widest breakpoint shows."""
    spec = chart.spec
    zoom = view.split("_")[0]
    d = chart.info["domains"][zoom]
    y_dom = (d.low, d.high)
    x_dom = [d.x0, d.x1]
    shown = 0
    for width in BREAKPOINTS:
        boxes = text_boxes(spec, x_dom, y_dom, width, view)
        points = [
            pixel(r["year"], x_dom, width, r["flop"], y_dom, view.endswith("log"))
            for r in spec["data"]["values"]
            if d.x0 <= r["year"] <= d.x1
        ]
        for i, a in enumerate(boxes):
            assert a[0] >= -1e-6 and a[2] <= width + 1e-6 and a[1] >= 0 and a[3] <= HEIGHT, (
                view,
                width,
                a,
            )
            for b in boxes[i + 1 :]:
                assert not overlaps(a, b), (width, a, b)
            for px, py in points:
                assert not overlaps(a, (px - 4.4, py - 4.4, px + 4.4, py + 4.4)), (width, a)
        shown = len(boxes)
    return shown


# --- chart 1 -------------------------------------------------------------------------------------


def test_modern_chart(analysis) -> None:  # type: ignore[no-untyped-def]
    chart = charts.modern_chart(analysis)
    spec = chart.spec
    assert spec["title"]["text"] == "AlexNet to AlphaGoZero: a 320,000x increase in compute"
    assert spec["width"] == "container" and spec["autosize"]["type"] == "fit-x"
    assert len(spec["data"]["values"]) == 15
    p = params(spec)
    assert p["yScale"]["value"] == "log" and p["yScale"]["bind"]["options"] == ["log", "linear"]
    assert p["unit"]["value"] == "pfs-days"  # as the seed drew it
    # the trend line is the fit's own line, in FLOP
    line = values(spec, layers_with(spec, "line")[0])
    _years, flop = analysis.modern_fit.line(60)
    assert line[0]["flop"] == pytest.approx(flop[0]) and line[-1]["flop"] == pytest.approx(flop[-1])
    notes = [
        row["text"]
        for layer in layers_with(spec, "text")
        for row in values(spec, layer)
        if isinstance(row["text"], list)
    ]
    assert notes and notes[0][0] == doubling_text(analysis.modern_fit.doubling_months)
    assert notes[0][0] == "3.4-month doubling" and notes[0][1].startswith("90% CI ")
    point = layers_with(spec, "point")[0]
    tooltip = {t["field"] for t in point["encoding"]["tooltip"]}
    assert {"name", "date_text", "flop_text", "pfs_days_text", "method", "source"} <= tooltip
    assert "petaflop/s-days" in point["encoding"]["y"]["axis"]["title"]["expr"]
    assert "AI and Compute" in subtitle(spec)
    row = next(r for r in spec["data"]["values"] if r["name"] == "AlphaGoZero")
    assert row["flop_text"].endswith(" FLOP") and "e+" not in row["flop_text"]
    assert re.fullmatch(r"[\d,]+ pfs-days", row["pfs_days_text"])


def test_points_inside_the_explicit_domains(analysis, outlook) -> None:  # type: ignore[no-untyped-def]
    forecast, rows, _ = outlook
    built = [
        *(fn(analysis) for fn in charts.CHARTS.values()),
        charts.eras_chart(trends.analyze(dataset.load(), bootstrap=0)),
        charts.forecast_chart(rows, forecast),
    ]
    for chart in built:
        for zoom, d in chart.info["domains"].items():
            assert d.x0 < d.x1 and 0 < d.low < d.high
            shown = [r for r in chart.spec["data"]["values"] if zoom == "all" or r["year"] >= d.x0]
            for r in shown:
                assert d.x0 < r["year"] < d.x1, (chart.name, zoom, r["name"])
                # half a decade (at least 0.3) clear of the top and bottom
                assert d.low * 10**0.29 <= r["flop"] <= d.high / 10**0.29, (chart.name, r["name"])
            scale = layers_with(chart.spec, "point")[0]["encoding"]["y"]["scale"]
            assert scale["nice"] is False and scale["zero"] is False


def test_modern_labels_never_collide(analysis) -> None:  # type: ignore[no-untyped-def]
    chart = charts.modern_chart(analysis)
    assert assert_layout(chart) >= 14  # nearly every point named, and the trend's note
    assert assert_layout(chart, "all_linear") >= 2


def test_eras_labels_never_collide() -> None:
    chart = charts.eras_chart(trends.analyze(dataset.load(), bootstrap=0))
    assert assert_layout(chart) >= 12
    assert assert_layout(chart, "2010_log") >= 8
    assert assert_layout(chart, "all_linear") >= 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.floats(0.5, 7.5),
            st.text(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14
            ),
        ),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from(BREAKPOINTS),
    st.lists(st.floats(1.0, 6.0), min_size=1, max_size=4),
)
def test_a_placement_stays_valid_at_wider_widths(points, base, factors) -> None:  # type: ignore[no-untyped-def]
    """The claim of :mod:`aicompute.charts.layout`: placed at width b, the labels stay inside
    the plot and clear of each other and of every point at any width W ≥ b, measured with
    plain rectangle geometry."""
    frame = Frame(0.0, 1.0, 0.0, 8.0, HEIGHT)
    labels = [Label((name,), 11.0, False, ((x, v),)) for x, v, name in points]
    obstacles = point_boxes(frame, [(x, v) for x, v, _ in points], 5.5)
    choices = place(labels, frame, obstacles, base)
    assert len(choices) == len(labels)
    for factor in factors:
        width = base * factor

        def rect(box: tuple, width: float = width) -> tuple:
            return (box[0] * width + box[1], box[4], box[2] * width + box[3], box[5])

        placed = [
            rect(label.box(frame.u(x), frame.py(v), c[1]))
            for label, (x, v, _), c in zip(labels, points, choices, strict=True)
            if c is not None
        ]
        dots = [rect(tuple(b)) for b in obstacles]
        for i, a in enumerate(placed):
            assert a[0] >= -1e-6 and a[2] <= width + 1e-6 and a[1] >= 0 and a[3] <= HEIGHT
            for b in placed[i + 1 :] + dots:
                assert not overlaps(a, b)


def test_crowded_labels_are_dropped_not_overlapped() -> None:
    frame = Frame(1990.0, 2030.0, -6.0, 6.0, HEIGHT, math.log10)
    cluster = [
        Label((f"model {i}",), anchors=((2015 + i * 1e-3, 1.0 + i * 1e-3),)) for i in range(30)
    ]
    spots = [(label.anchors[0][0], label.anchors[0][1]) for label in cluster]
    choices = place(cluster, frame, point_boxes(frame, spots, 5.5), 300)
    assert 1 <= sum(c is not None for c in choices) <= 8  # a pile keeps a few labels


def test_labels_shown_by_the_width_signal(analysis) -> None:  # type: ignore[no-untyped-def]
    spec = charts.modern_chart(analysis).spec
    texts = layers_with(spec, "text")
    rule = texts[0]["transform"][-1]["filter"]
    assert "width >= 1200 ? '1200'" in rule and "width >= 240 ? '240'" in rule
    fields = {k for layer in texts for row in values(spec, layer) for k in row if k[:2] == "p_"}
    assert fields == {f"p_all_{s}_{b}" for s in ("log", "linear") for b in BREAKPOINTS}


# --- chart 2 -------------------------------------------------------------------------------------


def test_eras_chart(analysis) -> None:  # type: ignore[no-untyped-def]
    chart = charts.eras_chart(analysis)
    spec = chart.spec
    p = params(spec)
    assert p["showErrors"]["bind"]["input"] == "checkbox" and p["showErrors"]["value"] is False
    assert p["domainFilter"]["bind"]["input"] == "select"
    assert "Games" in p["domainFilter"]["bind"]["options"]
    assert p["yScale"]["bind"]["input"] == "radio" and p["unit"]["value"] == "FLOP"
    assert p["zoom"]["bind"]["options"] == ["all", "2010"]
    lines = layers_with(spec, "line")
    assert len(lines) == len(analysis.eras.segments) == 2
    notes = [
        row["text"][0]
        for layer in layers_with(spec, "text")
        for row in values(spec, layer)
        if isinstance(row["text"], list)
    ]
    expected = [doubling_text(s.doubling_months) for s in analysis.eras.segments]
    assert set(notes) == set(expected)
    assert expected[0].startswith("~1.") and expected[0].endswith("-year doubling")
    assert expected[1] == "3.3-month doubling"
    rule = layers_with(spec, "rule")[0]
    assert rule["encoding"]["y2"]["field"] == "y_high"
    assert rule["encoding"]["opacity"]["condition"]["param"] == "showErrors"
    assert len(spec["data"]["values"]) == 32  # every record with compute, fitted or not
    bands = values(spec, layers_with(spec, "rect")[0])
    assert [b["era"] for b in bands] == ["First Era", "Modern Era"]
    assert bands[0]["year2"] == bands[1]["year"] == analysis.eras.break_year
    # the legend draws circles; triangles are explained in the subtitle
    point = layers_with(spec, "point")[0]["encoding"]
    assert point["color"]["legend"]["symbolType"] == "circle"
    assert point["shape"]["scale"]["range"] == ["circle", "triangle-down"]
    assert "triangles: not in trend fits" in subtitle(spec)


def test_notable_models_by_rule(analysis) -> None:  # type: ignore[no-untyped-def]
    rows = charts.eras_chart(analysis).info["rows"]
    named = {r["name"] for r in charts.notable(rows, analysis)}
    # independently: records above 3x every earlier record, with the modern era's ends
    frame = analysis.frame[analysis.frame.flop.notna()].sort_values("year")
    best, setters = 0.0, set()
    for r in frame.itertuples():
        if r.flop > 3 * best:
            setters.add(r.name)
        best = max(best, r.flop)
    assert named == setters | {"AlexNet", "AlphaGoZero"}
    assert {"Perceptron", "NETtalk", "AlphaGoZero"} <= named


def test_palette_is_colour_blind_safe() -> None:
    assert set(DOMAIN_COLOURS.values()) <= set(PALETTE)
    assert DOMAIN_COLOURS["Multimodal"] != "#000000"
    assert set(PALETTE) - {"#999999"} == set(OKABE_ITO.values())
    assert len(set(DOMAIN_COLOURS.values())) == len(DOMAIN_COLOURS)


# --- chart 3 -------------------------------------------------------------------------------------


def test_domains_chart_fits_only_domains_with_enough_records() -> None:
    from aicompute.trends.analysis import MIN_DOMAIN_POINTS

    analysis = trends.analyze(dataset.load(), bootstrap=0)
    chart = charts.domains_chart(analysis)
    spec = chart.spec
    counts = analysis.recent.groupby("domain").size()
    assert len(spec["data"]["values"]) == int(analysis.recent.flop.notna().sum())
    fitted = {d for d, n in counts.items() if n >= MIN_DOMAIN_POINTS}
    assert set(analysis.domain_fits) <= fitted
    assert len(layers_with(spec, "line")) == len(analysis.domain_fits)
    for domain, n in analysis.domain_skipped.items():
        assert n < MIN_DOMAIN_POINTS
        assert f"{domain}: {n} record" in subtitle(spec)
    if analysis.domain_skipped:
        assert f"fewer than {MIN_DOMAIN_POINTS}" in subtitle(spec)
    legend = layers_with(spec, "point")[0]["encoding"]["color"]["legend"]
    for domain, fit in analysis.domain_fits.items():
        assert f"{domain}: {doubling_text(fit.doubling_months)}" in legend["labelExpr"]


def test_domains_chart_on_few_records(analysis) -> None:  # type: ignore[no-untyped-def]
    spec = charts.domains_chart(analysis).spec
    assert len(layers_with(spec, "line")) == len(analysis.domain_fits)
    colours = layers_with(spec, "point")[0]["encoding"]["color"]["scale"]["range"]
    assert set(colours) <= set(PALETTE)


# --- chart 4 and the outlook ---------------------------------------------------------------------


def test_estimate_chart_distance_from_trend(analysis) -> None:  # type: ignore[no-untyped-def]
    chart = charts.estimate_chart(analysis, 3.14e23, "2020-05-28", "GPT-3")
    segment = analysis.eras.segments[-1]
    frame = trends.trend_rows(analysis.frame)
    part = frame[frame.year >= analysis.eras.break_year]
    slope, intercept = np.polyfit(part.year, np.log10(part.flop), 1)
    year = dataset.parse_date("2020-05-28")[2]
    expected = (math.log10(3.14e23) - (intercept + slope * year)) / slope * 12
    assert chart.info["months_from_trend"] == pytest.approx(expected, rel=1e-6)
    assert segment.n == len(part)
    text = values(chart.spec, layers_with(chart.spec, "text")[-1])[0]["text"]
    assert text[0] == "◆ GPT-3: 3.14e23 FLOP"  # units.format_number, as every face
    assert f"{abs(expected):.1f} months behind the trend" in text[1]
    assert_layout(chart)


def test_forecast_chart_band_and_target_inside(outlook) -> None:  # type: ignore[no-untyped-def]
    forecast, rows, _ = outlook
    chart = charts.forecast_chart(rows, forecast)
    d = chart.info["domains"]["all"]
    band = values(chart.spec, layers_with(chart.spec, "area")[0])
    for b in band:
        assert d.x0 <= b["year"] <= d.x1 and d.low < b["low_flop"] < b["high_flop"] < d.high
    target = values(
        chart.spec, next(lay for lay in layers_with(chart.spec, "point") if "data" in lay)
    )
    assert target[0]["flop"] == 1e27 and d.x0 < target[0]["year"] < d.x1
    assert "1e27 FLOP" in subtitle(chart.spec)


def test_cost_points_and_curve(outlook) -> None:  # type: ignore[no-untyped-def]
    forecast, rows, price_fit = outlook
    points = economics.cost_points(rows, price_fit, utilization=0.5, run_days=50)
    r = rows[rows.flop.notna()].iloc[0]
    per_usd = 10 ** (price_fit.intercept + price_fit.slope * (r.year - price_fit.centre))
    assert points[0]["usd"] == pytest.approx(r.flop / (per_usd * 0.5 * 50 * 86_400))
    curve = economics.cost_curve(forecast.fit, price_fit, until=2030)
    trend = economics.run_cost_usd(forecast.fit, price_fit, [c["year"] for c in curve])
    for c, usd in zip(curve, trend, strict=True):
        assert c["usd"] == pytest.approx(usd)
        assert c["usd_low"] <= c["usd"] <= c["usd_high"]
    # the band widens away from the fits' centres
    width = [math.log10(c["usd_high"] / c["usd_low"]) for c in curve]
    assert width[-1] > min(width)


def test_cost_chart(outlook) -> None:  # type: ignore[no-untyped-def]
    forecast, rows, price_fit = outlook
    chart = charts.cost_chart(forecast.fit, price_fit, rows)
    spec = chart.spec
    d = chart.info["domains"]["all"]
    x = layers_with(spec, "line")[0]["encoding"]["x"]
    assert x["title"] == "Year"
    axis = layers_with(spec, "line")[0]["encoding"]["y"]["axis"]
    assert "'$'" in axis["labelExpr"] and "'B'" in axis["labelExpr"]
    points = chart.info["points"]
    assert len(points) >= 20 and all(p["usd"] > 0 for p in points)
    assert all(c["usd"] >= 1e4 for c in chart.info["costs"])  # starts where it is credible
    band = values(spec, layers_with(spec, "area")[0])
    assert all(b["usd_low"] < b["usd_high"] for b in band)
    whole = next(lim for lim in chart.info["limits"] if lim["fraction"] == 1.0)
    assert whole["year"] is not None and d.x0 < whole["year"] < d.x1  # the crossing is drawn
    assert economics.limits(forecast.fit, price_fit) == chart.info["limits"]
    svg = chart.to_svg()
    assert ">$1B<" in svg and ">$10,000<" in svg and "Year" in svg


def test_ticks_as_people_write_them(analysis) -> None:  # type: ignore[no-untyped-def]
    svg = charts.modern_chart(analysis).to_svg()
    ticks = re.findall(r"role-axis-label.*?</g></g>", svg, re.S)[1]
    labels = re.findall(r">([^<>]+)</text>", ticks)
    assert "10³" in labels and "10⁻³" in labels and "1" in labels
    assert not any("e+" in t or "e-" in t for t in labels)
    assert "petaflop/s-days" in svg


def evil_analysis():  # type: ignore[no-untyped-def]
    records = seed_records()
    records.append(
        Record(
            name="<script>alert(1)</script>",
            date="2016-01-01",
            domain="Vision",
            flop=1e20,
            notes="<img src=x onerror=alert(2)>",
            sources=["javascript:alert(3)"],
        )
    )
    return trends.analyze(records_to_frame(records), bootstrap=100)


def test_markup_in_names_is_escaped() -> None:
    chart = charts.modern_chart(trends.analyze(records_to_frame(seed_records()), bootstrap=50))
    evil = charts.eras_chart(evil_analysis())
    assert "<script>alert(1)</script>" in json.dumps(evil.spec)  # kept as data
    assert "<script" not in charts.safe_json(evil.spec)
    svg = evil.to_svg()
    assert "<script" not in svg
    assert "<script" not in chart.to_svg()
    page = evil.to_html()
    assert page.count("<script") == 2  # the bundle and the embed call, nothing from the data


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_static_exports(analysis, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chart = charts.modern_chart(analysis)
    svg_path = chart.save(tmp_path / "modern.svg")
    root = ET.parse(svg_path).getroot()
    assert root.tag.endswith("svg")
    assert float(root.get("width")) == 900 and 400 <= float(root.get("height")) <= 800
    assert "AlphaGoZero" in svg_path.read_text()
    png = chart.save(tmp_path / "modern.png").read_bytes()
    width, height = png_size(png)
    assert width == 1800 and 800 <= height <= 1600  # 2x scale
    assert 50_000 < len(png) < 2_000_000
    html = chart.save(tmp_path / "modern.html").read_text()
    assert "vegaEmbed" in html and "http" not in html.split("<script>")[0]
    # the Vega-Lite file keeps the responsive spec
    assert json.loads(chart.save(tmp_path / "modern.json").read_text())["width"] == "container"
    with pytest.raises(Exception, match="unknown chart format"):
        chart.save(tmp_path / "modern.gif")


def test_jupyter_display(analysis) -> None:  # type: ignore[no-untyped-def]
    bundle = charts.modern_chart(analysis)._repr_mimebundle_()
    assert "application/vnd.vegalite.v5+json" in bundle and "text/html" in bundle


def test_linear_ticks_are_written_out() -> None:
    """Linear ticks as the formatter writes counts: 5,000 then 1.5M, never 5e+3."""
    import vl_convert as vlc

    from aicompute.charts.formats import linear_ticks

    found = {}
    for top in (6000.0, 3e6, 4e26):
        spec = {
            "data": {"values": [{"v": 0.0}, {"v": top}]},
            "mark": "point",
            "encoding": {"y": {"field": "v", "type": "quantitative",
                               "axis": {"labelExpr": linear_ticks()}}},
        }  # fmt: skip
        found[top] = re.findall(r">([^<>]+)</text>", vlc.vegalite_to_svg(spec))
    assert "5,000" in found[6000.0] and not any("e+" in t for t in found[6000.0])
    assert "3M" in found[3e6] and "1.5M" in found[3e6]
    assert any(re.fullmatch(r"\de26", t) for t in found[4e26])
