"""Orders: offers ordered into projects, their status and the secrets given to the customer."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from mercato.accounts.models import User
from mercato.catalogue.bundles import is_orderable, offers_to_order
from mercato.catalogue.fulfilment import Fulfilment, fulfilment
from mercato.catalogue.models import Bundle, Offer, OfferStatus, OrderType, ServiceStatus
from mercato.catalogue.parameter_values import check_values
from mercato.catalogue.parameters import check_parameters
from mercato.db import utcnow
from mercato.errors import Conflict, Invalid
from mercato.ordering.events import OBFUSCATED, Change, record_event, ringing_omses
from mercato.ordering.messages import post_message
from mercato.ordering.models import (
    AuthorRole,
    EventType,
    MessageScope,
    Order,
    Project,
    StatusChange,
    StatusType,
)

VOUCHER_KEY = "voucher_id"
_BACK_TO_CREATED = "cannot go back to created"


@dataclass(frozen=True)
class OrderRequest:
    """What a customer fills in on an offer's order form."""

    values: dict[str, Any]
    request_voucher: bool = False
    voucher_id: str = ""


@dataclass(frozen=True)
class HistoryStep:
    """One step of an order's status history: who set which status when."""

    status_type: StatusType
    value: str
    author: User | None
    at: datetime


@dataclass(frozen=True)
class PastOrder:
    """An order as it stood elsewhere (a data set), to be put back as it was."""

    # Oldest first; the last step is the order's status.
    history: list[HistoryStep]
    offer_properties: list[dict[str, Any]] = field(default_factory=list)
    # The next free one of the project when None.
    iid: int | None = None
    # The offer's when None: orders keep the type they were ordered with.
    order_type: OrderType | None = None
    user_secrets: dict[str, str] = field(default_factory=dict)
    request_voucher: bool = False
    voucher_id: str = ""
    # The first step's time when None.
    created_at: datetime | None = None


ONLY_IN_BUNDLES = "is only ordered as part of a bundle"


def _check_orderable_alone(offer: Offer) -> None:
    if offer.status != OfferStatus.PUBLISHED or offer.service.status != ServiceStatus.PUBLISHED:
        raise Invalid.field("offer", "is not available for ordering")
    if offer.bundle_exclusive:
        raise Invalid.field("offer", ONLY_IN_BUNDLES)
    if fulfilment(offer) == Fulfilment.EXTERNAL:
        raise Invalid.field("offer", "is ordered on the provider's own page")


