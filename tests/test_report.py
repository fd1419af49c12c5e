"""The report folder: its files, offline page, escaping, atomic replacement, CLI."""

from __future__ import annotations

import json
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicompute import dataset
from aicompute.cli import app
from aicompute.dataset import Record, records_to_frame
from aicompute.report import build_report
from tests.conftest import methods_apart, seed_records

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def report(tmp_path_factory):  # type: ignore[no-untyped-def]
    records = seed_records()
    return build_report(
        records_to_frame(records),
        tmp_path_factory.mktemp("r") / "report",
        records=records,
        bootstrap=200,
    )


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "script":
            self.scripts.append(attr)
            if attr.get("src"):
                self.refs.append((tag, attr["src"] or ""))
        if tag == "link" and attr.get("href"):
            self.refs.append((tag, attr["href"] or ""))
        if tag in {"img", "iframe"} and attr.get("src"):
            self.refs.append((tag, attr["src"] or ""))


def test_files(report) -> None:  # type: ignore[no-untyped-def]
    root = report.path
    names = {str(p.relative_to(root)) for p in report.files}
    for chart in ("modern", "eras", "domains"):
        assert {f"charts/{chart}.svg", f"charts/{chart}.png", f"charts/{chart}.vl.json"} <= names
        png = (root / "charts" / f"{chart}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert width > 1000 and height > 600
        assert (root / "charts" / f"{chart}.svg").read_text().lstrip().startswith("<svg")
    assert {
        "index.html",
        "summary.json",
        "data/records.csv",
        "data/records.json",
        "assets/vega.js",
        "assets/report.js",
        "assets/report.css",
    } <= names
    back = dataset.read(root / "data" / "records.csv")
    assert len(back.records) == 32 and not back.errors


def test_summary_headline_figures(report) -> None:  # type: ignore[no-untyped-def]
    summary = json.loads((report.path / "summary.json").read_text())
    modern = summary["modern_era"]
    assert modern["doubling_months"] == pytest.approx(3.436, abs=0.002)
    lo, hi = modern["doubling_months_ci"]
    assert lo < modern["doubling_months"] < hi
    assert summary["growth"]["factor"] == pytest.approx(321_274, rel=1e-3)
    assert summary["eras"]["model"] in {"kink", "jump"}
    assert len(summary["eras"]["segments"]) == 2
    assert all(c["ok"] for c in summary["reproduce"])


def test_page_is_offline(report) -> None:  # type: ignore[no-untyped-def]
    page = (report.path / "index.html").read_text()
    tags = Tags()
    tags.feed(page)
    assert tags.refs, "the page loads its assets"
    for tag, ref in tags.refs:
        assert "://" not in ref and not ref.startswith("//"), (tag, ref)
        assert (report.path / ref).is_file(), ref
    bundle = (report.path / "assets" / "vega.js").read_text()
    assert "vegaEmbed" in bundle and len(bundle) > 500_000


def test_page_content(report) -> None:  # type: ignore[no-untyped-def]
    page = (report.path / "index.html").read_text()
    assert "3.44 months" in page and "321,274x" in page
    assert page.count('class="calc"') == 16  # the appendix, from the records' own inputs
    assert "750M MAC × 2 FLOP/MAC × 3 (forward+backward) × 1.2M examples × 90 epochs" in page
    claims = page.split('id="claims-table"')[1].split("</table>")[0]
    assert claims.count('<td class="ok">yes</td>') == 11
    for chart in ("modern", "eras", "domains"):
        assert f'id="chart-{chart}"' in page


def test_markup_in_data_is_escaped(tmp_path: Path) -> None:
    records = seed_records()
    records.append(
        Record(
            name=EVIL,
            organization="<b>Org</b>",
            date="2016-01-01",
            domain="Vision",
            flop=1e20,
            notes="<img src=x onerror=alert(2)>",
            sources=["javascript:alert(3)", "https://example.org/ok"],
        )
    )
    out = build_report(
        records_to_frame(records), tmp_path / "r", records=records, bootstrap=50, static=False
    ).path
    page = (out / "index.html").read_text()
    assert EVIL not in page and "<img src=x" not in page and "<b>Org" not in page
    assert "javascript:alert" not in page
    tags = Tags()
    tags.feed(page)
    assert all(s.get("src") or s.get("type") == "application/json" for s in tags.scripts)


def test_replacing_a_report_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report"
    build_report(dataset.load(), out, bootstrap=50, static=False)
    before = (out / "index.html").read_text()

    def broken(**_: object) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr("aicompute.reproduce.reproduce", broken)
    with pytest.raises(RuntimeError):
        build_report(dataset.load(), out, bootstrap=50, static=False)
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.slow
def test_cli(tmp_path: Path, seed_file: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "rep"
    r = runner.invoke(
        app, ["report", "--out", str(out), "--no-static", "--bootstrap", "100", "--json"]
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["index"].endswith("index.html") and "summary.json" in data["files"]
    assert data["summary"]["growth"]["start"] == "AlexNet"
    (tmp_path / "file").write_text("x")
    r = runner.invoke(app, ["report", "--out", str(tmp_path / "file")])
    assert r.exit_code == 2 and "not a folder" in r.stderr
    r = runner.invoke(app, ["chart", "eras", "--out", str(tmp_path / "eras.svg")])
    assert r.exit_code == 0 and (tmp_path / "eras.svg").read_text().startswith("<svg")
    r = runner.invoke(
        app,
        [
            "chart",
            "estimate",
            "--flop",
            "3640 pfs-days",
            "--date",
            "2020-05",
            "--format",
            "json",
            "--out",
            str(tmp_path / "e.json"),
            "--data",
            str(seed_file),
        ],
    )
    assert r.exit_code == 0
    assert "behind the trend" in (tmp_path / "e.json").read_text()
    r = runner.invoke(app, ["chart", "estimate", "--flop", "1e23"])
    assert r.exit_code == 2 and "--flop and --date" in r.stderr
    r = runner.invoke(app, ["chart", "modern", "--format", "gif"])
    assert r.exit_code == 2 and "unknown format" in r.stderr


def test_report_shows_present_trends_beside_published(report) -> None:  # type: ignore[no-untyped-def]
    summary = json.loads((report.path / "summary.json").read_text())
    trends = summary["trends_vs_published"]
    assert [t["claim"].split(":")[0] for t in trends] == [
        "First era",
        "Deep-learning era",
        "Large-scale era",
        "Frontier (top-10 at publication)",
    ]
    page = (report.path / "index.html").read_text()
    assert 'id="present-table"' in page and "Sevilla et al. 2022" in page


def test_report_outlook_sections(tmp_path: Path) -> None:
    out = build_report(dataset.load(), tmp_path / "r", bootstrap=100, static=False).path
    summary = json.loads((out / "summary.json").read_text())
    outlook = summary["outlook"]
    assert outlook["forecast"]["target_date"] and len(outlook["limits"]) == 3
    assert outlook["backtest"]["checks"]
    page = (out / "index.html").read_text()
    for table in ("backtest-table", "limits-table"):
        assert f'id="{table}"' in page
    assert "the seed&#39;s figure" in page or "the seed's figure" in page
    assert (out / "charts" / "forecast.vl.json").is_file() and (
        out / "charts" / "cost.vl.json"
    ).is_file()


def test_report_shows_the_data_check_as_the_cli_does(tmp_path: Path) -> None:
    """One computation: the report's list of records that disagree with themselves is the
    one `aicompute data check --json` prints, to the digit."""
    apart = methods_apart()
    records = [*seed_records(), apart]
    path = tmp_path / "records.yaml"
    dataset.write(records, path)
    out = build_report(records_to_frame(records), tmp_path / "r", records=records, bootstrap=0)
    summary = json.loads((out.path / "summary.json").read_text())["data_check"]
    cli = CliRunner().invoke(app, ["data", "check", "--data", str(path), "--json"])
    assert summary["disagreements"] == json.loads(cli.stdout)["disagreements"]
    assert [d["record"] for d in summary["disagreements"]] == ["Apart"]
    page = (out.path / "index.html").read_text()
    assert "<strong>Apart</strong>: the operations estimate" in page and "5.9x apart" in page
