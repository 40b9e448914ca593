"""In headless Chromium: a provider adds a price plan to a draft offering through the form
(a refusal first, a deduction row added by sending the form again) and sees it on the
offering page; a buyer sees the plans and the total on the catalogue's order form."""

import os
from pathlib import Path

import pytest

from mercato.commerce.contracts import keep_tax_address
from tests.commerce.purchase_world import MADRID, shop
from tests.store.world import seller, store
from tests.web.pages import log_in_browser

__all__ = ["seller", "shop", "store"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")
OFFERING = "/store/offerings/conwet/Smart%20City%20Lights/1.0"


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"plans-{name}.png"), full_page=True)


def test_a_provider_adds_a_plan_and_it_shows_on_the_offering_page(page, store, seller):
    store.offering(store.provider(seller), seller)
    log_in_browser(page, seller.user.email)

    page.goto(OFFERING)
    page.get_by_role("link", name="Add price plans").click()
    _shot(page, "list-empty")
    page.get_by_role("link", name="Add a price plan").click()
    page.get_by_label("Label").fill("monthly")
    page.get_by_label("Title").fill("Monthly")
    page.locator("#component-0-label").fill("fee")
    page.locator("#component-0-unit").select_option("per month")
    page.locator("#component-0-value").fill("ten")
    page.get_by_role("button", name="Save plan").click()
    assert page.locator("#component-0-value-error").inner_text() == (
        "The value of price components must be a number, found: ten"
    )
    _shot(page, "form-refused")
    page.locator("#component-0-value").fill("10")
    page.get_by_role("button", name="Add a deduction").click()
    page.locator("#deduction-0-label").fill("loyalty")
    page.locator("#deduction-0-unit").select_option("invocation")
    page.locator("#deduction-0-value").fill("0.5")
    _shot(page, "form")
    page.get_by_role("button", name="Save plan").click()

    assert page.locator(".flash.success").inner_text() == "Price plan “Monthly” has been saved."
    _shot(page, "list")
    page.get_by_role("link", name="Smart City Lights v1.0").click()
    rows = page.locator(".plan-table tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in rows] == [
        "fee Subscription 10 EUR per month",
        "loyalty Deduction 0.5 EUR per invocation",
    ]
    _shot(page, "offering")


def test_a_buyer_sees_plans_and_total_on_the_order_form(page, shop, session):
    keep_tax_address(session, shop.buyer, MADRID)
    session.commit()
    log_in_browser(page, "buyer@example.org")

    page.goto(f"/services/{shop.offering.service.slug}")
    _shot(page, "service")
    page.get_by_role("link", name="Order in a project: Smart City Lights").click()
    assert page.locator("#total").inner_text() == "18.15 EUR"
    page.get_by_role("radio", name="Free (free)").check()
    page.get_by_role("button", name="Update the total").click()
    assert page.locator("#total").inner_text() == "0.00 EUR"
    page.get_by_role("radio", name="Monthly (monthly)").check()
    page.get_by_role("button", name="Update the total").click()
    _shot(page, "order-form")
    page.get_by_role("button", name="Continue to checkout").click()
    assert page.locator('input[name="plan_label"][value="monthly"]').is_checked()
    _shot(page, "acquire")
