"""The charts as drawn by a real browser, at a phone's width and a desktop's: labels never
overlap each other or a point, every point sits inside the plot, and no chart is wider than
its container. Playwright drives Debian's chromium, headless, on a report of the real embedded
dataset; screenshots go to ``test-artifacts/``.

Skipped when chromium or Playwright is missing on a developer's machine; under CI (CI=true) a
missing browser is a failure.
"""

from __future__ import annotations

from typing import Any

import pytest

from aicompute import dataset
from aicompute.dataset import read_embedded
from aicompute.report import build_report
from tests.browsers import ARTIFACTS, BROWSER, launched

pytestmark = BROWSER

CHARTS = ("modern", "eras", "domains", "forecast", "cost")
LABELLED = ("modern", "eras")
WIDTHS = (390, 1400)
TOLERANCE = 0.5
"""Pixels two boxes may share before they count as overlapping (anti-aliasing, rounding)."""

MEASURE = """(name) => {
  const host = document.getElementById(`chart-${name}`);
  const svg = host.querySelector('svg');
  const box = (el) => { const r = el.getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom]; };
  const plot = box(svg.querySelector('g.role-frame.root > g > path.background'));
  const shown = (el) => {
    for (let n = el; n && n !== svg; n = n.parentElement) {
      const o = n.getAttribute('opacity') ?? n.getAttribute('fill-opacity');
      if (o !== null && parseFloat(o) === 0) return false;
      if (n.getAttribute('display') === 'none') return false;
    }
    return true; };
  const labels = [...svg.querySelectorAll('g.mark-text.role-mark text')]
    .filter((t) => shown(t) && t.textContent.trim() !== '')
    .map((t) => ({text: t.textContent, box: box(t)}));
  const points = [...svg.querySelectorAll('g.mark-symbol.role-mark path')]
    .filter(shown).map((p) => ({label: p.getAttribute('aria-label') || '', box: box(p)}));
  return {plot, labels, points, svgWidth: svg.getBoundingClientRect().width,
          hostWidth: host.getBoundingClientRect().width,
          plotWidth: host.vegaView.signal('width')};
}"""


def overlap(a: list[float], b: list[float]) -> bool:
    return (
        min(a[2], b[2]) - max(a[0], b[0]) > TOLERANCE
        and min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE
    )


def check(drawn: dict[str, Any], name: str, labelled: bool) -> None:
    """Assert the layout rules on what :data:`MEASURE` read from one chart."""
    assert drawn["svgWidth"] <= drawn["hostWidth"] + 1, (name, drawn["svgWidth"])
    x0, y0, x1, y1 = drawn["plot"]
    assert drawn["points"], name
    for p in drawn["points"]:
        cx, cy = (p["box"][0] + p["box"][2]) / 2, (p["box"][1] + p["box"][3]) / 2
        assert x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1, (name, p["label"][:60])
    if not labelled:
        return
    labels = drawn["labels"]
    assert labels, name
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlap(a["box"], b["box"]), (name, a["text"], b["text"])
        for p in drawn["points"]:
            assert not overlap(a["box"], p["box"]), (name, a["text"], p["label"][:60])


@pytest.fixture(scope="module")
def report_url(tmp_path_factory):  # type: ignore[no-untyped-def]
    out = build_report(
        dataset.load(),
        tmp_path_factory.mktemp("layout") / "r",
        records=read_embedded().records,
        bootstrap=100,
        static=False,
    ).path
    return (out / "index.html").as_uri()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    yield from launched()


@pytest.mark.parametrize("width", WIDTHS)
def test_labels_and_points_at_width(browser, report_url, width: int) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(report_url)
    for name in CHARTS:
        page.wait_for_selector(f"#chart-{name}[data-ready='true']", state="attached")
    page.wait_for_timeout(300)  # the charts settle at their container's width
    for name in CHARTS:
        drawn = page.evaluate(MEASURE, name)
        page.locator(f"#figure-{name}").screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
        check(drawn, name, name in LABELLED)
        if name in LABELLED:  # the labels placed for this width are on show
            assert drawn["plotWidth"] >= 240 and len(drawn["labels"]) >= 5, name
    # the eras chart zoomed to 2010 onwards: placed for that range too
    page.locator("#figure-eras input[type=radio][value='2010']").check()
    page.wait_for_function(
        "() => document.getElementById('chart-eras').vegaView.signal('zoom') === '2010'"
    )
    page.wait_for_timeout(200)
    check(page.evaluate(MEASURE, "eras"), "eras 2010", True)
    page.locator("#figure-eras").screenshot(path=str(ARTIFACTS / f"eras-2010-{width}.png"))
    assert problems == []
    page.close()
