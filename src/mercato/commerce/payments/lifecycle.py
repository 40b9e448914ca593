"""A payment's life: started at a gateway, then settled (or due), cancelled or expired.

A redirect payment is pending until the buyer approves it, cancels it, or it expires
(``MERCATO_PAYMENT_TIMEOUT_SECONDS``, WStore's 300 s). Approval and expiry may race
(a buyer returning from the gateway as the worker's sweep expires the payment): each
leaves ``pending`` by one atomic ``UPDATE ... WHERE status = 'pending'``, and the one
that updates no row does nothing more (WStore's ``_lock`` flag, §6.6).

A payment the gateway took but holds (PayPal: a capture PENDING review) stays pending
without an expiry: the 300 s are for the buyer's approval, which was given, so only the
gateway's verdict (PAYMENT.CAPTURE.COMPLETED approves, DENIED cancels) ends it.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mercato.commerce.contracts import record_charge, roll_back
from mercato.commerce.models import Contract, Payment, PaymentStatus
from mercato.commerce.payments.gateway import Gateway, PaymentHeld, PaymentRequest

EXPIRY_BATCH = 100
# What a payment that is no longer pending tells the buyer who comes back to it.
NO_LONGER_PENDING = {
    PaymentStatus.SETTLED: "This payment has already been made.",
    PaymentStatus.DUE: "This payment has already been made.",
    PaymentStatus.CANCELLED: "This payment was canceled.",
    PaymentStatus.EXPIRED: "This payment expired before it was approved: nothing was charged.",
}


def start_payment(
    session: Session,
    contract: Contract,
    gateway: Gateway,
    request: PaymentRequest,
    charge: dict[str, object],
    *,
    now: datetime,
    timeout: timedelta,
) -> str | None:
    """Ask the gateway for the payment; one it settles (or leaves due) at once pays the
    purchase now, a redirect payment waits for the buyer: returns where to send them."""
    started = gateway.start(request)
    payment = Payment(
        contract_id=contract.id,
        gateway=gateway.name,
        gateway_ref=started.gateway_ref,
        status=started.status,
        currency=request.currency,
        amount=request.amount,
        charge=charge,
        created_at=now,
        expires_at=now + timeout if started.status == PaymentStatus.PENDING else None,
        settled_at=None if started.status == PaymentStatus.PENDING else now,
    )
    session.add(payment)
    session.flush()
    if started.status != PaymentStatus.PENDING:
        record_charge(session, contract, charge, now)
    return started.redirect_url


def _leave_pending(
    session: Session, payment: Payment, status: PaymentStatus, now: datetime
) -> bool:
    """Whether this call moved the payment out of pending (False: another one did)."""
    moved = session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING)
        .values(status=status, settled_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(payment)
    return moved.rowcount == 1


def is_held(payment: Payment) -> bool:
    """Taken but held by the gateway: pending, and no longer expiring."""
    return payment.status == PaymentStatus.PENDING and payment.expires_at is None


def _hold(session: Session, payment: Payment) -> None:
    """Back to pending, for good: the gateway's verdict ends it, not the timeout."""
    session.execute(
        update(Payment)
        .where(Payment.id == payment.id)
        .values(status=PaymentStatus.PENDING, settled_at=None, expires_at=None)
        .execution_options(synchronize_session=False)
    )
    session.refresh(payment)


def approve_payment(
    session: Session,
    payment: Payment,
    gateway: Gateway,
    params: Mapping[str, str],
    now: datetime,
) -> bool:
    """The buyer approved at the gateway: capture and pay the purchase. False when the
    payment was no longer pending (expired or cancelled meanwhile): nothing is done.
    A capture that fails (PaymentFailed) leaves it pending when the caller rolls back;
    one the gateway holds (PaymentHeld, raised after) leaves it pending without expiry,
    which the caller commits."""
    if not _leave_pending(session, payment, PaymentStatus.SETTLED, now):
        return False
    try:
        gateway.complete(payment.gateway_ref, params)
    except PaymentHeld:
        _hold(session, payment)
        raise
    contract = session.get_one(Contract, payment.contract_id)
    record_charge(session, contract, payment.charge, now)
    return True


def cancel_payment(session: Session, payment: Payment, gateway: Gateway, now: datetime) -> bool:
    """The buyer cancelled at the gateway: roll the purchase back. False when the
    payment was no longer pending."""
    if not _leave_pending(session, payment, PaymentStatus.CANCELLED, now):
        return False
    gateway.cancel(payment.gateway_ref)
    roll_back(session, session.get_one(Contract, payment.contract_id))
    return True


def expire_payments(session: Session, now: datetime) -> int:
    """Roll back up to a batch of redirect payments not approved in time; returns how many
    this call expired."""
    due = session.scalars(
        select(Payment)
        .where(Payment.status == PaymentStatus.PENDING, Payment.expires_at <= now)
        .order_by(Payment.expires_at)
        .limit(EXPIRY_BATCH)
    ).all()
    expired = 0
    for payment in due:
        if _leave_pending(session, payment, PaymentStatus.EXPIRED, now):
            roll_back(session, session.get_one(Contract, payment.contract_id))
            expired += 1
    return expired
