"""WStore's accounting contract (store-ge.md §9, store-wire.md §10.7): a provider posts
one SDR at a time, numbered 1, 2, 3… per purchase; the buyer (or an admin) reads them.

The checks run in WStore's order with its texts (``Invalid`` whose detail is the text).
Fixed from WStore: only the offering's provider (its data administrators) or a site
admin may post (WStore let any signed-in user); two posts of one number at once store
one (the second is told the next number).
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.rules import can_manage_provider
from mercato.catalogue.models import Offer, Service
from mercato.commerce.models import Contract
from mercato.commerce.money import to_decimal
from mercato.commerce.registry import registered_units
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.store.offerings import find_offering
from mercato.store.wstore.shapes import date_text, user_handle
from mercato.usage.models import UsageRecord
from mercato.usage.records import contract_plan, insert_new, metered

KEYS = (
    "offering",
    "customer",
    "time_stamp",
    "correlation_number",
    "record_type",
    "unit",
    "value",
    "component_label",
)
INVALID_JSON = "Invalid JSON content"
NOT_THE_OFFERING = "The offering defined in the SDR is not the purchase offering"
NO_OFFERING = "Offering matching query does not exist."
NO_USER = "User matching query does not exist."
NOT_PURCHASED = "The user has not purchased the offering"
NO_PAY_PER_USE = "No pay per use parts in the pricing model of the offering"
BAD_CORRELATION = "Invalid correlation number, expected: {}"
BAD_TIME_STAMP = "Invalid time stamp"
NOT_IN_PLAN = "The specified unit or component label is not included in the pricing model"
BAD_VALUE = "Invalid value: the value must be a number"
NOT_READABLE = "You are not authorized to read accounting info of the given purchase"
BAD_DATE = 'Invalid "{}" parameter, must be a datetime'
FORMATS = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")


def _refuse(message: str) -> Invalid:
    return Invalid.field("sdr", message)


NO_PURCHASE = "There is not any purchase with reference {}"


def parse_time(text: Any) -> datetime | None:
    """WStore's two formats, a fraction required; naive times are taken as UTC."""
    for pattern in FORMATS:
        try:
            return datetime.strptime(str(text), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def offer_provider_id(session: Session, contract: Contract) -> int:
    return session.scalars(
        select(Service.provider_id)
        .join(Offer, Offer.service_id == Service.id)
        .where(Offer.id == contract.offer_id)
    ).one()


def check_poster(session: Session, user: User, contract: Contract) -> None:
    """Only the offering's provider or a site admin accounts for its use."""
    if not can_manage_provider(session, user, offer_provider_id(session, contract)):
        raise Forbidden("Forbidden")


def _check_offering(session: Session, contract: Contract, named: Any) -> None:
    fields = named if isinstance(named, Mapping) else {}
    for key in ("organization", "name", "version"):
        if not isinstance(fields.get(key), str):
            raise _refuse(key)
    try:
        offering = find_offering(session, fields["organization"], fields["name"], fields["version"])
    except NotFound:
        raise _refuse(NO_OFFERING) from None
    if offering.offer_id != contract.offer_id:
        raise _refuse(NOT_THE_OFFERING)


def _check_customer(session: Session, contract: Contract, name: Any) -> None:
    # WStore's username is the local part of the e-mail address (``user_handle``).
    known = session.scalar(
        select(User.id).where(User.email.like(f"{str(name).replace('%', '')}@%")).limit(1)
    )
    if known is None:
        raise _refuse(NO_USER)
    if user_handle(contract.customer) != str(name):
        raise _refuse(NOT_PURCHASED)


def _last_sdr(session: Session, contract: Contract) -> UsageRecord | None:
    """WStore's *last*: the newest pending SDR, else the newest applied one."""
    sdrs = select(UsageRecord).where(
        UsageRecord.contract_id == contract.id, UsageRecord.correlation_number.is_not(None)
    )
    newest = UsageRecord.id.desc()
    pending = session.scalars(
        sdrs.where(UsageRecord.charged_at.is_(None)).order_by(newest).limit(1)
    ).first()
    return pending or session.scalars(sdrs.order_by(newest).limit(1)).first()


def _number(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _value(value: Any) -> Decimal:
    try:
        return to_decimal(value, "value")
    except Invalid:
        raise _refuse(BAD_VALUE) from None


def include_sdr(
    session: Session, contract: Contract, sdr: Mapping[str, Any], now: datetime
) -> UsageRecord | None:
    """Check the SDR as WStore's ``include_sdr`` does and store it pending."""
    if not all(key in sdr for key in KEYS):
        raise _refuse(INVALID_JSON)
    _check_offering(session, contract, sdr["offering"])
    _check_customer(session, contract, sdr["customer"])
    plan_metered = metered(contract_plan(contract), registered_units(session))
    if not plan_metered.any:
        raise _refuse(NO_PAY_PER_USE)
    time_stamp = parse_time(sdr["time_stamp"])
    if time_stamp is None:
        raise _refuse(
            f"time data {sdr['time_stamp']!r} does not match format '%Y-%m-%d %H:%M:%S.%f'"
        )
    last = _last_sdr(session, contract)
    expected = (last.correlation_number or 0) + 1 if last is not None else 1
    if _number(sdr["correlation_number"]) != expected:
        raise _refuse(BAD_CORRELATION.format(expected))
    if last is not None and time_stamp < last.time_stamp:
        raise _refuse(BAD_TIME_STAMP)
    unit, label = str(sdr["unit"]), str(sdr["component_label"])
    if unit not in plan_metered.units and label not in plan_metered.labels:
        raise _refuse(NOT_IN_PLAN)
    row = {
        "contract_id": contract.id,
        "transaction_id": f"sdr:{expected}",
        "unit": unit,
        "component_label": label,
        "value": str(_value(sdr["value"])),
        "time_stamp": time_stamp,
        "received_at": now,
        "correlation_number": expected,
        "sdr": {key: sdr[key] for key in KEYS},
    }
    if not insert_new(session, [row]):
        # Another post of the same number got in first.
        raise _refuse(BAD_CORRELATION.format(expected + 1))
    return None


def check_reader(session: Session, user: User, contract: Contract) -> None:
    if not (user.is_admin or contract.customer_id == user.id):
        raise Forbidden(NOT_READABLE)


def parse_bound(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    found = parse_time(text)
    if found is None:
        raise Invalid.field(name, BAD_DATE.format(name))
    return found


def sdr_shape(record: UsageRecord, contract: Contract) -> dict[str, Any]:
    """The SDR as posted, its time stamp as ``str(datetime)``. A metered record (batch
    API) has WStore's keys too, with no correlation number and its transaction id."""
    shown: dict[str, Any] = dict(record.sdr or {})
    if not shown:
        shown = {
            "customer": user_handle(contract.customer),
            "correlation_number": None,
            "record_type": "event",
            "unit": record.unit,
            "value": str(record.value),
            "component_label": record.component_label,
            "transaction_id": record.transaction_id,
        }
    shown["time_stamp"] = date_text(record.time_stamp)
    return shown


def read_sdrs(
    session: Session,
    contract: Contract,
    start: datetime | None,
    end: datetime | None,
    label: str | None,
) -> list[dict[str, Any]]:
    """Applied SDRs, then pending ones; ``from`` skips earlier ones, ``to`` stops at the
    first later one (WStore assumes them sorted), ``label`` matches any case."""
    records = session.scalars(
        select(UsageRecord)
        .where(UsageRecord.contract_id == contract.id)
        .order_by(UsageRecord.charged_at.is_(None), UsageRecord.id)
    ).all()
    found = []
    for record in records:
        if start is not None and record.time_stamp < start:
            continue
        if end is not None and record.time_stamp > end:
            break
        if label is not None and record.component_label.lower() != label.lower():
            continue
        found.append(sdr_shape(record, contract))
    return found
