"""Report pages in headless Chromium: reached from Sales, the pricing tabs and My
purchases, the plots shown as images, a background report followed to its download."""

import os
from pathlib import Path

import pytest

from mercato.db import make_session_factory
from mercato.reports.jobs import build_due
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")
PERIOD = {"start": "2026-11", "end": "2027-01"}


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"reports-{name}.png"), full_page=True)


def _choose_period(page) -> None:
    for name, value in PERIOD.items():
        page.fill(f"#{name}", value)
    page.get_by_role("button", name="Show").click()


def _plots_drawn(page) -> list[int]:
    """Each plot's drawn width: 0 for an image the browser could not show."""
    page.wait_for_load_state("load")
    page.wait_for_function("Array.from(document.images).every(image => image.complete)")
    return page.locator("img.plot").evaluate_all("images => images.map(i => i.naturalWidth)")


def test_a_provider_reaches_the_sales_dashboard_from_sales(page, sold, seller):
    log_in_browser(page, seller.user.email)

    page.goto("/sales")
    page.get_by_role("link", name="Sales dashboard").click()
    _choose_period(page)

    assert page.get_by_role("heading", name="Sales dashboard").count() == 1
    assert _plots_drawn(page) == [900, 900]
    assert "13.62 EUR" in page.content()
    _shot(page, "sales-dashboard")


def test_a_customer_reaches_their_spending_from_my_purchases(page, sold):
    log_in_browser(page, sold.shop.buyer.email)

    page.goto("/purchases")
    _shot(page, "my-purchases")
    page.get_by_role("link", name="My spending").click()
    _choose_period(page)

    assert page.get_by_role("heading", name="My spending").count() == 1
    assert _plots_drawn(page) == [900, 900]
    assert "18.15 EUR" in page.content()
    _shot(page, "my-spending")


def test_an_admin_builds_a_long_report_in_the_background(page, sold, make, engine):
    admin = make.user("root@example.org", is_admin=True)
    log_in_browser(page, admin.email)
    page.goto("/admin/reports")
    _choose_period(page)
    _shot(page, "admin-reports")

    page.fill("section[aria-labelledby=background-title] #start", "2010-01")
    page.get_by_role("button", name="Build CSV in the background").click()
    _shot(page, "job-waiting")
    build_due(make_session_factory(engine))
    page.reload()

    assert page.get_by_role("heading", name="Ready").count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("revenue-2010-01-")
    _shot(page, "job-ready")


def test_refused_pages_say_who_may_see_them(page, sold):
    log_in_browser(page, sold.shop.buyer.email)

    page.goto("/sales/reports")

    assert "Sales reports are for the data administrators of a provider." in page.content()
    _shot(page, "refused")
