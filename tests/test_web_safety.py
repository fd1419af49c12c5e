"""The attacks of a security review, as tests: each must end in a clean 4xx/503 with the JSON
shape, never a 5xx, a cross-origin write, a ghost record or a stall. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import time
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import sqlalchemy as sa

from aicompute.web import create_app
from aicompute.web.security import Settings
from tests.servers import serving

BASE = "http://127.0.0.1:8000"
RECORD = {"name": "Safety test", "date": "2021-03-04", "domain": "Language", "flop": 1e21}


@pytest.fixture(scope="module")
def app(db_url):  # type: ignore[no-untyped-def]
    return create_app(db_url)


@pytest.fixture(scope="module")
def client(app):  # type: ignore[no-untyped-def]
    return TestClient(app, base_url=BASE, raise_server_exceptions=False)


def count(client) -> int:  # type: ignore[no-untyped-def]
    return int(client.get("/api/records", params={"limit": 1}).headers["X-Total-Count"])


# --- who may drive the app ------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "10.0.0.5:8000", ""])
def test_foreign_host_names_are_refused(client, host: str) -> None:  # type: ignore[no-untyped-def]
    """DNS rebinding: a foreign name resolved to 127.0.0.1 reads, edits and deletes nothing."""
    before = count(client)
    headers = {"Host": host, "Origin": f"http://{host}"}
    assert client.get("/api/records", headers=headers).status_code == 403
    assert client.get("/", headers=headers).status_code == 403
    made = client.post("/api/records", json=RECORD, headers=headers)
    assert made.status_code == 403 and "host" in made.json()["detail"]
    assert client.delete("/api/records/alexnet?version=1", headers=headers).status_code == 403
    assert count(client) == before and client.get("/api/records/alexnet").status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "localhost"])
def test_loopback_names_are_served(client, host: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "name=Forged&date=2020"),
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="a"\r\n'),
        ("text/plain", json.dumps({"name": "Forged", "date": "2020"})),
        (None, json.dumps({"name": "Forged", "date": "2020"})),
    ],
)
def test_writes_a_foreign_form_can_send_are_refused(client, content_type, body) -> None:  # type: ignore[no-untyped-def]
    """A plain HTML form or a 'simple' fetch from another origin needs no preflight: the app
    must refuse every such body, so that only JSON (which needs CORS) can write."""
    headers = {"Content-Type": content_type} if content_type else {}
    before = count(client)
    r = client.post("/api/records", content=body, headers=headers)
    assert r.status_code == 415 and "JSON" in r.json()["detail"]
    assert count(client) == before


def test_cross_origin_and_cross_site_requests_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    before = count(client)
    foreign = client.post("/api/records", json=RECORD, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and "origin" in foreign.json()["detail"]
    null = client.post("/api/records", json=RECORD, headers={"Origin": "null"})
    assert null.status_code == 403
    site = client.post("/api/records", json=RECORD, headers={"Sec-Fetch-Site": "cross-site"})
    assert site.status_code == 403
    # an <img src> on a foreign page must not start a costly fit
    img = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    assert client.get("/api/fit?bootstrap=5000&seed=7", headers=img).status_code == 403
    # a link from another site still opens a page
    nav = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    assert client.get("/records", headers=nav).status_code == 200
    assert count(client) == before


def test_browser_writes_need_the_pages_csrf_token(client, app) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/calculator").text
    token = app.state.settings.csrf_token
    assert f'<meta name="csrf-token" content="{token}">' in page
    same = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}
    refused = client.post("/api/estimate", json={"params": "1B", "tokens": "20B"}, headers=same)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    wrong = client.post(
        "/api/estimate", json={"params": "1B"}, headers={**same, "X-CSRF-Token": "guess"}
    )
    assert wrong.status_code == 403
    ok = client.post(
        "/api/estimate",
        json={"params": "1B", "tokens": "20B"},
        headers={**same, "X-CSRF-Token": token},
    )
    assert ok.status_code == 200 and ok.json()["flop"] == pytest.approx(1.2e20)


def test_every_answer_forbids_framing_and_sniffing(client) -> None:  # type: ignore[no-untyped-def]
    for path in ["/", "/records", "/api/records?limit=1", "/api/records/nope", "/static/common.js"]:
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff", path
    refused = client.get("/", headers={"Host": "evil.example"}).headers
    assert refused["X-Frame-Options"] == "DENY"


def test_the_optional_access_token(db_url) -> None:  # type: ignore[no-untyped-def]
    """Beyond loopback the app needs its token (as Jupyter does): header, cookie, or once in
    the URL, which sets the cookie and drops the token from the address."""
    settings = Settings(host="0.0.0.0", token="s3cret-token")
    c = TestClient(create_app(db_url, settings=settings), base_url="http://192.0.2.7:8000")
    assert c.get("/api/health").status_code == 403
    assert c.get("/").status_code == 403
    assert c.get("/api/health", headers={"Authorization": "token wrong"}).status_code == 403
    assert c.get("/api/health", headers={"Authorization": "token s3cret-token"}).status_code == 200
    assert c.get("/api/health", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    opened = c.get("/records?token=s3cret-token&domain=Games", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/records?domain=Games"
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert c.get("/records").status_code == 200  # the cookie now authenticates
    # any Host is accepted beyond loopback (the token is the defence), unless listed
    listed = Settings(host="0.0.0.0", token="t", allowed_hosts=("compute.example",))
    d = TestClient(create_app(db_url, settings=listed), base_url="http://compute.example")
    assert d.get("/api/health", headers={"Authorization": "token t"}).status_code == 200
    other = d.get("/api/health", headers={"Authorization": "token t", "Host": "x.example"})
    assert other.status_code == 403


# --- bounded work -----------------------------------------------------------------------------


def test_bodies_are_capped(client) -> None:  # type: ignore[no-untyped-def]
    big = {**RECORD, "notes": "x" * 2_000_000}
    r = client.post("/api/records", json=big)
    assert r.status_code == 413 and "limit" in r.json()["detail"]

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(2000):
            yield b" " * 1000  # no Content-Length: streamed past the limit

    streamed = client.post(
        "/api/estimate", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_a_layer_bomb_is_refused_at_once(client) -> None:  # type: ignore[no-untyped-def]
    """One small request once ran unbounded work on the event loop (22 GB)."""
    started = time.monotonic()
    r = client.post(
        "/api/estimate",
        json={"architecture": "input 3; dense 4 repeat=1000000000", "tokens": "1"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "architecture"
    assert time.monotonic() - started < 5
    stored = {**RECORD, "name": "Bomb", "estimates": [{"method": "operations", "inputs": {
        "architecture": "input 3; dense 4 repeat=1000000000", "tokens": "1"}}]}  # fmt: skip
    assert client.post("/api/records", json=stored).status_code == 422


def test_computations_run_off_the_loop_with_a_time_limit(db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import aicompute.estimation as estimation

    def slow(inputs):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        raise AssertionError("should have been abandoned")

    monkeypatch.setattr(estimation, "estimate_from", slow)
    c = TestClient(
        create_app(db_url, settings=Settings(time_limit=0.2)),
        base_url=BASE,
        raise_server_exceptions=False,
    )
    started = time.monotonic()
    r = c.post("/api/estimate", json={"params": "1B", "tokens": "1B"})
    assert r.status_code == 503 and "longer than 0.2 s" in r.json()["detail"]
    assert time.monotonic() - started < 0.9


@pytest.mark.parametrize(
    "query", ["bootstrap=20000", "bootstrap=-1", "seed=-1", f"seed={2**32}", "seed=1e9"]
)
def test_fit_resamples_and_seeds_are_bounded(client, query: str) -> None:  # type: ignore[no-untyped-def]
    r = client.get(f"/api/fit?{query}")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == query.split("=")[0]


def test_lists_are_paginated(client) -> None:  # type: ignore[no-untyped-def]
    total = count(client)
    first = client.get("/api/records", params={"limit": 50})
    assert len(first.json()) == 50 and int(first.headers["X-Total-Count"]) == total
    ids, url = [], "/api/records?limit=50"
    while url:
        page = client.get(url)
        ids += [r["id"] for r in page.json()]
        link = page.headers.get("Link", "")
        url = link[1 : link.index(">")] if 'rel="next"' in link else None
    assert len(ids) == total == len(set(ids))
    assert client.get("/api/records", params={"limit": 100_000}).status_code == 422
    assert len(client.get("/api/records").json()) == min(total, 100)  # the default page


# --- versions that never repeat -------------------------------------------------------------


def test_a_deleted_record_never_comes_back_as_a_ghost(client) -> None:  # type: ignore[no-untyped-def]
    first = client.post("/api/records", json={**RECORD, "id": "ghost", "notes": "first life"})
    assert first.status_code == 201 and first.json()["version"] == 1
    assert client.get("/api/records/ghost").json()["notes"] == "first life"  # cached now
    assert client.delete("/api/records/ghost", params={"version": 1}).status_code == 204
    second = client.post("/api/records", json={**RECORD, "id": "ghost", "notes": "second life"})
    assert second.status_code == 201 and second.json()["version"] == 3  # never 1 again
    assert client.get("/api/records/ghost").json()["notes"] == "second life"
    stale = client.put("/api/records/ghost", json={**first.json(), "notes": "overwrite"})
    assert stale.status_code == 409  # an editor holding the first life's version 1
    assert client.get("/api/records/ghost").json()["notes"] == "second life"
    actions = [(h["version"], h["action"]) for h in client.get("/api/records/ghost/history").json()]
    assert actions == [(1, "create"), (2, "delete"), (3, "create")]


def test_deletes_can_be_undone(client) -> None:  # type: ignore[no-untyped-def]
    made = client.post("/api/records", json={**RECORD, "id": "undo-me", "notes": "keep"}).json()
    assert client.delete("/api/records/undo-me", params={"version": 1}).status_code == 204
    gone = client.get("/api/records/undo-me")
    assert gone.status_code == 404 and gone.json() == {
        "detail": gone.json()["detail"], "deleted": True, "version": 2,
    }  # fmt: skip
    assert "restore" in gone.json()["detail"]
    assert client.get("/records/undo-me").status_code == 404
    assert 'id="restore-record"' in client.get("/records/undo-me").text
    assert client.get("/api/records/undo-me/history").status_code == 200
    assert client.post("/api/records/undo-me/restore", json={"version": 1}).status_code == 409
    back = client.post("/api/records/undo-me/restore", json={"version": 2})
    assert back.status_code == 200 and back.json()["version"] == 3
    assert back.json()["notes"] == made["notes"] == "keep"
    assert client.post("/api/records/undo-me/restore", json={"version": 3}).status_code == 409
    assert client.post("/api/records/nobody/restore", json={"version": 1}).status_code == 404


# --- one answer per failure -------------------------------------------------------------------

DEEP = "[" * 1000 + "]" * 1000
BAD_BODIES = {
    "nested 1000 deep": ("/api/estimate", DEEP),
    "nested in a field": (
        "/api/records",
        json.dumps({**RECORD, "notes": json.loads("[" * 40 + "]" * 40)}),
    ),
    "a list body": ("/api/records", "[1, 2]"),
    "a null estimate body": ("/api/estimate", "null"),
    "a string body": ("/api/estimate", '"params"'),
    "not JSON": ("/api/estimate", "{params: 1}"),
    "not UTF-8": ("/api/estimate", b'{"params": "\xff"}'),
    "NaN": ("/api/estimate", '{"params": NaN, "tokens": 1}'),
    "a 400-digit integer": ("/api/estimate", '{"params": ' + "9" * 400 + ', "tokens": 1}'),
    "10^ and 5000 digits": ("/api/estimate", json.dumps({"params": "10^" + "9" * 5000})),
    "precision as a list": (
        "/api/estimate",
        json.dumps({"chip_hours": "1000", "hardware": "V100", "precision": ["fp16"]}),
    ),
    "an unknown input": ("/api/estimate", '{"parms": "1B", "tokens": "1B"}'),
    "a stored unknown input": (
        "/api/records",
        json.dumps({**RECORD, "estimates": [{"method": "operations", "inputs": {"bogus": 1}}]}),
    ),
    "a stored input that cannot compute": (
        "/api/records",
        json.dumps(
            {
                **RECORD,
                "estimates": [
                    {"method": "operations", "inputs": {"params": "70GB", "tokens": "1T"}}
                ],
            }
        ),
    ),
    "an id with a slash": ("/api/records", json.dumps({**RECORD, "id": "a/b"})),
    "an id of dots": ("/api/records", json.dumps({**RECORD, "id": ".."})),
    "a dot in front": ("/api/records", json.dumps({**RECORD, "id": ".hidden"})),
    "a million-character id": ("/api/records", json.dumps({**RECORD, "id": "a" * 1_000_00})),
    "a long name": ("/api/records", json.dumps({**RECORD, "name": "n" * 100_000})),
    "a NUL byte": ("/api/records", json.dumps({**RECORD, "name": "nul\x00name"})),
    "a NUL in a source": ("/api/records", json.dumps({**RECORD, "sources": ["a\x00"]})),
    "a huge flop": ("/api/records", json.dumps(RECORD).replace("1e+21", "1e400")),
    "Infinity": ("/api/records", json.dumps({**RECORD, "flop": float("inf")})),
}


@pytest.mark.parametrize("case", BAD_BODIES, ids=list(BAD_BODIES))
def test_malformed_bodies_answer_422(client, case: str) -> None:  # type: ignore[no-untyped-def]
    path, body = BAD_BODIES[case]
    before = count(client)
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"][0] == "body" and detail[0]["msg"]
    if path == "/api/records" and case not in {"a list body", "nested in a field", "Infinity"}:
        assert len(detail[0]["loc"]) > 1, detail  # the field is named
    assert count(client) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/records/alexnet", {"name": "A", "date": "2012", "version": 2**63}),
        ("PUT", "/api/records/alexnet", {"name": "A", "date": "2012", "version": 2**31}),
        ("PUT", "/api/records/alexnet", {"name": "A", "date": "2012", "version": True}),
        ("DELETE", f"/api/records/alexnet?version={2**63}", None),
        ("DELETE", f"/api/records/alexnet?version={2**31}", None),
        ("GET", "/api/chart/estimate?flop=1e20&date=2020-13-45", None),
        ("GET", "/api/chart/estimate?flop=1e20&date=1800", None),
        ("GET", "/api/chart/estimate?flop=-1&date=2020", None),
        ("GET", "/api/records?since=2020-99", None),
        ("GET", "/api/records?offset=-1", None),
        ("GET", "/api/fit?seed=99999999999999999999999", None),
    ],
)
def test_malformed_numbers_and_dates_answer_422(client, method, path, body) -> None:  # type: ignore[no-untyped-def]
    r = client.request(method, path, json=body)
    assert r.status_code == 422, r.text[:300]


@pytest.mark.parametrize("record_id", ["a%2Fb", "..x", "-x", "UPPER", "a" * 201, "x%00y", "a%20b"])
def test_ids_that_cannot_exist_are_404(client, record_id: str) -> None:  # type: ignore[no-untyped-def]
    for method in ("GET", "DELETE"):
        r = client.request(method, f"/api/records/{record_id}?version=1")
        assert r.status_code in {404, 422}, (method, r.status_code)
        assert "detail" in r.json()


def test_every_created_id_can_be_fetched_and_deleted(client) -> None:  # type: ignore[no-untyped-def]
    for name in ["a/b c", "../../etc", "x" * 400, "Ünïcödé ✓", "...", "%", "_"]:
        made = client.post("/api/records", json={**RECORD, "name": name})
        assert made.status_code in {201, 409}, made.text
        if made.status_code == 201:
            rid = made.json()["id"]
            assert client.get(f"/api/records/{rid}").status_code == 200
            version = made.json()["version"]
            assert client.delete(f"/api/records/{rid}?version={version}").status_code == 204


def test_search_takes_wildcards_literally(client) -> None:  # type: ignore[no-untyped-def]
    total = count(client)
    for text in ["%", "_", "\\"]:
        found = client.get("/api/records", params={"search": text, "limit": 1000}).json()
        assert len(found) < total and all(text in r["name"] for r in found), text
    client.post("/api/records", json={**RECORD, "id": "pct", "name": "100% model"})
    found = client.get("/api/records", params={"search": "0%", "unreviewed": "true"}).json()
    assert [r["id"] for r in found] == ["pct"]


def test_csv_export_neutralises_formulas(client) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    formula = '=HYPERLINK("http://evil.example","click")'
    client.post("/api/records", json={**RECORD, "id": "formula", "name": formula,
                                      "notes": "@SUM(1)", "organization": "+1"})  # fmt: skip
    query = {"format": "csv", "search": "HYPERLINK", "unreviewed": "true"}
    text = client.get("/api/export", params=query).text
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == "formula")
    assert row["name"] == "'" + formula and row["notes"] == "'@SUM(1)"
    assert row["organization"] == "'+1"


def test_an_unexpected_error_keeps_the_json_shape(db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = create_app(db_url)
    c = TestClient(app, base_url=BASE, raise_server_exceptions=False)
    monkeypatch.setattr(app.state.store, "count", lambda **_: 1 / 0)
    r = c.get("/api/health")
    assert r.status_code == 500 and r.json() == {
        "detail": "internal error (the server log has the details)"
    }


def _broken(tmp_path, how: str) -> sa.Engine:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{how}.db"
    if how == "corrupt":
        path.write_bytes(b"this is not a database " * 200)
        return sa.create_engine(f"sqlite:///{path}")
    from aicompute.store import Store

    Store(f"sqlite:///{path}")  # the schema
    if how == "read-only":
        return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    engine = sa.create_engine(f"sqlite:///{path}")  # full: no page may be added

    @sa.event.listens_for(engine, "connect")
    def _full(connection, _record):  # type: ignore[no-untyped-def]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    return engine


@pytest.mark.parametrize("how", ["read-only", "full", "corrupt"])
def test_a_database_that_fails_answers_503(tmp_path, how: str) -> None:  # type: ignore[no-untyped-def]
    app = create_app(f"sqlite:///{tmp_path / 'good.db'}", seed=False)
    app.state.store.engine = _broken(tmp_path, how)
    c = TestClient(app, base_url=BASE, raise_server_exceptions=False)
    r = c.post("/api/records", json={**RECORD, "notes": "n" * 15_000})
    assert r.status_code == 503, r.text
    assert r.json()["detail"].startswith("the database is unavailable")
    assert r.headers["Retry-After"]
    if how == "corrupt":
        assert c.get("/api/records").status_code == 503


def test_a_corrupt_database_at_start_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from aicompute.errors import InputError
    from aicompute.store import Store

    path = tmp_path / "corrupt.db"
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(InputError, match=r"cannot open database .*not a database"):
        Store(f"sqlite:///{path}")


# --- aicompute serve ------------------------------------------------------------------------


def _serve(tmp_path, *args: str):  # type: ignore[no-untyped-def]
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "aicompute", "serve", "--port", str(port), *args]
    command += ["--db", f"sqlite:///{tmp_path / 'serve.db'}"]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ), port


def _get(url: str, headers: dict[str, str] | None = None) -> int:
    import urllib.error
    import urllib.request

    for _ in range(100):
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


@pytest.mark.slow
def test_serve_prints_the_url_with_its_token_and_workers_share_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    process, port = _serve(tmp_path, "--token", "auto", "--workers", "2")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/?token=" in line, line
        token = line.split("?token=")[1].split()[0]
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/api/health", {"Authorization": f"token {token}"}) == 200
        assert _get(f"{base}/api/health") == 403
        assert _get(f"{base}/api/health", {"Authorization": "token x" * 3}) == 403
        # a page's CSRF token is honoured by every worker process
        import re
        import urllib.request

        auth = {"Authorization": f"token {token}"}
        with urllib.request.urlopen(
            urllib.request.Request(f"{base}/records/new", headers=auth)
        ) as r:
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.read().decode())[1]  # type: ignore[index]
        for i in range(6):
            body = json.dumps({**RECORD, "id": f"w{i}"}).encode()
            request = urllib.request.Request(
                f"{base}/api/records", data=body, method="POST",
                headers={**auth, "Content-Type": "application/json", "Origin": base,
                         "X-CSRF-Token": csrf},
            )  # fmt: skip
            with urllib.request.urlopen(request) as r:
                assert r.status == 201
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_with_a_corrupt_database_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "serve.db").write_bytes(b"not sqlite " * 500)
    process, _ = _serve(tmp_path)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "Traceback" not in err
    assert err.strip().count("\n") == 0 and "not a database" in err, err


def test_pages_answer_errors_as_pages(client) -> None:  # type: ignore[no-untyped-def]
    """A browser opening a missing record, or refused, gets a page, not raw JSON."""
    missing = client.get("/records/no-such-record")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "There is no record &#39;no-such-record&#39;" in missing.text
    html = {"Host": "evil.example", "Accept": "text/html,application/xhtml+xml"}
    refused = client.get("/records", headers=html)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert "<h1>Refused</h1>" in refused.text and "&#x27;evil.example&#x27;" in refused.text
    api = client.get("/api/records", headers=html)
    assert api.status_code == 403 and api.json()["detail"].startswith("host")


def test_after_an_error_the_connection_stays_open(db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A 500 (or 503, 422) once dropped the connection, so the client's next request failed."""
    import http.client

    app = create_app(db_url, seed=False)
    with serving(app, log_level="critical") as (base, _server):
        port = int(base.rsplit(":", 1)[1])
        monkeypatch.setattr(app.state.store, "count", lambda **_: 1 / 0)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        statuses = []
        sockets = []
        for method, path, body in [
            ("GET", "/api/health", None),  # 500
            ("POST", "/api/estimate", "[" * 1000),  # 422
            ("GET", "/api/hardware/gtx580", None),  # 200
        ]:
            headers = {"Content-Type": "application/json"}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            assert response.getheader("connection") != "close"
            sockets.append(connection.sock)
        assert statuses == [500, 422, 200]
        assert sockets[0] is sockets[1] is sockets[2]  # one connection throughout
        connection.close()
