"""The customer's usage page in headless Chromium: reached from My purchases, it lists the
records (charged and pending), the charge they went into, the pending estimate and the
notice of a charge a limit stopped."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from mercato.db import utcnow
from mercato.usage.charging import sweep_usage
from mercato.usage.limits import LimitData, set_limits
from mercato.usage.models import LimitPeriod, UsageRecord
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"usage-{name}.png"), full_page=True)


def _records(session, contract, *values: tuple[str, str, int]) -> None:
    now = utcnow()
    session.execute(
        UsageRecord.__table__.insert(),
        [
            {
                "contract_id": contract.id,
                "transaction_id": transaction_id,
                "unit": unit,
                "component_label": "",
                "value": str(value),
                "time_stamp": now - timedelta(minutes=len(values) - n),
                "received_at": now,
            }
            for n, (transaction_id, unit, value) in enumerate(values)
        ],
    )
    session.commit()


def test_the_usage_page_lists_charged_and_pending_use(page, metered):
    contract = metered.buy("calls")
    session = metered.session
    _records(session, contract, ("meter-1", "call", 190), ("meter-2", "megabyte", 30))
    sweep_usage(session, utcnow(), after=timedelta(0))
    session.commit()
    _records(session, contract, ("meter-3", "call", 500))
    set_limits(
        session, metered.shop.buyer.id, [LimitData(LimitPeriod.MONTH, "EUR", Decimal("5.00"))]
    )
    session.commit()
    sweep_usage(session, utcnow(), after=timedelta(0))
    session.commit()
    log_in_browser(page, "buyer@example.org")

    page.goto("/purchases")
    page.get_by_role("link", name="usage").click()

    assert page.get_by_role("heading", name="Usage of Smart City Lights").count() == 1
    rows = page.locator("table").last.locator("tbody tr")
    assert rows.count() == 3
    cells = rows.nth(0).inner_text().split("\t")[1:5]
    assert [cell.lower() for cell in cells] == ["meter-3", "call", "500", "pending"]
    assert "charged" in rows.nth(1).inner_text().lower()
    assert "1.30 EUR" in rows.nth(1).inner_text()
    assert "5.00 EUR if charged now" in page.content()
    assert "There is not enough balance. Check your expenditure limits" in page.content()
    _shot(page, "page")
