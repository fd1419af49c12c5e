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


# --- records: numbers, duplicates, review, authors, history, pages, errors (issue 17) ---------

RECORD = {"name": "Issue 17 model", "date": "2024-05-01", "domain": "Language"}


def _fresh(client) -> None:  # type: ignore[no-untyped-def]
    """Fits may lag writes by a second; the tests make the store's frame current first."""
    client.app.state.store.frame()


def _delete(client, record_id: str) -> None:  # type: ignore[no-untyped-def]
    version = client.get(f"/api/records/{record_id}").json()["version"]
    assert (
        client.delete(f"/api/records/{record_id}", params={"version": version}).status_code == 204
    )


@pytest.mark.parametrize(
    ("text", "flop"),
    [("3e24 FLOP", 3e24), ("3.1e23", 3.1e23), ("3640 pfs-days", 3640 * 8.64e19), (2e21, 2e21)],
)
def test_flop_fields_are_read_as_the_command_line_reads_them(client, text, flop: float) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/records", json={**RECORD, "name": f"Numbers {text}", "flop": text})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["flop"] == pytest.approx(flop)
    assert made["confidence"] == "speculative"  # a web record without a confidence
    assert made["reviewed"] is False and made["unsourced"] is True
    _delete(client, made["id"])


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"flop": "abc"}, ["body", "flop"]),
        ({"flop": "1e24", "low_flop": "lots"}, ["body", "low_flop"]),
        ({"flop": "1e24", "high_flop": "-5"}, ["body", "high_flop"]),
        ({"domain": ""}, ["body", "domain"]),
        (
            {"estimates": [{"method": "hardware", "inputs": {"hardware": "V100", "count": "x",
                                                             "days": "3"}}]},
            ["body", "estimates", 0, "inputs", "count"],
        ),
        (
            {"estimates": [{"method": "hardware", "inputs": {"hardware": "V100", "days": "3"}}]},
            ["body", "estimates", 0, "inputs"],
        ),
        ({"author": "x" * 101}, ["body", "author"]),
    ],
)  # fmt: skip
def test_bad_record_fields_are_422_naming_the_field(client, body: dict, loc: list) -> None:  # type: ignore[no-untyped-def]
    """Never a silent null: a number that cannot be read names its field."""
    r = client.post("/api/records", json={**RECORD, "name": "Refused model", **body})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc and r.json()["detail"][0]["msg"]
    assert client.get("/api/records/refused-model").status_code == 404


def test_a_duplicate_name_is_409_naming_the_record(client) -> None:  # type: ignore[no-untyped-def]
    made = client.post("/api/records", json={**RECORD, "name": "Twin model"}).json()
    again = client.post("/api/records", json={**RECORD, "name": "Twin model", "flop": 1e20})
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert "a record named 'Twin model' already exists" in detail
    assert "someone else" not in detail
    assert client.post("/api/records", json={**RECORD, "name": "AlexNet"}).status_code == 409
    _delete(client, made["id"])


