"""Purchase notifications (store-ge.md §8): a real receiver on loopback gets the exact body,
signed (Standard Webhooks) when the provider has a secret, retried, redeliverable; nothing
when the purchase rolls back."""

import json
import random
from math import floor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from mercato.accounts import rules as accounts
from mercato.commerce import notifications
from mercato.commerce.models import PurchaseNotification, PurchaseNotificationAttempt
from mercato.db import transaction, utcnow
from mercato.errors import Invalid
from mercato.ordering import triggers
from mercato.ordering.models import DeliveryStatus
from mercato.settings import Settings
from mercato.store.models import NotificationTarget, StoreOffering
from mercato.store.offerings import set_provider_notification_url
from tests.commerce.selling import buy
from tests.ordering.test_triggers import START, Clock
from tests.ordering.trigger_receiver import VERIFIED, receiving

SIGNATURE_HEADERS = {"webhook-id", "webhook-timestamp", "webhook-signature"}
REFERENCE = "5f1e2d3c4b5a697887766554"


@pytest.fixture
def notify_settings(trigger_settings: Settings) -> Settings:
    return trigger_settings.model_copy(update={"base_url": "https://store.example.org"})


def notify_to(session: Session, offering: StoreOffering, url: str) -> None:
    offering.notification, offering.notification_url = NotificationTarget.OWN, url
    session.commit()


def purchase(factory, settings, offering_id: int, reference: str = REFERENCE) -> int | None:
    """The acquire flow's first successful payment: one committed transaction."""
    with transaction(factory) as session:
        notification = buy(session, settings, offering_id, reference)
        return notification.id if notification is not None else None


def deliver(factory, settings, http, clock=utcnow) -> triggers.Round:
    return triggers.deliver_due(
        factory,
        settings,
        http,
        outbox=notifications.NOTIFICATIONS,
        clock=clock,
        rng=random.Random(7),
    )


EXPECTED_BODY = {
    "offering": {"organization": "CoNWeT", "name": "Smart City Lights", "version": "1.0"},
    "reference": REFERENCE,
    "customer": "Globex",
    "resources": [
        {
            "name": "Map Viewer",
            "version": "1.0",
            "content_type": "application/zip",
            "url": "https://store.example.org/media/resources/conwet/Map%20Viewer/1.0/widget.zip",
        },
        {
            "name": "Map Docs",
            "version": "2.1",
            "content_type": "application/pdf",
            "url": "https://docs.example.org/map.pdf",
        },
    ],
}


def test_the_first_payment_posts_the_section_8_body_signed(
    session, sold, factory, notify_settings, http
):
    secret = accounts.rotate_notification_secret(session, sold.service.provider)
    with receiving(signing_secret=secret) as receiver:
        notify_to(session, sold, receiver.url)
        notification_id = purchase(factory, notify_settings, sold.offer_id)

        round_ = deliver(factory, notify_settings, http)

    assert (round_.claimed, round_.retries) == (1, [])
    [call] = receiver.calls
    assert (call.method, call.path, call.headers["content-type"]) == (
        "POST",
        "/hook",
        "application/json",
    )
    assert json.loads(call.body) == EXPECTED_BODY
    assert call.verdict == VERIFIED
    assert call.headers["webhook-id"] == f"msg_notification_{notification_id}"
    session.expire_all()
    notification = session.get_one(PurchaseNotification, notification_id)
    assert (notification.status, notification.attempts) == (DeliveryStatus.DELIVERED, 1)
    [attempt] = notification.attempt_log
    assert (attempt.method, attempt.url, attempt.status_code, attempt.error) == (
        "POST",
        receiver.url,
        200,
        "",
    )
    assert call.headers["webhook-timestamp"] == str(floor(attempt.started_at.timestamp()))


def test_the_receivers_verifier_refuses_a_tampered_body(
    session, sold, factory, notify_settings, http
):
    secret = accounts.rotate_notification_secret(session, sold.service.provider)
    with receiving(signing_secret=secret) as receiver:
        notify_to(session, sold, receiver.url)
        purchase(factory, notify_settings, sold.offer_id)
        deliver(factory, notify_settings, http)

    [call] = receiver.calls
    tampered = call.body.replace(b"Globex", b"Globax")
    assert receiver.verdict(call.body, call.headers) == VERIFIED
    assert receiver.verdict(tampered, call.headers) == "No matching signature found"


def test_a_rolled_back_purchase_notifies_nobody(session, sold, factory, notify_settings, http):
    with receiving() as receiver:
        notify_to(session, sold, receiver.url)
        with factory() as writer:
            buy(writer, notify_settings, sold.offer_id, REFERENCE)
            writer.rollback()

        round_ = deliver(factory, notify_settings, http)

    assert round_.claimed == 0
    assert receiver.calls == []
    assert session.scalars(select(PurchaseNotification)).all() == []


