"""Records, the embedded dataset, file formats, bad rows, and the Epoch AI import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pydantic import ValidationError

import aicompute
from aicompute import dataset
from aicompute.constants import FLOP_PER_PFS_DAY
from aicompute.dataset import Record
from tests.conftest import CHART, EPOCH, needs_shared


def embedded() -> list[Record]:
    result = dataset.read_embedded()
    assert not result.errors
    return result.records


def tagged(tag: str) -> list[Record]:
    return [r for r in embedded() if tag in r.tags]


def test_embedded_has_every_seed_result() -> None:
    assert len(tagged("seed-modern")) == 15
    assert len(tagged("seed-first-era")) == 11
    modest = tagged("seed-modest")
    assert len(modest) == 6
    assert all(r.exclude_from_trend for r in modest)
    assert {r.name for r in modest if r.upper_bound} == {
        "Adam Optimizer",
        "GANs",
        "Word2Vec",
        "Variational Auto Encoders",
    }
    for r in embedded():
        assert r.sources and all(s.startswith("http") for s in r.sources), r.name
        assert r.value_source, r.name


@needs_shared
@pytest.mark.slow
def test_embedded_matches_the_chart_points() -> None:
    with CHART.open() as f:
        points = list(csv.DictReader(f))
    by_name = {r.name: r for r in embedded()}
    for chart, tag in (("modern", "seed-modern"), ("two-eras", "seed-first-era")):
        for p in (p for p in points if p["chart"] == chart):
            if chart == "two-eras" and p["title"] not in {r.name for r in tagged(tag)}:
                continue
            record = by_name[p["title"]]
            assert record.date == p["date"]
            assert record.domain == p["domain"]
            assert record.year == pytest.approx(float(p["decimal_year"]), abs=0.01)  # a few days
            assert record.pfs_days == pytest.approx(float(p["pfs_days"]), rel=1e-3)


def test_seed_calculation_inputs_reproduce_the_values() -> None:
    """Each stored calculation, rerun, lands inside the record's range."""
    checked = 0
    for record in tagged("seed"):
        for e in record.estimates:
            est = aicompute.estimate(**e.inputs).by_method(e.method)
            assert est is not None
            assert record.low_flop <= est.flop <= record.high_flop, record.name
            checked += 1
    assert checked == 16  # the appendix's 16 calculations
    alexnet = next(r for r in embedded() if r.name == "AlexNet")
    assert {e.method for e in alexnet.estimates} == {"operations", "hardware"}


