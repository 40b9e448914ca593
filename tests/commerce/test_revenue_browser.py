"""The revenue sharing pages in headless Chromium: an admin changes a class's model,
adds a stakeholder (and sees a refused one named by its field), and reads the revenue
of the month per party."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

# The app registers the hooks (invoicing, revenue sharing); the purchase here needs them.
import mercato.commerce.billing
import mercato.commerce.revenue  # noqa: F401
from mercato.commerce.payments.lifecycle import approve_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.revenue_models import RevenueClass, RevenueModel
from tests.commerce.purchase_world import NOW, shop
from tests.store.world import seller, store
from tests.web.pages import log_in_browser

__all__ = ["seller", "shop", "store"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Where screenshots go when MERCATO_SCREENSHOTS names a folder (to look at the pages).
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_admin_shares_revenue_and_reads_it_in_the_browser(page, make, shop):
    make.user("root@example.org", is_admin=True)
    contract = shop.buy().contract
    paid_at = NOW + timedelta(minutes=2)
    assert approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, paid_at)
    shop.session.commit()
    log_in_browser(page, "root@example.org")

    page.get_by_role("link", name="Pricing").click()
    page.get_by_role("link", name="Revenue sharing").click()
    _shot(page, "revenue-sharing")
    page.get_by_role("link", name="Change the subscription model").click()
    page.get_by_label("Store's share (%)").fill("15")
    page.get_by_role("button", name="Save the share").click()
    page.get_by_label("Who").select_option("organisation")
    page.locator("#share").fill("90")
    page.locator("#organisation").fill("FIWARE Foundation")
    page.get_by_role("button", name="Add", exact=True).click()
    assert page.locator("#share-error").inner_text() == (
        "The aggregator's and the stakeholders' shares add up to more than 100%"
    )
    _shot(page, "revenue-model-refused")
    page.locator("#share").fill("5")
    page.get_by_role("button", name="Add", exact=True).click()
    assert page.locator(".lead").inner_text() == (
        "Each subscription charge: the store keeps 15.00 %, the stakeholders below get "
        "their shares, and the provider who sold keeps 80.00 %."
    )
    _shot(page, "revenue-model")
    stored = shop.session.get(RevenueModel, RevenueClass.SUBSCRIPTION)
    shop.session.refresh(stored)
    assert stored.percentage == Decimal("15.00")

    page.get_by_role("link", name="Revenue", exact=True).click()
    page.locator("#start").fill("2026-12-01")
    page.locator("#end").fill("2026-12-31")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#settlement-title").inner_text() == "By party, 2026-12-01 to 2026-12-31"
    # The purchase was shared when paid, by the model then: the store's 20 %.
    assert page.locator("table").first.locator("tbody tr").count() == 2
    _shot(page, "revenue")
