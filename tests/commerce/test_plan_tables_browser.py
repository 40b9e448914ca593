"""An offering's price plans in headless Chromium: the store page and the service page show
a table per plan (screenshots with MERCATO_SCREENSHOTS)."""

import pytest

from tests.commerce.test_browser import _shot
from tests.commerce.test_plan_tables import OFFERING, _priced
from tests.store.world import seller, store

__all__ = ["seller", "store"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_visitors_read_the_price_plans_in_the_browser(page, store, seller, session):
    offering = _priced(store, seller, session)

    page.goto(OFFERING)
    basic = page.get_by_role("table", name="Price components of Basic")
    _shot(page, "offering-plans")
    page.goto(f"/services/{offering.service.slug}")
    on_service = page.get_by_role("table", name="Price components of In yen")
    _shot(page, "service-plans")

    assert basic.locator("tfoot td").inner_text() == "110.00 EUR plus tax"
    assert on_service.locator("tbody td.price").inner_text() == "1500.5 JPY"