def test_record_validation() -> None:
    r = Record(name="X", date="2017-06", domain="language", flop=1e20)
    assert (r.domain, r.date_precision, r.id) == ("Language", "month", "x")
    assert (r.low_flop, r.high_flop) == (1e20 / 3, 3e20)
    assert Record(name="Y", date="2020", flop=1e20, confidence="speculative").high_flop == 3e21
    ub = Record(name="Z", date="2014-12", flop=6e16, upper_bound=True)
    assert ub.high_flop == ub.flop
    for bad in (
        dict(date="2023-02-30"),
        dict(date="2023-13-01"),
        dict(date="1800"),
        dict(date="yesterday"),
        dict(domain="Cooking"),
        dict(flop=-1.0),
        dict(flop=float("nan")),
        dict(flop=1e20, low_flop=2e20),
        dict(confidence="sure"),
        dict(name=""),
    ):
        with pytest.raises(ValidationError):
            Record.model_validate({"name": "W", "date": "2020-01-01", **bad})


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".json", ".parquet"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    records = embedded()
    path = dataset.write(records, tmp_path / f"data{suffix}")
    back = dataset.read(path)
    assert not back.errors
    key = lambda r: r.id  # noqa: E731
    assert [r.model_dump() for r in sorted(back.records, key=key)] == [
        r.model_dump() for r in sorted(records, key=key)
    ]


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mine.csv"
    dataset.write(embedded(), path)
    before = path.read_bytes()

    def boom(self, row):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(csv.DictWriter, "writerow", boom)
    with pytest.raises(OSError):
        dataset.write(embedded()[:3], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine.csv"]


BAD_CSV = """name,date,domain,flop,sources
Good one,2015-03-01,Vision,1e20,https://example.org/a
Bad date,2015-02-30,Vision,1e20,
"Multi
line",2016-01-01,Nonsense,1e20,
Negative,2016-05-01,Vision,-5,
,2016-06-01,Vision,1e20,
Good two,2016-07,Language,2e21,https://example.org/b
Good one,2016-08-01,Vision,3e20,
"""


def test_bad_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(BAD_CSV)
    result = dataset.read(path)
    assert [r.name for r in result.records] == ["Good one", "Good two"]
    lines = {e.line: e.message for e in result.errors}
    assert sorted(lines) == [3, 4, 6, 7, 9]
    assert "not a calendar date" in lines[3]
    assert "unknown domain 'Nonsense'" in lines[4]
    assert "flop" in lines[6] and "positive" in lines[6]
    assert "name" in lines[7]
    assert "duplicate id 'good-one' (first on line 2)" in lines[9]


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(aicompute.InputError, match="no such file"):
        dataset.read(tmp_path / "missing.csv")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(aicompute.InputError, match="unknown format"):
        dataset.read(tmp_path / "x.txt")
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(aicompute.InputError, match="not valid JSON"):
        dataset.read(tmp_path / "x.json")
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(aicompute.InputError, match="lacks the column"):
        dataset.read(tmp_path / "x.csv")


def test_merge_user_file_over_embedded(tmp_path: Path) -> None:
    path = tmp_path / "fix.yaml"
    path.write_text(
        "- id: alexnet\n  name: AlexNet\n  date: '2012-09-30'\n  domain: Vision\n"
        "  flop: 4.7e17\n  sources: [https://example.org]\n"
        "- name: My model\n  date: '2020-01-01'\n  domain: Language\n  flop: 1e21\n"
    )
    records, results = dataset.load_records([path], embedded=True)
    by_id = {r.id: r for r in records}
    assert len(records) == len(embedded()) + 1
    assert by_id["alexnet"].flop == 4.7e17 and by_id["alexnet"].date == "2012-09-30"
    assert len(results) == 2


# --- Epoch AI -----------------------------------------------------------------------------


@needs_shared
def test_epoch_import() -> None:
    result = dataset.read(EPOCH)
    assert result.kind == "epoch" and "Epoch AI" in result.credit and "CC BY" in result.credit
    assert len(result.records) == 942 and not result.errors
    with_compute = [r for r in result.records if r.flop is not None]
    assert len(with_compute) == 507
    gpt3 = next(r for r in result.records if r.name == "GPT-3 175B (davinci)")
    assert gpt3.flop == pytest.approx(3.14e23)
    assert gpt3.domain == "Language" and gpt3.confidence == "confident"
    assert gpt3.sources and gpt3.value_source.startswith("Epoch AI")
    assert {"Multimodal", "Vision", "Speech", "Games", "Other"} <= {
        r.domain for r in result.records
    }


EPOCH_HEADER = [
    "System",
    "Organization",
    "Publication date",
    "Domain",
    "Training compute (FLOPs)",
    "Training compute notes",
    "Confidence",
    "Link",
]


def test_epoch_renamed_columns_multiline_cells_and_bad_rows(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EPOCH_HEADER)
    writer.writerow(
        [
            "Model A",
            "Lab1,Lab2",
            "2020-05-01",
            "Language,Vision",
            "1e22",
            "six N D:\n6 x 1e9 x 1.6e12\nrounded",
            "Likely",
            "https://a.org",
        ]
    )
    writer.writerow(["Model B", "Lab", "2020-02-31", "Vision", "1e20", "", "Confident", ""])
    writer.writerow(["Model C", "Lab", "2021-01-01", "Games", "lots", "", "Confident", ""])
    writer.writerow(["Model D", "Lab", "2021-03-01", "Biology", "", "", "Unknown", ""])
    path = tmp_path / "old-epoch.csv"
    path.write_text(buffer.getvalue())
    result = dataset.read(path)
    assert result.kind == "epoch"
    assert [r.name for r in result.records] == ["Model A", "Model D"]
    a, d = result.records
    assert a.domain == "Multimodal" and a.organization == "Lab1, Lab2"
    assert a.confidence == "likely" and a.flop == 1e22
    assert d.flop is None and d.domain == "Other"
    # Model A's notes span three physical lines: B starts on line 5, C on line 6
    assert [(e.line, e.name) for e in result.errors] == [(5, "Model B"), (6, "Model C")]
    assert "calendar date" in result.errors[0].message
    assert "not a number" in result.errors[1].message


def test_frame_columns_and_pfs_days() -> None:
    frame = dataset.load()
    assert list(frame.columns[:7]) == [
        "id",
        "name",
        "organization",
        "date",
        "year",
        "domain",
        "flop",
    ]
    assert frame["year"].is_monotonic_increasing
    row = frame[frame.name == "AlphaGoZero"].iloc[0]
    assert row.pfs_days == pytest.approx(row.flop / FLOP_PER_PFS_DAY)
