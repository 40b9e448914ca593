"""Orders: offers ordered into projects, their status and the secrets given to the customer."""

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from mercato.accounts.models import User
from mercato.catalogue.models import Offer, OfferStatus, OrderType, ServiceStatus
from mercato.catalogue.parameter_values import check_values
from mercato.db import utcnow
from mercato.errors import Invalid
from mercato.ordering.events import OBFUSCATED, Change, record_event
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


class Fulfilment(enum.StrEnum):
    """How ordering an offer is fulfilled."""

    READY = "ready"  # open access: in the project at once
    EXTERNAL = "external"  # the provider's own order page
    OMS = "oms"  # an order handled by the offer's OMS


def fulfilment(offer: Offer) -> Fulfilment:
    if offer.order_type != OrderType.ORDER_REQUIRED:
        return Fulfilment.READY
    return Fulfilment.OMS if offer.internal else Fulfilment.EXTERNAL


@dataclass(frozen=True)
class OrderRequest:
    """What a customer fills in on an offer's order form."""

    values: dict[str, Any]
    request_voucher: bool = False
    voucher_id: str = ""


def _check_orderable(offer: Offer) -> None:
    if offer.status != OfferStatus.PUBLISHED or offer.service.status != ServiceStatus.PUBLISHED:
        raise Invalid.field("offer", "is not available for ordering")
    if fulfilment(offer) == Fulfilment.EXTERNAL:
        raise Invalid.field("offer", "is ordered on the provider's own page")


def _lock_project(session: Session, project_id: int) -> None:
    """Keep two concurrent orders of a project from taking the same iid (PostgreSQL).

    The order's INSERT, a later statement, then sees the orders committed while
    it waited; SQLite runs the INSERT under its single writer's lock.
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Project.id).where(Project.id == project_id).with_for_update())


# Ordering is the marketplace's busiest write: Core statements built once skip
# the unit of work, and the iid is found inside the INSERT.
_NEXT_IID = select(func.coalesce(func.max(Order.iid), 0) + 1).where(
    Order.project_id == bindparam("iid_project_id")
)
_INSERT_ORDER = insert(Order).values(iid=_NEXT_IID.scalar_subquery()).returning(Order.id, Order.iid)
_INSERT_STATUS_CHANGE = insert(StatusChange)


def _set_status(
    order: Order, status_type: StatusType, value: str, author: User | None
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
        order.history.append(
            StatusChange(status_type=status_type, status_value=value, author=author)
        )
    return changes


def place_order(
    session: Session, customer: User, project: Project, offer: Offer, request: OrderRequest
) -> Order:
    """Order an offer into the customer's project; open-access offers are ready at once."""
    _check_orderable(offer)
    properties = check_values(offer.parameters, request.values)
    voucher_id = request.voucher_id.strip() if request.request_voucher else ""
    status = StatusType.READY if fulfilment(offer) == Fulfilment.READY else StatusType.CREATED
    order = _insert_order(
        session,
        customer,
        project_id=project.id,
        offer_id=offer.id,
        order_type=offer.order_type.value,
        status_type=status,
        status_value=status.value,
        offer_properties=properties,
        user_secrets={},
        request_voucher=request.request_voucher,
        voucher_id=voucher_id,
    )
    # The project's list of orders, if loaded, is read again when next used.
    session.expire(project, ["orders"])
    record_event(session, type=EventType.CREATE, project=project, order=order)
    return order


def _insert_order(session: Session, customer: User, **values: Any) -> Order:
    """Insert the order and its first status, then hand the order to the session."""
    session.flush()
    _lock_project(session, values["project_id"])
    connection, now = session.connection(), utcnow()
    values.update(created_at=now, updated_at=now)
    order_id, values["iid"] = connection.execute(
        _INSERT_ORDER, {**values, "iid_project_id": values["project_id"]}
    ).one()
    connection.execute(
        _INSERT_STATUS_CHANGE,
        {
            "order_id": order_id,
            "status_type": values["status_type"],
            "status_value": values["status_value"],
            "author_id": customer.id,
            "created_at": now,
        },
    )
    order = Order(id=order_id, **values)
    make_transient_to_detached(order)
    session.add(order)
    return order


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
        raise Invalid.field("status", "cannot go back to created")
    if user_secrets:
        check_user_secrets(user_secrets)
    voucher_before = order.user_secrets.get(VOUCHER_KEY)
    changes = _set_status(order, *status, author) if status is not None else []
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
