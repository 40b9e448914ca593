"""The purchase notification log in headless Chromium: a provider's administrator finds it
in the menu, reads a failed notification's attempt and sends it again."""

import os
from pathlib import Path

import pytest

from mercato.ordering.models import DeliveryStatus
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_a_provider_redelivers_a_failed_notification_in_the_browser(page, session, seller, failed):
    log_in_browser(page, seller.user.email)

    page.get_by_role("link", name="Notifications").click()
    card = page.locator("li.delivery")
    assert card.locator("h2").inner_text() == f"Notification {failed.id} FAILED"
    assert card.locator("tbody td").nth(2).inner_text() == "404"
    _shot(page, "notifications")
    page.get_by_role("button", name=f"Redeliver notification {failed.id}").click()

    assert page.locator(".flash").inner_text() == f"Notification {failed.id} will be sent again."
    _shot(page, "notifications-redelivered")
    session.refresh(failed)
    assert failed.status == DeliveryStatus.PENDING
