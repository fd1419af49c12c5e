"""The web app in a real browser (Playwright + Debian's chromium, headless): the explorer, the
calculator, saving and editing a record, and markup shown as text. Screenshots go to
``test-artifacts/``."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

pytest.importorskip("fastapi")
from aicompute.units import format_flop
from aicompute.web.deps import ANALYSIS_MAX_AGE
from tests.browsers import ARGS, ARTIFACTS, BROWSER, CHROMIUM, sync_playwright
from tests.servers import web_app

pytestmark = BROWSER
EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    with web_app(tmp_path_factory.mktemp("webdb")) as base:
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


READY = "#explorer-chart[data-ready='true']"
WIDTHS = [390, 1400]
SIDEWAYS = """() => {
  // elements reaching past the window's right edge, outside any box that scrolls or clips
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const node of document.querySelectorAll("body *")) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    let up = node.parentElement, held = false;
    while (up && !held) {
      held = ["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX);
      up = up.parentElement;
    }
    if (!held) out.push(`${node.tagName.toLowerCase()}#${node.id} ${Math.round(box.right)}px`);
  }
  return [document.documentElement.scrollWidth - width, out.slice(0, 5)];
}"""
POINT = """(id) => {
  // the centre of a record's point on the page (Vega's SVG renderer keeps each item's element)
  const view = document.getElementById('explorer-chart').vegaView;
  let found = null;
  const walk = (mark) => {
    for (const item of (found ? [] : mark.items || [])) {
      if (mark.marktype === 'symbol' && item.datum && item.datum.id === id) found = item._svg;
      (item.items || []).forEach(walk);
    }
  };
  walk(view.scenegraph().root);
  if (!found) return null;
  const box = found.getBoundingClientRect();
  return [box.left + box.width / 2, box.top + box.height / 2];
}"""


@pytest.fixture
def tab(page):  # type: ignore[no-untyped-def]
    """A fresh tab of the test browser at a width (``tab(390)``), closed after the test."""
    opened = []

    def make(width: int):  # type: ignore[no-untyped-def]
        t = page.context.browser.new_page(viewport={"width": width, "height": 900})
        t.problems = []
        t.on("console", lambda m: m.type == "error" and t.problems.append(m.text))
        t.on("pageerror", lambda e: t.problems.append(f"page error: {e}"))
        opened.append(t)
        return t

    yield make
    for t in opened:
        t.close()


def signal(pg, name: str):  # type: ignore[no-untyped-def]
    return pg.evaluate(f"document.getElementById('explorer-chart').vegaView.signal('{name}')")


def no_sideways_scroll(pg) -> None:  # type: ignore[no-untyped-def]
    extra, out = pg.evaluate(SIDEWAYS)
    assert extra <= 0 and out == [], (pg.url, extra, out)


def test_explorer_filters_and_toggles(page, server) -> None:  # type: ignore[no-untyped-def]
    """The page's domain filter refits (the chart's own is gone), and the one control bar sets
    the chart's scale and error bars."""
    page.goto(f"{server}/")
    page.wait_for_selector(READY, state="attached", timeout=30_000)
    summary = page.locator("#fit-summary")
    all_text = summary.text_content()
    assert all_text.startswith("Two eras, split at")
    assert page.locator("#explorer-chart .vega-bindings").is_hidden()
    assert page.locator("#view-controls select, #view-controls [name=domainFilter]").count() == 0
    page.select_option("#filters select[name=domain]", "Language")
    page.wait_for_function(
        f"document.querySelector('#fit-summary').textContent !== {json.dumps(all_text)}"
    )
    expected = api(server, "/api/chart/eras?domain=Language")["usermeta"]["summary"]  # type: ignore[index]
    assert summary.get_attribute("data-records") == str(expected["records"])
    assert page.text_content("#fit-lines") == "".join(expected["lines"][1:]) + (
        f"{expected['records']} records with compute in this view."
    )
    page.locator("#view-controls").get_by_label("Linear scale", exact=True).check()
    assert signal(page, "yScale") == "linear"
    page.locator("#view-controls").get_by_label("Show error bars", exact=True).check()
    assert signal(page, "showErrors") is True
    assert "scale=linear" in page.url and "errors=true" in page.url
    page.screenshot(path=str(ARTIFACTS / "web-explorer.png"))
    assert page.problems == []


