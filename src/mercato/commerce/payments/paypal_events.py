"""PayPal's verified webhook events settling payments: a capture completed (at once, or
released after PayPal held it for review), or an order the buyer approved whose return
never came (the buyer closed the tab); and a capture denied, which cancels the payment.

Settling goes through ``approve_payment`` and cancelling through ``cancel_payment``: each
moves a payment out of pending with one conditional update, so the buyer's return and
the webhook racing act once.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.commerce.models import Payment
from mercato.commerce.payments.gateway import PaymentFailed, PaymentHeld
from mercato.commerce.payments.lifecycle import approve_payment, cancel_payment
from mercato.commerce.payments.paypal import (
    CAPTURE_COMPLETED,
    CAPTURE_DENIED,
    CAPTURE_PENDING,
    ORDER_APPROVED,
    PayPalGateway,
    WebhookEvent,
)
from mercato.db import utcnow

# PAYMENT.CAPTURE.PENDING settles nothing, but holds the payment (no more expiry) when
# the buyer's return, which would have, never came.
SETTLING_EVENTS = frozenset({CAPTURE_COMPLETED, CAPTURE_PENDING, ORDER_APPROVED})


def settle_event(gateway: PayPalGateway, session: Session, event: WebhookEvent) -> None:
    """Settle the payment of the event's order (capturing it when only approved), or
    cancel it when PayPal denied the capture."""
    if event.event_type not in SETTLING_EVENTS | {CAPTURE_DENIED} or not event.order_id:
        return
    payment = session.scalar(
        select(Payment).where(
            Payment.gateway == gateway.name, Payment.gateway_ref == event.order_id
        )
    )
    if payment is None:
        return
    if event.event_type == CAPTURE_DENIED:
        # Refused money: the purchase is rolled back as an expired one would be (one
        # with a charge never is); a payment no longer pending is left as it is.
        cancel_payment(session, payment, gateway, utcnow())
        return
    try:
        with session.begin_nested():
            _approve(session, payment, gateway, event)
    except PaymentFailed:
        # Not captured (declined): the payment stays pending for the buyer's return or
        # PayPal's next event, or expires.
        return


def _approve(
    session: Session, payment: Payment, gateway: PayPalGateway, event: WebhookEvent
) -> None:
    try:
        approve_payment(session, payment, gateway, {"token": event.order_id}, utcnow())
    except PaymentHeld:
        # Held for review: kept pending, without expiry, until COMPLETED or DENIED.
        return
