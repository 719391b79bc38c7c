"""Shared fixtures: one headless Debian Chromium for the whole test session."""

from __future__ import annotations

import os

import pytest

from scripts.chromium import CHROMIUM, CHROMIUM_ARGS


def _unavailable(message: str) -> None:
    """Fail in CI (FERGANA_REQUIRE_BROWSER=1), skip elsewhere."""
    if os.environ.get("FERGANA_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian's package, driven by Playwright (never downloaded)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: sudo apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
