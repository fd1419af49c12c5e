"""Records in a real browser (Playwright + Debian's chromium, headless), at 390 px and 1400 px:
an estimate saved as a record for each method and both, viewed, edited, its history with a
diff and the author, deleted and restored; a bad number refused next to its field; a stale
edit shown side by side; the review that brings a record into the fits; the 404 page; and no
sideways scroll on a phone. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

pytest.importorskip("fastapi")
from tests.browsers import ARGS, ARTIFACTS, BROWSER, CHROMIUM, sync_playwright
from tests.servers import web_app

pytestmark = BROWSER
PHONE, DESKTOP = 390, 1400


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    with web_app(tmp_path_factory.mktemp("recordsdb")) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server):  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_tab(browser, server: str, width: int):  # type: ignore[no-untyped-def]
    """A tab ``width`` px wide that records every console error, dialog and foreign request."""
    tab = browser.new_page(viewport={"width": width, "height": 900})
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    tab.on("dialog", lambda d: d.accept())
    tab.on("request", lambda r: r.url.startswith(server) or tab.problems.append(r.url))
    return tab


def api(server: str, path: str, method: str = "GET", body: object = None) -> object:
    request = urllib.request.Request(
        f"{server}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        text = response.read()
    return json.loads(text) if text else None


def sideways(tab) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return int(tab.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


CASES = {
    "hardware": {"hardware": "GTX 580", "count": "2", "days": "5.5"},
    "operations": {"params": "7B", "tokens": "2T tokens"},
    "mixed": {
        "forward_macs": "0.75G",
        "examples": "1.2M",
        "epochs": "90",
        "hardware": "GTX 580",
        "count": "2",
        "days": "5..6",
    },
}
"""The calculator's inputs for each kind of estimate; the edit changes the first listed."""


@pytest.mark.parametrize(
    ("kind", "width"),
    [("hardware", PHONE), ("operations", DESKTOP), ("mixed", PHONE), ("hardware", DESKTOP)],
)
def test_estimate_save_view_edit_history_delete_restore(browser, server, kind, width) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(browser, server, width)
    inputs = CASES[kind]
    name = f"Saved {kind} estimate {width}"
    record_id = name.lower().replace(" ", "-")
    methods = ["operations", "hardware"] if kind == "mixed" else [kind]
    # estimate in the calculator, then save it as a record
    tab.goto(f"{server}/calculator")
    tab.fill("#calculator input[name=label]", name)
    for field, value in inputs.items():
        tab.fill(f"#calculator input[name={field}]", value)
    tab.wait_for_function(
        "() => !document.querySelector('#save-record').disabled && "
        f"document.querySelectorAll('#result-table').length && {len(methods)} <= "
        "(document.querySelector('#result').textContent.match(/pfs-days/g) || []).length"
    )
    tab.click("#save-record")
    tab.wait_for_url(f"{server}/records/new")
    # the form: each method's inputs as labelled fields, numbers rounded, no domain chosen
    blocks = tab.locator("#estimates fieldset.estimate")
    assert blocks.count() == len(methods)
    first = next(iter(inputs))
    shown = tab.locator("#estimates .estimate >> nth=0 >> .est-fields:not([hidden])")
    assert shown.locator(f"[data-input={first}]").input_value() == inputs[first]
    for end in ("low_flop", "high_flop"):  # 3 significant digits, no float noise
        assert re.fullmatch(r"\d(\.\d{1,2})?e\+\d+", tab.input_value(f"input[name={end}]"))
    assert tab.input_value("select[name=domain]") == ""
    assert tab.input_value("select[name=confidence]") == "speculative"
    tab.fill("#author-name", f"Tester {width}")
    tab.fill("input[name=date]", "2024-03-01")
    tab.select_option("select[name=domain]", "Language")
    tab.fill("textarea[name=sources]", "https://example.org/paper")
    assert sideways(tab) == 0
    tab.screenshot(path=str(ARTIFACTS / f"rec-record-form-{kind}-{width}.png"), full_page=True)
    tab.click("#record-form button[type=submit]")
    tab.wait_for_url(f"{server}/records/{record_id}")
    # the record's page: each method redone, shown as a calculation; unreviewed
    calcs = tab.locator("article.calc")
    assert calcs.count() == len(methods)
    assert tab.locator("article.calc .calc-note").count() == 0
    text = tab.text_content("main") or ""
    assert "pfs-days, 90% interval" in text and "{'" not in text
    for method in methods:
        assert tab.locator(f"article.calc[data-method={method}] pre").count() == 1
    assert tab.locator("#record-badges .badge.unreviewed").is_visible()
    assert sideways(tab) == 0
    tab.screenshot(path=str(ARTIFACTS / f"rec-record-{kind}-{width}.png"), full_page=True)
    # edit one input of the calculation and the notes
    tab.click("#edit-link")
    tab.wait_for_url(f"{server}/records/{record_id}/edit")
    assert tab.input_value("#author-name") == f"Tester {width}"  # kept in this browser
    field = "days" if "days" in inputs else "tokens"
    index = 1 if kind == "mixed" else 0
    target = tab.locator(f"#estimates .estimate >> nth={index} >> .est-fields:not([hidden])")
    new_value = "6" if field == "days" else "2.5T"
    target.locator(f"[data-input={field}]").fill(new_value)
    tab.fill("textarea[name=notes]", "edited in the browser")
    assert sideways(tab) == 0
    tab.click("#record-form button[type=submit]")
    tab.wait_for_url(f"{server}/records/{record_id}")
    assert "edited in the browser" in (tab.text_content("#record-facts") or "")
    newest = tab.locator("#history li").first
    assert f"Tester {width}" in (newest.text_content() or "")
    change = newest.locator(".change", has_text=f"estimates.{index}.inputs.{field}")
    assert change.locator("ins").text_content() == new_value
    assert change.locator("del").text_content() == inputs[field]
    assert newest.locator(".change", has_text="notes").count() == 1
    # the history page
    tab.click("#history-link")
    tab.wait_for_url(f"{server}/records/{record_id}/history")
    assert tab.locator("#history li").count() == 2
    assert sideways(tab) == 0
    tab.screenshot(path=str(ARTIFACTS / f"rec-history-{kind}-{width}.png"), full_page=True)
    # delete, then restore
    tab.goto(f"{server}/records/{record_id}")
    assert tab.problems == []
    tab.click("#delete-record")
    tab.wait_for_selector("#restore-record")
    assert [p for p in tab.problems if "404" not in p] == []  # a deleted record's page is a 404
    tab.problems.clear()
    assert sideways(tab) == 0
    tab.click("#restore-record")
    tab.wait_for_selector("#delete-record")
    actions = tab.locator("#history li").evaluate_all("l => l.map(e => e.dataset.action)")
    assert actions == ["restore", "delete", "update", "create"]
    history = api(server, f"/api/records/{record_id}/history")
    assert {h["author"] for h in history} == {f"Tester {width}"}  # type: ignore[union-attr]
    assert tab.problems == []
    tab.close()


