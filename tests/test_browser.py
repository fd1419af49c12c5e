"""The report in a real browser: Playwright driving Debian's chromium, headless.

Skipped when chromium or Playwright is missing on a developer's machine; under CI (CI=true)
a missing browser is a failure, so the suite can never pass by skipping it. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from aicompute.dataset import Record, records_to_frame
from aicompute.report import build_report
from tests.browsers import ARGS, ARTIFACTS, BROWSER, CHROMIUM, expect, sync_playwright
from tests.conftest import seed_records

pytestmark = BROWSER

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def report_url(tmp_path_factory):  # type: ignore[no-untyped-def]
    records = seed_records()
    records.append(
        Record(
            name=EVIL,
            date="2016-06-01",
            domain="Other",
            flop=1e20,
            notes="<img src=x onerror=alert(2)> " + "unbroken" * 40,
            sources=["https://example.org", "https://example.org/" + "x" * 300],
        )
    )
    out = build_report(
        records_to_frame(records),
        tmp_path_factory.mktemp("b") / "report",
        records=records,
        bootstrap=100,
        static=False,
    ).path
    return (out / "index.html").as_uri()


@pytest.fixture(scope="module")
def page(report_url):  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 1000})
        pg.problems = []  # console errors, page errors, dialogs, network requests
        pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
        pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
        pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
        pg.on("request", lambda r: r.url.startswith("file:") or pg.problems.append(r.url))
        pg.goto(report_url)
        for chart in ("modern", "eras", "domains", "forecast", "cost"):
            pg.wait_for_selector(
                f"#chart-{chart}[data-ready='true']", state="attached", timeout=30_000
            )
        yield pg
        browser.close()


def signal(page, chart: str, name: str):  # type: ignore[no-untyped-def]
    return page.evaluate(f"document.getElementById('chart-{chart}').vegaView.signal('{name}')")


def symbols(page, chart: str) -> int:  # type: ignore[no-untyped-def]
    return page.locator(f"#chart-{chart} g.mark-symbol.role-mark path").count()


def wait_for_signal(page, chart: str, name: str, value: object) -> None:  # type: ignore[no-untyped-def]
    """Wait until the chart's Vega signal has the value (the view updates asynchronously)."""
    page.wait_for_function(
        "([chart, name, value]) => "
        "document.getElementById(`chart-${chart}`).vegaView.signal(name) === value",
        arg=[chart, name, value],
    )


def test_charts_render_without_errors(page) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / "report-top.png"))
    assert symbols(page, "modern") == 15
    assert symbols(page, "eras") == 33  # 32 records with compute + the added one
    assert page.problems == []


def test_toggle_log_linear(page) -> None:  # type: ignore[no-untyped-def]
    eras = page.locator("#figure-eras")
    labels = lambda: page.locator("#chart-eras .role-axis-label text").all_text_contents()  # noqa: E731
    assert signal(page, "eras", "yScale") == "log"
    power = re.compile(r"^10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$")  # a log tick as people write it: 10²⁴
    assert len([t for t in labels() if power.match(t)]) >= 5
    assert not any("e+" in t or t.startswith("1e") for t in labels())
    eras.locator("input[type=radio][value=linear]").check()
    wait_for_signal(page, "eras", "yScale", "linear")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#chart-eras .role-axis-label text')]"
        ".some(t => t.textContent === '0')"
    )
    assert not any(power.match(t) for t in labels())  # evenly spaced: 0, 5×10²², 1×10²³
    eras.screenshot(path=str(ARTIFACTS / "eras-linear.png"))
    eras.locator("input[type=radio][value=log]").check()
    wait_for_signal(page, "eras", "yScale", "log")
    assert page.problems == []


def test_toggle_error_bars(page) -> None:  # type: ignore[no-untyped-def]
    count_visible = """() => [...document.querySelectorAll(
            '#chart-eras g.mark-rule.role-mark line')].filter(l => {
              const o = l.getAttribute('stroke-opacity') ?? l.getAttribute('opacity');
              return o !== null && parseFloat(o) > 0; }).length"""

    def visible_rules() -> int:
        return page.evaluate(count_visible)

    assert visible_rules() == 0
    page.locator("#figure-eras input[type=checkbox]").check()
    wait_for_signal(page, "eras", "showErrors", True)
    page.wait_for_function(f"({count_visible})() === 33")
    assert visible_rules() == 33
    page.locator("#figure-eras").screenshot(path=str(ARTIFACTS / "eras-error-bars.png"))
    page.locator("#figure-eras input[type=checkbox]").uncheck()
    wait_for_signal(page, "eras", "showErrors", False)
    assert page.problems == []


def test_filter_a_domain(page) -> None:  # type: ignore[no-untyped-def]
    eras = page.locator("#chart-eras g.mark-symbol.role-mark path")
    page.locator("#figure-eras select").select_option("Games")
    expect(eras).to_have_count(5)  # TD-Gammon, DQN, Dota 1v1, AlphaGo Zero, AlphaZero
    page.locator("#figure-eras").screenshot(path=str(ARTIFACTS / "eras-games.png"))
    page.locator("#figure-eras select").select_option("All")
    expect(eras).to_have_count(33)
    assert page.problems == []


