"""The web app in a real browser (Playwright + Debian's chromium, headless): the explorer, the
calculator, saving and editing a record, and markup shown as text. Screenshots go to
``test-artifacts/``."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest

pytest.importorskip("fastapi")
from tests.browsers import ARGS, ARTIFACTS, BROWSER, CHROMIUM, sync_playwright
from tests.servers import serving

pytestmark = BROWSER
EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    from aicompute.web import create_app

    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('webdb') / 'app.db'}")
    with serving(app) as (base, _server):
        yield base


@pytest.fixture(scope="module")
def page(server):  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 1000})
        pg.problems = []
        pg.playwright = p
        pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
        pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
        pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
        pg.on("request", lambda r: r.url.startswith(server) or pg.problems.append(r.url))
        yield pg
        browser.close()


def api(server: str, path: str) -> object:
    with urllib.request.urlopen(f"{server}{path}") as response:
        return json.load(response)


def test_explorer_filters_and_toggles(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/")
    page.wait_for_selector("#explorer-chart[data-ready='true']", state="attached", timeout=30_000)
    summary = page.locator("#fit-summary")
    all_text = summary.text_content()
    assert "records: doubling every" in all_text
    page.select_option("#filters select[name=domain]", "Language")
    page.wait_for_function(
        f"document.querySelector('#fit-summary').textContent !== {json.dumps(all_text)}"
    )
    language = api(server, "/api/fit?domain=Language&bootstrap=0")["n"]
    assert summary.text_content().startswith(f"{language} records")
    page.locator("#explorer-chart input[type=radio][value=linear]").check()
    assert (
        page.evaluate("document.getElementById('explorer-chart').vegaView.signal('yScale')")
        == "linear"
    )
    page.locator("#explorer-chart input[type=checkbox]").check()
    assert (
        page.evaluate("document.getElementById('explorer-chart').vegaView.signal('showErrors')")
        is True
    )
    page.screenshot(path=str(ARTIFACTS / "web-explorer.png"))
    assert page.problems == []


def test_calculator_save_see_edit(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/calculator")
    page.fill("input[name=params]", "70B")
    page.fill("input[name=tokens]", "1.4T")
    page.fill("input[name=label]", "Chinchilla-like test")
    page.fill("input[name=date]", "2022-03-29")
    page.wait_for_selector("#result-table")
    assert "70B params × 2 FLOP/MAC × 3 (forward+backward) × 1.4T tokens" in page.text_content(
        "#result-table"
    )
    page.wait_for_selector("#estimate-chart[data-ready='true']", state="attached", timeout=30_000)
    assert "months" in page.text_content("#estimate-chart")
    page.screenshot(path=str(ARTIFACTS / "web-calculator.png"))
    page.click("#save-record")
    page.wait_for_url(f"{server}/records/new")
    assert page.input_value("input[name=name]") == "Chinchilla-like test"
    assert float(page.input_value("input[name=flop]")) == pytest.approx(6 * 70e9 * 1.4e12)
    page.fill("textarea[name=sources]", "https://arxiv.org/abs/2203.15556")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(f"{server}/records/chinchilla-like-test")
    assert "Chinchilla-like test" in page.text_content("h1")
    # the stored calculation is the inputs as typed, and redoes itself on the record page
    calc = page.text_content("article.calc")
    assert "70B params × 2 FLOP/MAC × 3 (forward+backward) × 1.4T tokens" in calc
    assert "inputs: params = 70B, tokens = 1.4T" in calc
    assert page.locator("article.calc .error").count() == 0
    # in the table
    page.goto(f"{server}/records")
    page.wait_for_selector("#record-count:has-text('records')")
    page.fill("#record-search", "chinchilla-like")
    assert page.locator("#records-table tbody tr").count() == 1
    # in the chart: the explorer's data holds every record with compute
    page.goto(f"{server}/")
    page.wait_for_selector("#explorer-chart[data-ready='true']", state="attached", timeout=30_000)
    names = page.evaluate("""() => {
        const view = document.getElementById('explorer-chart').vegaView;
        return view.data('source_0').map(d => d.name); }""")
    assert "Chinchilla-like test" in names
    # edit it
    page.goto(f"{server}/records/chinchilla-like-test/edit")
    page.fill("textarea[name=notes]", "edited in the browser")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(f"{server}/records/chinchilla-like-test")
    assert "edited in the browser" in page.text_content("#record-facts")
    assert page.locator("#history li").count() == 2
    page.screenshot(path=str(ARTIFACTS / "web-record.png"))
    assert page.problems == []


def test_stale_edit_is_refused_in_the_form(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/records/alexnet/edit")
    # someone else saves first
    record = api(server, "/api/records/alexnet")
    request = urllib.request.Request(
        f"{server}/api/records/alexnet",
        method="PUT",
        data=json.dumps({**record, "notes": "other editor"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request)
    page.fill("textarea[name=notes]", "my edit")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector("#form-error:has-text('Conflict')")
    assert api(server, "/api/records/alexnet")["notes"] == "other editor"
    # the browser logs the refused request itself; nothing else went wrong
    assert all("409" in p for p in page.problems)
    page.problems.clear()


def test_markup_in_a_record_shows_as_text(page, server) -> None:  # type: ignore[no-untyped-def]
    request = urllib.request.Request(
        f"{server}/api/records",
        method="POST",
        data=json.dumps(
            {
                "name": EVIL,
                "date": "2023-01-01",
                "domain": "Vision",
                "flop": 1e21,
                "notes": "<img src=x onerror=alert(2)>",
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    made = json.load(urllib.request.urlopen(request))
    page.goto(f"{server}/records")
    page.wait_for_selector("#record-count:has-text('records')")
    page.fill("#record-search", "alert")
    cell = page.locator("#records-table tbody tr td").nth(1)
    assert cell.text_content() == EVIL
    page.goto(f"{server}/records/{made['id']}")
    assert page.text_content("h1") == EVIL
    assert page.locator("main img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "web-escaped.png"))
    assert page.problems == []  # no alert dialog


def test_explorer_switches_charts(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/")
    page.wait_for_selector("#explorer-chart[data-ready='true']", state="attached", timeout=30_000)
    page.select_option("#filters select[name=chart]", "modern")
    page.wait_for_function(
        "document.querySelector('#explorer-chart svg') && "
        "document.querySelector('#explorer-chart').textContent"
        ".includes('increase in compute')"
    )
    page.select_option("#filters select[name=chart]", "domains")
    page.wait_for_function(
        "document.querySelector('#explorer-chart').textContent.includes('by domain')"
    )
    assert page.problems == []


def test_calculator_says_what_the_command_line_says(page, server) -> None:  # type: ignore[no-untyped-def]
    """The same warnings, preferred estimate, notes and inputs as `aicompute estimate --json`,
    for the seed's AlexNet with a training time five times too long (the methods disagree)."""
    from typer.testing import CliRunner

    from aicompute.cli import app

    inputs = {
        "forward_macs": "0.75G",
        "examples": "1.2M",
        "epochs": "90",
        "hardware": "NVIDIA GeForce GTX 580",
        "count": "2",
        "days": "25..30",
    }
    args = ["estimate", "--json"]
    for name, value in inputs.items():
        args += ["--" + name.replace("_", "-"), value]
    cli = json.loads(CliRunner().invoke(app, args).stdout)
    assert cli["disagreement"] and cli["warnings"]
    page.goto(f"{server}/calculator")
    for name, value in inputs.items():
        page.fill(f"input[name={name}]", value)
    page.wait_for_selector("#result-cite")
    shown = page.text_content("#result")
    for warning in cli["warnings"]:
        assert f"Warning: {warning}" in shown
    assert page.text_content("#result-preferred") == f"Preferred: {cli['preferred_reason']}"
    assert f"{cli['flop']:.2e}" in page.text_content("#result-cite")
    for est in cli["estimates"]:
        section = page.text_content(f"section.calc[data-method={est['method']}]")
        for note in est["notes"]:
            assert note in section
        assert est["interval"]["basis"] in section
        for name, value in est["given"].items():
            assert f"{name} = {value}" in section
    page.screenshot(path=str(ARTIFACTS / "web-calculator-disagree.png"), full_page=True)
    # a bad input: one line naming the field by its label, and the field marked
    page.fill("input[name=days]", "")
    page.fill("input[name=hardware]", "")
    page.fill("input[name=count]", "")
    page.fill("input[name=forward_macs]", "")
    page.fill("input[name=examples]", "")
    page.fill("input[name=epochs]", "")
    page.fill("input[name=params]", "70GB")
    page.fill("input[name=tokens]", "1.4T")
    page.wait_for_selector("input[name=params][aria-invalid=true]")
    message = page.text_content("#calc-error")
    assert message.startswith("Parameters: '70GB' is a size in bytes")
    assert "--" not in message
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "web-calculator-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    # the refused input answered 422, which the browser logs; nothing else went wrong
    assert [p for p in page.problems if "status of 422" not in p] == []
    page.problems.clear()


