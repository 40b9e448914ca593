"""Buying a subscription in headless Chromium with the sandbox gateway: the buyer sees it
in My purchases, the provider sees the sale and the order in their order queue."""

import os
from pathlib import Path

import pytest

from mercato.commerce.invoice_rendering import render_due
from mercato.db import make_session_factory
from mercato.store.storage import LocalStorage
from tests.commerce.invoicing import pdf_lines
from tests.commerce.purchase_world import OFFERING, shop
from tests.store.world import seller, store
from tests.web.pages import log_in_browser

__all__ = ["seller", "shop", "store"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Where screenshots go when MERCATO_SCREENSHOTS names a folder (to look at the pages).
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"purchase-{name}.png"), full_page=True)


def _cells(page, selector: str) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(selector).all_inner_texts()]


def test_buy_a_subscription_with_the_sandbox_and_see_it_from_both_sides(
    page, shop, seller, make, session, engine, tmp_path
):
    desk = make.oms("CoNWeT desk", administrators=[seller.user])
    shop.offering.offer.primary_oms_id = desk.id
    session.commit()
    log_in_browser(page, "buyer@example.org")

    page.goto(OFFERING)
    page.get_by_role("link", name="Acquire").click()
    page.get_by_role("button", name="Review the purchase").click()
    assert page.locator("#conditions_accepted-error").inner_text() == (
        "You must accept the terms and conditions of the offering to acquire it"
    )
    _shot(page, "form-refused")
    page.get_by_label("I have read and accept the terms and conditions").check()
    page.get_by_label("Street").fill("Calle Mayor 1")
    page.get_by_label("Postal code").fill("28013")
    page.get_by_label("City").fill("Madrid")
    page.get_by_label("Country").fill("ES")
    _shot(page, "form")
    page.get_by_role("button", name="Review the purchase").click()
    assert page.locator("#total").inner_text() == "18.15 EUR"
    # The confirm bar comes after the details it confirms, not over them.
    confirm = page.get_by_role("button", name="Confirm and pay 18.15 EUR").bounding_box()
    address = page.get_by_text("Calle Mayor 1, 28013 Madrid, ES").bounding_box()
    assert confirm is not None and address is not None
    assert confirm["y"] > address["y"] + address["height"]
    _shot(page, "review")
    page.get_by_role("button", name="Confirm and pay 18.15 EUR").click()
    assert page.locator("#amount").inner_text() == "18.15 EUR"
    _shot(page, "sandbox")
    page.get_by_role("button", name="Approve the payment").click()
    assert page.locator(".badge.purchase-paid").inner_text().lower() == "paid"
    assert page.get_by_role("link", name="Map Viewer").count() == 1
    _shot(page, "confirmation")
    # The live server keeps files in its data folder (tmp_path); the worker's part:
    render_due(make_session_factory(engine), LocalStorage(tmp_path / "media"), "Mercato")
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="download the PDF").click()
    assert download.value.suggested_filename == "conwet-2026-000001.pdf"
    lines = pdf_lines(Path(download.value.path()).read_bytes())
    assert (lines[1], lines[-2]) == (("Invoice conwet-2026-000001",), ("Total: 18.15 EUR",))
    _shot(page, "invoice")

    page.get_by_role("navigation", name="Your work").get_by_role(
        "link", name="My purchases"
    ).click()
    assert _cells(page, "tbody tr td:nth-child(4)") == ["18.15 EUR"]
    _shot(page, "mine")

    log_in_browser(page, seller.user.email)
    page.goto("/sales")
    assert _cells(page, "tbody tr td:nth-child(2)") == ["buyer@example.org"]
    _shot(page, "sales")
    page.get_by_role("navigation", name="Your work").get_by_role("link", name="Orders").click()
    assert page.get_by_role("link", name="Smart city pilot #1").count() == 1
    _shot(page, "queue")
