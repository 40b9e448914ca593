"""Signed triggers (Standard Webhooks): verified by a real receiver, one id per delivery."""

import base64
import random
from datetime import datetime
from math import floor

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from mercato.catalogue import omses as registry
from mercato.catalogue.models import Oms
from mercato.db import utcnow
from mercato.errors import Invalid
from mercato.ordering import triggers
from mercato.ordering.models import Delivery, DeliveryAttempt
from tests.ordering.test_triggers import START, Clock
from tests.ordering.trigger_receiver import VERIFIED, receiving

SIGNATURE_HEADERS = {"webhook-id", "webhook-timestamp", "webhook-signature"}


def signed_delivery(make, url: str, due: datetime, *, signed: bool = True) -> tuple[Delivery, str]:
    """A project created with a default OMS whose trigger calls ``url``; the OMS's secret."""
    oms = make.oms(is_default=True, trigger_url=url)
    secret = registry.rotate_signing_secret(make.session, oms) if signed else ""
    make.project()
    delivery = make.session.scalars(select(Delivery)).one()
    delivery.next_attempt_at = due
    make.session.commit()
    return delivery, secret


def deliver(factory, settings, http, clock=utcnow) -> datetime | None:
    sent = triggers.deliver_due(factory, settings, http, clock=clock, rng=random.Random(7))
    return sent.retries[0] if sent.retries else None


def test_signed_trigger_passes_the_standard_webhooks_verifier(
    make, session, factory, trigger_settings, http
):
    with receiving() as receiver:
        delivery, secret = signed_delivery(make, receiver.url, utcnow())
        receiver.signing_secret = secret

        deliver(factory, trigger_settings, http)

    [call] = receiver.calls
    assert call.verdict == VERIFIED
    started_at = session.scalars(select(DeliveryAttempt.started_at)).one()
    assert call.headers["webhook-id"] == f"msg_trigger_{delivery.id}"
    assert call.headers["webhook-timestamp"] == str(floor(started_at.timestamp()))
    assert call.body == b""


def test_a_receiver_with_another_secret_refuses_the_call(make, factory, trigger_settings, http):
    with receiving() as receiver:
        signed_delivery(make, receiver.url, utcnow())
        receiver.signing_secret = (
            "whsec_" + base64.b64encode(b"another secret, 32 bytes long..").decode()
        )

        deliver(factory, trigger_settings, http)

    assert [call.verdict for call in receiver.calls] == ["No matching signature found"]


def test_retries_keep_the_webhook_id_and_sign_each_attempt_at_its_time(
    make, factory, trigger_settings, http
):
    clock = Clock(START)
    with receiving([503]) as receiver:
        delivery, secret = signed_delivery(make, receiver.url, START)
        retry_at = deliver(factory, trigger_settings, http, clock)
        assert retry_at is not None
        clock.now = retry_at
        deliver(factory, trigger_settings, http, clock)

    message_id = f"msg_trigger_{delivery.id}"
    reference = Webhook(secret)
    assert [call.headers["webhook-id"] for call in receiver.calls] == [message_id, message_id]
    assert [call.headers["webhook-timestamp"] for call in receiver.calls] == [
        str(floor(START.timestamp())),
        str(floor(retry_at.timestamp())),
    ]
    assert [call.headers["webhook-signature"] for call in receiver.calls] == [
        reference.sign(message_id, START, b""),
        reference.sign(message_id, retry_at, b""),
    ]


def test_a_redelivery_keeps_the_webhook_id(make, session, factory, trigger_settings, http):
    with receiving() as receiver:
        delivery, secret = signed_delivery(make, receiver.url, utcnow())
        receiver.signing_secret = secret
        deliver(factory, trigger_settings, http)
        session.refresh(delivery)
        triggers.redeliver(session, delivery, utcnow())
        session.commit()
        deliver(factory, trigger_settings, http)

    assert [(c.headers["webhook-id"], c.verdict) for c in receiver.calls] == [
        (f"msg_trigger_{delivery.id}", VERIFIED),
        (f"msg_trigger_{delivery.id}", VERIFIED),
    ]


def test_an_oms_without_a_secret_sends_no_signature_headers(make, factory, trigger_settings, http):
    with receiving() as receiver:
        signed_delivery(make, receiver.url, utcnow(), signed=False)
        deliver(factory, trigger_settings, http)

    [call] = receiver.calls
    assert SIGNATURE_HEADERS & call.headers.keys() == set()
    assert (call.method, call.authorization, call.body) == ("POST", None, b"")


def test_a_new_secret_signs_the_deliveries_still_pending(
    make, session, factory, trigger_settings, http
):
    with receiving() as receiver:
        delivery, _ = signed_delivery(make, receiver.url, utcnow())
        oms = session.get_one(Oms, delivery.oms_id)
        receiver.signing_secret = registry.rotate_signing_secret(session, oms)
        session.commit()

        deliver(factory, trigger_settings, http)

    assert [call.verdict for call in receiver.calls] == [VERIFIED]


def test_removing_the_secret_sends_the_triggers_unsigned(
    make, session, factory, trigger_settings, http
):
    with receiving() as receiver:
        delivery, _ = signed_delivery(make, receiver.url, utcnow())
        registry.remove_signing_secret(session, session.get_one(Oms, delivery.oms_id))
        session.commit()

        deliver(factory, trigger_settings, http)

    assert SIGNATURE_HEADERS & receiver.calls[0].headers.keys() == set()


def test_a_signing_secret_is_whsec_and_the_base64_of_32_random_bytes(make, session):
    oms = make.oms()

    first = registry.rotate_signing_secret(session, oms)
    second = registry.rotate_signing_secret(session, oms)

    assert first.startswith("whsec_") and second.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second
    assert oms.signing_secret == second


def test_removing_a_secret_that_is_not_set_is_refused(make, session):
    oms = make.oms()

    with pytest.raises(Invalid) as refused:
        registry.remove_signing_secret(session, oms)

    assert refused.value.errors == {"signing_secret": ["is not set"]}
