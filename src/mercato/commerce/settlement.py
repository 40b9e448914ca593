"""Settlement figures: what each party earned in a period, from the revenue records
(``revenue.share_charge`` writes one per party of every charge).

Plain reads for pages, reports and plots: a period is ``[start, end)`` in UTC, amounts
are ``Decimal`` and figures in different currencies are never added together.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider
from mercato.commerce.revenue_models import PartyKind, RevenueRecord

_KIND_ORDER = {PartyKind.AGGREGATOR: 0, PartyKind.PROVIDER: 1, PartyKind.STAKEHOLDER: 2}


@dataclass(frozen=True)
class PartyKey:
    """A party as records name it: a provider or a user by id, else by its name (the
    aggregator, an organisation)."""

    kind: PartyKind
    name: str
    provider_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class SettlementRow:
    """One party's figures in one currency for the period: how many charges it had a
    part of, and the sums of its parts (duty-free, tax, total)."""

    party: PartyKey
    currency: str
    charges: int
    duty_free: Decimal
    tax: Decimal
    total: Decimal


def _records(
    provider: Provider | None, start: datetime, end: datetime
) -> Select[tuple[RevenueRecord]]:
    if start >= end:
        raise ValueError("a period ends after it starts")
    query = select(RevenueRecord).where(
        RevenueRecord.charged_at >= start, RevenueRecord.charged_at < end
    )
    if provider is not None:
        query = query.where(RevenueRecord.provider_id == provider.id)
    return query.order_by(RevenueRecord.charged_at, RevenueRecord.id)


def revenue_records(
    session: Session,
    provider: Provider | None,
    start: datetime,
    end: datetime,
    limit: int | None = None,
) -> Iterator[RevenueRecord]:
    """The records of the charges made in ``[start, end)``, of ``provider``'s sales only
    if one is given, oldest first; the first ``limit`` if given."""
    yield from session.scalars(_records(provider, start, end).limit(limit)).yield_per(1000)


def _key(record: RevenueRecord) -> PartyKey:
    if record.party_provider_id is not None or record.party_user_id is not None:
        # Named by id, so a renamed party stays one party; the latest name shows.
        return PartyKey(record.party_kind, "", record.party_provider_id, record.party_user_id)
    return PartyKey(record.party_kind, record.party_name)


def settlement(
    session: Session, provider: Provider | None, start: datetime, end: datetime
) -> list[SettlementRow]:
    """Each party's figures for ``[start, end)``, per currency: the aggregator first,
    then providers, then stakeholders, each by name. With ``provider``, only the charges
    of its sales count (its own part and what others got of them)."""
    return settle(revenue_records(session, provider, start, end))


def settle(records: Iterable[RevenueRecord]) -> list[SettlementRow]:
    """Each party's figures over ``records``, per currency, in ``settlement``'s order
    (reports settle each month's records with it)."""
    sums: dict[tuple[PartyKey, str], list[Decimal]] = {}
    charges: dict[tuple[PartyKey, str], int] = {}
    names: dict[PartyKey, str] = {}
    for record in records:
        key = (_key(record), record.currency)
        names[key[0]] = record.party_name
        totals = sums.setdefault(key, [Decimal(0)] * 3)
        totals[0] += record.duty_free
        totals[1] += record.tax
        totals[2] += record.total
        charges[key] = charges.get(key, 0) + 1
    rows = [
        SettlementRow(
            PartyKey(party.kind, names[party], party.provider_id, party.user_id),
            currency,
            charges[(party, currency)],
            *figures,
        )
        for (party, currency), figures in sums.items()
    ]
    return sorted(rows, key=lambda r: (_KIND_ORDER[r.party.kind], r.party.name, r.currency))
