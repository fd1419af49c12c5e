"""Regenerate the README's screenshots in ``docs/img/`` from a fresh report.

Builds the report of the embedded dataset (no SVG/PNG exports needed), opens it in Debian's
chromium through Playwright, and saves:

- ``report-phone.png``: the first screen at 390 px wide (an iPhone 12-14 viewport);
- ``chart-<name>.png``: each chart's figure at 1400 px wide;
- ``web-<page>-<width>.png``: the web app's explorer (a shared view), calculator (AlexNet, both
  methods), records table and a record's page, at 390 and 1400 px (``aicompute serve`` on a
  fresh SQLite file; needs the ``web`` extra).

Usage: ``.venv/bin/python tools/screenshots.py [--chromium PATH] [--out docs/img]``. It prints
each file with the page's scroll width, which must not exceed the viewport.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

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
        web(browser, args.out)
        browser.close()


WEB_PAGES = {
    "explorer": "/?chart=eras&since=2010&years=2010&model=gpt-4",
    "calculator": "/calculator",
    "records": "/records",
    "record": "/records/alexnet",
}
ALEXNET = {"forward_macs": "0.75G", "examples": "1.2M", "epochs": "90",
           "hardware": "GTX 580", "count": "2", "days": "5..6", "date": "2012-09"}  # fmt: skip


def web(browser: Any, out: Path) -> None:
    """The web app's pages at both widths."""
    db = f"sqlite:///{tempfile.mkdtemp()}/shots.db"
    port = 8700 + int(time.time()) % 200
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "aicompute", "serve", "--db", db, "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for viewport in (PHONE, DESKTOP):
            page = browser.new_page(viewport=viewport)
            for name, path in WEB_PAGES.items():
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                if name == "calculator":
                    for field, value in ALEXNET.items():
                        page.fill(f"#calculator [name={field}]", value)
                    page.locator("#calculator [name=days]").dispatch_event("change")
                    page.wait_for_selector("#result table", timeout=15_000)
                    page.wait_for_load_state("networkidle")
                    page.evaluate("document.getElementById('result').scrollIntoView()")
                page.wait_for_timeout(500)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                path_png = out / f"web-{name}-{viewport['width']}.png"
                page.screenshot(path=path_png)
                print(f"{path_png}: scroll width {scroll} at {viewport['width']}")
            page.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