def _count(server: str) -> int:
    with urllib.request.urlopen(f"{server}/api/records?limit=1") as response:
        return int(response.headers["X-Total-Count"])


ATTACK = """<!doctype html><html><body>
<form id="f" method="POST" action="{app}/api/records" enctype="text/plain" target="sink">
<input name='{{"name": "Forged by form", "date": "2020", "x": "' value='"}}'></form>
<iframe name="sink"></iframe>
<iframe id="framed" src="{app}/records"></iframe>
<img src="{app}/api/fit?bootstrap=5000&seed=123">
<script>
const results = [];
const note = (what) => () => results.push(what);
document.getElementById("f").submit();
const body = JSON.stringify({{name: "Forged by fetch", date: "2020"}});
fetch("{app}/api/records", {{method: "POST", mode: "no-cors", body,
  headers: {{"Content-Type": "text/plain"}}}}).then(note("plain sent"), note("plain failed"));
fetch("{app}/api/records", {{method: "POST", body,
  headers: {{"Content-Type": "application/json"}}}}).then(note("json read"), note("json blocked"));
fetch("{app}/api/records").then((r) => r.json()).then(note("read"), note("read blocked"));
setTimeout(() => {{ document.title = "done " + results.sort().join(","); }}, 1500);
</script></body></html>"""


