"""Renewing by hand in headless Chromium: a purchase bought a month and a day ago shows
its renewal due, is renewed by bank transfer, and a suspended one shows its badge."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from mercato.commerce.models import ContractState
from mercato.db import utcnow
from tests.commerce.purchase_world import shop
from tests.commerce.test_renewals import PARIS, example
from tests.store.world import seller, store
from tests.web.pages import log_in_browser

__all__ = ["example", "seller", "shop", "store"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"renewal-{name}.png"), full_page=True)


def test_renew_a_due_purchase_by_bank_transfer(page, example):
    bought = example.buy(
        now=utcnow() - timedelta(days=31),
        gateway="offline",
        plan_label="example",
        tax_address=PARIS,
    ).contract
    log_in_browser(page, "buyer@example.org")

    page.goto(f"/purchases/{bought.ref}")
    assert page.get_by_role("heading", name="Renewal due").count() == 1
    _shot(page, "due")
    page.get_by_label("Bank transfer (pay the invoice when it arrives)").check()
    page.get_by_role("button", name="Renew now").click()
    assert "Renewed: 5.00 EUR charged." in page.content()
    assert page.get_by_role("button", name="Renew now").count() == 0
    _shot(page, "renewed")

    bought.state = ContractState.SUSPENDED
    example.session.commit()
    page.goto("/purchases")
    assert page.locator(".badge.purchase-suspended").inner_text().lower() == "suspended"
    _shot(page, "suspended")
