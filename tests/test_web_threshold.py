"""The web app's threshold filter and probabilities (issue 18), on SQLite and on a real
PostgreSQL server alike: ``above``/``p_min`` on every endpoint that takes the record filters,
``p_above_1e25``/``p_above_1e26`` in every record's JSON, as the command line computes them."""

from __future__ import annotations

import csv
import io
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from aicompute.dataset import read_embedded
from aicompute.threshold.dataset import exceedance
from aicompute.web import create_app


@pytest.fixture(scope="module")
def client(db_url):  # type: ignore[no-untyped-def]
    return TestClient(create_app(db_url), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def cli_rows() -> dict[str, dict]:  # type: ignore[type-arg]
    """Each record's probabilities as `aicompute threshold --dataset --json` prints them."""
    return {r["id"]: r for r in exceedance(read_embedded().records)}


def above(cli_rows: dict, field: str, p_min: float = 0.5) -> set[str]:  # type: ignore[type-arg]
    return {i for i, r in cli_rows.items() if r[field] >= p_min - 1e-9}


def ids(answer) -> list[str]:  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.text
    return [r["id"] for r in answer.json()]


def test_every_record_carries_its_probabilities(client, cli_rows) -> None:  # type: ignore[no-untyped-def]
    listed = client.get("/api/records", params={"limit": 1000}).json()
    exported = client.get("/api/export", params={"format": "json"}).json()
    assert len(listed) == len(exported) >= 300
    for rows in (listed, exported):
        for r in rows:
            if r["flop"] is None:
                assert r["p_above_1e25"] is None and r["p_above_1e26"] is None
                continue
            want = cli_rows[r["id"]]
            assert r["p_above_1e25"] == want["p_above_1e25"], r["id"]
            assert r["p_above_1e26"] == want["p_above_1e26"], r["id"]
    gpt4 = client.get("/api/records/gpt-4").json()
    assert gpt4["p_above_1e25"] == cli_rows["gpt-4"]["p_above_1e25"]
    assert 0.8 < gpt4["p_above_1e25"] < 0.9 and "history" in gpt4
    page = client.get("/records/gpt-4").text
    assert "Above 10²⁵ FLOP" in page and "83.9% chance" in page
    assert "Above 10²⁶ FLOP" in page and "0.674% chance" in page


def test_above_filters_lists_and_exports(client, cli_rows) -> None:  # type: ignore[no-untyped-def]
    want = above(cli_rows, "p_above_1e25")
    r = client.get("/api/records", params={"above": "1e25", "limit": 1000})
    got = ids(r)
    assert set(got) == want and len(got) == len(want) == int(r.headers["X-Total-Count"])
    assert all(row["p_above_1e25"] >= 0.5 for row in r.json())
    assert ids(client.get("/api/records", params={"above": "eu-systemic", "limit": 1000})) == got
    assert ids(client.get("/api/records", params={"above": "10^25", "limit": 1000})) == got
    # a page at a time, with the link to the next
    first = client.get("/api/records", params={"above": "1e25", "limit": 5})
    assert ids(first) == got[:5] and 'rel="next"' in first.headers["Link"]
    second = client.get("/api/records", params={"above": "1e25", "limit": 5, "offset": 5})
    assert ids(second) == got[5:10]
    # a stricter probability keeps fewer; another line, others
    certain = ids(client.get("/api/records", params={"above": "1e25", "p_min": "0.95"}))
    assert set(certain) == above(cli_rows, "p_above_1e25", 0.95) and set(certain) < want
    assert set(ids(client.get("/api/records", params={"above": "1e26"}))) == above(
        cli_rows, "p_above_1e26"
    )
    # with the other filters, and the exports
    language = ids(client.get("/api/records", params={"above": "1e25", "domain": "Language"}))
    assert language and set(language) <= want
    exported = client.get("/api/export", params={"format": "json", "above": "1e25"}).json()
    assert [row["id"] for row in exported] == got
    table = client.get("/api/export", params={"format": "csv", "above": "1e25"}).text
    assert [row["id"] for row in csv.DictReader(io.StringIO(table))] == got
    record_setters = ids(client.get("/api/records", params={"above": "1e25", "frontier": "record"}))
    assert record_setters and set(record_setters) <= want


def test_above_filters_charts_and_fits(client, cli_rows) -> None:  # type: ignore[no-untyped-def]
    n = len(above(cli_rows, "p_above_1e25"))
    chart = client.get("/api/chart/eras", params={"above": "1e25"})
    assert chart.status_code == 200, chart.text
    assert chart.json()["usermeta"]["summary"]["records"] == n
    assert chart.json()["usermeta"]["summary"]["lines"][-1] == (
        "Only records whose compute is above 1e25 FLOP with probability 50% or more (from "
        "each record's 90% interval)."
    )
    fit = client.get("/api/fit", params={"above": "1e25", "bootstrap": 0})
    assert fit.status_code == 200 and fit.json()["n"] <= n  # the fit counts trend records
    for name in ("modern", "domains", "forecast", "cost"):  # few records: every chart draws
        assert client.get(f"/api/chart/{name}", params={"above": "1e26"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"above": "a lot"}, "above"),
        ({"above": "0"}, "above"),
        ({"above": "1e25..1e26"}, "above"),
        ({"above": "x" * 61}, "above"),
        ({"above": "1e25", "p_min": "0"}, "p_min"),
        ({"above": "1e25", "p_min": "1.5"}, "p_min"),
        ({"above": "1e25", "p_min": "nan"}, "p_min"),
        ({"above": "1e25", "p_min": "half"}, "p_min"),
        ({"p_min": "0.9"}, "p_min"),  # without a threshold it would mean nothing
    ],
)
def test_bad_thresholds_are_422_naming_the_field(client, params: dict, field: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    for path in ("/api/records", "/api/export", "/api/fit", "/api/chart/eras"):
        r = client.get(path, params=params)
        assert r.status_code == 422, (path, r.text)
        assert any(field in d["loc"] for d in r.json()["detail"]), (path, r.json())


def test_probabilities_follow_every_write(client) -> None:  # type: ignore[no-untyped-def]
    """A record written through the web has its probabilities at once, they follow an edit,
    a record read back and sent again is accepted (the probabilities are derived fields), and
    an unreviewed record stays out of the filter unless asked for."""
    body = {
        "name": "Threshold test model", "date": "2025-06-01", "domain": "Language",
        "flop": "3e26 FLOP", "confidence": "confident", "sources": ["https://example.org"],
    }  # fmt: skip
    made = client.post("/api/records", json=body)
    assert made.status_code == 201, made.text
    record = made.json()
    assert record["p_above_1e26"] > 0.9 and record["p_above_1e25"] > 0.99
    filtered = {"above": "1e26", "limit": 1000}
    assert record["id"] not in ids(client.get("/api/records", params=filtered))
    shown = ids(client.get("/api/records", params={**filtered, "unreviewed": "true"}))
    assert record["id"] in shown
    read = client.get(f"/api/records/{record['id']}").json()
    read.pop("history")
    edited = client.put(
        f"/api/records/{record['id']}",
        json={**read, "flop": 1e24, "low_flop": None, "high_flop": None},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["p_above_1e26"] < 1e-3
    again = client.get(f"/api/records/{record['id']}").json()
    assert again["p_above_1e26"] == edited.json()["p_above_1e26"]
    assert record["id"] not in ids(
        client.get("/api/records", params={**filtered, "unreviewed": "true"})
    )
    version = again["version"]
    assert (
        client.delete(f"/api/records/{record['id']}", params={"version": version}).status_code
        == 204
    )