def test_review_flow_and_unreviewed_records_out_of_fits_and_lists(client) -> None:  # type: ignore[no-untyped-def]
    """A web record is out of /api/fit's n, /api/records and /api/export until reviewed;
    unreviewed=true includes it; a review with a stale version is 409."""

    def fit_n(**params: str) -> int:
        _fresh(client)
        r = client.get("/api/fit", params={"bootstrap": 0, "since": "2010", **params})
        return int(r.json()["n"])

    def total(**params: str) -> int:
        r = client.get("/api/records", params={"limit": 1, **params})
        return int(r.headers["X-Total-Count"])

    before = (fit_n(), fit_n(unreviewed="true"), total(), total(unreviewed="true"))
    body = {**RECORD, "name": "Review probe", "flop": "2e24", "sources": ["https://x.org"]}
    made = client.post("/api/records", json=body).json()
    assert made["reviewed"] is False
    after = (fit_n(), fit_n(unreviewed="true"), total(), total(unreviewed="true"))
    assert after == (before[0], before[1] + 1, before[2], before[3] + 1)
    listed = client.get("/api/records", params={"search": "review probe"}).json()
    assert listed == []
    listed = client.get("/api/records", params={"search": "review probe", "unreviewed": "true"})
    assert [r["id"] for r in listed.json()] == ["review-probe"]
    export = client.get("/api/export", params={"format": "json", "search": "review probe"})
    assert export.json() == []
    assert "/api/fit" in client.get("/openapi.json").text
    assert "unreviewed" in str(client.get("/openapi.json").json()["paths"]["/api/fit"])
    # review it: stale version refused, then accepted, in the history with its author
    stale = client.post("/api/records/review-probe/review", json={"version": 9})
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    r = client.post("/api/records/review-probe/review", json={"version": 1, "author": "Rita"})
    assert r.status_code == 200 and r.json()["reviewed"] is True and r.json()["version"] == 2
    assert (fit_n(), total()) == (before[0] + 1, before[2] + 1)
    last = client.get("/api/records/review-probe/history").json()[-1]
    assert (last["action"], last["author"], last["changes"]) == (
        "review",
        "Rita",
        [{"field": "reviewed", "old": False, "new": True}],
    )
    # an edit makes it unreviewed again
    record = client.get("/api/records/review-probe").json()
    edited = client.put("/api/records/review-probe", json={**record, "notes": "changed"})
    assert edited.json()["reviewed"] is False and total() == before[2]
    assert client.get("/records/review-probe").text.count('class="badge unreviewed"') >= 1
    assert client.post("/api/records/no-such/review", json={"version": 1}).status_code == 404
    _delete(client, "review-probe")
    # the seed is reviewed
    assert client.get("/api/records/alexnet").json()["reviewed"] is True
    assert 'id="review-record"' not in client.get("/records/alexnet").text


