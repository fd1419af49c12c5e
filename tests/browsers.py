"""The one home of the browser tests' set-up: Debian's chromium driven by Playwright, headless.

The tests that use it are skipped when chromium or Playwright is missing on a developer's
machine; under CI (CI=true) a missing browser is a failure, so the suite can never pass by
skipping them. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium's flags: no sandbox (CI runs as root), and nothing that reaches the network."""

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    expect = sync_playwright = None  # type: ignore[assignment]

if os.environ.get("CI") and (CHROMIUM is None or sync_playwright is None):
    raise RuntimeError("CI needs Debian's chromium and Playwright for the browser tests")

BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or sync_playwright is None, reason="chromium or playwright not installed"
    ),
]
"""The marks of a module of browser tests: ``pytestmark = BROWSER``."""


def launched() -> Iterator[Any]:
    """A headless chromium for a module's tests (a fixture's body: ``yield from launched()``),
    with ``test-artifacts/`` made for its screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


__all__ = ["ARGS", "ARTIFACTS", "BROWSER", "CHROMIUM", "expect", "launched", "sync_playwright"]