def test_a_foreign_page_cannot_write_read_or_frame_the_app(page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A page on another origin tries a form post, a no-cors text/plain fetch, a JSON fetch,
    a read, an <img> fit and a frame: nothing is written, read or shown."""
    import http.server
    import socketserver

    (tmp_path / "index.html").write_text(ATTACK.format(app=server), encoding="utf-8")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    with socketserver.TCPServer(("127.0.0.1", 0), handler) as evil:
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        before = _count(server)
        tab = page.context.browser.new_page()
        seen: list[tuple[str, int]] = []
        tab.on("response", lambda r: seen.append((r.url, r.status)))
        # the attacker's origin: localhost rather than 127.0.0.1, another port
        tab.goto(f"http://localhost:{evil.server_address[1]}/index.html")
        tab.wait_for_function("document.title.startsWith('done')", timeout=20_000)
        title = tab.title()
        framed = tab.frame_locator("#framed").locator("#records-table").count()
        tab.close()
        evil.shutdown()
    assert _count(server) == before, "a foreign page wrote a record"
    assert "json read" not in title and "read," not in title + ",", title
    assert framed == 0, "the app was shown in a foreign frame"
    api_answers = [status for url, status in seen if url.startswith(f"{server}/api/")]
    assert api_answers and all(status in {403, 415} for status in api_answers), seen


def test_dns_rebinding_is_refused(page, server) -> None:  # type: ignore[no-untyped-def]
    """A foreign name that resolves to 127.0.0.1 gets neither pages nor data."""
    port = server.rsplit(":", 1)[1]
    args = [*ARGS, "--host-resolver-rules=MAP rebind.example 127.0.0.1"]
    browser = page.playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    tab = browser.new_page()
    response = tab.goto(f"http://rebind.example:{port}/records")
    assert response is not None and response.status == 403
    status = tab.evaluate(
        "fetch('/api/records', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({name: 'Rebound', date: '2020'})}).then((r) => r.status)"
    )
    assert status == 403
    browser.close()


def test_delete_then_restore_in_the_browser(page, server) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"name": "Browser undo", "date": "2020-01-01", "id": "browser-undo"})
    request = urllib.request.Request(
        f"{server}/api/records", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    urllib.request.urlopen(request).close()
    tab = page.context.browser.new_page(viewport={"width": 390, "height": 800})
    tab.on("dialog", lambda d: d.accept())
    tab.goto(f"{server}/records/browser-undo")
    tab.click("#delete-record")
    tab.wait_for_selector("#restore-record")
    tab.screenshot(path=str(ARTIFACTS / "web-deleted.png"))
    tab.click("#restore-record")
    tab.wait_for_selector("#delete-record")
    assert tab.locator("#history li").count() == 3
    tab.close()
    assert api(server, "/api/records/browser-undo")["version"] == 3  # type: ignore[index]
