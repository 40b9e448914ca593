"""What the purchase notification tests sell: an offering with a stored file and a link,
and a notification of its purchase that failed."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from mercato.commerce import notifications
from mercato.commerce.models import PurchaseNotification, PurchaseNotificationAttempt
from mercato.ordering.models import DeliveryStatus
from mercato.settings import Settings
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
    notification = buy(session, settings, sold.offer_id, "ref-1")
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


def buy(
    session: Session, settings: Settings, offering_id: int, reference: str
) -> PurchaseNotification | None:
    """What the acquire flow calls at a purchase's first payment, for Globex."""
    offering = session.get_one(StoreOffering, offering_id)
    return notifications.notify_purchase(
        session,
        settings,
        offering=offering,
        customer="Globex",
        reference=reference,
        resources=offering.assets,
    )
