"""`aicompute reproduce`: every claim of the seed, with the numbers asserted."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aicompute.cli import app
from aicompute.reproduce import reproduce


@pytest.fixture(scope="module")
def claims() -> dict[str, object]:
    return {c.claim: c for c in reproduce()}


def find(claims: dict, start: str):  # type: ignore[no-untyped-def]
    return next(c for text, c in claims.items() if text.startswith(start))


def test_every_claim_reproduces(claims: dict) -> None:
    assert len(claims) >= 11
    assert all(c.ok for c in claims.values()), [c.claim for c in claims.values() if not c.ok]


def test_numbers(claims: dict) -> None:
    assert find(claims, "Doubling time of the largest").computed == pytest.approx(3.436, abs=0.002)
    assert find(claims, "Growth from AlexNet").computed == pytest.approx(
        1891.2 / 0.005887, rel=1e-3
    )
    assert find(claims, "Growth per year").computed == pytest.approx(11.26, abs=0.02)
    assert find(claims, "A 2-year doubling").computed == pytest.approx(6.46, abs=0.02)
    assert find(claims, "A 18-month doubling").computed == pytest.approx(12.03, abs=0.05)
    assert find(claims, "First-era doubling").computed == pytest.approx(20.95, abs=0.05)
    assert 2010.5 <= find(claims, "Two distinct eras").computed <= 2012.5
    assert find(claims, "Doubling time after the break").computed == pytest.approx(3.3, abs=0.2)
    assert find(claims, "2012 to 2014").computed == "3 of 4 records"
    assert find(claims, "2014 to 2016").computed == "4 of 5 records"
    # AlexNet from the record's own inputs: 0.75G × 6 × 1.2M × 90 and 2 × 1.581T × √30 d × 0.33
    assert find(claims, "AlexNet").computed == pytest.approx([0.005625, 0.00572], abs=6e-6)


def test_cli_json_shape() -> None:
    result = CliRunner().invoke(app, ["reproduce", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert all({"claim", "published", "computed", "ok"} <= set(r) for r in rows)
    assert all(r["ok"] is True for r in rows)
