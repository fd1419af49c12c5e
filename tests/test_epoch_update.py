"""`aicompute data update-epoch`: download Epoch AI's CSV into a cache, against a local server."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicompute.cli import app
from aicompute.dataset.update import cache_dir, cached, changes, update_epoch
from aicompute.errors import InputError

runner = CliRunner()

HEADER = (
    "Model,Organization,Publication date,Domain,Parameters,Training compute (FLOP),Confidence,Link"
)
ROWS = [
    "AlexNet,University of Toronto,2012-09-30,Vision,60000000,4.7e17,Confident,https://a.org",
    'GPT-3 175B (davinci),OpenAI,2020-05-28,Language,174600000000,"3.14e23",Confident,https://b.org',
    "Chinchilla,DeepMind,2022-03-29,Language,70000000000,5.76e23,Confident,https://c.org",
]


def csv_text(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


class Server:
    """A local HTTP server whose answers the test sets: path → bytes (absent: 404)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "aicompute" / "epoch"


def dead_url() -> str:
    s = Server()
    url = s.url
    s.stop()
    return url + "/notable.csv"


def test_cache_dir_follows_xdg(cache: Path) -> None:
    assert cache_dir() == cache


def test_first_download_then_a_changed_value_and_a_new_row(server: Server, cache: Path) -> None:
    server.files["/notable.csv"] = csv_text(ROWS)
    r = runner.invoke(app, ["data", "update-epoch", "--url", server.url + "/notable.csv", "--json"])
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout)
    assert first["rows"] == 3 and first["new"] == [] and first["changed"] == []
    assert first["url"] == server.url + "/notable.csv" and len(first["sha256"]) == 64
    assert (cache / "latest.csv").read_bytes() == csv_text(ROWS)
    meta = json.loads((cache / "latest.json").read_text())
    assert meta["rows"] == 3 and meta["sha256"] == first["sha256"] and meta["downloaded_at"]
    assert not (cache / "previous.csv").exists()

    rows = [
        ROWS[0],
        ROWS[1].replace('"3.14e23"', "3.2e23"),
        ROWS[2],
        ROWS[2].replace("Chinchilla", "Gopher (280B)").replace("70000000000", "280000000000"),
    ]
    server.files["/notable.csv"] = csv_text(rows)
    r = runner.invoke(app, ["data", "update-epoch", "--url", server.url + "/notable.csv", "--json"])
    assert r.exit_code == 0, r.output
    second = json.loads(r.stdout)
    assert second["rows"] == 4 and second["new"] == ["Gopher (280B)"]
    assert second["changed"] == [
        {"name": "GPT-3 175B (davinci)", "old_flop": 3.14e23, "new_flop": 3.2e23}
    ]
    assert (cache / "previous.csv").read_bytes() == csv_text(ROWS)

    text = runner.invoke(app, ["data", "update-epoch", "--url", server.url + "/notable.csv"])
    assert text.exit_code == 0 and "(unchanged)" in text.stdout

    # `data compare` uses the cached snapshot and says what changed since the last update
    out = runner.invoke(app, ["data", "compare", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["epoch_file"] == str(cache / "latest.csv")
    assert data["new_since_update"] == ["Gopher (280B)"]
    assert [c["name"] for c in data["changed_since_update"]] == ["GPT-3 175B (davinci)"]
    assert {m["epoch_name"] for m in data["matches"]} >= {"AlexNet", "GPT-3 175B (davinci)"}
    shown = runner.invoke(app, ["data", "compare", "--top", "0"])
    assert shown.exit_code == 0 and "1 new models, 1 changed" in shown.stdout


@pytest.mark.parametrize(
    "body",
    [b"name,date,flop\nX,2020-01-01,1e20\n", b"<html>not found</html>", b"\xff\xfe\x00", b""],
)
def test_a_file_that_is_not_epochs_is_refused_and_the_cache_kept(
    server: Server, cache: Path, body: bytes
) -> None:
    server.files["/notable.csv"] = csv_text(ROWS)
    update_epoch(server.url + "/notable.csv")
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    server.files["/notable.csv"] = body
    r = runner.invoke(app, ["data", "update-epoch", "--url", server.url + "/notable.csv"])
    assert r.exit_code == 2
    assert r.stdout == ""
    line = r.stderr.strip()
    assert "\n" not in line and line.startswith("aicompute: error: url: ")
    assert "not an Epoch AI CSV" in line
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before


def test_server_down_uses_the_cache(server: Server, cache: Path) -> None:
    server.files["/notable.csv"] = csv_text(ROWS)
    update_epoch(server.url + "/notable.csv")
    before = (cache / "latest.csv").read_bytes()
    r = runner.invoke(app, ["data", "update-epoch", "--url", dead_url(), "--json"])
    assert r.exit_code == 0, r.output
    assert r.stderr.startswith("aicompute: offline: ") and r.stderr.count("\n") == 1
    data = json.loads(r.stdout)
    assert data["offline"] is True and data["rows"] == 3
    assert (cache / "latest.csv").read_bytes() == before
    missing = runner.invoke(app, ["data", "update-epoch", "--url", server.url + "/gone.csv"])
    assert missing.exit_code == 0 and "HTTP 404" in missing.stderr


def test_no_cache_and_server_down_exits_2_with_one_line(cache: Path) -> None:
    r = runner.invoke(app, ["data", "update-epoch", "--url", dead_url()])
    assert r.exit_code == 2
    line = r.stderr.strip()
    assert "\n" not in line and line.startswith("aicompute: error: url: offline: ")
    assert "no cached copy" in line
    assert not cache.exists() or not any(cache.iterdir())


def test_compare_without_a_cache_says_what_to_do(cache: Path) -> None:
    r = runner.invoke(app, ["data", "compare"])
    assert r.exit_code == 2
    assert "update-epoch" in r.stderr and r.stderr.count("\n") == 1


@pytest.mark.parametrize("url", ["ftp://example.org/x.csv", "not a url"])
def test_bad_urls_are_one_line(cache: Path, url: str) -> None:
    r = runner.invoke(app, ["data", "update-epoch", "--url", url])
    assert r.exit_code == 2 and r.stderr.startswith("aicompute: error: url: ")
    assert r.stderr.count("\n") == 1


def test_a_bad_row_names_its_field(server: Server, cache: Path) -> None:
    server.files["/bad.csv"] = csv_text([ROWS[0], ROWS[1].replace('"3.14e23"', "lots")])
    result = update_epoch(server.url + "/bad.csv")  # a bad row is skipped, as `data import`
    assert result.snapshot.rows == 1
    with pytest.raises(InputError, match="no readable row"):
        server.files["/bad.csv"] = csv_text([ROWS[1].replace('"3.14e23"', "lots")])
        update_epoch(server.url + "/bad.csv")
    assert cached() is not None and cached().rows == 1  # type: ignore[union-attr]


def test_changes_compare_by_name() -> None:
    from aicompute.dataset import Record

    old = [Record(name="A", date="2020", flop=1e20), Record(name="B", date="2020")]
    new = [
        Record(name="A", date="2020", flop=2e20),
        Record(name="B", date="2020", flop=1e21),
        Record(name="C", date="2021", flop=1e22),
    ]
    added, changed = changes(old, new)
    assert added == ["C"]
    assert [c["name"] for c in changed] == ["A", "B"]