@pytest.mark.parametrize("width", WIDTHS)
# The explorer tests name records no other test edits (an edited record turns unreviewed and
# leaves the default view).
def test_a_shared_link_reproduces_the_view(tab, server, width) -> None:  # type: ignore[no-untyped-def]
    """Chart, filters, scale, unit and the model found live in the address: opening it shows
    the same view; changing the view changes the address; no sideways scroll."""
    view = "chart=modern&since=2012&confidence=confident&scale=linear&unit=FLOP&model=resnets"
    shared = f"{server}/?{view}"
    pg = tab(width)
    pg.goto(shared)
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    assert pg.input_value("select[name=chart]") == "modern"
    assert pg.input_value("input[name=since]") == "2012"
    assert pg.input_value("select[name=confidence]") == "confident"
    assert signal(pg, "yScale") == "linear" and signal(pg, "unit") == "FLOP"
    assert signal(pg, "highlight") == "resnets"
    assert pg.input_value("#model-search") == "ResNets"
    controls = pg.locator("#view-controls")
    assert controls.get_by_label("Linear scale", exact=True).is_checked()
    assert controls.get_by_label("FLOP", exact=True).is_checked()
    assert pg.text_content("#fit-summary").startswith("The modern era")
    pg.locator("#view-controls").get_by_label("pfs-days", exact=True).check()
    pg.wait_for_function("location.search.includes('unit=pfs-days')")
    pg.reload()
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    assert signal(pg, "unit") == "pfs-days" and signal(pg, "yScale") == "linear"
    no_sideways_scroll(pg)
    pg.screenshot(path=str(ARTIFACTS / f"web-explorer-shared-{width}.png"), full_page=True)
    assert pg.problems == []


def test_search_highlights_and_a_point_opens_its_record(tab, server) -> None:  # type: ignore[no-untyped-def]
    pg = tab(1400)
    pg.goto(f"{server}/?chart=modern")
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    pg.fill("#model-search", "alphagoz")
    pg.press("#model-search", "Enter")
    pg.wait_for_selector("#model-link")
    assert signal(pg, "highlight") == "alphagozero" and "model=alphagozero" in pg.url
    ring = pg.evaluate("""() => document.getElementById('explorer-chart').vegaView.scenegraph()
        .root.items[0].items.filter(m => m.marktype === 'text')
        .flatMap(m => m.items).filter(i => i.datum && i.datum.id === 'alphagozero').length""")
    assert ring >= 1  # the name drawn by the highlight layer
    pg.fill("#model-search", "no such model")
    pg.press("#model-search", "Enter")
    pg.wait_for_selector("#model-found:has-text('no model')")
    assert signal(pg, "highlight") == ""
    x, y = pg.evaluate(POINT, "dqn")
    pg.mouse.click(x, y)
    pg.wait_for_url(f"{server}/records/dqn")
    assert pg.problems == []


@pytest.mark.parametrize("width", [390, 1400])
def test_the_charts_records_are_reachable_by_keyboard(tab, server, width: int) -> None:  # type: ignore[no-untyped-def]
    """Points cannot take the focus; the list under the chart holds the same records, by date,
    as links: Tab to it, open it, Tab to a record and Enter opens its page."""
    pg = tab(width)
    pg.goto(f"{server}/?chart=modern")
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    drawn = pg.evaluate("""() => new Set(document.getElementById('explorer-chart').vegaView
        .scenegraph().root.items[0].items.flatMap(m => m.items || [])
        .filter(i => i.datum && i.datum.id && i.datum.name).map(i => i.datum.id)).size""")
    count = int(pg.text_content("#chart-records-count") or "0")
    assert count == drawn >= 10  # the seed's modern era (15; other tests here may edit one)
    pg.focus("#chart-records summary")
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.getElementById('chart-records').open")
    pg.keyboard.press("Tab")
    first = pg.evaluate("document.activeElement.textContent")
    assert first == pg.text_content("#chart-records-list li:first-child a")
    pg.keyboard.press("Enter")
    pg.wait_for_url(f"{server}/records/**")
    assert first in (pg.text_content("h1") or "")
    no_sideways_scroll(pg)
    assert pg.problems == []


