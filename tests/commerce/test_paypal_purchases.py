"""Buying with PayPal, against the fake of PayPal's REST API on loopback: the buyer is
sent to PayPal's approve page and back; the return captures; a cancel, an expiry, a
return naming another order; and the webhook settling, once, when the return never comes."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from mercato.commerce.invoice_models import Invoice
from mercato.commerce.models import (
    Contract,
    ContractState,
    Payment,
    PaymentStatus,
    PurchaseNotification,
)
from mercato.commerce.payments.lifecycle import expire_payments
from mercato.commerce.payments.paypal import CAPTURE_COMPLETED, CAPTURE_DENIED, ORDER_APPROVED
from mercato.commerce.web.paypal_webhook import PATH
from mercato.db import utcnow
from mercato.settings import Settings
from mercato.store.models import NotificationTarget
from tests.commerce import paypal_fake
from tests.commerce.paypal_fake import FakePayPal
from tests.commerce.purchase_world import TIMEOUT, shop
from tests.commerce.test_purchase_pages import FORM, _fields
from tests.store.world import seller, store
from tests.web.pages import log_in, submit

__all__ = ["seller", "shop", "store"]


@pytest.fixture
def fake() -> Iterator[FakePayPal]:
    with paypal_fake.serving() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakePayPal) -> Settings:
    return settings.model_copy(
        update={
            "payment_gateways": "sandbox,offline,paypal",
            "paypal_base_url": fake.url,
            "paypal_client_id": paypal_fake.CLIENT_ID,
            "paypal_client_secret": SecretStr(paypal_fake.CLIENT_SECRET),
            "paypal_webhook_id": paypal_fake.WEBHOOK_ID,
            "outgoing_allowed_networks": "127.0.0.0/8",
        }
    )


@pytest.fixture
def buyer(client, shop):
    shop.offering.notification = NotificationTarget.OWN
    shop.offering.notification_url = "http://127.0.0.1:9/hook"
    shop.session.commit()
    log_in(client, shop.buyer)
    return shop.buyer


def _state(session) -> tuple:
    session.expire_all()
    contract = session.scalar(select(Contract))
    payment = session.scalar(select(Payment))
    invoices = session.scalar(select(func.count(Invoice.id)))
    notifications = session.scalar(select(func.count(PurchaseNotification.id)))
    return contract.state, payment.status, invoices, notifications


def _to_paypal(client, shop) -> str:
    fields = {**_fields(shop, gateway="paypal"), "idempotency_key": "k-1"}
    answer = submit(client, FORM, FORM, fields)
    assert answer.status_code == 303
    return answer.headers["location"]


def _back(client, paypal_page: str) -> httpx.Response:
    """The buyer on PayPal's page, then back at Mercato's return address."""
    at_paypal = httpx.get(paypal_page, follow_redirects=False, timeout=10)
    assert at_paypal.status_code == 302
    target = urlsplit(at_paypal.headers["location"])
    return client.get(f"{target.path}?{target.query}", follow_redirects=False)


def test_a_paypal_purchase_is_approved_captured_invoiced_and_notified(
    client, shop, buyer, session, fake
):
    paypal_page = _to_paypal(client, shop)
    [order_id] = fake.orders
    assert paypal_page == f"{fake.url}/checkoutnow?token={order_id}"
    ref = session.scalar(select(Contract.ref))
    assert _state(session) == (ContractState.PENDING, PaymentStatus.PENDING, 0, 0)

    back = _back(client, paypal_page)

    assert (back.status_code, back.headers["location"]) == (303, f"/purchases/{ref}")
    assert _state(session) == (ContractState.PAID, PaymentStatus.SETTLED, 1, 1)
    assert fake.captures() == 1
    assert "Payment confirmed: the purchase is yours." in client.get(f"/purchases/{ref}").text


def test_a_return_naming_another_order_captures_nothing(client, shop, buyer, session, fake):
    paypal_page = _to_paypal(client, shop)
    httpx.get(paypal_page, follow_redirects=False, timeout=10)
    ref = session.scalar(select(Contract.ref))

    back = client.get(f"/purchases/{ref}/accept?token=5O190127TN364715T&PayerID=X")

    assert back.status_code == 200
    assert (
        "The payment did not go through: PayPal&#39;s return names another order than this"
        " payment&#39;s" in back.text
    )
    assert _state(session) == (ContractState.PENDING, PaymentStatus.PENDING, 0, 0)
    assert fake.captures() == 0


def test_cancelling_at_paypal_cancels_the_purchase(client, shop, buyer, session, fake):
    paypal_page = _to_paypal(client, shop)

    back = _back(client, f"{paypal_page}&cancel=1")

    assert back.status_code == 303
    assert _state(session) == (ContractState.CANCELLED, PaymentStatus.CANCELLED, 0, 0)
    assert fake.captures() == 0


def test_a_paypal_payment_never_approved_expires(client, shop, buyer, session, fake, app):
    _to_paypal(client, shop)

    with app.state.session_factory() as writer:
        assert expire_payments(writer, utcnow() + TIMEOUT) == 1
        writer.commit()

    assert _state(session) == (ContractState.CANCELLED, PaymentStatus.EXPIRED, 0, 0)
    assert fake.captures() == 0


def test_the_webhook_settles_once_when_the_return_never_comes(client, shop, buyer, session, fake):
    paypal_page = _to_paypal(client, shop)
    [order_id] = fake.orders
    assert httpx.get(paypal_page, follow_redirects=False, timeout=10).status_code == 302

    for event_type in (ORDER_APPROVED, ORDER_APPROVED, CAPTURE_COMPLETED):
        headers, body = fake.signed_event(event_type, order_id)
        assert client.post(PATH, content=body, headers=headers).status_code == 200
        assert _state(session) == (ContractState.PAID, PaymentStatus.SETTLED, 1, 1)
    assert fake.captures() == 1
    # The buyer's late return changes nothing either.
    ref = session.scalar(select(Contract.ref))
    late = client.get(f"/purchases/{ref}/accept?token={order_id}", follow_redirects=False)
    assert late.status_code == 303
    assert _state(session) == (ContractState.PAID, PaymentStatus.SETTLED, 1, 1)
    assert fake.captures() == 1


def _approved(client, shop, fake) -> str:
    """The buyer approved at PayPal and never came back: the order's id."""
    paypal_page = _to_paypal(client, shop)
    [order_id] = fake.orders
    assert httpx.get(paypal_page, follow_redirects=False, timeout=10).status_code == 302
    return order_id