def test_history_has_authors_and_field_diffs(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    hw = {"hardware": "GTX 580", "count": "2", "days": "5"}
    body = {**RECORD, "name": "Diff model", "flop": "1e20", "author": "Ada",
            "estimates": [{"method": "hardware", "inputs": hw}]}  # fmt: skip
    made = client.post("/api/records", json=body).json()
    edited = {
        **made,
        "notes": "more careful",
        "flop": 1.2e20,
        "low_flop": None,
        "high_flop": None,
        "estimates": [{"method": "hardware", "inputs": {**hw, "days": "6"}}],
    }
    r = client.put("/api/records/diff-model", json=edited, headers={"X-Author": "Zo%C3%AB"})
    assert r.status_code == 200, r.text
    monkeypatch.setenv("AICOMPUTE_AUTHOR", "The lab")
    assert client.delete("/api/records/diff-model", params={"version": 2}).status_code == 204
    monkeypatch.delenv("AICOMPUTE_AUTHOR")
    assert client.post("/api/records/diff-model/restore", json={"version": 3}).status_code == 200
    history = client.get("/api/records/diff-model/history").json()
    assert [(h["action"], h["author"]) for h in history] == [
        ("create", "Ada"), ("update", "Zoë"), ("delete", "The lab"), ("restore", "anonymous"),
    ]  # fmt: skip
    changes = {c["field"]: (c["old"], c["new"]) for c in history[1]["changes"]}
    assert changes["notes"] == ("", "more careful")
    assert changes["flop"] == (1e20, 1.2e20)
    assert changes["estimates.0.inputs.days"] == ("5", "6")
    assert "confidence" not in changes and "name" not in changes
    page = client.get("/records/diff-model/history")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Zoë" in page.text and "<code>estimates.0.inputs.days</code>: <del>5</del>" in page.text
    record_page = client.get("/records/diff-model").text
    assert "<code>notes</code>: <del>–</del> → <ins>more careful</ins>" in record_page
    _delete(client, "diff-model")


@pytest.mark.parametrize(
    "estimates",
    [
        [{"method": "hardware", "inputs": {"hardware": "GTX 580", "count": "2", "days": "5.5"}}],
        [{"method": "operations", "inputs": {"params": "70B", "tokens": "1.4T"}}],
        [
            {"method": "operations",
             "inputs": {"forward_macs": "0.75G", "examples": "1.2M", "epochs": "90"}},
            {"method": "hardware",
             "inputs": {"hardware": "GTX 580", "count": "2", "days": "5..6",
                        "utilization": "0.3..0.4"}},
        ],
        [{"method": "hardware", "inputs": {"hardware": "Cloud TPU v3", "count": 16,
                                           "hours": [90, 100], "precision": "bf16"}}],
    ],
    ids=["hardware", "operations", "mixed", "hardware-numbers"],
)  # fmt: skip
def test_record_pages_redo_every_kind_of_calculation(client, estimates: list) -> None:  # type: ignore[no-untyped-def]
    """Defect 1: a saved estimate's page renders, each method redone from its stored inputs,
    shown as formula = calculation = result and the inputs as name = value."""
    name = f"Calc {estimates[-1]['method']} {len(estimates)} {estimates[0]['inputs'].get('count')}"
    made = client.post("/api/records", json={**RECORD, "name": name, "flop": "1e21",
                                              "estimates": estimates})  # fmt: skip
    assert made.status_code == 201, made.text
    page = client.get(f"/records/{made.json()['id']}")
    assert page.status_code == 200
    assert page.text.count('<article class="calc"') == len(estimates)
    assert "cannot be redone" not in page.text and "{" not in page.text.split("<h2>Calculation")[1]
    assert "pfs-days, 90% interval" in page.text
    if estimates[-1]["method"] == "hardware":
        assert "chips × peak FLOP/s per chip" in page.text
    assert client.get(f"/records/{made.json()['id']}/edit").status_code == 200
    _delete(client, made.json()["id"])


def test_a_stored_calculation_that_cannot_be_redone_is_a_note(client) -> None:  # type: ignore[no-untyped-def]
    """Inputs stored by an older version (resolved ones such as hardware_key) or that no longer
    compute show a note per method; the page, the API and the lists never fail."""
    import json

    from aicompute.store.db import records_table

    store = client.app.state.store
    made = store.create(
        Record(
            name="Broken calc",
            date="2020-01-01",
            domain="Other",
            flop=1e20,
            estimates=[
                {"method": "hardware", "inputs": {"hardware": "GTX 9000", "count": 1, "days": 1}},
                {"method": "operations", "inputs": {"params": "1B", "tokens": "20B"}},
            ],
        )
    )
    data = json.loads(made.record.model_dump_json())
    data["estimates"].append(
        {"method": "hardware", "inputs": {"hardware_key": "gtx580", "count": 2, "days": 5}}
    )
    with store.engine.begin() as c:
        c.execute(
            records_table.update()
            .where(records_table.c.id == "broken-calc")
            .values(data=json.dumps(data), version=made.version + 1)
        )
    page = client.get("/records/broken-calc")
    assert page.status_code == 200
    assert page.text.count("This calculation cannot be redone") == 2
    assert "GTX 9000" in page.text and "hardware_key" in page.text
    assert "1.2e+20" in page.text or "1.2e20" in page.text.replace("+", "")  # operations redone
    assert client.get("/api/records/broken-calc").status_code == 200
    assert client.get("/records/broken-calc/edit").status_code == 200
    found = client.get("/api/records", params={"search": "broken calc", "unreviewed": "true"})
    assert [r["id"] for r in found.json()] == ["broken-calc"]
    store.delete("broken-calc", made.version + 1)


def test_missing_records_are_pages_for_browsers_and_json_for_the_api(client) -> None:  # type: ignore[no-untyped-def]
    html = {"Accept": "text/html,application/xhtml+xml"}
    for path in ("/records/no-such-model", "/records/no-such-model/edit",
                 "/records/no-such-model/history", "/no/such/page"):  # fmt: skip
        r = client.get(path, headers=html)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), path
        assert '<p id="error-message">' in r.text and '"detail"' not in r.text
    assert 'href="/records?search=no%20such%20model"' in client.get("/records/no-such-model").text
    api = client.get("/api/records/no-such-model", headers=html)
    assert api.status_code == 404 and api.json()["detail"]
    wants_json = client.get("/records/no-such-model", headers={"Accept": "application/json"})
    assert wants_json.status_code == 404 and "detail" in wants_json.json()
    assert client.get("/api/no-such-route").json() == {"detail": "Not Found"}
    long = client.get("/records/" + "a" * 300, headers=html)
    assert long.status_code == 422 and long.headers["content-type"].startswith("text/html")
    assert 'id="error-fields"' in long.text and "record_id" in long.text