def test_records_table(page) -> None:  # type: ignore[no-untyped-def]
    rows = page.locator("#records-table tbody tr")
    assert rows.count() == 33
    page.fill("#record-search", "alpha")
    assert rows.count() == 2
    page.fill("#record-search", "")
    page.select_option("#record-domain", "Speech")
    assert rows.count() == 3  # RNN for Speech, BiLSTM for Speech, DeepSpeech2
    page.select_option("#record-domain", "")
    page.click("#records-table th[data-key=pfs_days] button")
    page.click("#records-table th[data-key=pfs_days] button")  # descending
    assert rows.first.locator("td").nth(1).text_content() == "AlphaGoZero"
    assert page.problems == []


def test_markup_shows_as_text(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#record-search", "alert")
    cell = page.locator("#records-table tbody tr td").nth(1)
    assert cell.text_content() == EVIL
    assert page.locator("#records-table img").count() == 0
    page.locator("#records").screenshot(path=str(ARTIFACTS / "records-escaped.png"))
    page.fill("#record-search", "")
    assert page.problems == []  # no alert dialog ever opened


WIDTHS = (390, 1400)


@pytest.fixture
def every_width(page):  # type: ignore[no-untyped-def]
    """Yields a function that sets the page's width; the page goes back to 1280 px after."""

    def width(px: int) -> None:
        page.set_viewport_size({"width": px, "height": 900})
        page.wait_for_timeout(300)  # the charts fit their new container

    yield width
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = false)")


def test_never_scrolls_sideways(page, every_width) -> None:  # type: ignore[no-untyped-def]
    """At a phone's and a desktop's width, with every disclosure open (long URLs and notes
    included), nothing is wider than the window; the charts fill their column."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    for px in WIDTHS:
        every_width(px)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{scroll} px wide at {px}"
        column, chart = page.evaluate(
            "['#charts', '#chart-modern'].map(s => document.querySelector(s)"
            ".getBoundingClientRect().width)"
        )
        assert chart == pytest.approx(column, abs=1), (px, chart, column)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / f"report-{px}.png"))
        page.locator("#records").screenshot(path=str(ARTIFACTS / f"records-{px}.png"))
    assert page.problems == []


def test_dates_stay_on_one_line(page, every_width) -> None:  # type: ignore[no-untyped-def]
    cells = "#records-table td.date, #backtest-table td.date"
    lines = f"""() => [...document.querySelectorAll('{cells}')]
        .map(td => {{ const r = document.createRange(); r.selectNodeContents(td);
                     return r.getClientRects().length; }})"""
    for px in WIDTHS:
        every_width(px)
        counts = page.evaluate(lines)
        assert len(counts) >= 33 and set(counts) == {1}, (px, counts)


def test_table_of_contents_reaches_every_section(page) -> None:  # type: ignore[no-untyped-def]
    links = page.locator("#toc a")
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert len(hrefs) == 9 and hrefs.index("#reproduction") < hrefs.index("#appendix")
    for n, href in enumerate(hrefs):
        links.nth(n).click()
        page.wait_for_function(f"() => location.hash === '{href}'")
        top, bottom = page.evaluate(
            f"""() => [document.querySelector('{href}').getBoundingClientRect().top,
                Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight]"""
        )
        assert 0 <= top <= 80 or bottom, (href, top)  # below the sticky contents line
        assert page.locator("#toc").bounding_box()["y"] == 0  # the contents stay in view
    page.evaluate("() => { history.replaceState(null, '', location.pathname); scrollTo(0, 0); }")
    assert page.problems == []


def test_each_row_shows_its_calculation(page) -> None:  # type: ignore[no-untyped-def]
    rows = page.locator("#records-table tbody tr")
    calculations = page.locator("#records-table tbody tr code.calculation")
    assert calculations.count() == 16  # the seed's 11 records with inputs: 16 calculations
    line = r"= .+ = \d[\d.]*e\d+ FLOP = [\d.,]+(?:e-?\d+)? pfs-days"
    for text in calculations.all_text_contents():
        assert re.fullmatch(line, text), text
    page.fill("#record-search", "AlexNet")
    expect(rows).to_have_count(1)
    shown = rows.first.locator(".calc-cell").inner_text()  # visible, not folded away
    assert "operations" in shown and "forward MACs per example × 2 FLOP/MAC" in shown
    assert (
        "= 750M MAC × 2 FLOP/MAC × 3 (forward+backward) × 1.2M examples × 90 epochs "
        "= 4.86e17 FLOP = 0.00562 pfs-days"
    ) in shown
    assert rows.first.locator("td.num").all_text_contents() == ["0.00589", "5.09e17"]
    page.fill("#record-search", "")
    assert page.problems == []
