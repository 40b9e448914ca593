"""Metered usage in batches (Mercato's own API): up to ``MAX_RECORDS`` records a call,
each with the meter's ``transaction_id``; a record sent again is a no-op, reported as a
duplicate. Lean on purpose (one query per check, one INSERT per batch, no ORM object
per record): meters send a lot."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from mercato.commerce.models import Contract, ContractState
from mercato.commerce.registry import registered_units
from mercato.errors import Invalid
from mercato.usage.records import Metered, contract_plan, insert_new, metered

MAX_RECORDS = 1000
MAX_ID = 128
FIELD = "records"
NEW, DUPLICATE = "new", "duplicate"


@dataclass(frozen=True)
class Outcome:
    """Each record's fate, in the order sent: ``new`` or ``duplicate``."""

    statuses: tuple[tuple[str, str], ...]

    @property
    def new(self) -> int:
        return sum(status == NEW for _, status in self.statuses)


def _bad(index: int, key: str, message: str) -> Invalid:
    return Invalid.field(f"{FIELD}.{index}.{key}", message)


def _text(record: dict[str, Any], index: int, key: str, limit: int = 255) -> str:
    value = record.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise _bad(index, key, f"must be a string of at most {limit} characters")
    return value


def _value(record: dict[str, Any], index: int) -> str:
    value = record.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _bad(index, "value", "must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _bad(index, "value", "must be a number") from None
    if not number.is_finite():
        raise _bad(index, "value", "must be a number")
    return str(number)


def _time(record: dict[str, Any], index: int, now: datetime) -> datetime:
    given = record.get("time_stamp")
    if given is None:
        return now
    try:
        when = datetime.fromisoformat(given) if isinstance(given, str) else None
    except ValueError:
        when = None
    if when is None:
        raise _bad(index, "time_stamp", "must be an ISO 8601 date and time")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _row(
    contract_id: int, record: Any, index: int, plan: Metered, units: frozenset[str], now: datetime
) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise Invalid.field(f"{FIELD}.{index}", "must be an object")
    transaction_id = _text(record, index, "transaction_id", MAX_ID)
    if not transaction_id:
        raise _bad(index, "transaction_id", "Missing required field")
    unit = _text(record, index, "unit")
    label = _text(record, index, "component_label")
    if unit.lower() not in units and label not in plan.labels:
        raise _bad(
            index, "unit", "is not a unit (nor component_label a usage variable) of the plan"
        )
    return {
        "contract_id": contract_id,
        "transaction_id": transaction_id,
        "unit": unit,
        "component_label": label,
        "value": _value(record, index),
        "time_stamp": _time(record, index, now),
        "received_at": now,
    }


def check_batch(document: Any) -> list[Any]:
    records = document.get(FIELD) if isinstance(document, dict) else None
    if not isinstance(records, list):
        raise Invalid.field(FIELD, "must be a list of usage records")
    if len(records) > MAX_RECORDS:
        raise Invalid.field(FIELD, f"at most {MAX_RECORDS} records per call ({len(records)} sent)")
    return records


def ingest(session: Session, contract: Contract, records: Sequence[Any], now: datetime) -> Outcome:
    """Store the records the purchase has not had yet; each record's fate. One bad
    record refuses the whole batch (``Invalid`` naming it); nothing is stored then."""
    if contract.state == ContractState.CANCELLED:
        raise Invalid.field("purchase", "is cancelled: it takes no usage")
    plan = metered(contract_plan(contract), registered_units(session))
    if not plan.any:
        raise Invalid.field("purchase", "its plan has no pay-per-use part")
    units = frozenset(unit.lower() for unit in plan.units)
    rows, seen = [], set()
    for index, record in enumerate(records):
        row = _row(contract.id, record, index, plan, units, now)
        # A record twice in one batch is stored once, as a retry would be.
        if row["transaction_id"] not in seen:
            seen.add(row["transaction_id"])
            rows.append(row)
    stored = insert_new(session, rows)
    statuses = []
    for record in records:
        transaction_id = record["transaction_id"]
        status = NEW if transaction_id in stored else DUPLICATE
        stored.discard(transaction_id)
        statuses.append((transaction_id, status))
    return Outcome(tuple(statuses))