def test_a_bad_number_is_refused_next_to_its_field(browser, server) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(browser, server, PHONE)
    tab.goto(f"{server}/records/new")
    tab.fill("input[name=name]", "Bad number model")
    tab.fill("input[name=date]", "2024-01-01")
    tab.fill("input[name=flop]", "abc")
    tab.click("#record-form button[type=submit]")
    # no domain, no source: refused before asking the server
    assert "choose a domain" in tab.text_content(".field-error[data-error=domain]")
    assert "No source yet" in tab.text_content(".field-error[data-error=sources]")
    tab.select_option("select[name=domain]", "Vision")
    tab.check("input[name=unsourced]")
    tab.click("#record-form button[type=submit]")
    tab.wait_for_selector(".field-error[data-error=flop]:has-text('abc')")
    assert "cannot read 'abc'" in tab.text_content(".field-error[data-error=flop]")
    assert tab.get_attribute("input[name=flop]", "aria-invalid") == "true"
    assert tab.url == f"{server}/records/new"
    tab.click("#add-estimate")
    calc = tab.locator("#estimates .estimate .est-fields:not([hidden])")
    calc.locator("[data-input=params]").fill("7B")
    calc.locator("[data-input=tokens]").fill("lots")
    tab.fill("input[name=flop]", "3e24 FLOP")
    tab.click("#record-form button[type=submit]")
    tab.wait_for_selector(
        ".est-fields:not([hidden]) .field-error[data-error=tokens]:has-text('lots')"
    )
    assert tab.text_content(".field-error[data-error=flop]") == ""
    assert sideways(tab) == 0
    tab.screenshot(path=str(ARTIFACTS / "rec-record-form-refused-390.png"), full_page=True)
    calc.locator("[data-input=tokens]").fill("2T")
    tab.click("#record-form button[type=submit]")
    tab.wait_for_url(f"{server}/records/bad-number-model")
    record = api(server, "/api/records/bad-number-model")
    assert record["flop"] == 3e24 and record["domain"] == "Vision"  # type: ignore[index]
    assert record["unsourced"] and record["confidence"] == "speculative"  # type: ignore[index]
    assert tab.locator("#record-badges .badge.unsourced").is_visible()
    # a second record of that name: 409 named next to the name
    tab.goto(f"{server}/records/new")
    tab.fill("input[name=name]", "Bad number model")
    tab.fill("input[name=date]", "2024")
    tab.select_option("select[name=domain]", "Vision")
    tab.check("input[name=unsourced]")
    tab.click("#record-form button[type=submit]")
    tab.wait_for_selector(".field-error[data-error=name]:has-text('already exists')")
    assert "someone else" not in tab.text_content("#form-error")
    assert all("409" in p or "422" in p for p in tab.problems), tab.problems
    tab.close()


