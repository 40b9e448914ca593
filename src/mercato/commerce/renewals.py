"""Renewing subscriptions (store-ge.md §6.3, §14.8): by the customer, as WStore allows,
and by the worker's sweep, which renews what a gateway can charge without the customer
(a bank transfer), reminds the others ahead of their date and suspends overdue ones.

Unlike WStore, which never renews by itself, Mercato schedules renewals; the charge is
WStore's: the subscriptions due, each next due one period after the payment, lapsed
periods not billed. A renewal payment that never goes through leaves the purchase as it
was (§10.6: a paid purchase is never undone by a failed renewal).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, selectinload

from mercato.commerce.charges import NO_SUBSCRIPTIONS, Charge, PartKind, Usage, renewal_charge
from mercato.commerce.contracts import (
    charge_record,
    contract_units,
    pending_payment,
    record_charge,
)
from mercato.commerce.models import Contract, ContractState, PaymentStatus
from mercato.commerce.money import Currency, Tax
from mercato.commerce.payments.gateway import Gateway, Gateways, PaymentRequest
from mercato.commerce.payments.lifecycle import start_payment
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.registry import registered_units
from mercato.commerce.suspension import SIGNATURE, announce_suspension
from mercato.errors import Conflict, Invalid
from mercato.ordering.messages import post_message
from mercato.ordering.models import AuthorRole, MessageScope
from mercato.usage.charging import stopped
from mercato.usage.limits import LimitExceeded, check_limits
from mercato.usage.records import pending_usage, usage_marker

NOT_RENEWABLE = "Only a paid purchase can be renewed"
RENEWAL_PENDING = "A renewal payment is already waiting for approval"
# Gateways that take a payment without the customer: renewed by the worker.
UNATTENDED = frozenset({OfflineGateway.name})
RENEWABLE = (ContractState.PAID, ContractState.SUSPENDED)
PAID = (PaymentStatus.SETTLED, PaymentStatus.DUE)
SWEEP_BATCH = 100


@dataclass(frozen=True)
class Renewal:
    """A renewal made: paid already (or due), or waiting for the customer at ``redirect_url``."""

    contract: Contract
    charge: Charge
    redirect_url: str | None


def renewal_dates(contract: Contract) -> list[datetime]:
    return [datetime.fromisoformat(due) for due in contract.renewal_dates]


def can_renew(contract: Contract, now: datetime) -> bool:
    """Whether a subscription of the purchase is due, so the customer may renew it."""
    due = contract.next_renewal_at
    return contract.state in RENEWABLE and due is not None and due < now


def due_charge(
    session: Session, contract: Contract, now: datetime, usage: Sequence[Usage] = ()
) -> Charge:
    """What renewing now charges, from the plan and its units' periods as bought, with
    the pending ``usage`` (less deductions); WStore's text when no subscription is due
    (or the plan has none)."""
    plan = {
        "price_components": contract.components.get("price_components", []),
        "deductions": contract.components.get("deductions", []),
    }
    dates = renewal_dates(contract)
    if not dates:
        raise Invalid.field("plan", NO_SUBSCRIPTIONS)
    currency = Currency(contract.currency, contract.minor_unit)
    tax = Tax(contract.tax_rate, contract.tax_label)
    units = contract_units(contract, lambda: registered_units(session))
    charge = renewal_charge(plan, units, currency, tax, dates, usage, now)
    if not any(part.kind is PartKind.SUBSCRIPTION for part in charge.parts):
        raise Invalid.field("plan", NO_SUBSCRIPTIONS)
    return charge


def renew(
    session: Session,
    contract: Contract,
    gateway: Gateway,
    now: datetime,
    *,
    base_url: str,
    timeout: timedelta,
) -> Renewal:
    """Charge the subscriptions due through ``gateway``. One that settles (or leaves the
    transfer due) at once renews now; a redirect payment renews when the customer
    approves it at ``redirect_url`` and, if it expires, changes nothing."""
    if contract.state not in RENEWABLE:
        raise Invalid.field("purchase", NOT_RENEWABLE)
    if pending_payment(contract) is not None:
        raise Conflict.field("purchase", RENEWAL_PENDING)
    pending = pending_usage(session, contract)
    charge = due_charge(session, contract, now, pending.usage)
    check_limits(session, contract.customer_id, contract.currency, charge.amount.total, now)
    record = charge_record(charge, now)
    # The pending use is billed with the subscriptions and marked when this is recorded.
    if (marker := usage_marker(pending)) is not None:
        record["usage"] = marker
    if charge.amount.total == 0:
        record_charge(session, contract, record, now)
        return Renewal(contract, charge, None)
    site = base_url.rstrip("/")
    request = PaymentRequest(
        purchase_ref=contract.ref,
        amount=charge.amount.total,
        currency=contract.currency,
        description=f"Renewal: {contract.plan_title or contract.plan_label}",
        return_url=f"{site}/purchases/{contract.ref}/accept",
        cancel_url=f"{site}/purchases/{contract.ref}/cancel",
    )
    redirect = start_payment(session, contract, gateway, request, record, now=now, timeout=timeout)
    return Renewal(contract, charge, redirect)


def renewal_gateway(contract: Contract) -> str | None:
    """The gateway the customer last paid this purchase with."""
    paid = [p for p in contract.payments if p.status in PAID]
    return paid[-1].gateway if paid else None


def _claim(
    session: Session, contract: Contract, *conditions: ColumnElement[bool], **values: object
) -> bool:
    """Whether this sweep took the contract: one atomic UPDATE on the date it read, so
    of two sweeps at once only one acts (the other's UPDATE matches no row)."""
    claimed = session.execute(
        update(Contract)
        .where(
            Contract.id == contract.id,
            Contract.next_renewal_at == contract.next_renewal_at,
            *conditions,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def renew_unattended(
    session: Session, gateways: Gateways, now: datetime, *, base_url: str, timeout: timedelta
) -> int:
    """Renew a batch of due purchases paid through a gateway that needs no customer;
    returns how many this call renewed."""
    due = session.scalars(
        select(Contract)
        .where(Contract.next_renewal_at < now, Contract.state.in_(RENEWABLE))
        .order_by(Contract.next_renewal_at)
        .limit(SWEEP_BATCH)
        .options(selectinload(Contract.payments))
    ).all()
    offered = {gateway.name: gateway for gateway in gateways if gateway.name in UNATTENDED}
    renewed = 0
    for contract in due:
        gateway = offered.get(renewal_gateway(contract) or "")
        if gateway is None or pending_payment(contract) is not None:
            continue
        try:
            # A renewal an expenditure limit stops undoes its claim; the customer is told.
            with session.begin_nested():
                if _claim(session, contract, next_renewal_at=None):
                    renew(session, contract, gateway, now, base_url=base_url, timeout=timeout)
                    renewed += 1
        except LimitExceeded as error:
            stopped(session, contract, error, now)
    return renewed


def _reminder(contract: Contract, automatic: bool) -> str:
    due = contract.next_renewal_at
    when = due.strftime("%d %B %Y") if due else ""
    if automatic:
        return f"Your subscription renews on {when}: the invoice for the bank transfer follows."
    return (
        f"Your subscription is due for renewal on {when}. Renew it on the purchase's page "
        f"(/purchases/{contract.ref}); an unpaid renewal suspends the purchase."
    )


def remind_due(session: Session, lead: timedelta, now: datetime) -> int:
    """Remind the customers of a batch of purchases due within ``lead``, once per
    renewal date, by a message on the purchase's order (which OMSes see as an event)."""
    not_reminded = or_(
        Contract.reminded_for.is_(None), Contract.reminded_for != Contract.next_renewal_at
    )
    due = session.scalars(
        select(Contract)
        .where(
            Contract.next_renewal_at <= now + lead,
            Contract.state.in_(RENEWABLE),
            not_reminded,
        )
        .order_by(Contract.next_renewal_at)
        .limit(SWEEP_BATCH)
        .options(selectinload(Contract.payments), selectinload(Contract.order))
    ).all()
    reminded = 0
    for contract in due:
        if not _claim(session, contract, not_reminded, reminded_for=contract.next_renewal_at):
            continue
        post_message(
            session,
            project=contract.order.project,
            order=contract.order,
            scope=MessageScope.PUBLIC,
            role=AuthorRole.MEDIATOR,
            author=None,
            signature=SIGNATURE,
            content=_reminder(contract, renewal_gateway(contract) in UNATTENDED),
        )
        reminded += 1
    return reminded


def suspend_overdue(session: Session, grace: timedelta, now: datetime) -> int:
    """Suspend a batch of paid purchases whose renewal is overdue by more than ``grace``,
    each with a message and a status change on its order; returns how many this call
    suspended (of two sweeps at once, one suspends each)."""
    overdue = (Contract.state == ContractState.PAID, Contract.next_renewal_at < now - grace)
    due = session.scalars(
        select(Contract)
        .where(*overdue)
        .order_by(Contract.next_renewal_at)
        .limit(SWEEP_BATCH)
        .options(selectinload(Contract.order))
    ).all()
    suspended = 0
    for contract in due:
        if not _claim(session, contract, *overdue, state=ContractState.SUSPENDED):
            continue
        session.refresh(contract, ["state"])
        announce_suspension(session, contract)
        suspended += 1
    return suspended


def sweep_renewals(
    session: Session,
    gateways: Gateways,
    now: datetime,
    *,
    base_url: str,
    timeout: timedelta,
    reminder: timedelta,
    grace: timedelta,
) -> None:
    """The worker's renewal housekeeping: renew, then remind, then suspend."""
    renew_unattended(session, gateways, now, base_url=base_url, timeout=timeout)
    remind_due(session, reminder, now)
    suspend_overdue(session, grace, now)
