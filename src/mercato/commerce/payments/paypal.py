"""PayPal Checkout through PayPal's REST Orders v2 API, and its webhook events.

The buyer's way: ``create_order`` (intent CAPTURE) gives an approve link; the buyer
approves on PayPal and comes back to ``return_url?token=<order id>&PayerID=...``, where
``capture`` takes the money. PayPal also reports by webhook; an event is believed only
once PayPal's verify-webhook-signature call says it sent it.

Calls leave through ``mercato.outgoing.call`` like every other outgoing call: the base
URL is admin configuration, yet the same checks bound time and size and pin the address
(so a sandbox fake on loopback needs its network in MERCATO_OUTGOING_ALLOWED_NETWORKS).
Every POST carries a ``PayPal-Request-Id``: a retry after a timeout gets PayPal's first
answer back instead of a second order or a second capture.

Nothing here logs, and errors quote only PayPal's name, issue, message and debug_id:
the client secret and access tokens must never reach a log or a page.
"""

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import httpx

from mercato import outgoing
from mercato.commerce.models import PaymentStatus
from mercato.commerce.money import quantize
from mercato.commerce.payments.gateway import PaymentFailed, PaymentHeld, PaymentRequest, Started
from mercato.errors import Invalid, Unavailable
from mercato.outgoing import Answer, RefusedAddress, TooLarge
from mercato.settings import Settings

TIMEOUT_SECONDS = 20.0
# A token is renewed this long before PayPal says it expires, so none expires in flight.
TOKEN_MARGIN_SECONDS = 60.0
# PayPal takes no decimals in these currencies (its currency codes reference), two in others.
WHOLE_CURRENCIES = frozenset({"HUF", "JPY", "TWD"})
# verify-webhook-signature's fields, and the headers PayPal sends them in with an event.
WEBHOOK_HEADERS = {
    "auth_algo": "paypal-auth-algo",
    "cert_url": "paypal-cert-url",
    "transmission_id": "paypal-transmission-id",
    "transmission_sig": "paypal-transmission-sig",
    "transmission_time": "paypal-transmission-time",
}
ORDER_APPROVED = "CHECKOUT.ORDER.APPROVED"
CAPTURE_COMPLETED = "PAYMENT.CAPTURE.COMPLETED"
CAPTURE_DENIED = "PAYMENT.CAPTURE.DENIED"
CAPTURE_PENDING = "PAYMENT.CAPTURE.PENDING"
# 422 issues of a capture that are answers, not failures.
DECLINED_ISSUES = frozenset({"INSTRUMENT_DECLINED", "TRANSACTION_REFUSED"})