def test_the_record_form_has_labelled_fields(client) -> None:  # type: ignore[no-untyped-def]
    """No default domain, speculative by default, inputs as fields (no JSON textarea), the
    interval rounded to 3 digits with the exact value kept aside."""
    form = client.get("/records/new").text
    assert (
        '<option value="">Choose a domain…</option>' in form
        and "<option selected>" not in form.split('name="domain"')[1].split("</select>")[0]
    )
    assert "<option selected>speculative</option>" in form
    assert 'name="estimates"' not in form and 'data-input="days"' in form
    assert 'id="author-name"' in form
    made = client.post("/api/records", json={**RECORD, "name": "Rounding", "flop": 4.2e23,
                                              "confidence": "likely"}).json()  # fmt: skip
    assert made["low_flop"] == 4.2e23 / 10  # stored exactly as computed
    edit = client.get("/records/rounding/edit").text
    assert (
        'value="4.2e22"' in edit and "4.200000000000001e+22" not in edit.split("data-original")[0]
    )
    _delete(client, "rounding")


def test_migrations_0003_and_0004_up_and_down(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0003 adds records.reviewed and history.author, 0004 the list indexes; their downgrades
    remove them and keep the records; upgrading again counts the records as reviewed. On
    SQLite and PostgreSQL."""
    from importlib import resources

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from aicompute.store.db import _engine

    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrate.db'}"
    else:  # a database of its own on the test server
        admin = _engine(db_url)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("DROP DATABASE IF EXISTS migrate_test"))
            c.execute(sa.text("CREATE DATABASE migrate_test"))
        admin.dispose()
        url = db_url.rsplit("/", 1)[0] + "/migrate_test"
    store = Store(url)
    store.create(Record(name="Migrating", date="2020", domain="Other", flop=1e20), author="Ada")
    engine = store.engine
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("aicompute.store").joinpath("migrations"))
    )

    def run(action, target: str) -> None:  # type: ignore[no-untyped-def]
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            action(config, target)

    def columns(table: str) -> set[str]:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}

    def indexes(table: str) -> set[str]:
        return {i["name"] for i in sa.inspect(engine).get_indexes(table)}

    assert {"reviewed"} <= columns("records") and {"author"} <= columns("history")
    assert {"ix_records_domain", "ix_records_order"} <= indexes("records")  # 0004
    run(command.downgrade, "0003")
    assert not {"ix_records_domain", "ix_records_order"} & indexes("records")
    run(command.downgrade, "0002")
    assert "reviewed" not in columns("records") and "author" not in columns("history")
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT name FROM records")).scalars().all() == ["Migrating"]
    run(command.upgrade, "head")
    assert "ix_history_record_id" in indexes("history")  # kept through the table rebuilds
    assert {"ix_records_domain", "ix_records_order"} <= indexes("records")
    again = Store(url)
    row = again.get("migrating")
    assert row.reviewed is True and again.history("migrating")[0]["author"] is None
    engine.dispose()
    again.engine.dispose()


def test_a_page_counts_every_record(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Store.page reads a page and the total on one connection, and skips the count on the
    last page: the total is right wherever the page falls."""
    from aicompute.trends.selection import RecordFilter

    store = Store(f"sqlite:///{tmp_path / 'page.db'}")
    store.seed_if_empty()
    for chosen in (None, RecordFilter.parse(domain="Games")):
        total = store.count(chosen)
        assert total > 3
        for limit, offset in ((10, 0), (1000, 0), (10, total - 3), (10, total), (10, total + 5)):
            rows, counted = store.page(chosen, limit=limit, offset=offset)
            assert counted == total, (limit, offset)
            assert len(rows) == max(0, min(limit, total - offset))
            assert [r.record.id for r in rows] == [
                r.record.id for r in store.list(chosen, limit=limit, offset=offset)
            ]


def test_a_record_page_states_its_compute_in_both_units(client) -> None:  # type: ignore[no-untyped-def]
    """AlexNet's page: the seed chart's 0.005887 pfs-days, and the same compute in FLOP
    (1 pfs-day = 8.64e19 FLOP), each written once by the one formatter."""
    import re

    page = client.get("/records/alexnet").text
    row = re.search(r"<th>Training compute</th><td>(.*?)</td>", page, re.S)
    assert row is not None
    flop = client.get("/api/records/alexnet").json()["flop"]
    assert abs(flop / 8.64e19 - 0.005887) < 1e-6
    assert "5.086e17 FLOP = 0.005887 pfs-days" in " ".join(row.group(1).split())


def test_lists_and_reads_follow_every_edit_and_review(client) -> None:  # type: ignore[no-untyped-def]
    """Record JSON is kept per stored version (web.deps.row_json): each edit and the review
    must show at once in the list, the export and the record, in the fields to_dict gives."""
    body = {
        "name": "Cache probe",
        "date": "2023-02-03",
        "domain": "Speech",
        "flop": "2e21",
        "sources": ["https://example.org/probe"],
    }
    made = client.post("/api/records", json=body).json()
    probe = {"search": "cache probe", "unreviewed": "true"}

    def listed() -> dict:  # type: ignore[type-arg]
        (row,) = client.get("/api/records", params=probe).json()
        (exported,) = client.get("/api/export", params={**probe, "format": "json"}).json()
        assert exported == row
        return row  # type: ignore[no-any-return]

    first = listed()
    assert first["flop"] == 2e21 and first["version"] == 1 and first["reviewed"] is False
    one = client.get("/api/records/cache-probe").json()
    assert {k: v for k, v in one.items() if k != "history"} == first
    assert list(one)[-1] == "history" and one["history"][0]["action"] == "create"
    edited = client.put(
        "/api/records/cache-probe", json={**made, "flop": "3e21", "notes": "second"}
    ).json()
    second = listed()
    assert (second["flop"], second["notes"], second["version"]) == (3e21, "second", 2)
    assert second["pfs_days"] == pytest.approx(3e21 / 8.64e19)
    reviewed = client.post(
        "/api/records/cache-probe/review", json={"version": edited["version"]}
    ).json()
    third = listed()
    assert third["reviewed"] is True and third["version"] == reviewed["version"] == 3
    assert client.get("/api/records/cache-probe").json()["reviewed"] is True
    _delete(client, "cache-probe")


def test_the_api_requires_a_domain_as_the_form_does(client) -> None:  # type: ignore[no-untyped-def]
    """A record without a domain would land in "Other" unseen: 422 naming the field."""
    body = {"name": "No domain", "date": "2024-02-02", "flop": "1e22"}
    for blank in ({}, {"domain": ""}, {"domain": "  "}):
        r = client.post("/api/records", json={**body, **blank})
        assert r.status_code == 422 and ["body", "domain"] in [d["loc"] for d in r.json()["detail"]]
    assert client.get("/api/records/no-domain").status_code == 404