def test_a_stale_edit_shows_both_versions_and_can_be_reapplied(browser, server) -> None:  # type: ignore[no-untyped-def]
    made = api(server, "/api/records", "POST", {"name": "Stale edit model", "date": "2022",
                                                 "domain": "Games", "flop": 1e21})  # fmt: skip
    tab = open_tab(browser, server, PHONE)
    tab.goto(f"{server}/records/stale-edit-model/edit")
    api(server, "/api/records/stale-edit-model", "PUT", {**made, "notes": "theirs"})  # type: ignore[dict-item]
    tab.fill("textarea[name=notes]", "mine")
    tab.fill("textarea[name=sources]", "https://example.org/x")
    tab.click("#record-form button[type=submit]")
    tab.wait_for_selector("#conflict:not([hidden])")
    assert "Conflict" in tab.text_content("#form-error")
    row = tab.locator("#conflict-table tr.differs", has_text="notes")
    assert row.locator("td").all_text_contents() == ["mine", "theirs"]
    assert sideways(tab) == 0
    tab.screenshot(path=str(ARTIFACTS / "rec-record-conflict-390.png"), full_page=True)
    tab.click("#reapply")
    tab.wait_for_url(f"{server}/records/stale-edit-model")
    record = api(server, "/api/records/stale-edit-model")
    assert record["notes"] == "mine" and record["version"] == 3  # type: ignore[index]
    assert all("409" in p for p in tab.problems), tab.problems
    tab.close()


def test_an_unreviewed_record_is_out_of_the_fits_until_reviewed(browser, server) -> None:  # type: ignore[no-untyped-def]
    def fit_n(tab, extra: str = "") -> int:  # type: ignore[no-untyped-def]
        # fits may lag writes by up to a second (ANALYSIS_MAX_AGE): ask until it is current
        query = f"/api/fit?bootstrap=0&since=2015{extra}"
        return int(tab.request.get(f"{server}{query}").json()["n"])

    tab = open_tab(browser, server, DESKTOP)
    tab.goto(f"{server}/records")
    before, before_all = fit_n(tab), fit_n(tab, "&unreviewed=true")
    body = {"name": "Fit probe", "date": "2023-06-01", "domain": "Language", "flop": 5e24,
            "sources": ["https://example.org/probe"]}  # fmt: skip
    api(server, "/api/records", "POST", body)
    tab.wait_for_timeout(1100)  # the analysis frame's maximum age
    assert fit_n(tab) == before and fit_n(tab, "&unreviewed=true") == before_all + 1
    # the table shows it with its badge; unticking "Show unreviewed" hides it
    tab.goto(f"{server}/records?search=fit%20probe")
    tab.wait_for_selector("#record-count:has-text('records')")
    row = tab.locator("#records-table tbody tr")
    assert row.count() == 1 and row.locator(".badge.unreviewed").is_visible()
    tab.uncheck("#record-unreviewed")
    assert tab.locator("#records-table tbody tr").count() == 0
    # review it on its page
    tab.goto(f"{server}/records/fit-probe")
    assert "left out of fits" in tab.text_content("#review-state")
    tab.fill("#author-name", "Reviewer")
    tab.click("#review-record")
    tab.wait_for_selector("#review-state:has-text('reviewed')")
    tab.wait_for_function("!document.querySelector('#review-record')")
    assert tab.locator("#record-badges .badge").count() == 0
    assert "Reviewer" in tab.locator("#history li").first.text_content()
    tab.wait_for_timeout(1100)
    assert fit_n(tab) == before + 1
    assert tab.problems == []
    tab.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_pages_fit_and_a_missing_record_is_a_page(browser, server, width: int) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(browser, server, width)
    response = tab.goto(f"{server}/records/no-such-model")
    assert response is not None and response.status == 404
    assert "There is no record 'no-such-model'" in tab.text_content("#error-message")
    assert "detail" not in (tab.text_content("body") or "")
    assert sideways(tab) == 0
    tab.screenshot(path=str(ARTIFACTS / f"rec-404-{width}.png"))
    assert [p for p in tab.problems if "404" not in p] == []  # the page itself is a 404
    tab.problems.clear()
    tab.click("#error-search")
    tab.wait_for_selector("#record-count:has-text('records')")
    assert tab.input_value("#record-search") == "no such model"
    tab.fill("#record-search", "")
    tab.wait_for_selector("#records-table tbody tr")
    assert sideways(tab) == 0
    tab.screenshot(path=str(ARTIFACTS / f"rec-records-{width}.png"))
    for path in ("/records/gpt-3-175b", "/records/gpt-3-175b/edit", "/records/alexnet/history"):
        tab.goto(f"{server}{path}")
        assert sideways(tab) == 0, path
    tab.goto(f"{server}/records/gpt-3-175b/edit")
    tab.screenshot(path=str(ARTIFACTS / f"rec-record-edit-{width}.png"), full_page=True)
    assert tab.problems == []
    tab.close()