class PayPalError(Unavailable):
    """PayPal refused a call or could not be reached; ``issue`` is PayPal's reason code."""

    def __init__(
        self, message: str, status: int | None = None, name: str = "", issue: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.name = name
        self.issue = issue


def _json(answer: Answer) -> dict[str, Any]:
    try:
        body = json.loads(answer.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _refusal(answer: Answer, what: str) -> PayPalError:
    """PayPal's error body in one line: REST errors have name, message, details and
    debug_id; the token endpoint answers OAuth's error and error_description."""
    body = _json(answer)
    details = body.get("details")
    detail = details[0] if isinstance(details, list) and details else {}
    detail = detail if isinstance(detail, dict) else {}
    name = str(body.get("name") or body.get("error") or "")
    issue = str(detail.get("issue") or "")
    text = detail.get("description") or body.get("message") or body.get("error_description")
    debug_id = body.get("debug_id") or answer.headers.get("paypal-debug-id")
    message = f"PayPal refused {what}: {answer.status_code} {name}".rstrip()
    message += f" ({issue})" if issue else ""
    message += f": {text}" if text else ""
    message += f" [debug_id {debug_id}]" if debug_id else ""
    return PayPalError(message, answer.status_code, name, issue)


def paypal_value(amount: Decimal, currency: str) -> str:
    """The amount as PayPal's ``value`` string: the currency's decimals, no more."""
    digits = 0 if currency.upper() in WHOLE_CURRENCIES else 2
    value = quantize(amount, digits)
    if amount <= 0 or value != amount:
        raise Invalid.field(
            "amount", f"must be positive with at most {digits} decimals in {currency} for PayPal"
        )
    return f"{value:f}"


@dataclass(frozen=True)
class CreatedOrder:
    order_id: str
    approve_url: str


class CaptureStatus(StrEnum):
    COMPLETED = "COMPLETED"
    # An earlier capture of this order took the money (intent CAPTURE allows one).
    ALREADY_CAPTURED = "ALREADY_CAPTURED"
    # Taken but held by PayPal; PAYMENT.CAPTURE.COMPLETED (or DENIED) follows.
    PENDING = "PENDING"
    DECLINED = "DECLINED"
    # The buyer has not approved the order (never came back, or cancelled).
    NOT_APPROVED = "NOT_APPROVED"


# A capture's status in PayPal's answer, as Mercato reads it.
CAPTURE_STATUSES = {
    "COMPLETED": CaptureStatus.COMPLETED,
    "PENDING": CaptureStatus.PENDING,
    "DECLINED": CaptureStatus.DECLINED,
    "FAILED": CaptureStatus.DECLINED,
}


@dataclass(frozen=True)
class Capture:
    order_id: str
    status: CaptureStatus
    capture_id: str = ""

    @property
    def paid(self) -> bool:
        return self.status in (CaptureStatus.COMPLETED, CaptureStatus.ALREADY_CAPTURED)


_CAPTURE = ("purchase_units", 0, "payments", "captures", 0)


def _capture_in(order: dict[str, Any], order_id: str) -> Capture:
    """The first capture of an order's body (a capture's answer, or the order read)."""
    status = _dig(order, *_CAPTURE, "status")
    if status not in CAPTURE_STATUSES:
        raise PayPalError(f"PayPal's capture of {order_id} has an unknown status: {status}")
    return Capture(order_id, CAPTURE_STATUSES[status], _dig(order, *_CAPTURE, "id"))


@dataclass(frozen=True)
class Order:
    order_id: str
    status: str
    reference: str


def _dig(value: object, *keys: str | int) -> str:
    """The text at ``keys`` down a JSON value; empty where anything is missing."""
    for key in keys:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and len(value) > key else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


class PayPalClient:
    """The calls Mercato makes to PayPal, with one access token shared until it expires.

    One client per app: it is thread-safe, and the token it keeps spares a token call
    per payment.
    """

    def __init__(
        self,
        settings: Settings,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http or outgoing.new_client()
        self._clock = clock
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None

    def close(self) -> None:
        self._http.close()

    def _send(
        self,
        path: str,
        headers: dict[str, str],
        content: bytes | None,
        method: str = "POST",
        auth: httpx.Auth | None = None,
    ) -> Answer:
        url = self._settings.paypal_base_url.rstrip("/") + path
        try:
            return outgoing.call(
                self._settings,
                self._http,
                method,
                url,
                headers=headers,
                content=content,
                auth=auth,
                timeout=TIMEOUT_SECONDS,
            )
        except RefusedAddress as refused:
            raise PayPalError(f"PayPal's address is refused: {refused}") from None
        except (httpx.HTTPError, TooLarge) as error:
            raise PayPalError(f"PayPal did not answer: {type(error).__name__}: {error}") from None

    def access_token(self) -> str:
        """The cached token, or a new one from the client credentials (OAuth2)."""
        with self._lock:
            if self._token and self._clock() < self._token[1]:
                return self._token[0]
            client_id = self._settings.paypal_client_id
            secret = self._settings.paypal_client_secret.get_secret_value()
            if not client_id or not secret:
                raise PayPalError(
                    "PayPal is not configured: set MERCATO_PAYPAL_CLIENT_ID and"
                    " MERCATO_PAYPAL_CLIENT_SECRET"
                )
            answer = self._send(
                "/v1/oauth2/token",
                {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                b"grant_type=client_credentials",
                auth=httpx.BasicAuth(client_id, secret),
            )
            body = _json(answer)
            token, expires_in = body.get("access_token"), body.get("expires_in")
            if answer.status_code != 200 or not isinstance(token, str):
                raise _refusal(answer, "the client credentials")
            lifetime = float(expires_in) if isinstance(expires_in, int | float) else 0.0
            self._token = (token, self._clock() + lifetime - TOKEN_MARGIN_SECONDS)
            return token

    def _forget(self, token: str) -> None:
        with self._lock:
            if self._token and self._token[0] == token:
                self._token = None

    def _api(
        self,
        path: str,
        content: bytes | None = None,
        method: str = "POST",
        request_id: str = "",
        prefer: str = "",
    ) -> Answer:
        """A call with the access token; a token PayPal dropped early is renewed once."""
        for _ in range(2):
            token = self.access_token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if content is not None:
                headers["Content-Type"] = "application/json"
            if request_id:
                headers["PayPal-Request-Id"] = request_id
            if prefer:
                headers["Prefer"] = prefer
            answer = self._send(path, headers, content, method)
            if answer.status_code != 401:
                break
            self._forget(token)
        return answer

    def create_order(
        self,
        amount: Decimal,
        currency: str,
        reference: str,
        return_url: str,
        cancel_url: str,
        request_id: str,
    ) -> CreatedOrder:
        """A PayPal order for ``amount``, marked with our ``reference``; the buyer
        approves it at the approve link."""
        body = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "custom_id": reference,
                    "invoice_id": reference,
                    "amount": {
                        "currency_code": currency.upper(),
                        "value": paypal_value(amount, currency),
                    },
                }
            ],
            "application_context": {
                "return_url": return_url,
                "cancel_url": cancel_url,
                "user_action": "PAY_NOW",
                "shipping_preference": "NO_SHIPPING",
            },
        }
        answer = self._api("/v2/checkout/orders", json.dumps(body).encode(), request_id=request_id)
        if answer.status_code not in (200, 201):
            raise _refusal(answer, f"the order for {reference}")
        order = _json(answer)
        links = order.get("links")
        approve = [
            _dig(link, "href")
            for link in (links if isinstance(links, list) else [])
            if _dig(link, "rel") == "approve"
        ]
        if not _dig(order, "id") or not approve:
            raise PayPalError(f"PayPal's order for {reference} has no id or approve link")
        return CreatedOrder(order["id"], approve[0])

    def _order_path(self, order_id: str) -> str:
        return f"/v2/checkout/orders/{quote(order_id, safe='')}"

    def capture(self, order_id: str, request_id: str) -> Capture:
        """Take the money of an approved order. The same ``request_id`` gets the same
        answer back; a capture after one that succeeded is ALREADY_CAPTURED."""
        answer = self._api(
            self._order_path(order_id) + "/capture",
            b"{}",
            request_id=request_id,
            prefer="return=representation",
        )
        if answer.status_code == 422:
            refusal = _refusal(answer, f"the capture of {order_id}")
            if refusal.issue == "ORDER_ALREADY_CAPTURED":
                return self.current_capture(order_id)
            if refusal.issue == "ORDER_NOT_APPROVED":
                return Capture(order_id, CaptureStatus.NOT_APPROVED)
            if refusal.issue in DECLINED_ISSUES:
                return Capture(order_id, CaptureStatus.DECLINED)
            raise refusal
        if answer.status_code not in (200, 201):
            raise _refusal(answer, f"the capture of {order_id}")
        return _capture_in(_json(answer), order_id)

    def current_capture(self, order_id: str) -> Capture:
        """The order's one capture, as it stands now: an order is COMPLETED once captured,
        whatever the capture's fate, so PayPal says to read the capture's own status
        (PENDING while held for review, COMPLETED once released, DECLINED if denied)."""
        answer = self._api(self._order_path(order_id), method="GET")
        if answer.status_code != 200:
            raise _refusal(answer, f"the order {order_id}")
        found = _capture_in(_json(answer), order_id)
        if found.status is CaptureStatus.COMPLETED:
            return Capture(order_id, CaptureStatus.ALREADY_CAPTURED, found.capture_id)
        return found

    def get_order(self, order_id: str) -> Order:
        answer = self._api(self._order_path(order_id), method="GET")
        if answer.status_code != 200:
            raise _refusal(answer, f"the order {order_id}")
        order = _json(answer)
        return Order(
            _dig(order, "id"), _dig(order, "status"), _dig(order, "purchase_units", 0, "custom_id")
        )

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether PayPal says it sent this event (with these headers) to our webhook."""
        webhook_id = self._settings.paypal_webhook_id
        if not webhook_id:
            raise PayPalError("PayPal events cannot be verified: set MERCATO_PAYPAL_WEBHOOK_ID")
        given = {name.lower(): value for name, value in headers.items()}
        fields = {field: given.get(header, "") for field, header in WEBHOOK_HEADERS.items()}
        try:
            event = json.loads(body.decode())
        except ValueError:
            return False
        if not all(fields.values()) or not isinstance(event, dict):
            return False
        # The event goes back byte for byte as it came: PayPal signed what it sent,
        # and a re-encoding (escapes, number forms) could fail a genuine event.
        request = json.dumps({**fields, "webhook_id": webhook_id}).encode()
        request = request[:-1] + b', "webhook_event": ' + body.strip() + b"}"
        answer = self._api("/v1/notifications/verify-webhook-signature", request)
        if answer.status_code == 400:
            # Headers that break PayPal's patterns (a forger's) are a refusal, not an outage.
            return False
        if answer.status_code != 200:
            raise _refusal(answer, "the event's signature check")
        return _json(answer).get("verification_status") == "SUCCESS"


@dataclass(frozen=True)
class WebhookEvent:
    """A verified PayPal event: its type, the order and our reference (``custom_id``)."""

    event_id: str
    event_type: str
    order_id: str
    reference: str
    capture_id: str = ""


def _event(event: dict[str, Any]) -> WebhookEvent:
    resource = event.get("resource")
    kind = _dig(event, "resource_type")
    ids = (_dig(event, "id"), _dig(event, "event_type"))
    if kind == "capture":
        order_id = _dig(resource, "supplementary_data", "related_ids", "order_id")
        return WebhookEvent(
            *ids, order_id, _dig(resource, "custom_id"), capture_id=_dig(resource, "id")
        )
    if kind == "checkout-order":
        reference = _dig(resource, "purchase_units", 0, "custom_id")
        return WebhookEvent(*ids, _dig(resource, "id"), reference)
    return WebhookEvent(*ids, "", "")


def webhook_event(client: PayPalClient, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
    """The event PayPal sent; raises ``Invalid`` when PayPal does not vouch for it and
    ``PayPalError`` when PayPal cannot be asked."""
    if not client.verify_webhook(headers, body):
        raise Invalid.field(
            "PAYPAL-TRANSMISSION-SIG", "is not PayPal's: PayPal did not verify this event"
        )
    return _event(json.loads(body))


# --- the gateway ---------------------------------------------------------------------


NOT_THIS_ORDER = "PayPal's return names another order than this payment's"
CAPTURE_REFUSALS = {
    CaptureStatus.PENDING: "PayPal holds the payment for review; it completes when PayPal"
    " releases it",
    CaptureStatus.DECLINED: "PayPal declined the payment",
    CaptureStatus.NOT_APPROVED: "The payment was not approved at PayPal",
}


class PayPalGateway:
    """PayPal behind the gateway interface: start sends the buyer to approve, complete
    captures. Request ids come from our references, so a retried start gets the same
    order and a retried complete the same capture."""

    name = "paypal"
    title = "PayPal"

    def __init__(self, client: PayPalClient) -> None:
        self.client = client

    def start(self, request: PaymentRequest) -> Started:
        order = self.client.create_order(
            request.amount,
            request.currency,
            request.purchase_ref,
            request.return_url,
            request.cancel_url,
            request_id=f"mercato-order-{request.purchase_ref}",
        )
        return Started(order.order_id, PaymentStatus.PENDING, order.approve_url)

    def complete(self, gateway_ref: str, params: Mapping[str, str]) -> None:
        """Capture the order PayPal's return (``token``) names; raises PaymentFailed
        unless the money is taken, PaymentHeld for a capture PENDING (held for review:
        PAYMENT.CAPTURE.COMPLETED or DENIED follows)."""
        if params.get("token") != gateway_ref:
            raise PaymentFailed(NOT_THIS_ORDER)
        capture = self.client.capture(gateway_ref, f"mercato-capture-{gateway_ref}")
        if capture.status is CaptureStatus.PENDING:
            # The same request id replays the first answer: a held capture's release
            # shows only in the order as it is now.
            capture = self.client.current_capture(gateway_ref)
        if capture.status is CaptureStatus.PENDING:
            raise PaymentHeld(CAPTURE_REFUSALS[capture.status])
        if not capture.paid:
            raise PaymentFailed(CAPTURE_REFUSALS[capture.status])

    def cancel(self, gateway_ref: str) -> None:
        """Orders API has no call to void an order never captured: PayPal lets it expire,
        and Mercato never captures a cancelled payment."""
