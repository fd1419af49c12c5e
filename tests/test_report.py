"""The report folder: its files, offline page, escaping, atomic replacement, CLI."""

from __future__ import annotations

import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicompute import dataset
from aicompute.cli import app
from aicompute.dataset import Record, records_to_frame
from aicompute.report import build_report
from aicompute.report.build import record_rows
from aicompute.units import format_number
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
    assert "321,274x" in page
    # the appendix, from the records' own inputs: one closed box per calculation
    assert page.count('<details class="calc"') == 16
    assert "750M MAC × 2 FLOP/MAC × 3 (forward+backward) × 1.2M examples × 90 epochs" in page
    claims = page.split('id="claims-table"')[1].split("</table>")[0]
    assert claims.count('<td class="ok">yes</td>') == 11
    for chart in ("modern", "eras", "domains"):
        assert f'id="chart-{chart}"' in page


class Sections(HTMLParser):
    """The page's table of contents, its sections in order, and every element id."""

    def __init__(self) -> None:
        super().__init__()
        self.toc: list[str] = []
        self.sections: list[str] = []
        self.ids: set[str] = set()
        self._in_toc = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if attr.get("id"):
            self.ids.add(attr["id"] or "")
        if tag == "nav" and attr.get("id") == "toc":
            self._in_toc = True
        if self._in_toc and tag == "a":
            self.toc.append(attr.get("href") or "")
        if tag == "section" and attr.get("id"):
            self.sections.append(attr["id"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_toc = False


def test_table_of_contents_and_section_order(report) -> None:  # type: ignore[no-untyped-def]
    page = (report.path / "index.html").read_text()
    parsed = Sections()
    parsed.feed(page)
    assert page.index('id="toc"') < page.index('id="headline"')  # right after the header
    assert parsed.toc == [f"#{s}" for s in parsed.sections]  # every section, in page order
    assert {href[1:] for href in parsed.toc} <= parsed.ids
    assert parsed.sections == [
        "headline", "reproduction", "charts", "present-trends", "outlook", "thresholds",
        "records", "checks", "appendix",
    ]  # fmt: skip


def test_headline_cards_put_today_first(report) -> None:  # type: ignore[no-untyped-def]
    summary = json.loads((report.path / "summary.json").read_text())
    page = (report.path / "index.html").read_text()
    headline = page.split('id="headline"')[1].split("</section>")[0]
    keys = re.findall(r'data-key="(\w+)"', headline)
    cards = {c["key"]: c for c in summary["today"]["cards"]}
    assert keys[:2] == ["recent", "seed"] and set(keys) == set(cards)
    recent = cards["recent"]["fit"]
    lo, hi = recent["doubling_months_ci"]
    first = headline.split("</article>")[0]
    assert f"{format_number(recent['doubling_months'])} <span" in first
    assert f"90% interval {format_number(lo)}–{format_number(hi)} months" in first
    assert f"{format_number(recent['growth_per_year'], 'factor')} per year" in first
    assert cards["recent"]["command"] in first
    for pub in summary["today"]["published"]:
        assert pub["label"] in headline


def test_each_record_row_carries_its_calculation() -> None:
    rows = {r["name"]: r for r in record_rows(seed_records())}
    alexnet = rows["AlexNet"]
    assert [c["method"] for c in alexnet["calculations"]] == ["operations", "hardware"]
    ops = alexnet["calculations"][0]
    assert ops["formula"].startswith("forward MACs per example × 2 FLOP/MAC")
    assert ops["calculation"] == (
        "750M MAC × 2 FLOP/MAC × 3 (forward+backward) × 1.2M examples × 90 epochs = 4.86e17 FLOP"
    )
    assert ops["pfs_text"] == "0.00562 pfs-days"
    assert alexnet["flop_text"] == "5.09e17" and alexnet["pfs_text"] == "0.00589"
    assert alexnet["range_text"] == "1.7e17 – 1.5e18 FLOP"
    assert rows["AlphaGoZero"]["calculations"] == [] and rows["AlphaGoZero"]["pfs_text"] == "1,890"
    with_inputs = sum(1 for r in seed_records() if r.estimates)
    assert sum(1 for r in rows.values() if r["calculations"]) == with_inputs == 11


def test_numbers_are_written_as_people_write_them(report) -> None:  # type: ignore[no-untyped-def]
    """No Python or JavaScript exponent (``1.89e+03``, ``6.3e+02``), no SI ``G`` on counts."""
    page = (report.path / "index.html").read_text()
    text = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)  # the data, not the prose
    found = re.findall(r".{0,30}\de(?:\+|-?0)\d", text)
    assert not found, found[:5]
    assert not re.search(r"\dG (params|tokens|examples)", page)
    data = json.loads(page.split('id="records-data">')[1].split("</script>")[0])
    texts = [r["flop_text"] for r in data] + [
        c["calculation"] for r in data for c in r["calculations"]
    ]
    assert texts and not any("e+" in t or re.search(r"e-?0\d", t) for t in texts)


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
    # the backtest says which way it erred, and colours each error by its sign and size
    bt = outlook["backtest"]
    n = len(bt["checks"])
    assert bt["over_predicted"] + bt["under_predicted"] <= n
    lean, count = (
        ("over", bt["over_predicted"]) if bt["bias_oom"] < 0 else ("under", bt["under_predicted"])
    )
    prose = " ".join(page.split())
    assert f"{lean}-predicted {count} of {n}</strong>" in prose
    assert f"a median {format_number(abs(bt['bias_oom']), digits=2)} orders of magnitude" in prose
    cells = re.findall(r'class="num err (over|under)-([1-4])" data-error="([^"]+)"', page)
    assert len(cells) == n
    for side, level, error in cells:
        e = float(error)
        assert side == ("over" if e < 0 else "under")
        assert int(level) == 1 + (abs(e) >= 0.25) + (abs(e) >= 0.5) + (abs(e) >= 1)
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


def test_models_above_the_thresholds(report) -> None:  # type: ignore[no-untyped-def]
    """The section on the thresholds: its chart (exported like the others), its figures in
    summary.json, and a note in place of the tables when no record comes near a line (the
    seed's records are all below 1e25 FLOP)."""
    root = report.path
    assert {"charts/above.svg", "charts/above.png", "charts/above.vl.json"} <= {
        str(p.relative_to(root)) for p in report.files
    }
    summary = json.loads((root / "summary.json").read_text())["above_thresholds"]
    assert set(summary["by_year"]) == {"eu-systemic", "ca-sb53"}
    assert all(r["expected"] < 0.01 and r["likely"] == 0 for r in summary["by_year"]["ca-sb53"])
    assert "independent" in summary["assumption"] and "not legal advice" in summary["disclaimer"]
    page = (root / "index.html").read_text()
    section = page.split('<section id="thresholds">')[1].split("</section>")[0]
    assert 'id="chart-above"' in section and "aicompute threshold --dataset" in section
    assert section.count("No record in this report is likely enough") == 2
