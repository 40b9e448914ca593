"""PayPal's REST API for tests: a real HTTP server on a loopback port.

What Mercato calls, as PayPal documents it: the OAuth2 token (client credentials in
Basic auth), Orders v2 create / get / capture with ``PayPal-Request-Id`` idempotency
and PayPal's error bodies (RESOURCE_NOT_FOUND/INVALID_RESOURCE_ID, UNPROCESSABLE_ENTITY
with ORDER_NOT_APPROVED, ORDER_ALREADY_CAPTURED, INSTRUMENT_DECLINED), and
verify-webhook-signature. A capture PayPal holds for review (``hold``) answers 201 with
the capture ``PENDING`` and ``status_details.reason`` ``PENDING_REVIEW``, the order
``COMPLETED`` (as PayPal does: the order is done, the capture's status tells the money's
fate); ``release`` makes the capture ``COMPLETED``, ``deny`` makes it ``DECLINED``.
The buyer's part is the approve link: a GET on it approves the order and redirects
to the return URL with ``token`` and ``PayerID``, as PayPal's checkout page does
(``&cancel=1`` cancels, to the cancel URL).

Webhook events are made by ``signed_event``: PayPal's headers, signed by this fake,
so that verify-webhook-signature answers SUCCESS for them only, as PayPal does for what
it sent. The signature is an HMAC over PayPal's signed text
(``transmission_id|transmission_time|webhook_id|crc32(event)``), not PayPal's RSA one:
Mercato never checks it itself, it asks.
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS"
CLIENT_SECRET = "EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL"
WEBHOOK_ID = "8PT597110X687430LKGECATA"
AUTH_ALGO = "SHA256withRSA"
WHOLE_CURRENCIES = {"HUF", "JPY", "TWD"}

NOT_FOUND = "Specified resource ID does not exist. Please check the resource ID and try again."
NOT_APPROVED = (
    "Payer has not yet approved the Order for payment. Please redirect the payer to the"
    " 'rel':'approve' url returned as part of the HATEOAS links within the Create Order"
    " call or provide a valid payment_source in the request."
)
ALREADY_CAPTURED = (
    "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed."
)
DECLINED = (
    "The instrument presented  was either declined by the processor or bank, or it can't be"
    " used for this payment."
)
UNPROCESSABLE = (
    "The requested action could not be performed, semantically incorrect, or failed business"
    " validation."
)

# The capture's status in the resource of each capture event.
CAPTURE_EVENT_STATUSES = {
    "PAYMENT.CAPTURE.COMPLETED": "COMPLETED",
    "PAYMENT.CAPTURE.PENDING": "PENDING",
    "PAYMENT.CAPTURE.DENIED": "DECLINED",
}
CAPTURE_SUMMARIES = {"COMPLETED": "completed", "PENDING": "pending", "DECLINED": "denied"}


@dataclass
class FakeOrder:
    order_id: str
    request: dict[str, Any]
    status: str = "CREATED"
    payer_id: str = ""
    capture_id: str = ""
    # The capture's status: PENDING while held for review, then COMPLETED or DECLINED.
    capture_status: str = ""
    declines: int = 0
    holds: int = 0

    @property
    def unit(self) -> dict[str, Any]:
        return self.request["purchase_units"][0]

    @property
    def context(self) -> dict[str, Any]:
        return self.request.get("application_context", {})


@dataclass
class Transmission:
    time: str
    signature: str
    crc: int


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakePayPal:
    """The server's state; tests read it and steer it (``decline``, ``revoke_tokens``)."""

    token_lifetime: int = 32400
    tokens: dict[str, float] = field(default_factory=dict)
    tokens_granted: int = 0
    orders: dict[str, FakeOrder] = field(default_factory=dict)
    # (path, PayPal-Request-Id) → the answer first given.
    replies: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    transmissions: dict[str, Transmission] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    debug_ids: list[str] = field(default_factory=list)
    url: str = ""
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- steering -------------------------------------------------------------------

    def revoke_tokens(self) -> None:
        """PayPal drops tokens before their time (a new app secret, say)."""
        with self.lock:
            self.tokens.clear()

    def decline(self, order_id: str) -> None:
        """The buyer's funding is declined at the next capture."""
        with self.lock:
            self.orders[order_id].declines += 1

    def hold(self, order_id: str) -> None:
        """PayPal holds the next capture for review (PENDING, reason PENDING_REVIEW)."""
        with self.lock:
            self.orders[order_id].holds += 1

    def release(self, order_id: str) -> None:
        """PayPal's review lets the held capture through: it completes."""
        with self.lock:
            self.orders[order_id].capture_status = "COMPLETED"

    def deny(self, order_id: str) -> None:
        """PayPal's review refuses the held capture: it is declined."""
        with self.lock:
            self.orders[order_id].capture_status = "DECLINED"

    def captures(self) -> int:
        return sum(1 for order in self.orders.values() if order.capture_id)

    # --- webhook events ------------------------------------------------------------

    def signed_event(
        self, event_type: str, order_id: str, webhook_id: str = WEBHOOK_ID
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body of the event PayPal would post about the order."""
        event = self._event(event_type, self.orders[order_id])
        body = json.dumps(event).encode()
        transmission_id = str(uuid.uuid4())
        sent = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        crc = zlib.crc32(body)
        signature = self._sign(f"{transmission_id}|{sent}|{webhook_id}|{crc}")
        with self.lock:
            self.transmissions[transmission_id] = Transmission(sent, signature, crc)
        headers = {
            "Content-Type": "application/json",
            "PAYPAL-AUTH-ALGO": AUTH_ALGO,
            "PAYPAL-CERT-URL": self.cert_url,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": signature,
            "PAYPAL-TRANSMISSION-TIME": sent,
        }
        return headers, body

    @property
    def cert_url(self) -> str:
        return f"{self.url}/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def _event(self, event_type: str, order: FakeOrder) -> dict[str, Any]:
        event_id = f"WH-{secrets.token_hex(8).upper()}-{secrets.token_hex(8).upper()}"
        event: dict[str, Any] = {
            "id": event_id,
            "event_version": "1.0",
            "create_time": _now(),
            "event_type": event_type,
            "links": [
                {
                    "href": f"{self.url}/v1/notifications/webhooks-events/{event_id}",
                    "rel": "self",
                    "method": "GET",
                }
            ],
        }
        if event_type.startswith("CHECKOUT.ORDER."):
            summary = "An order has been approved by buyer"
            resource = self._order_body(order)
            kind, version = "checkout-order", "2.0"
        else:
            amount = order.unit["amount"]
            status = CAPTURE_EVENT_STATUSES[event_type]
            summary = f"Payment {CAPTURE_SUMMARIES[status]} for {amount['currency_code']}"
            summary += f" {amount['value']}"
            resource = self._capture_body(order, status)
            resource["supplementary_data"] = {"related_ids": {"order_id": order.order_id}}
            kind, version = "capture", "2.0"
        return {
            **event,
            "resource_type": kind,
            "resource_version": version,
            "summary": summary,
            "resource": resource,
        }

    # --- answers -------------------------------------------------------------------

    def _error(
        self, status: int, name: str, message: str, issue: str, description: str, **where: str
    ) -> tuple[int, dict[str, Any]]:
        debug_id = secrets.token_hex(7)
        self.debug_ids.append(debug_id)
        detail = {**where, "issue": issue, "description": description}
        return status, {
            "name": name,
            "details": [detail],
            "message": message,
            "debug_id": debug_id,
            "links": [
                {
                    "href": f"https://developer.paypal.com/docs/api/orders/v2/#error-{issue}",
                    "rel": "information_link",
                    "method": "GET",
                }
            ],
        }

    def _links(self, order: FakeOrder) -> list[dict[str, str]]:
        api = f"{self.url}/v2/checkout/orders/{order.order_id}"
        links = [{"href": api, "rel": "self", "method": "GET"}]
        if order.status in ("CREATED", "APPROVED"):
            links += [
                {
                    "href": f"{self.url}/checkoutnow?token={order.order_id}",
                    "rel": "approve",
                    "method": "GET",
                },
                {"href": api, "rel": "update", "method": "PATCH"},
                {"href": f"{api}/capture", "rel": "capture", "method": "POST"},
            ]
        return links

    def _capture_body(self, order: FakeOrder, status: str | None = None) -> dict[str, Any]:
        api = f"{self.url}/v2/payments/captures/{order.capture_id}"
        status = status or order.capture_status or "COMPLETED"
        details = {"status_details": {"reason": "PENDING_REVIEW"}} if status == "PENDING" else {}
        return {
            "id": order.capture_id,
            "status": status,
            **details,
            "amount": order.unit["amount"],
            "final_capture": True,
            "seller_protection": {"status": "ELIGIBLE"},
            "custom_id": order.unit.get("custom_id", ""),
            "invoice_id": order.unit.get("invoice_id", ""),
            "create_time": _now(),
            "update_time": _now(),
            "links": [
                {"href": api, "rel": "self", "method": "GET"},
                {"href": f"{api}/refund", "rel": "refund", "method": "POST"},
            ],
        }

    def _order_body(self, order: FakeOrder) -> dict[str, Any]:
        unit = {"reference_id": "default", **order.unit}
        if order.capture_id:
            unit["payments"] = {"captures": [self._capture_body(order)]}
        body: dict[str, Any] = {
            "id": order.order_id,
            "intent": order.request["intent"],
            "status": order.status,
            "purchase_units": [unit],
            "create_time": _now(),
            "links": self._links(order),
        }
        if order.payer_id:
            body["payer"] = {"payer_id": order.payer_id, "email_address": "buyer@example.com"}
        return body

    def token(self, call: Call) -> tuple[int, dict[str, Any]]:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if call.headers.get("authorization") != f"Basic {expected}":
            return 401, {
                "error": "invalid_client",
                "error_description": "Client Authentication failed",
            }
        if parse_qs(call.body.decode()).get("grant_type") != ["client_credentials"]:
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "Grant Type is NULL",
            }
        token = f"A21AA{secrets.token_urlsafe(40)}"
        self.tokens[token] = time.monotonic() + self.token_lifetime
        self.tokens_granted += 1
        return 200, {
            "scope": "https://uri.paypal.com/services/checkout/one-click-with-merchant-issued-token"
            " https://uri.paypal.com/services/payments/payment/authcapture",
            "access_token": token,
            "token_type": "Bearer",
            "app_id": "APP-80W284485P519543T",
            "expires_in": self.token_lifetime,
            "nonce": f"{_now()}{secrets.token_hex(8)}",
        }

    def authorized(self, call: Call) -> bool:
        token = call.headers.get("authorization", "").removeprefix("Bearer ")
        return self.tokens.get(token, 0) > time.monotonic()

    def create(self, call: Call) -> tuple[int, dict[str, Any]]:
        request = json.loads(call.body)
        units = request.get("purchase_units") or [{}]
        amount = units[0].get("amount", {})
        if request.get("intent") not in ("CAPTURE", "AUTHORIZE") or not amount.get("value"):
            return self._error(
                400,
                "INVALID_REQUEST",
                "Request is not well-formed, syntactically incorrect, or violates schema.",
                "MISSING_REQUIRED_PARAMETER",
                "A required field / parameter is missing.",
                field="/intent" if "intent" not in request else "/purchase_units/0/amount",
                location="body",
            )
        decimals = amount["value"].partition(".")[2]
        if len(decimals) > (0 if amount.get("currency_code") in WHOLE_CURRENCIES else 2):
            return self._error(
                422,
                "UNPROCESSABLE_ENTITY",
                UNPROCESSABLE,
                "DECIMAL_PRECISION",
                "If the currency supports decimals, only two decimal place precision is supported.",
                field="/purchase_units/@reference_id=='default'/amount/value",
                location="body",
            )
        order = FakeOrder(secrets.token_hex(9).upper()[:17], request)
        self.orders[order.order_id] = order
        return 201, {"id": order.order_id, "status": order.status, "links": self._links(order)}

    def _missing(self, order_id: str) -> tuple[int, dict[str, Any]]:
        return self._error(
            404,
            "RESOURCE_NOT_FOUND",
            "The specified resource does not exist.",
            "INVALID_RESOURCE_ID",
            NOT_FOUND,
            field="order_id",
            value=order_id,
            location="path",
        )

    def capture(self, order_id: str) -> tuple[int, dict[str, Any]]:
        order = self.orders.get(order_id)
        if order is None:
            return self._missing(order_id)
        refused = {
            "CREATED": ("ORDER_NOT_APPROVED", NOT_APPROVED),
            "COMPLETED": ("ORDER_ALREADY_CAPTURED", ALREADY_CAPTURED),
        }.get(order.status)
        if refused is None and order.declines:
            order.declines -= 1
            refused = ("INSTRUMENT_DECLINED", DECLINED)
        if refused:
            return self._error(422, "UNPROCESSABLE_ENTITY", UNPROCESSABLE, *refused)
        order.status = "COMPLETED"
        order.capture_id = secrets.token_hex(9).upper()[:17]
        order.capture_status = "PENDING" if order.holds else "COMPLETED"
        order.holds = max(order.holds - 1, 0)
        return 201, self._order_body(order)

    def show(self, order_id: str) -> tuple[int, dict[str, Any]]:
        order = self.orders.get(order_id)
        return (200, self._order_body(order)) if order else self._missing(order_id)

    def verify(self, call: Call) -> tuple[int, dict[str, Any]]:
        request = json.loads(call.body)
        fields = ("auth_algo", "cert_url", "transmission_id", "transmission_sig")
        fields += ("transmission_time", "webhook_id")
        missing = [name for name in fields if not request.get(name)]
        if missing or "webhook_event" not in request:
            return self._error(
                400,
                "VALIDATION_ERROR",
                "Invalid request - see details",
                "MISSING_REQUIRED_PARAMETER",
                "A required field / parameter is missing.",
                field=(missing or ["webhook_event"])[0],
                location="body",
            )
        sent = self.transmissions.get(request["transmission_id"])
        crc = zlib.crc32(json.dumps(request["webhook_event"]).encode())
        signed = ("transmission_id", "transmission_time", "webhook_id")
        text = "|".join(request[name] for name in signed) + f"|{crc}"
        genuine = (
            sent is not None
            and request["auth_algo"] == AUTH_ALGO
            and request["cert_url"] == self.cert_url
            and request["webhook_id"] == WEBHOOK_ID
            and sent.time == request["transmission_time"]
            and sent.crc == crc
            and hmac.compare_digest(request["transmission_sig"], self._sign(text))
        )
        return 200, {"verification_status": "SUCCESS" if genuine else "FAILURE"}

    def answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append(call)
            if call.path == "/v1/oauth2/token" and call.method == "POST":
                return self.token(call)
            if not self.authorized(call):
                return 401, {
                    "error": "invalid_token",
                    "error_description": "Access Token not found in cache",
                }
            request_id = call.headers.get("paypal-request-id", "")
            replay = self.replies.get((call.path, request_id)) if request_id else None
            if replay:
                return replay
            reply = self._route(call)
            if request_id and call.method == "POST":
                self.replies[(call.path, request_id)] = reply
            return reply

    def _route(self, call: Call) -> tuple[int, dict[str, Any]]:
        parts = call.path.strip("/").split("/")
        if call.path == "/v1/notifications/verify-webhook-signature" and call.method == "POST":
            return self.verify(call)
        if parts[:3] == ["v2", "checkout", "orders"]:
            if len(parts) == 3 and call.method == "POST":
                return self.create(call)
            if len(parts) == 4 and call.method == "GET":
                return self.show(parts[3])
            if len(parts) == 5 and parts[4] == "capture" and call.method == "POST":
                return self.capture(parts[3])
        return 404, {"name": "NOT_FOUND", "message": "Not found", "debug_id": secrets.token_hex(7)}

    def approve(self, query: dict[str, list[str]]) -> tuple[int, str]:
        """The buyer on PayPal's checkout page: approve (or cancel) and go back."""
        with self.lock:
            order = self.orders.get((query.get("token") or [""])[0])
            if order is None or order.status not in ("CREATED", "APPROVED"):
                return 404, ""
            if query.get("cancel"):
                target = order.context["cancel_url"]
                return 302, _with_query(target, {"token": order.order_id})
            order.status = "APPROVED"
            order.payer_id = order.payer_id or secrets.token_hex(7).upper()[:13]
            target = order.context["return_url"]
            return 302, _with_query(target, {"token": order.order_id, "PayerID": order.payer_id})


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _with_query(url: str, values: dict[str, str]) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(values)


@contextmanager
def serving(token_lifetime: int = 32400) -> Iterator[FakePayPal]:
    fake = FakePayPal(token_lifetime)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/checkoutnow":
                status, location = fake.approve(parse_qs(parts.query))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._api()

        def do_POST(self) -> None:
            self._api()

        def _api(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            headers = {name.lower(): value for name, value in self.headers.items()}
            call = Call(self.command, urlsplit(self.path).path, headers, self.rfile.read(length))
            status, body = fake.answer(call)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if "debug_id" in body:
                self.send_header("Paypal-Debug-Id", body["debug_id"])
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
