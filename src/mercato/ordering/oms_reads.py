"""What an OMS reads through the Ordering API: its projects, orders, messages and events.

Every query applies the OMS's path scope (`mercato.ordering.access`, §5.2), so
a record outside it is simply not found. Lists take an exclusive `from_id`
cursor and a `limit`, and load what their JSON shapes need in a fixed number of
queries.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, joinedload, selectinload

from mercato.catalogue.models import Offer, Oms, Service
from mercato.errors import NotFound
from mercato.ordering.access import (
    events_addressable,
    messages_addressable,
    orders_addressable,
    projects_addressable,
)
from mercato.ordering.models import Event, Message, Order, Project

_ORDER_SHAPE = (joinedload(Order.offer).joinedload(Offer.service).selectinload(Service.categories),)


def oms_projects(session: Session, oms: Oms, from_id: int, limit: int) -> list[Project]:
    query = (
        select(Project)
        .where(projects_addressable(oms), Project.id > from_id)
        .options(joinedload(Project.owner), selectinload(Project.orders))
        .order_by(Project.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def require_oms_project(session: Session, oms: Oms, project_id: int | None) -> Project:
    query = select(Project).where(Project.id == project_id, projects_addressable(oms))
    project = session.scalar(query) if project_id is not None else None
    if project is None:
        raise NotFound("Project")
    return project


def oms_orders(
    session: Session, oms: Oms, project: Project, from_id: int, limit: int
) -> list[Order]:
    query = (
        select(Order)
        .where(Order.project_id == project.id, Order.iid > from_id, orders_addressable(oms))
        .options(*_ORDER_SHAPE)
        .order_by(Order.iid)
        .limit(limit)
    )
    return list(session.scalars(query))


def require_oms_order(session: Session, oms: Oms, project: Project, iid: int | None) -> Order:
    query = (
        select(Order)
        .where(Order.project_id == project.id, Order.iid == iid, orders_addressable(oms))
        .options(*_ORDER_SHAPE)
    )
    order = session.scalar(query) if iid is not None else None
    if order is None:
        raise NotFound("Project item")
    return order


def conversation(
    session: Session, project: Project, order: Order | None, from_id: int, limit: int
) -> list[Message]:
    """The messages on the order, or on the project itself (not its orders') when None."""
    on_target = Message.order_id == order.id if order is not None else Message.order_id.is_(None)
    query = (
        select(Message)
        .where(Message.project_id == project.id, on_target, Message.id > from_id)
        .order_by(Message.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def require_oms_message(session: Session, oms: Oms, message_id: int | None) -> Message:
    query = select(Message).where(Message.id == message_id, messages_addressable(oms))
    message = session.scalar(query) if message_id is not None else None
    if message is None:
        raise NotFound("Message")
    return message


# The event feed reads plain columns: a page has up to `limit` events, and
# building an ORM object per row cost most of the page's time.
_EVENT_COLUMNS = (
    Event.id,
    Event.created_at,
    Event.type,
    Event.resource,
    Event.project_id,
    Event.message_id,
    Event.changes,
    Order.iid.label("order_iid"),
)


def oms_events(
    session: Session, oms: Oms, *, after: datetime | None, from_id: int | None, limit: int
) -> Sequence[Row[Any]]:
    """Events after a time and/or an id, oldest first, each with its order's `order_iid`."""
    query = (
        select(*_EVENT_COLUMNS)
        .outerjoin(Order, Order.id == Event.order_id)
        .where(events_addressable(oms))
        .limit(limit)
    )
    if after is not None:
        query = query.where(Event.created_at > after)
    if from_id is not None:
        query = query.where(Event.id > from_id).order_by(Event.id)
    else:
        query = query.order_by(Event.created_at, Event.id)
    # Core execution: the rows need nothing of the ORM's loading machinery.
    return session.connection().execute(query).all()