def test_a_failed_call_is_retried_until_it_succeeds_with_the_same_webhook_id(
    session, sold, factory, notify_settings, http
):
    secret = accounts.rotate_notification_secret(session, sold.service.provider)
    clock = Clock(START)
    # Signed in the past (the clock's time), so checked against the library's signature.
    with receiving([503]) as receiver:
        notify_to(session, sold, receiver.url)
        notification_id = purchase(factory, notify_settings, sold.offer_id)
        session.get_one(PurchaseNotification, notification_id).next_attempt_at = START
        session.commit()

        [retry_at] = deliver(factory, notify_settings, http, clock).retries
        assert deliver(factory, notify_settings, http, clock).claimed == 0, "not due yet"
        clock.now = retry_at
        assert deliver(factory, notify_settings, http, clock).retries == []

    message_id = f"msg_notification_{notification_id}"
    assert [c.headers["webhook-id"] for c in receiver.calls] == [message_id, message_id]
    assert receiver.calls[0].body == receiver.calls[1].body
    assert [c.headers["webhook-signature"] for c in receiver.calls] == [
        Webhook(secret).sign(message_id, START, receiver.calls[0].body),
        Webhook(secret).sign(message_id, retry_at, receiver.calls[0].body),
    ]
    session.expire_all()
    notification = session.get_one(PurchaseNotification, notification_id)
    assert notification.status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in notification.attempt_log] == [503, 200]


def test_a_refusal_fails_at_once_and_a_redelivery_sends_it_again(
    session, sold, factory, notify_settings, http
):
    with receiving([404]) as receiver:
        notify_to(session, sold, receiver.url)
        notification_id = purchase(factory, notify_settings, sold.offer_id)
        assert deliver(factory, notify_settings, http).retries == []
        notification = session.get_one(PurchaseNotification, notification_id)
        assert notification.status == DeliveryStatus.FAILED

        notifications.redeliver(session, notification, utcnow())
        assert session.info.pop(notifications.NEW_NOTIFICATIONS) == 1
        session.commit()
        deliver(factory, notify_settings, http)

    assert len(receiver.calls) == 2
    assert receiver.calls[0].body == receiver.calls[1].body
    session.expire_all()
    notification = session.get_one(PurchaseNotification, notification_id)
    assert (notification.status, notification.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert [a.status_code for a in notification.attempt_log] == [404, 200]


def test_without_a_secret_the_notification_goes_unsigned(
    session, sold, factory, notify_settings, http
):
    with receiving() as receiver:
        notify_to(session, sold, receiver.url)
        purchase(factory, notify_settings, sold.offer_id)
        deliver(factory, notify_settings, http)

    [call] = receiver.calls
    assert SIGNATURE_HEADERS & call.headers.keys() == set()
    assert json.loads(call.body) == EXPECTED_BODY


def test_a_pending_notification_is_not_redelivered(session, sold, factory, notify_settings):
    notify_to(session, sold, "http://127.0.0.1:9/hook")
    notification_id = purchase(factory, notify_settings, sold.offer_id)

    with pytest.raises(Invalid) as refused:
        notifications.redeliver(
            session, session.get_one(PurchaseNotification, notification_id), utcnow()
        )

    assert refused.value.errors == {"delivery": ["is still pending; it will be sent"]}


def test_one_notification_per_reference_renewals_included(
    session, sold, factory, notify_settings, http
):
    with receiving() as receiver:
        notify_to(session, sold, receiver.url)
        first = purchase(factory, notify_settings, sold.offer_id)
        again = purchase(factory, notify_settings, sold.offer_id)
        deliver(factory, notify_settings, http)

    assert first == again
    assert len(receiver.calls) == 1
    assert session.scalars(select(PurchaseNotificationAttempt.status_code)).all() == [200]


def test_the_provider_default_url_as_it_is_at_purchase(
    session, sold, factory, notify_settings, http
):
    with receiving() as receiver:
        set_provider_notification_url(session, sold.service.provider, receiver.url)
        sold.notification = NotificationTarget.PROVIDER_DEFAULT
        session.commit()
        purchase(factory, notify_settings, sold.offer_id)
        deliver(factory, notify_settings, http)

    assert [json.loads(c.body)["reference"] for c in receiver.calls] == [REFERENCE]


@pytest.mark.parametrize("target", [NotificationTarget.NONE, NotificationTarget.PROVIDER_DEFAULT])
def test_no_url_no_notification(session, sold, factory, notify_settings, target):
    sold.notification = target
    session.commit()

    assert purchase(factory, notify_settings, sold.offer_id) is None
    assert session.scalars(select(PurchaseNotification)).all() == []
