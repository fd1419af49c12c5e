"""The curated dataset: coverage, the authors' own figures, and the traps of estimation."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import aicompute
from aicompute import dataset
from aicompute.dataset import DOMAINS


@pytest.fixture(scope="module")
def records() -> dict[str, dataset.Record]:
    result = dataset.read_embedded()
    assert not result.errors
    return {r.name: r for r in result.records}


def test_coverage(records: dict) -> None:
    assert len(records) >= 250
    years = sorted(int(r.date[:4]) for r in records.values())
    assert years[0] <= 1950 and years[-1] >= 2025
    for year in range(2012, 2026):
        assert any(int(r.date[:4]) == year for r in records.values()), year
    assert {r.domain for r in records.values()} == set(DOMAINS)
    for r in records.values():
        assert r.sources and r.value_source and r.flop is not None, r.name
    after_2012 = [r for r in records.values() if r.year >= 2012 and "seed" not in r.tags]
    with_facts = [r for r in after_2012 if r.estimates or r.value_source.startswith("authors")]
    assert len(with_facts) >= 0.95 * len(after_2012)


@pytest.mark.parametrize(
    ("name", "flop"),
    [
        ("GPT-3 175B", 3.14e23),
        ("PaLM 540B", 2.53e24),
        ("Llama 3.1 405B", 3.8e25),
        ("Gopher 280B", 6.31e23),
        ("OPT-175B", 4.3e23),
        ("T5-11B", 4.05e22),
    ],
)
def test_authors_own_figures(records: dict, name: str, flop: float) -> None:
    r = records[name]
    assert r.flop == pytest.approx(flop, rel=0.005)
    assert r.value_source.startswith("authors")
    # aicompute's own estimate from the stored facts lies within the stated range
    for e in r.estimates:
        est = aicompute.estimate(**e.inputs).by_method(e.method)
        assert r.low_flop <= est.flop <= r.high_flop


def test_six_n_d_reproduces_gpt3_and_llama(records: dict) -> None:
    for name, flop in (("GPT-3 175B", 3.14e23), ("Llama 3.1 405B", 3.8e25)):
        ops = next(e for e in records[name].estimates if e.method == "operations")
        assert aicompute.estimate(**ops.inputs).flop == pytest.approx(flop, rel=0.02)


def test_traps(records: dict) -> None:
    def inputs(name: str, method: str) -> dict:
        return next(e.inputs for e in records[name].estimates if e.method == method)

    # encoder-decoder: half the parameters per token
    t5 = inputs("T5-11B", "operations")
    assert t5["encoder_decoder"] is True
    assert aicompute.estimate(**t5).flop == pytest.approx(6 * 5.5e9 * t5["tokens"])
    # mixture of experts: active parameters
    assert inputs("Mixtral 8x7B", "operations")["active_params"] == pytest.approx(12.9e9)
    assert inputs("DeepSeek-V3", "operations")["active_params"] == pytest.approx(37e9)
    # repeated data: epochs
    galactica = inputs("Galactica 120B", "operations")
    assert galactica["epochs"] == pytest.approx(4.25)
    # FP8 training on the hardware side
    assert inputs("DeepSeek-V3", "hardware")["precision"] == "fp8"
    # self-play: hardware time, never 6ND
    for name in ("AlphaGo Lee", "AlphaGoZero", "AlphaZero"):
        assert all(e.method != "operations" for e in records[name].estimates), name
    # the K80 is always explicit
    for r in records.values():
        for e in r.estimates:
            if "k80" in str(e.inputs.get("hardware", "")).lower():
                assert "board" in e.inputs["hardware"] or "die" in e.inputs["hardware"], r.name


def test_speculative_closed_models_have_wide_ranges(records: dict) -> None:
    closed = [r for r in records.values() if "speculative-closed" in r.tags]
    assert len(closed) >= 10
    for r in closed:
        assert r.confidence == "speculative", r.name
        assert r.high_flop / r.low_flop >= 4, r.name
        assert r.notes, r.name


def test_every_embedded_record_follows_the_conventions() -> None:
    """Each record says where its date comes from; derived records name a base that is a
    record, include it (or say they do not), and are left out of the trend fits."""
    from aicompute.dataset import read_embedded

    records = read_embedded().records
    by_id = {r.id: r for r in records}
    assert not [r.name for r in records if not r.date_source]
    derived = [r for r in records if r.base_model]
    assert len(derived) >= 25
    for r in derived:
        base = by_id[r.base_model]
        assert not r.in_trend, r.name
        if r.compute_scope == "including-base" and r.flop and base.flop:
            assert r.flop >= base.flop * 0.99, (r.name, base.name)
    self_play = {r.name for r in records if r.compute_scope == "including-self-play"}
    assert {"AlphaGo Zero", "AlphaZero"} <= {
        n.replace("AlphaGoZero", "AlphaGo Zero") for n in self_play
    }


def test_the_dataset_reaches_2026() -> None:
    from aicompute.cli import app

    r = CliRunner().invoke(app, ["data", "list", "--since", "2025-09", "--json"])
    rows = json.loads(r.stdout)
    assert r.exit_code == 0 and len(rows) >= 15
    assert max(row["date"] for row in rows) >= "2026-06"
    assert all(row["date"] >= "2025-09" for row in rows)
