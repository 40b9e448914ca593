"""Report figures per calendar month (UTC): revenue per party (from the revenue records),
usage per offering and unit (from the usage records) and a customer's spending per
offering (from their charges).

Plain reads: a period is a run of whole months, ``first`` to ``last`` included; amounts
are ``Decimal`` and figures in different currencies are never added together.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import groupby
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.catalogue.models import Offer, Service
from mercato.commerce.models import Contract, ContractCharge
from mercato.commerce.settlement import SettlementRow, revenue_records, settle
from mercato.errors import Invalid
from mercato.usage.models import UsageRecord

# Longest period a page draws at once; longer reports are built by a worker.
MAX_PAGE_MONTHS = 36
# Rows a report reads at a time, so its memory stays flat however long the period.
READ_BATCH = 1000


@dataclass(frozen=True)
class Period:
    """Whole months, ``first`` to ``last`` included, each named by its first day."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first.day != 1 or self.last.day != 1:
            raise ValueError("a period's months are named by their first day")
        if self.last < self.first:
            raise ValueError("a period ends after it starts")

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(next_month(self.last), time(), UTC)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


@dataclass(frozen=True)
class MonthRevenue:
    """One party's settlement figures in one month."""

    month: date
    row: SettlementRow


@dataclass(frozen=True)
class MonthUsage:
    """How much of a unit an offering's buyers used in one month, in how many records."""

    month: date
    provider: str
    offering: str
    unit: str
    records: int
    value: Decimal


@dataclass(frozen=True)
class MonthSpending:
    """What one customer was charged for an offering in one month, in one currency."""

    month: date
    provider: str
    offering: str
    currency: str
    charges: int
    duty_free: Decimal
    tax: Decimal
    total: Decimal


def revenue_per_month(
    session: Session, provider: Provider | None, period: Period
) -> list[MonthRevenue]:
    """Each party's figures per month, months in order and parties in ``settlement``'s
    order; with ``provider``, only the charges of its sales count."""
    records = revenue_records(session, provider, period.start, period.end)
    # Records come oldest first, so each month's are together.
    return [
        MonthRevenue(month, row)
        for month, of_month in groupby(records, key=lambda r: month_of(r.charged_at))
        for row in settle(of_month)
    ]


def _offering_columns(query: Select[Any]) -> Select[Any]:
    return query.join(Offer, Offer.id == Contract.offer_id).join(
        Service, Service.id == Offer.service_id
    )


def _usage_rows(
    session: Session, period: Period, provider_ids: set[int] | None, customer: User | None
) -> Iterator[tuple[datetime, str, str, str, Decimal]]:
    # The unit a record counts in: basic components match the unit, functions the label.
    query = _offering_columns(
        select(
            UsageRecord.time_stamp,
            Provider.name,
            Offer.name,
            UsageRecord.unit,
            UsageRecord.component_label,
            UsageRecord.value,
        )
        .join(Contract, Contract.id == UsageRecord.contract_id)
        .where(UsageRecord.time_stamp >= period.start, UsageRecord.time_stamp < period.end)
    ).join(Provider, Provider.id == Service.provider_id)
    if provider_ids is not None:
        query = query.where(Service.provider_id.in_(provider_ids))
    if customer is not None:
        query = query.where(Contract.customer_id == customer.id)
    query = query.order_by(UsageRecord.time_stamp, UsageRecord.id)
    for stamp, provider, offering, unit, label, value in session.execute(
        query.execution_options(yield_per=READ_BATCH)
    ):
        yield stamp, provider, offering, unit or label, value


def usage_per_month(
    session: Session,
    period: Period,
    *,
    provider_ids: set[int] | None = None,
    customer: User | None = None,
) -> list[MonthUsage]:
    """Use per month, offering and unit, by when it happened (the meter's time stamp):
    of the providers' offerings if given, of the customer's purchases if given, else of
    the whole store. Months in order, then provider, offering and unit by name."""
    sums: dict[tuple[date, str, str, str], tuple[int, Decimal]] = {}
    for stamp, provider, offering, unit, value in _usage_rows(
        session, period, provider_ids, customer
    ):
        key = (month_of(stamp), provider, offering, unit)
        count, total = sums.get(key, (0, Decimal(0)))
        sums[key] = (count + 1, total + value)
    return [MonthUsage(*key, *figures) for key, figures in sorted(sums.items())]


def spending_per_month(session: Session, customer: User, period: Period) -> list[MonthSpending]:
    """What ``customer`` was charged per month, offering and currency (their charges).
    Months in order, then provider, offering and currency by name."""
    query = _offering_columns(
        select(ContractCharge, Offer.name, Provider.name)
        .join(Contract, Contract.id == ContractCharge.contract_id)
        .where(
            Contract.customer_id == customer.id,
            ContractCharge.charged_at >= period.start,
            ContractCharge.charged_at < period.end,
        )
    ).join(Provider, Provider.id == Service.provider_id)
    sums: dict[tuple[date, str, str, str], list[Decimal]] = {}
    counts: dict[tuple[date, str, str, str], int] = {}
    for charge, offering, provider in session.execute(query):
        key = (month_of(charge.charged_at), provider, offering, charge.currency)
        figures = sums.setdefault(key, [Decimal(0)] * 3)
        figures[0] += charge.duty_free
        figures[1] += charge.tax
        figures[2] += charge.total
        counts[key] = counts.get(key, 0) + 1
    return [MonthSpending(*key, counts[key], *figures) for key, figures in sorted(sums.items())]


# Months a page shows when none are asked for: this one and the five before.
DEFAULT_MONTHS = 6


def _month(value: str, field: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise Invalid.field(field, "must be a month, YYYY-MM") from None


def period_of(start: str | None, end: str | None, today: date, longest: int) -> Period:
    """The period asked for as ``YYYY-MM`` months, both included; by default the last
    ``DEFAULT_MONTHS`` months to ``today``'s. At most ``longest`` months."""
    last = _month(end, "end") if end else month_of_day(today)
    first = _month(start, "start") if start else _months_before(last, DEFAULT_MONTHS - 1)
    if last < first:
        raise Invalid.field("end", "must not be before the start")
    if (last.year - first.year) * 12 + last.month - first.month >= longest:
        raise Invalid.field("end", f"a period is at most {longest} months")
    return Period(first, last)


def month_of_day(day: date) -> date:
    return day.replace(day=1)


def _months_before(month: date, count: int) -> date:
    # Never before year 1, which dates cannot name.
    index = max(month.year * 12 + month.month - 1 - count, 12)
    return date(index // 12, index % 12 + 1, 1)
