"""PayPal Checkout against a fake of PayPal's REST API on a loopback port: the client,
the gateway, webhook verification and the webhook route of the real app."""

import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from mercato.app import create_app
from mercato.commerce.models import PaymentStatus
from mercato.commerce.payments.gateway import PaymentFailed, PaymentRequest, Started
from mercato.commerce.payments.paypal import (
    CAPTURE_COMPLETED,
    ORDER_APPROVED,
    Capture,
    CaptureStatus,
    PayPalClient,
    PayPalError,
    PayPalGateway,
    WebhookEvent,
    webhook_event,
)
from mercato.commerce.web.paypal_webhook import MAX_EVENT_BYTES, PATH
from mercato.errors import Invalid
from mercato.settings import Settings
from tests.commerce import paypal_fake
from tests.commerce.paypal_fake import CLIENT_SECRET, FakePayPal

RETURN_URL = "http://127.0.0.1:8000/payments/PAY-1/return?step=2"
CANCEL_URL = "http://127.0.0.1:8000/payments/PAY-1/cancel"


@pytest.fixture
def fake() -> Iterator[FakePayPal]:
    with paypal_fake.serving() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakePayPal) -> Settings:
    return settings.model_copy(
        update={
            "paypal_base_url": fake.url,
            "paypal_client_id": paypal_fake.CLIENT_ID,
            "paypal_client_secret": SecretStr(CLIENT_SECRET),
            "paypal_webhook_id": paypal_fake.WEBHOOK_ID,
            "outgoing_allowed_networks": "127.0.0.0/8",
        }
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def paypal(settings: Settings, clock: Clock) -> Iterator[PayPalClient]:
    client = PayPalClient(settings, clock=clock)
    yield client
    client.close()


def buyer_visits(url: str) -> httpx.Response:
    """The buyer's browser on PayPal's page: one GET, the redirect not followed."""
    return httpx.get(url, follow_redirects=False, timeout=10)


def _request(reference: str, amount: str, currency: str) -> PaymentRequest:
    return PaymentRequest(reference, Decimal(amount), currency, "", RETURN_URL, CANCEL_URL)


def approved_order(paypal: PayPalClient, reference: str = "PAY-1") -> str:
    started = PayPalGateway(paypal).start(_request(reference, "10", "EUR"))
    assert buyer_visits(started.redirect_url or "").status_code == 302
    return started.gateway_ref


def test_an_order_is_created_approved_and_captured(paypal, fake):
    gateway = PayPalGateway(paypal)

    started = gateway.start(_request("PAY-1", "10.5", "eur"))

    order_id = started.gateway_ref
    url = f"{fake.url}/checkoutnow?token={order_id}"
    assert started == Started(order_id, PaymentStatus.PENDING, url)
    create = fake.calls[-1]
    assert (create.method, create.path) == ("POST", "/v2/checkout/orders")
    assert create.headers["paypal-request-id"] == "mercato-order-PAY-1"
    assert create.headers["content-type"] == "application/json"
    assert json.loads(create.body) == {
        "intent": "CAPTURE",
        "purchase_units": [
            {
                "custom_id": "PAY-1",
                "invoice_id": "PAY-1",
                "amount": {"currency_code": "EUR", "value": "10.50"},
            }
        ],
        "application_context": {
            "return_url": RETURN_URL,
            "cancel_url": CANCEL_URL,
            "user_action": "PAY_NOW",
            "shipping_preference": "NO_SHIPPING",
        },
    }
    assert paypal.get_order(order_id).status == "CREATED"

    back = buyer_visits(started.redirect_url or "")
    payer = fake.orders[order_id].payer_id
    assert (back.status_code, back.headers["location"]) == (
        302,
        f"{RETURN_URL}&token={order_id}&PayerID={payer}",
    )
    assert paypal.get_order(order_id).status == "APPROVED"

    gateway.complete(order_id, {"token": order_id, "PayerID": payer})
    assert fake.calls[-1].headers["paypal-request-id"] == f"mercato-capture-{order_id}"
    order = paypal.get_order(order_id)
    assert (order.order_id, order.status, order.reference) == (order_id, "COMPLETED", "PAY-1")
    assert fake.captures() == 1


def test_amounts_go_with_the_currencys_decimals(paypal, fake):
    paypal.create_order(Decimal("1500"), "JPY", "PAY-Y", RETURN_URL, CANCEL_URL, "r-1")
    paypal.create_order(Decimal("7"), "EUR", "PAY-E", RETURN_URL, CANCEL_URL, "r-2")

    creates = [json.loads(call.body) for call in fake.calls if call.path == "/v2/checkout/orders"]
    assert [body["purchase_units"][0]["amount"]["value"] for body in creates] == ["1500", "7.00"]

    calls = len(fake.calls)
    for amount, currency in ((Decimal("10.005"), "EUR"), (Decimal("1.5"), "JPY"), (0, "EUR")):
        with pytest.raises(Invalid) as refused:
            paypal.create_order(Decimal(amount), currency, "PAY-X", RETURN_URL, CANCEL_URL, "r")
        digits = 0 if currency == "JPY" else 2
        assert refused.value.errors == {
            "amount": [f"must be positive with at most {digits} decimals in {currency} for PayPal"]
        }
    assert len(fake.calls) == calls


def test_an_order_never_approved_is_not_captured(paypal, fake):
    gateway = PayPalGateway(paypal)
    started = gateway.start(_request("PAY-2", "3", "EUR"))
    order_id = started.gateway_ref

    back = buyer_visits(f"{started.redirect_url}&cancel=1")
    assert back.headers["location"] == f"{CANCEL_URL}?token={order_id}"
    gateway.cancel(order_id)

    assert paypal.capture(order_id, "c-1") == Capture(order_id, CaptureStatus.NOT_APPROVED)
    with pytest.raises(PaymentFailed, match=r"^The payment was not approved at PayPal$"):
        gateway.complete(order_id, {"token": order_id})
    assert (paypal.get_order(order_id).status, fake.captures()) == ("CREATED", 0)


def test_a_retried_capture_takes_the_money_once(paypal, fake):
    order_id = approved_order(paypal)

    first = paypal.capture(order_id, "capture-1")
    again = paypal.capture(order_id, "capture-1")
    other = paypal.capture(order_id, "capture-2")

    assert first.status == CaptureStatus.COMPLETED and first.capture_id
    assert again == first
    assert other == Capture(order_id, CaptureStatus.ALREADY_CAPTURED, first.capture_id)
    assert other.paid and first.paid
    assert fake.captures() == 1


def test_a_retried_start_gets_the_same_order(paypal, fake):
    gateway = PayPalGateway(paypal)

    first = gateway.start(_request("PAY-3", "2", "EUR"))
    again = gateway.start(_request("PAY-3", "2", "EUR"))

    assert again == first
    assert list(fake.orders) == [first.gateway_ref]


def test_a_return_naming_another_order_captures_nothing(paypal, fake):
    order_id = approved_order(paypal)

    for params in ({}, {"token": "5O190127TN364715T"}):
        with pytest.raises(PaymentFailed, match=r"^PayPal's return names another order"):
            PayPalGateway(paypal).complete(order_id, params)
    assert fake.captures() == 0


def test_a_declined_capture_is_not_paid_and_the_next_may_be(paypal, fake):
    order_id = approved_order(paypal)
    fake.decline(order_id)

    assert paypal.capture(order_id, "c-1") == Capture(order_id, CaptureStatus.DECLINED)
    PayPalGateway(paypal).complete(order_id, {"token": order_id})
    assert fake.captures() == 1


def test_one_token_serves_until_it_expires(paypal, fake, clock):
    paypal.create_order(Decimal(1), "EUR", "PAY-4", RETURN_URL, CANCEL_URL, "r-1")
    paypal.get_order(next(iter(fake.orders)))
    assert fake.tokens_granted == 1
    token = fake.calls[0]
    assert (token.method, token.path, token.body) == (
        "POST",
        "/v1/oauth2/token",
        b"grant_type=client_credentials",
    )
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"

    clock.now += 32400 - 61
    paypal.get_order(next(iter(fake.orders)))
    assert fake.tokens_granted == 1

    clock.now += 1
    paypal.get_order(next(iter(fake.orders)))
    assert fake.tokens_granted == 2


def test_a_token_paypal_dropped_is_renewed_once(paypal, fake):
    paypal.create_order(Decimal(1), "EUR", "PAY-5", RETURN_URL, CANCEL_URL, "r-1")
    fake.revoke_tokens()

    order = paypal.get_order(next(iter(fake.orders)))

    assert order.status == "CREATED"
    assert fake.tokens_granted == 2
    assert [call.path for call in fake.calls][-3:] == [
        f"/v2/checkout/orders/{order.order_id}",
        "/v1/oauth2/token",
        f"/v2/checkout/orders/{order.order_id}",
    ]


def test_wrong_credentials_are_named_without_the_secret(settings, fake):
    wrong = settings.model_copy(update={"paypal_client_secret": SecretStr("not-the-secret")})
    client = PayPalClient(wrong)

    with pytest.raises(PayPalError) as refused:
        client.get_order("5O190127TN364715T")

    message = (
        "PayPal refused the client credentials: 401 invalid_client: Client Authentication failed"
    )
    assert str(refused.value) == message
    assert "not-the-secret" not in repr(wrong)
    client.close()


def test_paypal_errors_show_name_issue_description_and_debug_id(paypal, fake):
    with pytest.raises(PayPalError) as refused:
        paypal.capture("NO-SUCH-ORDER", "c-1")

    assert str(refused.value) == (
        "PayPal refused the capture of NO-SUCH-ORDER: 404 RESOURCE_NOT_FOUND"
        " (INVALID_RESOURCE_ID): Specified resource ID does not exist. Please check the"
        f" resource ID and try again. [debug_id {fake.debug_ids[-1]}]"
    )
    assert (refused.value.status, refused.value.name, refused.value.issue) == (
        404,
        "RESOURCE_NOT_FOUND",
        "INVALID_RESOURCE_ID",
    )


def test_paypal_out_of_reach_is_an_error(settings, fake):
    closed = settings.model_copy(update={"paypal_base_url": "http://127.0.0.1:9"})
    refused = settings.model_copy(update={"outgoing_allowed_networks": ""})

    with pytest.raises(PayPalError, match=r"^PayPal did not answer: ConnectError: "):
        PayPalClient(closed).access_token()
    with pytest.raises(PayPalError) as not_allowed:
        PayPalClient(refused).access_token()

    assert str(not_allowed.value) == (
        "PayPal's address is refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public"
        " address; an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS"
    )
    assert fake.calls == []


# --- webhooks -------------------------------------------------------------------------


def test_paypal_vouches_for_the_events_it_sent_only(paypal, fake):
    order_id = approved_order(paypal)
    headers, body = fake.signed_event(ORDER_APPROVED, order_id)

    assert paypal.verify_webhook(headers, body) is True
    verify = fake.calls[-1]
    assert verify.path == "/v1/notifications/verify-webhook-signature"
    sent = json.loads(verify.body)
    assert sent == {
        "auth_algo": "SHA256withRSA",
        "cert_url": headers["PAYPAL-CERT-URL"],
        "transmission_id": headers["PAYPAL-TRANSMISSION-ID"],
        "transmission_sig": headers["PAYPAL-TRANSMISSION-SIG"],
        "transmission_time": headers["PAYPAL-TRANSMISSION-TIME"],
        "webhook_id": paypal_fake.WEBHOOK_ID,
        "webhook_event": json.loads(body),
    }

    forged = body.replace(b'"APPROVED"', b'"COMPLETED"')
    assert forged != body
    assert paypal.verify_webhook(headers, forged) is False
    other_headers, _ = fake.signed_event(ORDER_APPROVED, order_id)
    assert paypal.verify_webhook(other_headers, body) is False
    for_other_hook = fake.signed_event(ORDER_APPROVED, order_id, webhook_id="OTHERWEBHOOK1")
    assert paypal.verify_webhook(*for_other_hook) is False

    calls = len(fake.calls)
    unsigned = {k: v for k, v in headers.items() if k != "PAYPAL-TRANSMISSION-SIG"}
    assert paypal.verify_webhook(unsigned, body) is False
    assert paypal.verify_webhook(headers, b"not json") is False
    assert len(fake.calls) == calls


def test_verified_events_are_typed(paypal, fake):
    order_id = approved_order(paypal, "PAY-7")
    approved = webhook_event(paypal, *fake.signed_event(ORDER_APPROVED, order_id))
    paypal.capture(order_id, "c-1")
    completed = webhook_event(paypal, *fake.signed_event(CAPTURE_COMPLETED, order_id))

    assert approved == WebhookEvent(approved.event_id, ORDER_APPROVED, order_id, "PAY-7")
    assert approved.event_id.startswith("WH-")
    capture_id = fake.orders[order_id].capture_id
    assert completed == WebhookEvent(
        completed.event_id, CAPTURE_COMPLETED, order_id, "PAY-7", capture_id
    )

    headers, body = fake.signed_event(ORDER_APPROVED, order_id)
    with pytest.raises(Invalid) as refused:
        webhook_event(paypal, headers, body.replace(b"PAY-7", b"PAY-8"))
    assert refused.value.errors == {
        "PAYPAL-TRANSMISSION-SIG": ["is not PayPal's: PayPal did not verify this event"]
    }


def test_the_webhook_route_hands_verified_events_on(app, client, fake):
    received: list[WebhookEvent] = []
    app.state.paypal_hooks.append(lambda session, event: received.append(event))
    order_id = approved_order(app.state.paypal, "PAY-9")
    # A form leaves a CSRF cookie in the client: the webhook must not need a token.
    client.get("/login")
    assert client.cookies.get("csrftoken")

    headers, body = fake.signed_event(ORDER_APPROVED, order_id)
    answer = client.post(PATH, content=body, headers=headers)

    assert answer.status_code == 200
    assert received == [WebhookEvent(answer.json()["id"], ORDER_APPROVED, order_id, "PAY-9")]
    assert answer.json() == {"id": received[0].event_id, "event_type": ORDER_APPROVED}

    forged = client.post(PATH, content=body.replace(b"PAY-9", b"PAY-0"), headers=headers)
    assert (forged.status_code, forged.json()) == (
        400,
        {
            "error": {
                "PAYPAL-TRANSMISSION-SIG": ["is not PayPal's: PayPal did not verify this event"]
            }
        },
    )
    unsigned = client.post(PATH, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 400
    huge = client.post(PATH, content=b" " * (MAX_EVENT_BYTES + 1), headers=headers)
    assert (huge.status_code, huge.json()) == (
        413,
        {"error": {"body": [f"is larger than {MAX_EVENT_BYTES} bytes"]}},
    )
    assert len(received) == 1


def test_the_webhook_route_answers_502_while_events_cannot_be_verified(settings, fake):
    app = create_app(settings.model_copy(update={"paypal_webhook_id": ""}))
    with TestClient(app) as client:
        answer = client.post(PATH, content=b"{}", headers={"PAYPAL-AUTH-ALGO": "x"})
    assert (answer.status_code, answer.json()) == (
        502,
        {"error": "PayPal events cannot be verified: set MERCATO_PAYPAL_WEBHOOK_ID"},
    )
    app.state.engine.dispose()