def _lock_project(session: Session, project_id: int) -> None:
    """Keep two concurrent orders of a project from taking the same iid (PostgreSQL).

    The order's INSERT, a later statement, then sees the orders committed while
    it waited; SQLite runs the INSERT under its single writer's lock. FOR NO KEY
    UPDATE, not FOR UPDATE: rows that merely refer to the project (another
    transaction's event, written while it holds the event lock) must not wait on it.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(_LOCK_PROJECT, {"project_id": project_id})


# Ordering is the marketplace's busiest write: Core statements built once skip
# the unit of work and the ORM's execution; the iid, and the OMSes its event
# rings, are found by the INSERT itself.
_LOCK_PROJECT = (
    select(Project.id).where(Project.id == bindparam("project_id")).with_for_update(key_share=True)
)
_NEXT_IID = select(func.coalesce(func.max(Order.iid), 0) + 1).where(
    Order.project_id == bindparam("iid_project_id")
)
_INSERTED = (Order.id, Order.iid, *ringing_omses(bindparam("ringing_offer_id")))
_INSERT_ORDER = insert(Order).values(iid=_NEXT_IID.scalar_subquery()).returning(*_INSERTED)
_INSERT_ORDER_AT_IID = insert(Order).returning(*_INSERTED)
_INSERT_STATUS_CHANGE = insert(StatusChange)


def _set_status(
    session: Session, order: Order, status_type: StatusType, value: str, author: User | None
) -> list[Change]:
    changes = []
    if value != order.status_value:
        changes.append({"field": "status.value", "before": order.status_value, "after": value})
    if status_type != order.status_type:
        changes.append(
            {"field": "status.type", "before": order.status_type.value, "after": status_type.value}
        )
    if changes:
        order.status_type, order.status_value = status_type, value
        # Added to the session, not appended to order.history: appending would first
        # load the whole history, which grows with every change.
        session.add(
            StatusChange(order=order, status_type=status_type, status_value=value, author=author)
        )
    return changes


def first_status(offer: Offer) -> StatusType:
    """The status a new order of the offer starts in.

    Only orders an OMS handles wait for it. The others are ready at once, as the
    EOSC Marketplace's non-orderable items are: open-access offers and, inside a
    bundle, offers ordered on the provider's own page.
    """
    return StatusType.CREATED if fulfilment(offer) == Fulfilment.OMS else StatusType.READY


def place_order(
    session: Session, customer: User, project: Project, offer: Offer, request: OrderRequest
) -> Order:
    """Order an offer into the customer's project; open-access offers are ready at once.

    Offers meant only for bundles and offers ordered on the provider's own page
    cannot be ordered on their own.
    """
    _check_orderable_alone(offer)
    return _place(session, customer, project, offer, request)


def _place(
    session: Session, customer: User, project: Project, offer: Offer, request: OrderRequest
) -> Order:
    properties = check_values(offer.parameters, request.values)
    voucher_id = request.voucher_id.strip() if request.request_voucher else ""
    status, now = first_status(offer), utcnow()
    return _add_order(
        session,
        project,
        [HistoryStep(status, status.value, customer, now)],
        offer_id=offer.id,
        order_type=offer.order_type.value,
        offer_properties=properties,
        user_secrets={},
        request_voucher=request.request_voucher,
        voucher_id=voucher_id,
        created_at=now,
        updated_at=now,
    )


def place_bundle_order(
    session: Session,
    customer: User,
    project: Project,
    bundle: Bundle,
    requests: list[OrderRequest],
) -> list[Order]:
    """Order every offer of a bundle into the project, the main offer first.

    One order per offer, each as ordering it alone would make it (its own type,
    values and event), all in the caller's transaction: a refused offer refuses
    the bundle. Unlike alone, offers meant only for bundles are ordered, and an
    offer ordered on the provider's own page becomes an order ready at once, as
    the EOSC Marketplace does. ``requests`` are in the order of ``offers_to_order``.
    """
    if not is_orderable(bundle):
        raise Invalid.field("bundle", "is not available for ordering")
    offers = offers_to_order(bundle)
    return [
        _place(session, customer, project, offer, request)
        for offer, request in zip(offers, requests, strict=True)
    ]


def restore_order(session: Session, project: Project, offer: Offer, past: PastOrder) -> Order:
    """Put back an order as it stood elsewhere, with its iid, status history and times.

    ``place_order``'s checks where they still hold: valid properties (see
    ``check_offer_properties``), string secrets, a free iid, never back to created.
    The offer need not be orderable now: orders outlive their offer's changes.
    """
    properties = check_offer_properties(past.offer_properties)
    check_user_secrets(past.user_secrets)
    _check_history(past.history)
    if past.voucher_id and not past.request_voucher:
        raise Invalid.field("voucher_id", "is only given with request_voucher")
    if past.iid is not None and _iid_taken(session, project, past.iid):
        raise Conflict.field("iid", "is already taken in this project")
    created_at = past.created_at or past.history[0].at
    return _add_order(
        session,
        project,
        past.history,
        iid=past.iid,
        offer_id=offer.id,
        order_type=(past.order_type or offer.order_type).value,
        offer_properties=properties,
        user_secrets=past.user_secrets,
        request_voucher=past.request_voucher,
        voucher_id=past.voucher_id.strip(),
        created_at=created_at,
        updated_at=max(created_at, past.history[-1].at),
    )


def check_offer_properties(properties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check stored ``offer_properties`` on their own; return them in the stored shape.

    Each entry must be a valid parameter with a value that parameter accepts. The
    parameters are the offer's as they were when ordered, not its current ones,
    which a provider may have changed since.
    """
    try:
        parameters = check_parameters(
            [p if p.get("type") == "attribute" else _without_value(p) for p in properties]
        )
    except Invalid as invalid:
        raise _at_properties(invalid, _renamed_parameter) from None
    values = {p["id"]: entry.get("value") for p, entry in zip(parameters, properties, strict=True)}
    try:
        return check_values(parameters, values)
    except Invalid as invalid:
        at = {f"values.{p['id']}": f"offer_properties.{i}.value" for i, p in enumerate(parameters)}
        raise _at_properties(invalid, at.__getitem__) from None


def _renamed_parameter(path: str) -> str:
    return path.replace("parameters", "offer_properties", 1)


def _without_value(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in entry.items() if key != "value"}


