"""The web app's API and pages, on SQLite and on a real PostgreSQL server alike."""

from __future__ import annotations

import threading
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from aicompute.dataset import Record
from aicompute.store import ConflictError, Store
from aicompute.web import create_app


@pytest.fixture(scope="module")
def client(db_url):  # type: ignore[no-untyped-def]
    return TestClient(create_app(db_url), base_url="http://127.0.0.1")


def test_health_and_seed(client) -> None:  # type: ignore[no-untyped-def]
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["records"] >= 300
    assert health["db"] in {"sqlite", "postgresql"}
    spec = client.get("/openapi.json").json()
    assert {
        "/api/records",
        "/api/records/{record_id}",
        "/api/estimate",
        "/api/fit",
        "/api/hardware",
        "/api/health",
    } <= set(spec["paths"])


def test_list_filters_and_export(client) -> None:  # type: ignore[no-untyped-def]
    games = client.get("/api/records", params={"domain": "Games", "until": "2017"}).json()
    assert {r["domain"] for r in games} == {"Games"} and all(r["year"] < 2018 for r in games)
    assert {"flop", "pfs_days", "low_flop", "high_flop", "version", "sources"} <= set(games[0])
    gpt = client.get("/api/records", params={"search": "gpt-3"}).json()
    assert any(r["name"] == "GPT-3 175B" for r in gpt)
    csv_text = client.get(
        "/api/export", params={"format": "csv", "domain": "Games", "until": "2017"}
    ).text
    assert (
        csv_text.splitlines()[0].startswith("id,name")
        and len(csv_text.splitlines()) == len(games) + 1
    )
    top = client.get("/api/records", params={"frontier": "record"}).json()
    flops = [r["flop"] for r in top]
    assert flops == sorted(flops)


def test_estimate_fit_hardware(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/estimate", json={"params": "175B", "tokens": "300B"})
    assert r.status_code == 200 and r.json()["flop"] == pytest.approx(3.15e23)
    r = client.post(
        "/api/estimate",
        json={
            "forward_macs": "0.75G",
            "examples": "1.2M",
            "epochs": 90,
            "hardware": "GTX 580",
            "count": 2,
            "days": "5..6",
        },
    )
    assert r.json()["agreement_ratio"] == pytest.approx(1.017, abs=0.01)
    fit = client.get("/api/fit", params={"since": "2012", "bootstrap": 200}).json()
    assert {"n", "doubling_months", "doubling_months_ci", "growth_per_year"} <= set(fit)
    assert client.get("/api/hardware", params={"search": "H100"}).json()
    assert client.get("/api/hardware/gtx580").json()["peak_flops"]["fp32"] == 1.581e12


@pytest.mark.parametrize(
    "inputs",
    [
        {"params": "70B", "tokens": "1.4T tokens"},
        {
            "forward_macs": "0.75G",
            "examples": "1.2M",
            "epochs": "90",
            "hardware": "GTX 580",
            "count": "2",
            "days": "25..30",
        },
        {"hardware": "Cloud TPU v3", "count": "16", "days": "4", "utilization": "0.3..0.5"},
        {
            "params": "46.7B",
            "active_params": "12.9B",
            "tokens": "1T",
            "adjust": "1..2",
            "adjust_reason": "a test",
        },
    ],
)
def test_one_computation_for_every_face(client, inputs: dict) -> None:  # type: ignore[no-untyped-def]
    """The library, the command line's --json and /api/estimate give the same figures, warnings
    and notes, to the digit."""
    import json

    from typer.testing import CliRunner

    from aicompute.cli import app
    from aicompute.estimation import estimate_from

    library = json.loads(json.dumps(estimate_from(inputs).to_dict()))
    args = ["estimate", "--json"]
    for name, value in inputs.items():
        args += ["--" + name.replace("_", "-"), value]
    cli = json.loads(CliRunner().invoke(app, args).stdout)
    api = client.post("/api/estimate", json=inputs).json()
    assert cli == library == api


def test_the_estimate_inputs_are_published(client) -> None:  # type: ignore[no-untyped-def]
    """/api/estimate/inputs lists the definitions the calculator and the command line use."""
    from aicompute.estimation import FIELDS

    fields = client.get("/api/estimate/inputs").json()
    assert [f["name"] for f in fields] == list(FIELDS)
    tokens = next(f for f in fields if f["name"] == "tokens")
    assert tokens["flag"] == "--tokens" and "tokens" in tokens["nouns"]
    page = client.get("/calculator").text
    for name in FIELDS:
        assert f'name="{name}"' in page


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/estimate", {"params": "-5", "tokens": "1T"}, "params"),
        ("post", "/api/estimate", {"hardware": "GTX 9000", "count": 1, "days": 1}, "hardware"),
        ("post", "/api/estimate", {"flux": 3}, "flux"),
        ("post", "/api/estimate", {"params": "70GB", "tokens": "1T"}, "params"),
        (
            "post",
            "/api/estimate",
            {"params": "7B", "tokens": "1T", "encoder_decoder": 3},
            "encoder_decoder",
        ),
        ("post", "/api/estimate", {"hardware": "Titan X", "count": 1, "days": 1}, "hardware"),
        ("post", "/api/records", {"name": "x", "date": "2023-02-30"}, "date"),
        ("post", "/api/records", {"name": "x", "date": "2023", "domain": "Cooking"}, "domain"),
        ("post", "/api/records", {"name": "x", "date": "2023", "flop": -1}, "flop"),
    ],
)
def test_validation_is_422_with_the_field(
    client,
    method: str,
    path: str,
    body: dict,  # type: ignore[no-untyped-def]
    field: str,
) -> None:
    r = getattr(client, method)(path, json=body)
    assert r.status_code == 422
    assert any(field in d["loc"] for d in r.json()["detail"])
    assert client.get("/api/fit", params={"since": "2031"}).status_code == 422
    assert client.get("/api/fit", params={"bootstrap": -1}).status_code == 422


