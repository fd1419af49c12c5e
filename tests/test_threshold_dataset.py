"""The dataset against the thresholds (issue 18): each record's probability of being above
10^25 and 10^26 FLOP, checked against scipy's normal distribution, and each year's count of
models above, its Monte Carlo interval checked against the exact Poisson-binomial
distribution; the command line's dataset view."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import norm

from aicompute.dataset import Record, read_embedded
from aicompute.errors import InputError
from aicompute.threshold.dataset import (
    INDEPENDENCE,
    above_by_year,
    count_interval,
    dataset_view,
    exceedance,
    p_above,
    p_field,
    probability_text,
    shown_years,
)

Z90 = norm.ppf(0.95)


def record(name: str, flop: float, **fields: object) -> Record:
    return Record(name=name, date=str(fields.pop("date", "2024-06")), flop=flop, **fields)


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return read_embedded().records


@pytest.fixture(scope="module")
def view(records: list[Record]) -> dict:  # type: ignore[type-arg]
    return dataset_view(records)


def test_field_names_follow_the_threshold() -> None:
    assert [p_field(f) for f in (1e23, 1e25, 1e26, 3e24, 2.5e24)] == [
        "p_above_1e23", "p_above_1e25", "p_above_1e26", "p_above_3e24", "p_above_2.5e24",
    ]  # fmt: skip
    rows = exceedance([record("A", 1e24)], (1e23, 1e26))
    assert {"p_above_1e23", "p_above_1e26"} <= set(rows[0]) and "p_above_1e25" not in rows[0]


def test_the_closed_form_against_scipy() -> None:
    """A hand case: median 2e25, 90% interval 5e24 to 1e26. Below the median the log-sd is
    ln(4)/z, above it ln(5)/z (z = the 95% point of the standard normal)."""
    r = record("Hand", 2e25, low_flop=5e24, high_flop=1e26)
    below, above = math.log(4) / Z90, math.log(5) / Z90
    assert p_above(r, 1e25) == pytest.approx(norm.sf(math.log(1e25 / 2e25) / below), abs=1e-12)
    assert p_above(r, 5e25) == pytest.approx(norm.sf(math.log(5e25 / 2e25) / above), abs=1e-12)
    # the interval's ends are its 5% and 95% points
    assert p_above(r, 5e24) == pytest.approx(0.95, abs=1e-12)
    assert p_above(r, 1e26) == pytest.approx(0.05, abs=1e-12)
    # a record without its own interval takes its confidence's (likely: x/÷10)
    likely = record("Likely", 2e25, confidence="likely")
    assert p_above(likely, 1e26) == pytest.approx(norm.sf(math.log(5) / (math.log(10) / Z90)))


def test_a_record_at_the_line_is_even_and_an_upper_bound_below_it_is_never_above() -> None:
    assert p_above(record("At", 1e25, low_flop=3e24, high_flop=1e26), 1e25) == 0.5
    assert p_above(record("At", 1e25, confidence="speculative"), 1e25) == 0.5
    bound = record("Bound", 5e24, upper_bound=True)
    assert bound.high_flop == 5e24
    assert p_above(bound, 1e25) == 0.0 and p_above(bound, 5e24) == 0.0
    assert 0 < p_above(bound, 1e24) < 1  # below its figure, its lower side still counts
    assert p_above(Record(name="No compute", date="2024"), 1e25) is None


def exact_counts(p: np.ndarray) -> np.ndarray:
    """The Poisson-binomial distribution of the number of successes, by convolution."""
    pmf = np.array([1.0])
    for q in p:
        pmf = np.convolve(pmf, [1 - q, q])
    return pmf


def quantile(pmf: np.ndarray, level: float) -> int:
    """The smallest count whose cumulative probability reaches ``level``."""
    return int(np.searchsorted(np.cumsum(pmf), level - 1e-12))


def test_the_count_interval_matches_the_exact_distribution() -> None:
    """Forty records of one year at assorted distances from the line: the simulated 90%
    interval of the count is the exact one's, within one, and holds the expected count."""
    rng = np.random.default_rng(7)
    flops = 10 ** rng.uniform(24.0, 26.0, 40)
    made = [
        record(f"M{i}", float(f), low_flop=float(f) / 4, high_flop=float(f) * 3)
        for i, f in enumerate(flops)
    ]
    p = np.array([p_above(r, 1e25) for r in made])
    [row] = above_by_year(made, 1e25)
    pmf = exact_counts(p)
    assert row["year"] == 2024 and row["n"] == 40
    assert row["expected"] == pytest.approx(float(np.dot(np.arange(len(pmf)), pmf)))
    assert row["low"] <= row["expected"] <= row["high"]
    assert abs(row["low"] - quantile(pmf, 0.05)) <= 1
    assert abs(row["high"] - quantile(pmf, 0.95)) <= 1
    assert row["likely"] == int(np.sum(p >= 0.5)) and row["certain"] == int(np.sum(p >= 0.95))
    likely = sorted(r.name for r, q in zip(made, p, strict=True) if q >= 0.5)
    assert row["records"] == likely  # by date, then name: one date here
    # the same seed gives the same interval; certain trials need no draw
    assert above_by_year(made, 1e25) == [row]
    assert count_interval([1.0, 1.0, 0.0], rng=np.random.default_rng(0)) == (2, 2)


def test_a_record_whose_interval_starts_at_the_line_is_certain() -> None:
    """P = 0.95 in floating point is 0.9499999999999998: it still counts as certain."""
    r = record("Low end at the line", 4e25, low_flop=1e25, high_flop=1e26)
    assert p_above(r, 1e25) == pytest.approx(0.95)
    assert above_by_year([r], 1e25)[0]["certain"] == 1


