"""Files are safe: outputs never destroy a user's files or inputs, inputs cannot exhaust memory
or stack, CSV cannot carry spreadsheet formulas, and every failure is one line, exit 2."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from aicompute import dataset
from aicompute._files import atomic_write
from aicompute.cli import app
from aicompute.constants import MAX_BOOTSTRAP
from aicompute.dataset import Record
from aicompute.dataset.io import FORMULA_START, MAX_NESTING, csv_text, write_csv
from aicompute.errors import InputError
from aicompute.report import build_report
from aicompute.report.build import MARKER

runner = CliRunner()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

GOOD_CSV = "name,date,domain,flop\nA,2015-01-01,Vision,1e20\nB,2016-01-01,Language,1e21\n"
BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def one_error_line(result, field: str) -> str:  # type: ignore[no-untyped-def]
    """The single error line of a failed command (and that it is one, with exit status 2)."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"aicompute: error: {field}: "), lines[0]
    return lines[0]


def seed_yaml(folder: Path) -> Path:
    records = [r for r in dataset.read_embedded().records if "seed" in r.tags]
    return dataset.write(records, folder / "seed.yaml")


def quick_report(out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run("report", "--out", str(out), "--no-static", "--bootstrap", "0", *extra)


# --- report --out: never deletes what aicompute did not write ---------------------------------


@pytest.mark.slow
def test_report_refuses_a_folder_holding_the_users_files(tmp_path: Path) -> None:
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter1.tex").write_text("\\chapter{One}")
    line = one_error_line(quick_report(thesis), "out")
    assert "files aicompute did not write (chapter1.tex)" in line and "--force" in line
    assert (thesis / "chapter1.tex").read_text() == "\\chapter{One}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]  # nothing left beside it

    r = quick_report(thesis, "--force")
    assert r.exit_code == 0, r.stderr
    assert not (thesis / "chapter1.tex").exists() and (thesis / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]


@pytest.mark.slow
def test_report_writes_new_and_empty_folders_and_replaces_its_own(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert quick_report(empty).exit_code == 0
    marker = json.loads((empty / MARKER).read_text())
    assert set(marker) >= {"aicompute", "files"} and "index.html" in marker["files"]
    assert (empty / MARKER).read_text().count("\n") == 1  # one line of JSON
    first = (empty / "summary.json").read_text()

    r = quick_report(empty, "--seed", "1")  # a report aicompute wrote: replaced, no --force
    assert r.exit_code == 0, r.stderr
    assert (empty / "summary.json").read_text() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]

    (empty / "charts" / "my-notes.txt").write_text("mine")  # a user's file inside the report
    line = one_error_line(quick_report(empty), "out")
    assert "charts/my-notes.txt" in line
    assert (empty / "charts" / "my-notes.txt").read_text() == "mine"

    fresh = tmp_path / "new" / "deeper"
    assert quick_report(fresh).exit_code == 0 and (fresh / "index.html").is_file()


def test_a_forged_or_broken_marker_does_not_make_a_folder_ours(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "data.txt").write_text("keep")
    for marker in ("not json", '{"files": ["x"]}', json.dumps({"aicompute": "0", "files": 3})):
        (folder / MARKER).write_text(marker + "\n")
        one_error_line(quick_report(folder), "out")
        assert (folder / "data.txt").read_text() == "keep"


def test_report_out_that_cannot_be_a_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert "not a folder" in one_error_line(quick_report(tmp_path / "notes.txt"), "out")
    line = one_error_line(quick_report(tmp_path / "notes.txt" / "report"), "out")
    assert "notes.txt is not a folder" in line
    assert "root folder" in one_error_line(quick_report(Path("/")), "out")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_report_never_replaces_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    (here / "keep.txt").write_text("mine")
    monkeypatch.chdir(here)
    for out in (Path("."), tmp_path):  # the current folder, and a folder holding it
        assert "current folder" in one_error_line(quick_report(out, "--force"), "out")
    assert (here / "keep.txt").read_text() == "mine"


@pytest.mark.skipif(AS_ROOT, reason="root writes into read-only folders")
def test_report_into_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = one_error_line(quick_report(locked / "report"), "out")
        assert "Permission denied" in line
    finally:
        locked.chmod(0o755)


def test_report_refuses_a_folder_holding_its_data(tmp_path: Path) -> None:
    seed = seed_yaml(tmp_path / "work")
    before = seed.read_bytes()
    line = one_error_line(quick_report(tmp_path / "work", "--data", str(seed), "--force"), "out")
    assert "seed.yaml" in line
    assert seed.read_bytes() == before


def test_report_disk_full_keeps_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r"
    assert quick_report(out).exit_code == 0
    before = (out / "index.html").read_text()

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("aicompute.dataset.write", full)
    line = one_error_line(quick_report(out), "out")
    assert line == f"aicompute: error: out: cannot write {out}: No space left on device"
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_report_folder_that_cannot_be_moved_is_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r"
    assert quick_report(out).exit_code == 0
    before = (out / "summary.json").read_text()
    rename = Path.rename

    def locked(self: Path, target: str | os.PathLike[str]) -> Path:
        if self == out.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", locked)
    assert "Permission denied" in one_error_line(quick_report(out, "--seed", "3"), "out")
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_build_report_speaks_in_field_names(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("x")
    frame = dataset.load()
    with pytest.raises(InputError, match=r"force=True") as error:
        build_report(frame, tmp_path, bootstrap=0, static=False)
    assert error.value.field == "out" and (tmp_path / "mine.txt").exists()
    with pytest.raises(InputError, match="bootstrap"):
        build_report(frame, tmp_path / "r", bootstrap=MAX_BOOTSTRAP + 1, static=False)
    assert not (tmp_path / "r").exists()
    result = build_report(frame, tmp_path, bootstrap=0, static=False, force=True)
    assert not (tmp_path / "mine.txt").exists()
    assert MARKER not in {p.name for p in result.files}


# --- an output is never one of the inputs --------------------------------------------------


def test_import_refuses_to_write_over_its_source(tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_text("name,date,domain,flop\nA,2015-02-30,Vision,1e20\n")
    before = source.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    hard = tmp_path / "hard.csv"
    os.link(source, hard)
    for out in (source, link, hard, tmp_path / "." / "x.csv"):
        assert "input file" in one_error_line(
            run("data", "import", str(source), "--out", str(out)), "out"
        )
        assert source.read_bytes() == before


def test_import_with_no_good_row_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("name,date,domain,flop\nA,2015-02-30,Vision,1e20\nB,soon,Vision,1\n")
    out = tmp_path / "out.yaml"
    r = run("data", "import", str(source), "--out", str(out))
    assert r.exit_code == 1
    assert "line 2 (A)" in r.stderr and "line 3 (B)" in r.stderr
    assert "nothing written" in r.stderr and not out.exists()
    r = run("data", "import", str(source), "--out", str(out), "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["written"] == 0 and not out.exists()
    source.write_text(GOOD_CSV)
    r = run("data", "import", str(source), "--out", str(out))
    assert r.exit_code == 0 and len(dataset.read(out).records) == 2


def test_export_and_chart_refuse_to_write_over_their_data(tmp_path: Path) -> None:
    data = tmp_path / "mine.csv"
    data.write_text(GOOD_CSV)
    r = run("data", "export", "--data", str(data), "--out", str(data))
    assert "input file" in one_error_line(r, "out")
    r = run("chart", "modern", "--data", str(data), "--out", str(data), "--format", "svg")
    assert "input file" in one_error_line(r, "out")
    assert data.read_text() == GOOD_CSV


# --- write errors: one line naming out, nothing partial -------------------------------------


def test_write_errors_are_one_line_and_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    line = one_error_line(run("data", "export", "--out", str(tmp_path / "notes.txt/x.csv")), "out")
    assert line.endswith("notes.txt is not a folder")
    (tmp_path / "folder.csv").mkdir()
    line = one_error_line(run("data", "export", "--out", str(tmp_path / "folder.csv")), "out")
    assert line.endswith("it is a folder")
    line = one_error_line(run("chart", "eras", "--out", str(tmp_path / "notes.txt/e.svg")), "out")
    assert "not a folder" in line

    out = tmp_path / "records.csv"
    out.write_text("precious")

    def full(handle: io.StringIO, records: object) -> None:
        handle.write("partial,row\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("aicompute.dataset.io.write_csv", full)
    line = one_error_line(run("data", "export", "--out", str(out)), "out")
    assert line == f"aicompute: error: out: cannot write {out}: No space left on device"
    assert out.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.csv", "notes.txt", "records.csv"]


@pytest.mark.skipif(AS_ROOT, reason="root writes into read-only folders")
def test_export_into_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        line = one_error_line(run("data", "export", "--out", str(tmp_path / "x.csv")), "out")
        assert "Permission denied" in line
    finally:
        tmp_path.chmod(0o755)


def test_atomic_write_keeps_mode_and_writes_through_links(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, lambda f: f.write("new"))
    assert link.is_symlink() and real.read_text() == "new"
    assert real.stat().st_mode & 0o777 == 0o640


# --- YAML: no anchors or aliases ------------------------------------------------------------


def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "aicompute", "data", "list", "--data", str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "line 1: YAML anchors and aliases" in proc.stderr
    out = tmp_path / "x.csv"
    for args in (("data", "validate", str(bomb)), ("data", "import", str(bomb), "--out", str(out))):
        assert "anchors and aliases" in one_error_line(run(*args), "data")
    assert not out.exists()
    assert time.perf_counter() - start < 60


def test_any_anchor_or_alias_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("- name: A\n  date: '2015'\n  tags: &t [x]\n- name: B\n  date: '2016'\n")
    with pytest.raises(InputError, match=r"a.yaml: line 3: YAML anchors"):
        dataset.read(path)
    path.write_text("- name: A\n  date: '2015'\n  tags: [x]\n- name: B\n  date: '2016'\n")
    assert len(dataset.read(path).records) == 2


def test_embedded_dataset_loads_and_yaml_we_write_has_no_aliases(tmp_path: Path) -> None:
    records = dataset.read_embedded().records
    assert len(records) >= 338
    shared = [9.0, 10.0]
    twins = [
        Record.model_validate(
            {
                "name": name,
                "date": "2016",
                "flop": 1e20,
                "estimates": [
                    {"method": "hardware", "inputs": {"peak_flops": shared, "count": 8, "days": 2}}
                ],
            }
        )
        for name in ("One", "Two")
    ]
    path = dataset.write(records + twins, tmp_path / "all.yaml")
    text = path.read_text()
    assert "&id" not in text and "*id" not in text
    assert len(dataset.read(path).records) == len(records) + 2


# --- sizes and nesting ----------------------------------------------------------------------


def test_files_over_the_size_cap_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(GOOD_CSV + "C,2017-01-01,Vision,1e20\n" * 100)
    monkeypatch.setattr("aicompute.dataset.io.MAX_FILE_BYTES", 1000)
    line = one_error_line(run("data", "validate", str(path)), "data")
    assert "larger than" in line and "big.csv" in line


def test_a_csv_cell_over_the_field_limit_is_one_line_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(GOOD_CSV + "C,2017-01-01,Vision,1e20\n" + "D,2017,Vision," + "9" * 200_000)
    line = one_error_line(run("data", "validate", str(path)), "data")
    assert "wide.csv: line 5: a cell is longer than" in line
    epoch = tmp_path / "epoch.csv"
    epoch.write_text(
        "Model,Publication date,Training compute (FLOP)\nA,2020-01-01,1e20\nB,2020," + "x" * 200_000
    )
    assert "line 3: a cell is longer" in one_error_line(
        run("data", "list", "--data", str(epoch)), "data"
    )


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, ""),
        (
            "field.json",
            '[{"name": "A", "date": "2015", "notes": ' + "[" * 200 + "]" * 200 + "}]",
            "item 1: ",
        ),
        (
            "lines.jsonl",
            '{"name": "A", "date": "2015"}\n' + "[" * 100_000 + "]" * 100_000,
            "line 2: ",
        ),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000, "line 1: "),
        ("field.yaml", "- name: A\n  date: '2015'\n  notes: " + "[" * 200 + "]" * 200, "line 3: "),
        ("block.yaml", "".join("  " * i + "-\n" for i in range(60)), "line 33: "),
    ],
)
def test_deep_nesting_is_refused_with_one_line(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    line = one_error_line(run("data", "validate", str(path)), "data")
    assert f"{name}: " in line
    assert "nested deeper" in line or "not valid YAML" in line
    if "nested deeper" in line:
        assert line.endswith(f"{where}nested deeper than {MAX_NESTING} levels")


def test_a_deep_csv_estimates_cell_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "name,date,domain,flop,estimates\nA,2015,Vision,1e20,\n"
        f'B,2016,Vision,1e20,"{"[" * 5000}{"]" * 5000}"\nC,2017,Vision,1e20,\n'
    )
    result = dataset.read(path)
    assert [r.name for r in result.records] == ["A", "C"]
    assert [(e.line, e.name) for e in result.errors] == [(3, "B")]
    assert "nested deeper" in result.errors[0].message


# --- CSV: spreadsheet formulas neutralised, exact round trip --------------------------------


def test_csv_cells_cannot_be_spreadsheet_formulas(tmp_path: Path) -> None:
    record = Record(
        name='=HYPERLINK("http://evil.example","click")',
        organization="+cmd|' /C calc'!A0",
        date="2020-01-01",
        flop=1e20,
        notes="@SUM(1+1)*cmd|' /C calc'!A0",
        tags=["-2+3", "fine"],
    )
    path = dataset.write([record], tmp_path / "x.csv")
    written = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(written, newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    back = dataset.read(path).records[0]
    assert back.model_dump() == record.model_dump()
    assert csv_text([record]) == written
    handle = io.StringIO()
    write_csv(handle, [record])
    assert handle.getvalue() == csv_text([record])


def test_cli_export_then_import_keeps_formula_like_text(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    dataset.write([Record(name="-5 dB model", date="2019", flop=1e19, notes="'=quoted")], mine)
    out, back = tmp_path / "x.csv", tmp_path / "back.yaml"
    assert run("data", "export", "--data", str(mine), "--out", str(out)).exit_code == 0
    assert run("data", "import", str(out), "--out", str(back)).exit_code == 0
    record = dataset.read(back).records[0]
    assert (record.name, record.notes) == ("-5 dB model", "'=quoted")


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
formulaic = st.builds(
    lambda q, c, t: q + c + t,
    st.sampled_from(["", "'", "''"]),
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "x"]),
    text,
)


@settings(max_examples=150, deadline=None)
@given(notes=st.one_of(text, formulaic), name=st.one_of(text, formulaic), org=formulaic)
@example(notes="'=1+1", name="=1+1", org="''-x")
@example(notes="a\r\nb\rc\nd", name=" \u2028x\x85", org="@")
def test_csv_round_trip_is_exact(notes: str, name: str, org: str) -> None:
    try:
        record = Record(name=name, organization=org, date="2021-03", flop=2e21, notes=notes)
    except ValidationError:
        assume(False)  # text a record refuses anyway (blank name, NUL)
    with tempfile.TemporaryDirectory() as folder:
        path = dataset.write([record], Path(folder) / "r.csv")
        result = dataset.read(path)
    assert not result.errors
    assert [r.model_dump() for r in result.records] == [record.model_dump()]


# --- --bootstrap is capped before any work --------------------------------------------------


@pytest.mark.parametrize("command", ["report", "forecast"])
def test_bootstrap_above_the_cap_is_refused_at_once(command: str, tmp_path: Path) -> None:
    start = time.perf_counter()
    r = run(
        command,
        "--bootstrap",
        "99999999999",
        *(("--out", str(tmp_path / "r")) if command == "report" else ()),
    )
    line = one_error_line(r, "bootstrap")
    assert f"{MAX_BOOTSTRAP:,}" in line
    assert time.perf_counter() - start < 5
    assert not (tmp_path / "r").exists()


# --- a stored calculation that cannot compute --------------------------------------------


def test_a_stored_layer_bomb_is_shown_not_run(tmp_path: Path) -> None:
    """A record whose stored architecture would once run unbounded work: `data show` shows the
    record with the reason, `data check` lists it, and neither stalls."""
    path = tmp_path / "bomb.yaml"
    path.write_text(
        "- name: Bomb\n  date: '2020'\n  flop: 1e20\n  estimates:\n  - method: operations\n"
        "    inputs: {architecture: 'input 3; dense 4 repeat=1000000000', tokens: '1'}\n",
        encoding="utf-8",
    )
    shown = run("data", "show", "bomb", "--data", str(path), "--json")
    assert shown.exit_code == 0, shown.output
    (redone,) = json.loads(shown.stdout)["recomputed"]
    assert redone["method"] == "operations" and "repeat=1000000000" in redone["error"]
    assert "over the limit" in redone["error"]
    checked = run("data", "check", "--data", str(path), "--json")
    failing = [p for p in json.loads(checked.stdout)["problems"] if p["kind"] == "estimate-fails"]
    assert len(failing) == 1 and "repeat=1000000000" in failing[0]["message"]
