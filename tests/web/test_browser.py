"""The offer journey of a data administrator, in headless Chromium against a live server."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from mercato.catalogue.models import Offer, OfferStatus
from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 20

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()}")
        try:
            httpx.get(f"{base_url}/login", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture
def live_server(database_url: str, engine, tmp_path: Path) -> Iterator[str]:
    """The real app in its own process, on the test database (``engine`` migrated it)."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(tmp_path),
        "MERCATO_SECRET_KEY": "x",
    }
    command = [sys.executable, "-m", "uvicorn", "mercato.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


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


# What the data administrator types into each kind of parameter card.
PARAMETERS_TYPED = [
    ("Constant", {"label": "Storage", "value": "100", "unit": "GB"}, {"value_type": "integer"}),
    ("Input", {"label": "Project code"}, {}),
    ("Select", {"label": "CPU cores", "values": "1\n2\n4"}, {"value_type": "integer"}),
    ("Multiselect", {"label": "Regions", "values": "eu-west\neu-central"}, {}),
    ("Date", {"label": "Start", "description": "First day of use"}, {}),
    ("Range", {"label": "Memory", "minimum": "1", "maximum": "64", "unit": "GB"}, {}),
    (
        "Quantity price",
        {"label": "Hours", "start_price": "10", "step_price": "2", "currency": "EUR"},
        {},
    ),
]


def test_data_administrator_creates_a_draft_offer_then_publishes_it(page, make, session):
    admin = make.user("anna@example.org")
    make.service(make.provider(admin, name="Cyfronet"), name="Cloud Platform")

    page.goto("/login")
    page.fill("#email", "anna@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Cloud Platform").click()
    page.get_by_text("Manage the service").click()
    page.get_by_role("link", name="Set parameters and offers").click()
    page.get_by_role("link", name="Add new offer").click()

    page.fill("#name", "Standard VM")
    page.fill("#description", "A virtual machine")
    page.select_option("#order_type", "order_required")
    for position, (kind, texts, choices) in enumerate(PARAMETERS_TYPED):
        page.get_by_role("button", name=f"+ {kind}").click()
        for field, text in texts.items():
            page.fill(f"#parameters-{position}-{field}", text)
        for field, choice in choices.items():
            page.select_option(f"#parameters-{position}-{field}", choice)
    page.get_by_role("button", name="Draft offer").click()

    offer_card = page.locator("article.offer", has_text="Standard VM")
    assert offer_card.locator(".badge.status-draft").inner_text() == "DRAFT"

    offer_card.get_by_role("link", name="Edit parameters").click()
    assert page.input_value("#parameters-6-currency") == "EUR"
    page.get_by_role("button", name="Update offer").click()
    assert offer_card.locator(".badge.status-published").inner_text() == "PUBLISHED"

    page.goto("/services/cloud-platform")
    shown = page.locator("article.offer", has_text="Standard VM").inner_text()
    for line in (
        "Storage",
        "100 GB",
        "CPU cores",
        "choose 1 to 2",
        "a date, chosen when ordering",
        "1 \u2013 64 GB",
        "start 10 EUR, then 2 EUR per step",
    ):
        assert line in shown
    [offer] = session.scalars(select(Offer)).all()
    assert offer.status == OfferStatus.PUBLISHED
    assert [p["label"] for p in offer.parameters] == [t["label"] for _, t, _ in PARAMETERS_TYPED]
