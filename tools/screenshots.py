"""Regenerate the README's screenshots in ``docs/img/`` from a fresh report.

Builds the report of the embedded dataset (no SVG/PNG exports needed), opens it in Debian's
chromium through Playwright, and saves:

- ``report-phone.png``: the first screen at 390 px wide (an iPhone 12-14 viewport);
- ``chart-<name>.png``: each chart's figure at 1400 px wide.

Usage: ``.venv/bin/python tools/screenshots.py [--chromium PATH] [--out docs/img]``. It prints
each file with the page's scroll width, which must not exceed the viewport.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from aicompute import dataset
    from aicompute.dataset import read_embedded
    from aicompute.report import build_report

    work = Path(tempfile.mkdtemp()) / "report"
    build_report(dataset.load(), work, records=read_embedded().records, static=False)
    url = (work / "index.html").as_uri()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for viewport in (PHONE, DESKTOP):
            page = browser.new_page(viewport=viewport, device_scale_factor=1)
            page.goto(url)
            names = page.eval_on_selector_all(
                ".vega[data-chart]", "els => els.map(e => e.dataset.chart)"
            )
            for name in names:
                page.wait_for_selector(f"#chart-{name}[data-ready='true']", state="attached")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if viewport is PHONE:
                path = args.out / "report-phone.png"
                page.screenshot(path=path)
                print(f"{path}: scroll width {scroll} at {viewport['width']}")
                continue
            for name in names:
                path = args.out / f"chart-{name}.png"
                page.locator(f"#figure-{name}").screenshot(path=path)
                print(f"{path}: scroll width {scroll} at {viewport['width']}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
