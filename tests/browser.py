"""Browser fixtures: headless Debian Chromium driving the real app in its own process."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import running_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(database_url: str, engine, tmp_path: Path) -> Iterator[str]:
    """The real app in its own process, on the test database (``engine`` migrated it)."""
    with running_app(database_url, tmp_path) as base_url:
        yield base_url


@pytest.fixture
def page(live_server: str):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(base_url=live_server)
        page.set_default_timeout(10_000)
        yield page
        browser.close()
