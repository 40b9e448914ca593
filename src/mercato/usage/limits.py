"""Expenditure limits (store-ge.md §6.8): the most a customer may be charged per
transaction, per day, per week (from Monday) and per month, in a currency, in UTC
calendar periods. Checked before a charge is made; one over any limit stops it whole.

WStore asked an RSS for the balance and checked limits only on charges without use;
Mercato keeps the limits itself and checks every charge this package makes (usage
charges, renewals). What counts as spent is the charges recorded in the period.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mercato.commerce.models import Contract, ContractCharge
from mercato.commerce.money import to_decimal
from mercato.errors import Invalid
from mercato.usage.models import ExpenditureLimit, LimitPeriod

NOT_ENOUGH = "There is not enough balance. Check your expenditure limits"
FIELD = "expenditure_limit"


class LimitExceeded(Invalid):
    """A charge that would go over a limit: WStore's text, and which limit."""

    def __init__(self, limit: ExpenditureLimit, spent: Decimal, amount: Decimal) -> None:
        self.limit, self.spent, self.amount = limit, spent, amount
        message = f"{NOT_ENOUGH}: {amount} {limit.currency} would exceed the {describe(limit)}"
        if limit.period is not LimitPeriod.TRANSACTION:
            message += f" ({spent} {limit.currency} spent already)"
        super().__init__({FIELD: [message]}, {FIELD: message})


@dataclass(frozen=True)
class LimitData:
    period: LimitPeriod
    currency: str
    max_amount: Decimal


def describe(limit: ExpenditureLimit) -> str:
    per = "per transaction" if limit.period is LimitPeriod.TRANSACTION else f"per {limit.period}"
    return f"limit of {limit.max_amount} {limit.currency} {per}"


def period_start(period: LimitPeriod, now: datetime) -> datetime:
    """The start of the calendar period (UTC) ``now`` is in."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is LimitPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if period is LimitPeriod.MONTH:
        return day.replace(day=1)
    return day


def limits_of(session: Session, user_id: int) -> list[ExpenditureLimit]:
    return list(
        session.scalars(
            select(ExpenditureLimit)
            .where(ExpenditureLimit.user_id == user_id)
            .order_by(ExpenditureLimit.currency, ExpenditureLimit.id)
        )
    )


def _spent_since(session: Session, user_id: int, currency: str, since: datetime) -> Decimal:
    # Amounts are kept as exact text, so they are added here, not by SQL.
    totals = session.scalars(
        select(ContractCharge.total)
        .join(Contract, Contract.id == ContractCharge.contract_id)
        .where(
            Contract.customer_id == user_id,
            ContractCharge.currency == currency,
            ContractCharge.charged_at >= since,
        )
    )
    return sum(totals, Decimal(0))


def check_limits(
    session: Session, user_id: int, currency: str, amount: Decimal, now: datetime
) -> None:
    """Refuse (``LimitExceeded``) a charge of ``amount`` that would go over one of the
    customer's limits in ``currency``; exactly at a limit is allowed."""
    if amount <= 0:
        return
    for limit in limits_of(session, user_id):
        if limit.currency.lower() != currency.lower():
            continue
        spent = Decimal(0)
        if limit.period is not LimitPeriod.TRANSACTION:
            spent = _spent_since(session, user_id, currency, period_start(limit.period, now))
        if spent + amount > limit.max_amount:
            raise LimitExceeded(limit, spent, amount)


def _checked(given: Sequence[LimitData]) -> list[LimitData]:
    seen = set()
    for index, limit in enumerate(given):
        key = (limit.period, limit.currency.lower())
        if key in seen:
            raise Invalid.field(f"limits.{index}", "a second limit for this period and currency")
        seen.add(key)
        if not limit.currency.strip():
            raise Invalid.field(f"limits.{index}.currency", "Missing required field")
        if to_decimal(limit.max_amount, f"limits.{index}.max_amount") < 0:
            raise Invalid.field(f"limits.{index}.max_amount", "must not be negative")
    return list(given)


def set_limits(
    session: Session, user_id: int, given: Sequence[LimitData]
) -> list[ExpenditureLimit]:
    """Replace the customer's limits with ``given`` (absolute, as WStore's profile PUT)."""
    checked = _checked(given)
    session.execute(delete(ExpenditureLimit).where(ExpenditureLimit.user_id == user_id))
    rows = [
        ExpenditureLimit(
            user_id=user_id,
            period=limit.period,
            currency=limit.currency.strip(),
            max_amount=limit.max_amount,
        )
        for limit in checked
    ]
    session.add_all(rows)
    session.flush()
    return rows