def _event(client, fake, event_type: str, order_id: str) -> None:
    headers, body = fake.signed_event(event_type, order_id)
    assert client.post(PATH, content=body, headers=headers).status_code == 200


def test_a_denied_capture_cancels_the_payment_once(client, shop, buyer, session, fake):
    order_id = _approved(client, shop, fake)

    _event(client, fake, CAPTURE_DENIED, order_id)
    _event(client, fake, CAPTURE_DENIED, order_id)

    assert _state(session) == (ContractState.CANCELLED, PaymentStatus.CANCELLED, 0, 0)
    assert fake.captures() == 0
    # Neither a later approval nor the buyer's return pays the cancelled purchase.
    _event(client, fake, ORDER_APPROVED, order_id)
    ref = session.scalar(select(Contract.ref))
    client.get(f"/purchases/{ref}/accept?token={order_id}", follow_redirects=False)
    assert _state(session) == (ContractState.CANCELLED, PaymentStatus.CANCELLED, 0, 0)
    assert fake.captures() == 0


def test_a_denied_capture_after_a_completed_one_changes_nothing(client, shop, buyer, session, fake):
    order_id = _approved(client, shop, fake)
    _event(client, fake, CAPTURE_COMPLETED, order_id)
    assert _state(session) == (ContractState.PAID, PaymentStatus.SETTLED, 1, 1)

    _event(client, fake, CAPTURE_DENIED, order_id)

    assert _state(session) == (ContractState.PAID, PaymentStatus.SETTLED, 1, 1)
    assert fake.captures() == 1


def _held(client, shop, fake, session) -> tuple[str, str]:
    """The buyer approved, PayPal held the capture for review: (order id, purchase ref)."""
    paypal_page = _to_paypal(client, shop)
    [order_id] = fake.orders
    fake.hold(order_id)
    back = _back(client, paypal_page)
    ref = session.scalar(select(Contract.ref))
    assert (back.status_code, back.headers["location"]) == (303, f"/purchases/{ref}")
    return order_id, ref


def test_a_capture_held_for_review_stays_pending_past_the_timeout(
    client, shop, buyer, session, fake, app
):
    order_id, ref = _held(client, shop, fake, session)
    page = client.get(f"/purchases/{ref}").text
    assert "PayPal holds the payment for review; it completes when PayPal releases it." in page
    assert "The gateway holds the payment for review" in page

    with app.state.session_factory() as writer:
        assert expire_payments(writer, utcnow() + 10 * TIMEOUT) == 0
        writer.commit()

    assert _state(session) == (ContractState.PENDING, PaymentStatus.PENDING, 0, 0)
    assert session.scalar(select(Payment.expires_at)) is None
    assert fake.orders[order_id].capture_status == "PENDING"
    # Neither the buyer's cancel nor a second return ends it: the money is taken.
    client.get(f"/purchases/{ref}/cancel?token={order_id}", follow_redirects=False)
    client.get(f"/purchases/{ref}/accept?token={order_id}", follow_redirects=False)
    assert _state(session) == (ContractState.PENDING, PaymentStatus.PENDING, 0, 0)
    assert fake.captures() == 1


def test_a_held_capture_released_by_paypal_completes_the_purchase_once(
    client, shop, buyer, session, fake
):
    order_id, ref = _held(client, shop, fake, session)
    _event(client, fake, "PAYMENT.CAPTURE.PENDING", order_id)
    assert _state(session) == (ContractState.PENDING, PaymentStatus.PENDING, 0, 0)

    fake.release(order_id)
    _event(client, fake, CAPTURE_COMPLETED, order_id)
    _event(client, fake, CAPTURE_COMPLETED, order_id)

    assert _state(session) == (ContractState.PAID, PaymentStatus.SETTLED, 1, 1)
    assert fake.captures() == 1
    assert "Payment confirmed" not in client.get(f"/purchases/{ref}").text


def test_a_held_capture_denied_by_paypal_cancels_the_purchase(client, shop, buyer, session, fake):
    order_id, _ = _held(client, shop, fake, session)

    fake.deny(order_id)
    _event(client, fake, CAPTURE_DENIED, order_id)

    assert _state(session) == (ContractState.CANCELLED, PaymentStatus.CANCELLED, 0, 0)


def test_a_held_capture_when_the_return_never_came_is_held_by_the_webhook(
    client, shop, buyer, session, fake, app
):
    order_id = _approved(client, shop, fake)
    fake.hold(order_id)

    _event(client, fake, ORDER_APPROVED, order_id)

    with app.state.session_factory() as writer:
        assert expire_payments(writer, utcnow() + 10 * TIMEOUT) == 0
        writer.commit()
    assert _state(session) == (ContractState.PENDING, PaymentStatus.PENDING, 0, 0)
    fake.release(order_id)
    _event(client, fake, CAPTURE_COMPLETED, order_id)
    assert _state(session) == (ContractState.PAID, PaymentStatus.SETTLED, 1, 1)