def _at_properties(invalid: Invalid, rename: Callable[[str], str]) -> Invalid:
    """The problems of ``invalid``, each at the path of the ``offer_properties`` entry."""
    details = {rename(path): message for path, message in invalid.details.items()}
    return Invalid({"offer_properties": ["is invalid"]}, details)


def _check_history(history: list[HistoryStep]) -> None:
    if not history:
        raise Invalid.field("history", "can't be empty")
    for index, (before, step) in enumerate(pairwise(history), start=1):
        if step.status_type == StatusType.CREATED:
            raise Invalid.field(f"history.{index}.type", _BACK_TO_CREATED)
        if step.at < before.at:
            raise Invalid.field(f"history.{index}.at", "is earlier than the step before")


def _iid_taken(session: Session, project: Project, iid: int) -> bool:
    taken = exists().where(Order.project_id == project.id, Order.iid == iid)
    return bool(session.scalar(select(taken)))


def _add_order(
    session: Session,
    project: Project,
    history: list[HistoryStep],
    *,
    iid: int | None = None,
    **values: Any,
) -> Order:
    """Insert the order at its history's last status, hand it to the session, write its event."""
    session.flush()
    _lock_project(session, project.id)
    connection, status = session.connection(), history[-1]
    values.update(project_id=project.id, status_type=status.status_type, status_value=status.value)
    found = {"ringing_offer_id": values["offer_id"], "iid_project_id": project.id}
    if iid is None:
        inserted = connection.execute(_INSERT_ORDER, {**values, **found})
    else:
        inserted = connection.execute(_INSERT_ORDER_AT_IID, {**values, **found, "iid": iid})
    order_id, values["iid"], *ringing = inserted.one()
    connection.execute(_INSERT_STATUS_CHANGE, [_status_row(order_id, step) for step in history])
    order = Order(id=order_id, **values)
    make_transient_to_detached(order)
    session.add(order)
    # The project's list of orders, if loaded, is read again when next used.
    session.expire(project, ["orders"])
    oms_ids = sorted({oms_id for oms_id in ringing if oms_id is not None})
    record_event(session, type=EventType.CREATE, project=project, order=order, oms_ids=oms_ids)
    return order


def _status_row(order_id: int, step: HistoryStep) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "status_type": step.status_type,
        "status_value": step.value,
        "author_id": step.author.id if step.author is not None else None,
        "created_at": step.at,
    }


def check_user_secrets(secrets: Any) -> dict[str, str]:
    if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
        raise Invalid.field("user_secrets", "values must be strings")
    return secrets


def _voucher_notice(before: str | None, after: str | None) -> str | None:
    if before == after:
        return None
    if not after:
        return "Voucher has been revoked" if before else None
    if not before:
        return f"Voucher has been granted to you, ID: {after}"
    return f"Voucher ID has been updated: {after}"


def _merge_secrets(order: Order, secrets: dict[str, str]) -> list[Change]:
    merged = {**order.user_secrets, **secrets}
    if merged == order.user_secrets:
        return []
    order.user_secrets = merged
    return [{"field": "user_secrets", "before": OBFUSCATED, "after": OBFUSCATED}]


def update_order(
    session: Session,
    order: Order,
    *,
    author: User | None,
    status: tuple[StatusType, str] | None = None,
    user_secrets: dict[str, str] | None = None,
) -> Order:
    """Change an order's status and merge user secrets, writing one event for both.

    A new, changed or cleared ``voucher_id`` secret also tells the customer in a
    private message from the provider, as the EOSC Marketplace does (§5.5).
    """
    if status is not None and status[0] == StatusType.CREATED:
        raise Invalid.field("status", _BACK_TO_CREATED)
    if user_secrets:
        check_user_secrets(user_secrets)
    voucher_before = order.user_secrets.get(VOUCHER_KEY)
    changes = _set_status(session, order, *status, author) if status is not None else []
    if user_secrets:
        changes += _merge_secrets(order, user_secrets)
    if changes:
        record_event(
            session, type=EventType.UPDATE, project=order.project, order=order, changes=changes
        )
    notice = _voucher_notice(voucher_before, order.user_secrets.get(VOUCHER_KEY))
    if notice is not None:
        post_message(
            session,
            project=order.project,
            order=order,
            scope=MessageScope.USER_DIRECT,
            role=AuthorRole.PROVIDER,
            author=author,
            content=notice,
        )
    return order
