"""The explorer's threshold control in a real browser (Playwright + Debian's chromium,
headless) at a phone's width and a desktop's: choosing 10^25 FLOP filters the chart and the
downloads, the choice lives in the address and survives a reload, and nothing scrolls
sideways. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytest.importorskip("fastapi")
from tests.browsers import ARTIFACTS, BROWSER, launched
from tests.servers import web_app
from tests.test_web_browser import READY, no_sideways_scroll

pytestmark = BROWSER


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    with web_app(tmp_path_factory.mktemp("thresholddb")) as base:
        yield base


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    yield from launched()


def api(server: str, path: str) -> object:
    with urllib.request.urlopen(f"{server}{path}") as response:
        return json.load(response)


@pytest.mark.parametrize("width", [390, 1400])
def test_choosing_a_threshold_filters_the_view(browser, server, width: int) -> None:  # type: ignore[no-untyped-def]
    pg = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    pg.on("console", lambda m: m.type == "error" and problems.append(m.text))
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.goto(f"{server}/")
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    everything = int(pg.get_attribute("#fit-summary", "data-records") or 0)
    control = pg.get_by_label("Above threshold")  # labelled, in the one control bar
    assert pg.locator(".controlbar select[name=above]").count() == 1
    assert control.evaluate("e => [...e.options].map(o => o.textContent)") == [
        "none", "10²³ FLOP", "10²⁵ FLOP", "10²⁶ FLOP",
    ]  # fmt: skip
    pg.focus("select[name=frontier]")
    pg.keyboard.press("Tab")  # reached by the keyboard, right after the frontier rule
    assert pg.evaluate("document.activeElement.name") == "above"
    control.select_option("1e25")
    pg.wait_for_function("location.search.includes('above=1e25')")
    pg.wait_for_function(
        f"document.querySelector('#fit-summary').dataset.records !== '{everything}'"
    )
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    summary = api(server, "/api/chart/eras?above=1e25")["usermeta"]["summary"]  # type: ignore[index]
    listed = api(server, "/api/records?above=1e25&limit=1000")
    assert 0 < summary["records"] == len(listed) < everything  # type: ignore[arg-type]
    assert pg.get_attribute("#fit-summary", "data-records") == str(summary["records"])
    assert "Only records whose compute is above 1e25 FLOP" in pg.text_content("#fit-lines")
    drawn = pg.evaluate("""() => {
        const view = document.getElementById('explorer-chart').vegaView;
        const ids = new Set();
        const walk = (mark) => (mark.items || []).forEach((item) => {
          if (mark.marktype === 'symbol' && item.datum && item.datum.id) ids.add(item.datum.id);
          (item.items || []).forEach(walk);
        });
        walk(view.scenegraph().root);
        return [...ids]; }""")
    assert set(drawn) == {r["id"] for r in listed}  # type: ignore[union-attr]
    assert "above=1e25" in (pg.get_attribute("#export-json", "href") or "")
    assert "above=1e25" in (pg.get_attribute("#export-csv", "href") or "")
    pg.reload()
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    assert pg.input_value("select[name=above]") == "1e25"
    assert pg.get_attribute("#fit-summary", "data-records") == str(summary["records"])
    no_sideways_scroll(pg)
    pg.screenshot(path=str(ARTIFACTS / f"web-explorer-above-{width}.png"), full_page=True)
    # a shared link naming a threshold by its key keeps it
    pg.goto(f"{server}/?above=ca-sb53")
    pg.wait_for_selector(READY, state="attached", timeout=30_000)
    assert pg.input_value("select[name=above]") == "ca-sb53"
    top = api(server, "/api/chart/eras?above=ca-sb53")["usermeta"]["summary"]["records"]  # type: ignore[index]
    assert pg.get_attribute("#fit-summary", "data-records") == str(top)
    assert problems == []
    pg.close()
