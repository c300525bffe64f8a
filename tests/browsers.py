"""Debian's Chromium driven by Playwright, for the browser tests (no browser is downloaded),
and axe-core (npm, tests/js) to check what it shows for accessibility."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Where the browser tests leave their screenshots, to be looked at.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: axe-core, installed by `make test` (npm ci in tests/js).
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI needs Debian's chromium for the browser tests (.ci/run installs it)")

#: Headless Chromium: make test and CI run these, make check does not.
BROWSER_TESTS = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine"),
]


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, as root can run it."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


def axe_violations(page: Page, impacts: tuple[str, ...] = ("critical", "serious")) -> list[Any]:
    """axe-core's violations of ``impacts`` on what ``page`` shows now, each with its nodes."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("CI needs axe-core (make test runs npm ci in tests/js)")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/js)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the devtools protocol: the page's policy admits no inline script.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found: list[Any] = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in found
        if v["impact"] in impacts
    ]