def test_create_update_conflict_history_delete(client) -> None:  # type: ignore[no-untyped-def]
    body = {
        "name": "Test model 1",
        "date": "2024-05-01",
        "domain": "Language",
        "flop": 1e24,
        "sources": ["https://example.org/paper"],
    }
    r = client.post("/api/records", json=body)
    assert r.status_code == 201
    made = r.json()
    assert made["version"] == 1 and made["id"] == "test-model-1"
    assert client.post("/api/records", json=body).status_code == 409  # same id
    edited = {**made, "notes": "first edit"}
    r = client.put("/api/records/test-model-1", json=edited)
    assert r.status_code == 200 and r.json()["version"] == 2
    stale = client.put("/api/records/test-model-1", json={**made, "notes": "stale edit"})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    record = client.get("/api/records/test-model-1").json()
    assert record["notes"] == "first edit"  # the stale edit did not overwrite
    assert [h["action"] for h in record["history"]] == ["create", "update"]
    assert client.delete("/api/records/test-model-1", params={"version": 1}).status_code == 409
    assert client.delete("/api/records/test-model-1", params={"version": 2}).status_code == 204
    gone = client.get("/api/records/test-model-1")
    assert gone.status_code == 404 and gone.json()["deleted"] and gone.json()["version"] == 3
    history = client.get("/api/records/test-model-1/history").json()
    assert [h["action"] for h in history] == ["create", "update", "delete"]
    assert client.get("/api/records/never-made/history").status_code == 404


def test_concurrent_edits_never_overwrite(db_url) -> None:  # type: ignore[no-untyped-def]
    """Eight writers race on one record the test makes itself (no other test's data)."""
    store = Store(db_url)
    store.seed_if_empty()  # as create_app does: the module's other tests expect the seed
    base = store.create(
        Record(name="Concurrent edits test", date="2020-01-01", domain="Other", flop=1e20)
    )
    record_id = base.record.id
    outcomes: list[str] = []

    def edit(i: int) -> None:
        record = base.record.model_copy(update={"notes": f"edit {i}"})
        try:
            store.update(record_id, record, base.version)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and outcomes.count("conflict") == 7
    assert store.get(record_id).version == base.version + 1
    store.delete(record_id, base.version + 1)


def test_pages_escape_user_text(client) -> None:  # type: ignore[no-untyped-def]
    evil = {
        "name": "<script>alert(1)</script>",
        "date": "2024-01-01",
        "domain": "Vision",
        "flop": 1e22,
        "notes": "<img src=x onerror=alert(2)>",
        "sources": ["javascript:alert(3)"],
    }
    made = client.post("/api/records", json=evil).json()
    page = client.get(f"/records/{made['id']}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and 'href="javascript' not in page
    for path in ("/", "/records", "/calculator", "/records/new", f"/records/{made['id']}/edit"):
        r = client.get(path)
        assert r.status_code == 200 and "<script>alert(1)" not in r.text
    client.delete(f"/api/records/{made['id']}", params={"version": 1})


def test_parameterized_queries(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/records", params={"search": "x' OR '1'='1"})
    assert r.status_code == 200 and r.json() == []
    assert client.get("/api/health").json()["records"] >= 300


def test_a_negative_seed_is_422(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/fit", params={"seed": -1})
    assert r.status_code == 422 and "seed" in str(r.json()["detail"][0]["loc"])


def test_the_docs_list_every_route_and_serve_option(client) -> None:  # type: ignore[no-untyped-def]
    """docs/web.md's API table names exactly the API's routes, and its option table exactly
    the options of `aicompute serve` (docs checked against the code)."""
    import re
    from pathlib import Path

    from typer.testing import CliRunner

    from aicompute.cli import app as cli

    text = (Path(__file__).resolve().parents[1] / "docs" / "web.md").read_text("utf-8")
    documented = {
        (method, re.sub(r"\{[a-z_]+\}", "{}", path))
        for method, path in re.findall(r"`(GET|POST|PUT|DELETE) (/api/[^`?\s]*)", text)
    }
    routes = {
        (method, re.sub(r"\{[a-z_]+\}", "{}", route.path))
        for route in client.app.routes
        if route.path.startswith("/api/")
        for method in getattr(route, "methods", set()) - {"HEAD"}
    }
    assert documented == routes
    help_text = CliRunner().invoke(cli, ["serve", "--help"], env={"COLUMNS": "200"}).output
    options = set(re.findall(r"(--[a-z-]+)", help_text)) - {"--help"}
    table = text[text.index("| option | what |") : text.index("`serve` prints")]
    assert set(re.findall(r"`(--[a-z-]+)", table)) == options


def test_record_page_says_what_the_compute_covers(client) -> None:  # type: ignore[no-untyped-def]
    """A derived record links its base and says it is left out of the fits; a self-play record
    shows its network-only figure too; the footer shows the dataset's update date."""
    from aicompute.dataset.io import embedded_updated

    derived = client.get("/records/codex-12b").text
    assert 'base model <a href="/records/gpt-3-13b">gpt-3-13b</a>' in derived
    assert "<th>In trend fits</th><td>no</td>" in derived
    assert f"embedded dataset updated {embedded_updated()}" in derived
    zero = client.get("/records/alphagozero").text
    assert "generating its self-play games" in zero and "<th>Also known</th>" in zero
    assert "<th>In trend fits</th><td>yes</td>" in zero
    assert "(first public: preprint)" in client.get("/records/gpt-3-175b").text