def test_the_view_downloads(tab, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """CSV and JSON of the filtered records, SVG and PNG of the chart as shown."""
    pg = tab(1400)
    pg.goto(f"{server}/?domain=Vision&chart=domains")
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    got = {}
    for control in ("#export-csv", "#export-json", "#export-svg", "#export-png"):
        with pg.expect_download() as download:
            pg.click(control)
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        got[path.suffix] = path.read_bytes()
    rows = json.loads(got[".json"])
    assert rows and {r["domain"] for r in rows} == {"Vision"}
    assert got[".csv"].decode().count("\n") == len(rows) + 1
    assert got[".svg"].startswith(b"<svg") and b"Training compute by domain" in got[".svg"]
    assert got[".png"].startswith(b"\x89PNG")
    assert pg.problems == []


def test_the_summary_follows_the_chart(tab, server) -> None:  # type: ignore[no-untyped-def]
    pg = tab(1400)
    pg.goto(f"{server}/")
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    lines = pg.text_content("#fit-box")
    assert "Era 1" in lines and "Era 2" in lines and "doubling every" in lines
    seen = {}
    for name, words in (
        ("modern", "The modern era"),
        ("domains", "Each domain since"),
        ("forecast", "The frontier trend"),
        ("cost", "hardware budget"),
    ):
        pg.select_option("select[name=chart]", name)
        pg.wait_for_function(
            "([words]) => document.getElementById('fit-box').textContent.includes(words)"
            " && document.getElementById('explorer-chart').dataset.ready === 'true'",
            arg=[words],
        )
        seen[name] = pg.text_content("#fit-box")
        assert f"chart={name}" in pg.url
    assert "Language" in seen["domains"] and "Vision" in seen["domains"]
    assert len(set(seen.values())) == 4
    assert pg.problems == []


def test_no_stale_chart_after_an_error_or_a_late_answer(tab, server) -> None:  # type: ignore[no-untyped-def]
    import time

    pg = tab(1400)
    pg.goto(f"{server}/")
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    pg.fill("input[name=since]", "2030")
    pg.press("input[name=since]", "Tab")
    pg.wait_for_selector("#explorer-error:has-text('since')")
    assert pg.locator("#explorer-chart svg").count() == 0
    assert pg.get_attribute("#explorer-chart", "data-ready") == "false"
    assert pg.text_content("#fit-summary") == "" and pg.text_content("#fit-lines") == ""
    assert pg.get_attribute("input[name=since]", "aria-invalid") == "true"
    # a slow answer for an older view never replaces the newer one
    pg.fill("input[name=since]", "")
    pg.route("**/api/chart/domains*", lambda route: (time.sleep(1.0), route.continue_()))
    pg.evaluate("""() => {
        const chart = document.querySelector('select[name=chart]');
        chart.value = 'domains'; chart.dispatchEvent(new Event('change', {bubbles: true}));
        setTimeout(() => { chart.value = 'modern';
                           chart.dispatchEvent(new Event('change', {bubbles: true})); }, 50);
    }""")
    pg.wait_for_function(
        "document.getElementById('fit-summary').textContent.startsWith('The modern era')"
    )
    pg.wait_for_timeout(1500)
    assert pg.text_content("#fit-summary").startswith("The modern era")
    assert "increase in compute" in pg.text_content("#explorer-chart")
    assert pg.text_content("#explorer-error") == ""
    # the refused since=2030 answered 422 (logged by the browser); the aborted request too
    assert [p for p in pg.problems if "422" not in p and "abort" not in p.lower()] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_docs_work_offline(tab, server, width) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI from packaged files: with every other host blocked, /docs lists the API."""
    pg = tab(width)
    outside: list[str] = []

    def only_the_app(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(server) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    pg.route("**/*", only_the_app)
    pg.goto(f"{server}/docs")
    pg.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = pg.locator(".opblock-summary-path").all_text_contents()
    assert "/api/chart/{name}" in [p.replace("\u200b", "") for p in paths]
    assert outside == []
    no_sideways_scroll(pg)
    pg.screenshot(path=str(ARTIFACTS / f"web-docs-{width}.png"))


@pytest.mark.parametrize("path", ["/", "/calculator", "/records", "/records/alexnet"])
def test_no_sideways_scroll_on_a_phone(tab, server, path) -> None:  # type: ignore[no-untyped-def]
    """At 390 px no page is wider than the screen: the navigation wraps (every link on
    screen), the charts fill their container."""
    pg = tab(390)
    pg.goto(f"{server}{path}")
    if path == "/":
        pg.wait_for_selector(READY, state="attached", timeout=30_000)
        box = pg.locator("#explorer-chart svg").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
    for link in pg.locator("nav a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, link
    no_sideways_scroll(pg)
    name = path.strip("/").replace("/", "-") or "explorer"
    pg.screenshot(path=str(ARTIFACTS / f"web-{name}-390.png"), full_page=True)


def test_calculator_save_then_find_it_in_the_explorer(page, server) -> None:  # type: ignore[no-untyped-def]
    """The calculator's result saved as a record (the record pages' own flow, with edits and
    history, is tests/test_web_records_browser.py), then found in the explorer with the
    unreviewed records included."""
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
    page.select_option("#record-form select[name=domain]", "Language")
    page.fill("textarea[name=sources]", "https://arxiv.org/abs/2203.15556")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(f"{server}/records/chinchilla-like-test")
    # charts may lag writes by ANALYSIS_MAX_AGE (a frame that recent is reused): past it, the
    # chart must show the new record, with the toggle on (a record saved from the web is
    # unreviewed)
    time.sleep(ANALYSIS_MAX_AGE)
    page.goto(f"{server}/?unreviewed=true&model=chinchilla-like-test")
    page.wait_for_selector(READY, state="attached", timeout=30_000)
    assert page.is_checked("#filters input[name=unreviewed]")
    assert page.text_content("#model-link") == "open Chinchilla-like test"
    names = page.evaluate("""() => {
        const view = document.getElementById('explorer-chart').vegaView;
        return view.data('source_0').map(d => d.name); }""")
    assert "Chinchilla-like test" in names
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
    assert cell.locator("a").first.text_content() == EVIL  # the name (badges follow it)
    page.goto(f"{server}/records/{made['id']}")
    assert page.text_content("h1") == EVIL
    assert page.locator("main img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "web-escaped.png"))
    assert page.problems == []  # no alert dialog


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
    from aicompute.constants import DISAGREEMENT_FACTOR

    ratio = cli["agreement_ratio"]
    assert f"disagree by {max(ratio, 1 / ratio):.2f}x" in page.text_content("#result-disagreement")
    assert f"more than {DISAGREEMENT_FACTOR:g}x apart" in page.text_content("#result-crosscheck")
    # every assumption with its source: utilization, peak and precision, backward ratio
    hardware = next(e for e in cli["estimates"] if e["method"] == "hardware")["inputs"]
    for name, source in (
        ("utilization", hardware["utilization_source"]),
        ("peak_flops", hardware["peak_source"]),
        ("precision", hardware["peak_source"]),
        ("backward_ratio", "default"),
    ):
        assert source in page.text_content(f"section.calc tr[data-input={name}]")
    assert page.locator("select[name=precision]").count() == 1
    assert page.locator("input[name=peak_flops]").count() == 1
    assert format_flop(cli["flop"]) in page.text_content("#result-cite")  # the one formatter
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
    body = json.dumps(
        {"name": "Browser undo", "date": "2020-01-01", "id": "browser-undo", "domain": "Other"}
    )
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
