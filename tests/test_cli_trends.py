"""`aicompute fit`, `eras` and `data ...` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicompute.cli import app
from tests.conftest import EPOCH, needs_shared

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "160"})


def test_fit_json_keys_and_values() -> None:
    r = run("fit", "--since", "2012", "--until", "2017", "--bootstrap", "300", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    for key in (
        "n",
        "slope_oom_per_year",
        "growth_per_year",
        "doubling_months",
        "doubling_months_ci",
        "growth_per_year_ci",
        "r2",
        "since",
        "until",
    ):
        assert key in data
    lo, hi = data["doubling_months_ci"]
    assert lo < data["doubling_months"] < hi
    assert data["since"] >= "2012" and data["until"] <= "2017-12-31"
    again = json.loads(
        run("fit", "--since", "2012", "--until", "2017", "--bootstrap", "300", "--json").stdout
    )
    assert again["doubling_months_ci"] == data["doubling_months_ci"]


def test_fit_human_output_and_frontier() -> None:
    r = run("fit", "--frontier", "record")
    assert r.exit_code == 0
    assert "doubling time" in r.stdout and "months" in r.stdout


@needs_shared
def test_fit_on_epoch_csv_credits_epoch() -> None:
    r = run("fit", "--data", str(EPOCH), "--since", "2010", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["n"] > 400 and 4 < data["doubling_months"] < 8
    assert any("Epoch AI" in c for c in data["credits"])


def test_eras_json() -> None:
    r = run("eras", "--json", "--bootstrap", "50")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["model"] in {"kink", "jump"} and data["break"].startswith("201")
    assert len(data["segments"]) == 2
    given = json.loads(run("eras", "--break", "2012", "--json").stdout)
    assert given["model"] == "given" and len(given["segments"]) == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("fit", "--since", "2019", "--data", "SEED"), "at least 3 records"),
        (("fit", "--domain", "Cooking"), "unknown domain 'Cooking'"),
        (("fit", "--since", "2012-13"), "month 13 does not exist"),
        (("fit", "--frontier", "biggest"), "unknown rule"),
        (("fit", "--data", "nope.csv"), "no such file"),
        (("fit", "--bootstrap", "-1"), "bootstrap: must be 0 (analytic interval only) or 10"),
        (("eras", "--since", "2015", "--data", "SEED"), "needs at least 10 records"),
        (("data", "show", "AlexNot"), "did you mean 'AlexNet'"),
    ],
)
def test_errors_are_one_line_exit_2(args: tuple[str, ...], needle: str, seed_file) -> None:  # type: ignore[no-untyped-def]
    r = run(*[str(seed_file) if a == "SEED" else a for a in args])
    assert r.exit_code == 2
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_data_list_show(seed_file) -> None:  # type: ignore[no-untyped-def]
    r = run("data", "list", "--domain", "Games", "--json", "--data", str(seed_file))
    assert r.exit_code == 0
    names = [row["name"] for row in json.loads(r.stdout)]
    assert names == ["TD-Gammon v2.1", "DQN", "TI7 Dota 1v1", "AlphaGoZero", "AlphaZero"]
    r = run("data", "show", "AlexNet", "--json")
    shown = json.loads(r.stdout)
    assert [e["method"] for e in shown["recomputed"]] == ["operations", "hardware"]
    r = run("data", "show", "alexnet")
    assert "750M MAC × 2 FLOP/MAC × 3" in r.stdout


def test_validate_reports_lines_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,date,domain,flop\nA,2015-01-01,Vision,1e20\nB,2015-02-30,Vision,1e20\n")
    r = run("data", "validate", str(bad))
    assert r.exit_code == 1
    assert "line 3 (B)" in r.stdout and "not a calendar date" in r.stdout
    good = tmp_path / "good.csv"
    good.write_text("name,date,domain,flop\nA,2015-01-01,Vision,1e20\n")
    assert run("data", "validate", str(good)).exit_code == 0


def test_export_import_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "modern.parquet"
    r = run("data", "export", "--since", "2012", "--out", str(out))
    assert r.exit_code == 0 and out.is_file()
    back = tmp_path / "back.csv"
    r = run("data", "import", str(out), "--out", str(back))
    assert r.exit_code == 0
    r = run("fit", "--data", str(back), "--bootstrap", "0", "--json")
    direct = run("fit", "--since", "2012", "--bootstrap", "0", "--json")
    assert json.loads(r.stdout)["slope_oom_per_year"] == pytest.approx(
        json.loads(direct.stdout)["slope_oom_per_year"]
    )


@needs_shared
def test_import_epoch(tmp_path: Path) -> None:
    out = tmp_path / "epoch.yaml"
    r = run("data", "import", str(EPOCH), "--out", str(out), "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["kind"] == "epoch" and data["written"] == 942 and data["bad_rows"] == 0


def test_growth_command() -> None:
    r = run("growth", "AlexNet", "AlphaGoZero", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["factor"] > 300_000
    assert data["moore_factor_24_months"] == pytest.approx(2 ** (data["years"] / 2))
    r = run("growth", "AlexNet", "AlphaGoZero")
    assert "321,274x" in r.stdout and "Moore's law" in r.stdout
    assert run("growth", "AlexNet", "HAL 9000").exit_code == 2


def test_lazy_python_api(seed_file) -> None:  # type: ignore[no-untyped-def]
    import aicompute

    frame = aicompute.dataset.load([seed_file])
    assert aicompute.trends.fit_frame(frame, bootstrap=0).n == 26


def test_markup_in_record_names_never_breaks_the_terminal(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text(
        "- name: '[/] [bold]x[/bold] <script>'\n  date: '2015-01-01'\n"
        "  domain: Vision\n  flop: 1e20\n  notes: '[/red]'\n"
        "- name: b\n  date: '2016-01-01'\n  domain: Vision\n  flop: 1e21\n"
    )
    r = run("data", "list", "--data", str(evil))
    assert r.exit_code == 0 and "[/] [bold]x[/bold] <script>" in r.stdout
    r = run("data", "show", "[/] [bold]x[/bold] <script>", "--data", str(evil))
    assert r.exit_code == 0 and "[/red]" in r.stdout
    r = run("growth", "[/] [bold]x[/bold] <script>", "b", "--data", str(evil))
    assert r.exit_code == 0 and "[/] [bold]x[/bold] <script> → b" in r.stdout
