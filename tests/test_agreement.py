"""One computation per number: the report, the command line and the web app give the same
figures, to the digit, for the headline trends, the forecast window and the backtest.

Each headline card of the report names the command that gives its numbers; the test runs that
very command and compares the JSON field by field.
"""

from __future__ import annotations

import json
import shlex
import warnings
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aicompute import dataset
from aicompute.cli import app
from aicompute.dataset import read_embedded
from aicompute.report import build_report

runner = CliRunner()
BOOTSTRAP = 100


def cli_json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    out: Path = tmp_path_factory.mktemp("agree") / "report"
    build_report(
        dataset.load(), out, records=read_embedded().records, bootstrap=BOOTSTRAP, static=False
    )
    return out


@pytest.fixture(scope="module")
def summary(built: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((built / "summary.json").read_text("utf-8"))
    return data


def test_each_card_equals_its_command(summary) -> None:  # type: ignore[no-untyped-def]
    cards = {c["key"]: c for c in summary["today"]["cards"]}
    assert list(cards) == ["recent", "frontier", "seed"]
    for key in ("recent", "frontier"):
        words = shlex.split(cards[key]["command"])
        assert words[0] == "aicompute" and "--bootstrap" in words
        fit = cli_json(*words[1:])
        assert len(fit.pop("records")) == fit["n"]
        fit.pop("credits")
        assert fit == cards[key]["fit"], key
    # the current era starts at the break the eras command finds
    eras = cli_json("eras")
    assert cards["recent"]["command"].split("--since ")[1].startswith(eras["break"])
    assert cards["recent"]["fit"]["warnings"] == []


def test_the_seed_card_is_the_reproduced_claim(summary) -> None:  # type: ignore[no-untyped-def]
    seed = next(c for c in summary["today"]["cards"] if c["key"] == "seed")
    claims = cli_json("reproduce")
    doubling = next(c for c in claims if "doubling" in c["claim"].lower())
    assert doubling["computed"] == pytest.approx(seed["fit"]["doubling_months"], abs=0.005)
    assert abs(float(doubling["published"]) - 3.4) < 0.05  # the seed: "3.4-month doubling"


def test_the_forecast_window_agrees(summary) -> None:  # type: ignore[no-untyped-def]
    report = summary["outlook"]["forecast"]
    cli = cli_json("forecast", "--target", "1e27")
    for key in ("target_date", "target_date_interval", "projection", "fit", "level"):
        assert cli[key] == report[key], key
    low, high = report["target_date_interval"]
    assert low < report["target_date"] < high


def test_the_backtest_agrees(summary) -> None:  # type: ignore[no-untyped-def]
    report = summary["outlook"]["backtest"]
    cli = cli_json("forecast", "--backtest", "2020-06")
    assert cli == report
    errors = [c["error_oom"] for c in report["checks"]]
    assert report["over_predicted"] == sum(e < 0 for e in errors)
    assert report["under_predicted"] == sum(e > 0 for e in errors)
    assert sorted(errors)[len(errors) // 2] == pytest.approx(report["bias_oom"], abs=0.2)


def test_the_web_app_fits_as_the_command_line(summary, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from aicompute.web import create_app

    client = TestClient(create_app(f"sqlite:///{tmp_path / 'web.db'}"), base_url="http://127.0.0.1")
    recent = next(c for c in summary["today"]["cards"] if c["key"] == "recent")
    since = recent["command"].split("--since ")[1].split()[0]
    answer = client.get(f"/api/fit?since={since}&bootstrap={BOOTSTRAP}")
    assert answer.status_code == 200, answer.text
    assert answer.json() == recent["fit"]
    # one line through every record spans the break: the web app warns as the CLI does
    everything = client.get(f"/api/fit?bootstrap={BOOTSTRAP}").json()
    cli = cli_json("fit", "--bootstrap", str(BOOTSTRAP))
    assert everything["doubling_months"] == cli["doubling_months"]
    assert everything["doubling_months_ci"] == cli["doubling_months_ci"]
    assert len(everything["warnings"]) == len(cli["warnings"]) == 1
    assert f"since {since}" in everything["warnings"][0]
    assert f"`since` {since}" in cli["warnings"][0]


def test_the_models_above_the_thresholds_agree(summary, built: Path) -> None:  # type: ignore[no-untyped-def]
    """The report's count of models above 1e25 and 1e26 FLOP per year is what
    `aicompute threshold --dataset --json` prints, to the digit, and its tables show it."""
    import re

    from aicompute.units import format_number

    report = summary["above_thresholds"]
    cli = cli_json("threshold", "--dataset")
    assert cli["by_year"] == report["by_year"]
    assert cli["thresholds"] == report["thresholds"]
    assert [t["key"] for t in report["thresholds"]] == ["eu-systemic", "ca-sb53"]
    assert (cli["samples"], cli["seed"]) == (report["samples"], report["seed"])
    page = (built / "index.html").read_text("utf-8")
    assert '<a href="#thresholds">' in page and 'id="chart-above"' in page
    for key, rows in report["by_year"].items():
        table = page.split(f'id="above-table-{key}"')[1].split("</table>")[0]
        shown = re.findall(r'<tr data-year="(\d+)">(.*?)</tr>', table, flags=re.S)
        assert shown, key
        for year, cells in shown:
            row = next(r for r in rows if r["year"] == int(year))
            text = re.findall(r"<td[^>]*>(.*?)</td>", cells, flags=re.S)
            assert text[:5] == [
                year, format_number(row["expected"], "number", 2), f"{row['low']}–{row['high']}",
                str(row["likely"]), str(row["certain"]),
            ]  # fmt: skip