def test_every_record_with_compute_counts(records: list[Record], view: dict) -> None:  # type: ignore[type-arg]
    with_compute = [r for r in records if r.flop is not None]
    assert len(view["records"]) == len(with_compute)
    ids = {row["id"] for row in view["records"]}
    assert {r.id for r in with_compute if r.exclude_from_trend} <= ids
    assert {r.id for r in with_compute if r.base_model} <= ids
    dates = [(row["date"], row["name"]) for row in view["records"]]
    assert dates == sorted(dates)
    by_year = view["by_year"]["eu-systemic"]
    assert sum(row["n"] for row in by_year) == len(with_compute)
    assert "independent" in (above_by_year.__doc__ or "") and "independent" in INDEPENDENCE


def test_gpt_4_on_the_real_dataset(records: list[Record], view: dict) -> None:  # type: ignore[type-arg]
    """GPT-4's record (2.17e25, 90% interval 6e24-6e25): P(> 1e25) from scipy is 0.839, so
    it is likely, not certain, above the EU's line, and almost surely below California's."""
    gpt4 = next(r for r in records if r.id == "gpt-4")
    sigma = math.log(gpt4.flop / gpt4.low_flop) / Z90  # type: ignore[operator]
    expected = norm.sf(math.log(1e25 / gpt4.flop) / sigma)  # type: ignore[operator]
    row = next(r for r in view["records"] if r["id"] == "gpt-4")
    assert row["p_above_1e25"] == pytest.approx(expected, abs=1e-12)
    assert 0.8 < row["p_above_1e25"] < 0.9 and row["p_above_1e26"] < 0.01
    year = next(r for r in view["by_year"]["eu-systemic"] if r["year"] == 2023)
    assert year["likely"] >= 1 and "GPT-4" in year["records"]
    assert year["low"] <= year["expected"] <= year["high"]


def test_counts_grow_with_the_years(view: dict) -> None:  # type: ignore[type-arg]
    """No model before 2020 is likely above 1e25; the count rises from 2023 to 2025; fewer
    models are above 1e26 than 1e25 each year."""
    eu = {r["year"]: r for r in view["by_year"]["eu-systemic"]}
    ca = {r["year"]: r for r in view["by_year"]["ca-sb53"]}
    assert all(r["likely"] == 0 for y, r in eu.items() if y < 2020)
    assert eu[2023]["expected"] < eu[2024]["expected"] < eu[2025]["expected"]
    assert all(ca[y]["expected"] <= eu[y]["expected"] for y in eu)
    assert shown_years(view["by_year"]["eu-systemic"])[0] >= 2020


def test_the_view_names_its_thresholds_and_refuses_bad_ones(records: list[Record]) -> None:
    view = dataset_view(records[:50], ["1e23", "eu-systemic", "eu-systemic"], samples=1_000)
    assert [t["key"] for t in view["thresholds"]] == ["user-1e23", "eu-systemic"]
    assert [t["field"] for t in view["thresholds"]] == ["p_above_1e23", "p_above_1e25"]
    assert set(view["by_year"]) == {"user-1e23", "eu-systemic"}
    with pytest.raises(InputError, match="threshold"):
        dataset_view(records, ["a lot"])
    with pytest.raises(InputError, match="samples"):
        above_by_year(records, 1e25, samples=10)
    with pytest.raises(InputError, match="threshold"):
        above_by_year(records, 0.0)


def test_probabilities_are_written_for_people() -> None:
    assert [probability_text(p) for p in (0.0, 1e-5, 0.05, 0.8392, 0.9995, 1.0, None)] == [
        "0%", "< 0.1%", "5%", "83.9%", "> 99.9%", "100%", "–",
    ]  # fmt: skip


# --- the command line's view ---------------------------------------------------------------


def test_the_cli_view_prints_the_library_view(capsys, view: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    from aicompute.cli.threshold_dataset import print_dataset_view

    print_dataset_view(True, None)
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(view))
    assert set(printed) >= {"records", "by_year", "thresholds"}
    assert set(printed["by_year"]) == {"eu-systemic", "ca-sb53"}


def test_the_cli_view_for_people(capsys) -> None:  # type: ignore[no-untyped-def]
    from aicompute.cli.threshold_dataset import print_dataset_view

    print_dataset_view(False, ["eu-systemic", "1e26"])
    out = capsys.readouterr().out
    assert "Models above 1e25 FLOP" in out and "Models above 1e26 FLOP" in out
    assert "GPT-4" in out and "83.9%" in out
    assert "not legal advice" in " ".join(out.split())
    # the records shown are above a line with at least 5% probability: none from before 2020
    assert "AlexNet" not in out and "1950" not in out


def test_the_cli_view_refuses_a_bad_threshold(capsys) -> None:  # type: ignore[no-untyped-def]
    import typer

    from aicompute.cli.threshold_dataset import print_dataset_view

    with pytest.raises(typer.Exit) as stopped:
        print_dataset_view(True, ["lots"])
    assert stopped.value.exit_code == 2
    assert "threshold: 'lots'" in capsys.readouterr().err


def test_the_command_prints_the_dataset_view(view: dict) -> None:  # type: ignore[type-arg]
    """`aicompute threshold --dataset --json` prints this view."""
    from typer.testing import CliRunner

    from aicompute.cli import app

    result = CliRunner().invoke(app, ["threshold", "--dataset", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["by_year"] == json.loads(json.dumps(view["by_year"]))
