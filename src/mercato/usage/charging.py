"""Pay-per-use charging (store-ge.md §6.3, §6.4): a purchase's pending use rated by the
plan it bought, checked against the customer's expenditure limits and recorded through
``record_charge`` (whose hooks make the invoice), the records marked charged in the same
transaction.

Plans without subscriptions are charged by the worker's sweep once their oldest pending
record is ``usage_charge_after_days`` old (WStore: 30 days, daily at 05:00); plans with
subscriptions bill their use at renewal (``commerce.renewals``). Unlike WStore, which
charged the buyer's stored card, Mercato records the charge and invoices it: the
customer pays the invoice.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mercato.commerce.charges import Charge, usage_charge
from mercato.commerce.contracts import charge_record, record_charge
from mercato.commerce.models import Contract, ContractState
from mercato.commerce.money import Currency, Tax
from mercato.commerce.plans import plan_parts
from mercato.commerce.registry import registered_units
from mercato.errors import Conflict
from mercato.ordering.messages import Author, post_message
from mercato.ordering.models import AuthorRole, MessageScope
from mercato.usage.limits import LimitExceeded, check_limits
from mercato.usage.models import StoppedCharge, UsageRecord
from mercato.usage.records import Pending, contract_plan, pending_usage, usage_marker

SWEEP_BATCH = 100
SIGNATURE = Author(name="Mercato")
# A customer whose charge a limit stops is told once a day, not at every sweep.
RENOTIFY = timedelta(days=1)


def _terms(contract: Contract) -> tuple[Currency, Tax]:
    return Currency(contract.currency, contract.minor_unit), Tax(
        contract.tax_rate, contract.tax_label
    )


def priced_pending(session: Session, contract: Contract) -> tuple[Charge, Pending]:
    """What the pending use would cost now (nothing recorded)."""
    pending = pending_usage(session, contract)
    currency, tax = _terms(contract)
    plan, units = contract_plan(contract), registered_units(session)
    return usage_charge(plan, units, currency, tax, pending.usage), pending


def charge_usage(session: Session, contract: Contract, now: datetime) -> Charge | None:
    """Charge the purchase's pending use (WStore's ``pay per use`` charge); None when
    there is none. ``LimitExceeded`` when a limit stops it: then nothing is written."""
    charge, pending = priced_pending(session, contract)
    marker = usage_marker(pending)
    if marker is None:
        return None
    check_limits(session, contract.customer_id, contract.currency, charge.amount.total, now)
    record: dict[str, Any] = {**charge_record(charge, now), "usage": {**marker, "strict": True}}
    record_charge(session, contract, record, now)
    return charge


def stopped(session: Session, contract: Contract, error: LimitExceeded, now: datetime) -> None:
    """Tell the customer, on the purchase's order (OMSes see it as an event), that a limit
    stopped a charge; once a day per purchase."""
    reason = error.details[next(iter(error.details))]
    row = session.get(StoppedCharge, contract.id)
    if row is not None and row.notified_at > now - RENOTIFY:
        return
    if row is None:
        row = StoppedCharge(contract_id=contract.id, reason=reason, notified_at=now)
        session.add(row)
    row.reason, row.notified_at = reason, now
    post_message(
        session,
        project=contract.order.project,
        order=contract.order,
        scope=MessageScope.PUBLIC,
        role=AuthorRole.MEDIATOR,
        author=None,
        signature=SIGNATURE,
        content=f"A charge for this purchase was not made. {reason}. Raise the limit on your "
        f"account's expenditure limits; the charge is tried again at the next sweep.",
    )


def _due_contracts(session: Session, now: datetime, after: timedelta) -> list[Contract]:
    oldest = func.min(UsageRecord.time_stamp)
    due = (
        select(UsageRecord.contract_id)
        .where(UsageRecord.charged_at.is_(None))
        .group_by(UsageRecord.contract_id)
        .having(oldest <= now - after)
    )
    return list(
        session.scalars(
            select(Contract)
            .where(
                Contract.id.in_(due),
                Contract.state == ContractState.PAID,
                # Plans with subscriptions bill their use at renewal.
                Contract.next_renewal_at.is_(None),
            )
            .order_by(Contract.id)
            .limit(SWEEP_BATCH)
        )
    )


def sweep_usage(session: Session, now: datetime, *, after: timedelta) -> int:
    """Charge a batch of usage-only purchases whose oldest pending record is ``after``
    old; returns how many were charged. Each charge is its own savepoint: one stopped by
    a limit, or charged meanwhile by another sweep, leaves the others."""
    units = registered_units(session)
    charged = 0
    for contract in _due_contracts(session, now, after):
        if plan_parts(contract_plan(contract), units).subscription:
            continue
        try:
            with session.begin_nested():
                charged += charge_usage(session, contract, now) is not None
        except LimitExceeded as error:
            stopped(session, contract, error, now)
        except Conflict:
            continue
    return charged
