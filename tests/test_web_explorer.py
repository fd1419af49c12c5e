"""The explorer's API: each chart says what it shows (``usermeta.summary``), its points carry
their record's id and a ``highlight`` signal rings one; ``/docs`` is served from packaged files."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from aicompute.web import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory):  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("explorer") / "app.db"
    return TestClient(create_app(f"sqlite:///{db}"), base_url="http://127.0.0.1")


def summary(client, name: str, **params: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = client.get(f"/api/chart/{name}", params=params)
    assert r.status_code == 200, r.text
    result: dict = r.json()["usermeta"]["summary"]  # type: ignore[type-arg]
    return result


def test_each_chart_summarizes_what_it_draws(client) -> None:  # type: ignore[no-untyped-def]
    from aicompute import dataset, trends

    analysis = trends.analyze(dataset.load(), bootstrap=200)
    eras = summary(client, "eras")
    assert [f["n"] for f in eras["fits"]] == [s.n for s in analysis.eras.segments]
    assert eras["lines"][0].startswith("Two eras, split at") and eras["warnings"] == []
    modern = summary(client, "modern")
    assert modern["fits"][0]["n"] == analysis.modern_fit.n
    assert modern["fits"][0]["doubling_months"] == pytest.approx(
        analysis.modern_fit.doubling_months, rel=0.05
    )
    domains = summary(client, "domains")
    assert [f["label"] for f in domains["fits"]] == list(analysis.domain_fits)
    assert summary(client, "forecast")["fits"][0]["label"] == "The frontier trend"
    assert any("hardware budget" in line for line in summary(client, "cost")["lines"])
    estimate = summary(client, "estimate", flop="1e24", date="2023-01")
    assert "months" in estimate["lines"][0]


def test_a_single_trend_across_a_break_is_flagged(client) -> None:  # type: ignore[no-untyped-def]
    """When the eras chart finds no break but one line spans a detected break, the summary
    warns as `aicompute fit` does."""
    fit = client.get("/api/fit", params={"domain": "Vision", "bootstrap": 0}).json()
    shown = summary(client, "eras", domain="Vision")
    if len(shown["fits"]) == 1:
        assert shown["warnings"] == fit["warnings"]
    else:
        assert shown["warnings"] == []


def test_points_carry_ids_and_a_highlight_rings_one(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/chart/modern", params={"highlight": "alexnet"}).json()
    assert all(r["id"] for r in spec["data"]["values"])
    assert {"name": "highlight", "value": "alexnet"} in spec["params"]
    rings = [
        layer
        for layer in spec["layer"]
        if any("highlight" in t.get("filter", "") for t in layer.get("transform", []))
    ]
    assert len(rings) == 3  # the ring, and the name over a white halo
    cost = client.get("/api/chart/cost").json()
    points = [layer for layer in cost["layer"] if layer.get("mark", {}).get("cursor")]
    assert points and all("id" in r for r in points[0]["data"]["values"])


def test_docs_are_served_from_local_files(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/static/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    js = client.get("/static/swagger-ui-bundle.js")
    css = client.get("/static/swagger-ui.css")
    assert js.status_code == css.status_code == 200
    assert "SwaggerUIBundle" in js.text and css.headers["content-type"].startswith("text/css")
