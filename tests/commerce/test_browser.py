"""The pricing registry pages in headless Chromium: an admin adds a unit, a currency and a
tax rate through the plain forms, and sees a refused one named by its field."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from mercato.commerce.models import Currency, PriceUnit, TaxRate
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Where screenshots go when MERCATO_SCREENSHOTS names a folder (to look at the pages).
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_admin_keeps_the_pricing_registries_in_the_browser(page, make, session):
    make.user("root@example.org", is_admin=True)
    log_in_browser(page, "root@example.org")

    page.get_by_role("link", name="Pricing").click()
    page.get_by_label("Name").fill("per quarter")
    page.get_by_label("Model").select_option("subscription")
    page.get_by_role("button", name="Add").click()
    assert page.locator("#renovation_period-error").inner_text() == "Missing renovation period"
    _shot(page, "units-refused")
    page.get_by_label("Renewal period (days)").fill("90")
    page.get_by_role("button", name="Add").click()
    _shot(page, "units")

    page.get_by_role("link", name="Currencies").click()
    page.get_by_label("Code").fill("JPY")
    page.get_by_label("Name").fill("Yen")
    page.get_by_label("Minor unit (digits)").fill("0")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("button", name="Make JPY the default").click()
    _shot(page, "currencies")

    page.get_by_role("link", name="Tax rates").click()
    page.get_by_role("textbox", name="Country").fill("es")
    page.get_by_label("Rate (%)").fill("21")
    page.get_by_label("Name on invoices").fill("IVA")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("link", name="Change the rate of ES").click()
    page.get_by_label("Rate (%)").fill("10")
    page.get_by_role("button", name="Save changes").click()
    _shot(page, "tax-rates")

    units = session.scalars(select(PriceUnit.name).order_by(PriceUnit.id)).all()
    assert units[-1] == "per quarter"
    assert session.scalars(select(Currency.code).where(Currency.is_default)).all() == ["JPY"]
    rates = session.scalars(select(TaxRate)).all()
    assert [(r.country, str(r.rate), r.label) for r in rates] == [("ES", "10", "IVA")]
