"""What the purchase notification tests sell: an offering with a stored file and a link,
and a notification of its purchase that failed."""

from datetime import UTC, datetime

import pytest

from mercato.commerce import notifications
from mercato.commerce.models import PurchaseNotification, PurchaseNotificationAttempt
from mercato.ordering.models import DeliveryStatus
from mercato.store.models import NotificationTarget, StoreOffering

AT = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
URL = "http://93.184.216.34/hook"


@pytest.fixture
def sold(store, seller) -> StoreOffering:
    """An offering of CoNWeT with a stored file and a link, and no notification URL yet."""
    provider = store.provider(seller, name="CoNWeT")
    widget = store.asset(provider, "Map Viewer", "1.0")
    docs = store.asset(
        provider,
        "Map Docs",
        "2.1",
        data=None,
        link="https://docs.example.org/map.pdf",
        content_type="application/pdf",
    )
    return store.offering(provider, seller, "Smart City Lights", "1.0", bound=[widget, docs])


@pytest.fixture
def failed(session, settings, sold) -> PurchaseNotification:
    """A notification of CoNWeT's offering that failed with a 404, logged."""
    sold.notification, sold.notification_url = NotificationTarget.OWN, URL
    notification = notifications.notify_purchase(
        session,
        settings,
        offering=sold,
        customer="Globex",
        reference="ref-1",
        resources=sold.assets,
    )
    assert notification is not None
    notification.status, notification.attempts = DeliveryStatus.FAILED, 1
    notification.attempt_log.append(
        PurchaseNotificationAttempt(
            started_at=AT, url=URL, method="POST", status_code=404, duration_ms=12, error=""
        )
    )
    session.commit()
    session.info.pop(notifications.NEW_NOTIFICATIONS, None)
    return notification
