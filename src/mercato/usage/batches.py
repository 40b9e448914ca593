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
from mercato.usage.records import Metered, contract_plan, insert_metered, metered

MAX_RECORDS = 1000
MAX_ID = 128
MAX_TEXT = 255
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


def _text(record: dict[str, Any], index: int, key: str, limit: int = MAX_TEXT) -> str:
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


def _time(record: dict[str, Any], index: int, times: dict[Any, datetime]) -> datetime:
    given = record.get("time_stamp")
    if given in times:  # meters send a batch's records with few distinct stamps
        return times[given]
    try:
        when = datetime.fromisoformat(given) if isinstance(given, str) else None
    except ValueError:
        when = None
    if when is None:
        raise _bad(index, "time_stamp", "must be an ISO 8601 date and time")
    times[given] = when if when.tzinfo else when.replace(tzinfo=UTC)
    return times[given]


def _item(
    record: Any, index: int, plan: Metered, units: frozenset[str], times: dict[Any, datetime]
) -> dict[str, Any]:
    """The record checked, as ``insert_metered`` takes it; ``Invalid`` naming the field."""
    if type(record) is dict:
        found = _well_formed(record, plan, units, times)
        if found is not None:
            return found
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
        "transaction_id": transaction_id,
        "unit": unit,
        "component_label": label,
        "value": _value(record, index),
        "time_stamp": _time(record, index, times),
    }


def _well_formed(
    record: dict[str, Any], plan: Metered, units: frozenset[str], times: dict[Any, datetime]
) -> dict[str, Any] | None:
    """The common record (string fields, an integer value, a stamp seen already) checked
    with a few cheap tests; None sends it through the full checks, which name what is
    wrong. A batch is a thousand records: this is most of the route's own time."""
    transaction_id = record.get("transaction_id")
    unit, label = record.get("unit", ""), record.get("component_label", "")
    value, stamp = record.get("value"), record.get("time_stamp")
    if (
        type(transaction_id) is not str
        or not 0 < len(transaction_id) <= MAX_ID
        or type(unit) is not str
        or type(label) is not str
        or len(unit) > MAX_TEXT
        or len(label) > MAX_TEXT
        or type(value) is not int
        or stamp not in times
        or (unit.lower() not in units and label not in plan.labels)
    ):
        return None
    return {
        "transaction_id": transaction_id,
        "unit": unit,
        "component_label": label,
        "value": str(value),
        "time_stamp": times[stamp],
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
    items, seen, times = [], set(), {None: now}
    for index, record in enumerate(records):
        item = _item(record, index, plan, units, times)
        # A record twice in one batch is stored once, as a retry would be.
        if item["transaction_id"] not in seen:
            seen.add(item["transaction_id"])
            items.append(item)
    stored = insert_metered(session, contract.id, now, items)
    statuses = []
    for record in records:
        transaction_id = record["transaction_id"]
        status = NEW if transaction_id in stored else DUPLICATE
        stored.discard(transaction_id)
        statuses.append((transaction_id, status))
    return Outcome(tuple(statuses))
