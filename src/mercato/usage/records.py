"""Storing usage records and marking them charged; no rating here (``charging``).

Records go in with one ``INSERT … ON CONFLICT DO NOTHING`` per batch (Core, no ORM
object per row): the unique ``(contract_id, transaction_id)`` makes a record sent again
a no-op, also when two identical batches race, and the statement returns the ids that
were new. Both dialects speak that statement (PostgreSQL, SQLite ≥ 3.35).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mercato.commerce.charges import Usage
from mercato.commerce.models import Contract
from mercato.commerce.plans import Plan, Units, is_function, plan_parts
from mercato.errors import Conflict
from mercato.usage.models import UsageRecord

ALREADY_CHARGED = "Some of this use was charged meanwhile"
TABLE = UsageRecord.__table__


@dataclass(frozen=True)
class Metered:
    """What a plan rates: basic components' units (lower-cased, as WStore matches them
    when charging) and price-function usage variables' labels."""

    units: frozenset[str]
    labels: frozenset[str]

    @property
    def any(self) -> bool:
        return bool(self.units or self.labels)


@dataclass(frozen=True)
class Pending:
    """A purchase's pending use: the records rated together and the newest one's id."""

    usage: tuple[Usage, ...]
    upto: int | None

    @property
    def count(self) -> int:
        return len(self.usage)


def contract_plan(contract: Contract) -> Plan:
    """The plan as bought (snapshotted on the contract)."""
    return {
        "price_components": contract.components.get("price_components", []),
        "deductions": contract.components.get("deductions", []),
    }


def metered(plan: Plan, units: Units) -> Metered:
    """What use a plan charges for; empty when it has no pay-per-use part (WStore: then
    it takes no usage records, not even for its deductions)."""
    split = plan_parts(plan, units)
    if not split.pay_per_use:
        return Metered(frozenset(), frozenset())
    unit_names, labels = set(), set()
    for component in (*split.pay_per_use, *split.deductions):
        if is_function(component):
            variables = component["price_function"]["variables"].values()
            labels |= {str(v["label"]) for v in variables if str(v["type"]).lower() == "usage"}
        else:
            unit_names.add(str(component["unit"]))
    return Metered(frozenset(unit_names), frozenset(labels))


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(TABLE)


# PostgreSQL takes a batch of metered records as one JSON document (orjson writes it in
# microseconds) that the server unpacks: one parameter whatever the batch's size, where a
# VALUES list has seven per record and psycopg spends longer rewriting thousands of
# placeholders (or quoting array items) than the server spends inserting.
_METERED = ("transaction_id", "unit", "component_label", "value", "time_stamp")
_FROM_JSON = text(
    "INSERT INTO usage_records (contract_id, transaction_id, unit, component_label, value, "
    "time_stamp, received_at) "
    "SELECT :contract_id, r.transaction_id, r.unit, r.component_label, r.value, "
    "r.time_stamp, :received_at "
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(transaction_id varchar, "
    "unit varchar, component_label varchar, value varchar, time_stamp timestamptz) "
    "ON CONFLICT (contract_id, transaction_id) DO NOTHING RETURNING transaction_id"
)


def insert_metered(
    session: Session, contract_id: int, received_at: datetime, items: Sequence[Mapping[str, Any]]
) -> set[str]:
    """Store a purchase's metered records (``_METERED`` keys each, ``value`` as text),
    skipping transaction ids it has already; the transaction ids stored now."""
    if not items:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        parameters = {
            "contract_id": contract_id,
            "received_at": received_at,
            "rows": orjson.dumps(items).decode(),
        }
        return set(session.execute(_FROM_JSON, parameters).scalars())
    extra = {"contract_id": contract_id, "received_at": received_at}
    return insert_new(session, [{**item, **extra} for item in items])


def insert_new(session: Session, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Store ``rows`` (``usage_records`` columns), skipping those whose transaction id the
    contract has already; the transaction ids stored now."""
    if not rows:
        return set()
    statement: Insert = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["contract_id", "transaction_id"])
        .returning(TABLE.c.transaction_id)
    )
    # One statement for the batch (SQLAlchemy's "insertmanyvalues"), one round trip.
    return set(session.execute(statement, list(rows)).scalars())


def pending_usage(session: Session, contract: Contract) -> Pending:
    """The purchase's records not charged yet, in the order received."""
    rows = session.execute(
        select(TABLE.c.id, TABLE.c.unit, TABLE.c.component_label, TABLE.c.value)
        .where(TABLE.c.contract_id == contract.id, TABLE.c.charged_at.is_(None))
        .order_by(TABLE.c.id)
    ).all()
    usage = tuple(Usage(row.unit, row.component_label, row.value) for row in rows)
    return Pending(usage, rows[-1].id if rows else None)


def mark_charged(
    session: Session,
    contract_id: int,
    pending: Mapping[str, Any],
    charge_id: int | None,
    now: datetime,
) -> None:
    """Mark the records a charge rated (``{"upto", "count", "strict"?}``) charged.

    Fewer than rated: someone charged some of them meanwhile, and this refuses, which
    undoes the whole charge (never twice). More: a record with a lower id committed after
    the rating (PostgreSQL hands ids out before commit). A ``strict`` charge (the worker's
    usage charge) refuses too and is made again at the next sweep; a charge already paid
    at a gateway (a renewal) must not fail, so that record goes with it, unrated.
    """
    marked = session.execute(
        update(UsageRecord)
        .where(
            UsageRecord.contract_id == contract_id,
            UsageRecord.charged_at.is_(None),
            UsageRecord.id <= pending["upto"],
        )
        .values(charged_at=now, charge_id=charge_id)
        .execution_options(synchronize_session=False)
    )
    late = marked.rowcount > pending["count"] and not pending.get("strict", False)
    if marked.rowcount != pending["count"] and not late:
        raise Conflict.field("usage", ALREADY_CHARGED)


def usage_marker(pending: Pending) -> dict[str, int] | None:
    """What ``record_charge`` marks charged: the records up to the newest one rated."""
    if not pending.count or pending.upto is None:
        return None
    return {"upto": pending.upto, "count": pending.count}
