"""Chart specifications: points, lines, computed annotations, toggles, escaping, exports."""

from __future__ import annotations

import json
import math
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from aicompute import charts, dataset, trends
from aicompute.charts.spec import DOMAIN_COLOURS, PALETTE, doubling_text, place_labels
from aicompute.constants import FLOP_PER_PFS_DAY
from aicompute.dataset import Record, records_to_frame
from tests.conftest import seed_records


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    return trends.analyze(records_to_frame(seed_records()), bootstrap=200)


def layers_with(spec: dict, mark: str) -> list[dict]:
    def kind(layer: dict) -> str:
        m = layer.get("mark")
        return m if isinstance(m, str) else (m or {}).get("type", "")

    return [layer for layer in spec["layer"] if kind(layer) == mark]


def params(spec: dict) -> dict[str, dict]:
    return {p["name"]: p for p in spec["params"]}


def test_modern_chart(analysis) -> None:  # type: ignore[no-untyped-def]
    chart = charts.modern_chart(analysis)
    spec = chart.spec
    assert spec["title"]["text"] == "AlexNet to AlphaGoZero: a 320,000x increase in compute"
    assert len(spec["data"]["values"]) == 15
    scale = params(spec)["yScale"]
    assert scale["value"] == "log" and scale["bind"]["options"] == ["log", "linear"]
    # the trend line is the fit's own line, converted to pfs-days
    line = layers_with(spec, "line")[0]["data"]["values"]
    _years, flop = analysis.modern_fit.line(60)
    assert line[0]["pfs_days"] == pytest.approx(flop[0] / FLOP_PER_PFS_DAY)
    assert line[-1]["pfs_days"] == pytest.approx(flop[-1] / FLOP_PER_PFS_DAY)
    notes = [
        row["text"]
        for layer in layers_with(spec, "text")
        if "data" in layer
        for row in layer["data"]["values"]
    ]
    assert any(n.startswith(doubling_text(analysis.modern_fit.doubling_months)) for n in notes)
    assert "3.4-month doubling" in notes[0]
    tooltip = {t["field"] for t in layers_with(spec, "point")[0]["encoding"]["tooltip"]}
    assert {"name", "date_text", "pfs_days", "flop", "method", "source"} <= tooltip
    assert "petaflop/s-days" in layers_with(spec, "point")[0]["encoding"]["y"]["title"]
    assert any("AI and Compute" in s for s in spec["title"]["subtitle"])


def test_labels_do_not_overlap(analysis) -> None:  # type: ignore[no-untyped-def]
    rows = charts.modern_chart(analysis).info["rows"]
    assert all(r["label_pos"] != "none" for r in rows)
    # rebuild each label's box independently, in the same pixel frame, and check pairs
    width, height, char, line = 760, 440, 6.6, 13.0
    x0, x1 = min(r["year"] for r in rows), max(r["year"] for r in rows)
    y0 = math.floor(min(math.log10(r["pfs_days"]) for r in rows))
    y1 = math.ceil(max(math.log10(r["pfs_days"]) for r in rows))
    boxes = []
    for r in rows:
        x = (r["year"] - x0) / (x1 - x0) * width
        y = (y1 - math.log10(r["pfs_days"])) / (y1 - y0) * height
        w = len(r["name"]) * char
        box = {
            "right": (x + 7, y - line / 2, x + 7 + w, y + line / 2),
            "left": (x - 7 - w, y - line / 2, x - 7, y + line / 2),
            "above": (x - w / 2, y - 8 - line, x + w / 2, y - 8),
            "below": (x - w / 2, y + 8, x + w / 2, y + 8 + line),
        }[r["label_pos"]]
        boxes.append(box)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_crowded_labels_are_dropped_not_overlapped() -> None:
    cluster = [
        {"name": f"model {i}", "year": 2015 + i * 1e-3, "pfs_days": 1.0 + i * 1e-3}
        for i in range(30)
    ]
    anchors = [
        {"name": "a", "year": 1990.0, "pfs_days": 1e-6},
        {"name": "b", "year": 2030.0, "pfs_days": 1e6},
    ]
    place_labels(cluster + anchors)
    placed = [r for r in cluster if r["label_pos"] != "none"]
    assert 1 <= len(placed) <= 4  # a 30-point pile keeps a few labels, the rest are dropped


def test_eras_chart(analysis) -> None:  # type: ignore[no-untyped-def]
    spec = charts.eras_chart(analysis).spec
    p = params(spec)
    assert p["showErrors"]["bind"]["input"] == "checkbox" and p["showErrors"]["value"] is False
    assert p["domainFilter"]["bind"]["input"] == "select"
    assert "Games" in p["domainFilter"]["bind"]["options"]
    assert p["yScale"]["bind"]["input"] == "radio"
    lines = layers_with(spec, "line")
    assert len(lines) == len(analysis.eras.segments) == 2
    texts = [
        row["text"]
        for layer in layers_with(spec, "text")
        if "data" in layer
        for row in layer["data"]["values"]
    ]
    expected = [doubling_text(s.doubling_months) for s in analysis.eras.segments]
    assert [t.split(" (")[0] for t in texts] == expected
    assert expected[0].startswith("~1.") and expected[0].endswith("-year doubling")
    assert expected[1] == "3.3-month doubling"
    rule = layers_with(spec, "rule")[0]
    assert rule["encoding"]["y2"]["field"] == "y_high"
    assert rule["encoding"]["opacity"]["condition"]["param"] == "showErrors"
    assert len(spec["data"]["values"]) == 32  # every record with compute, fitted or not


def test_domains_chart_and_palette(analysis) -> None:  # type: ignore[no-untyped-def]
    spec = charts.domains_chart(analysis).spec
    assert set(analysis.domain_fits) == {"Games", "Vision"}
    assert len(layers_with(spec, "line")) == 2
    colours = layers_with(spec, "point")[0]["encoding"]["color"]["scale"]["range"]
    assert set(colours) <= set(PALETTE)
    assert set(DOMAIN_COLOURS.values()) <= set(PALETTE)


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
    text = layers_with(chart.spec, "text")[-1]["data"]["values"][0]["text"]
    assert f"{abs(expected):.1f} months behind the trend" in text


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
    assert "&lt;script&gt;" in svg or "<script" not in svg
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
    assert 700 <= float(root.get("width")) <= 1200 and 400 <= float(root.get("height")) <= 800
    assert "AlphaGoZero" in svg_path.read_text()
    png = chart.save(tmp_path / "modern.png").read_bytes()
    width, height = png_size(png)
    assert 1400 <= width <= 2400 and 800 <= height <= 1600  # 2x scale
    assert 50_000 < len(png) < 2_000_000
    html = chart.save(tmp_path / "modern.html").read_text()
    assert "vegaEmbed" in html and "http" not in html.split("<script>")[0]
    with pytest.raises(Exception, match="unknown chart format"):
        chart.save(tmp_path / "modern.gif")


def test_jupyter_display(analysis) -> None:  # type: ignore[no-untyped-def]
    bundle = charts.modern_chart(analysis)._repr_mimebundle_()
    assert "application/vnd.vegalite.v5+json" in bundle and "text/html" in bundle
