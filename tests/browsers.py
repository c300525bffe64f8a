"""Debian's Chromium driven by Playwright, for the browser tests (no browser is downloaded)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Where the browser tests leave their screenshots, to be looked at.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

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
