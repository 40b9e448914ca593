"""Events: every change an OMS may see, written in the transaction that makes it.

The event row and its trigger deliveries (the outbox) commit together with the
change, so no change can be lost between the database and an OMS.
"""

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mercato.catalogue.models import Offer
from mercato.db import utcnow
from mercato.ordering.models import (
    Delivery,
    Event,
    EventResource,
    EventType,
    Message,
    MessageScope,
    Oms,
    Order,
    Project,
)
from mercato.ordering.rules import default_oms

OBFUSCATED = "<OBFUSCATED>"
# Key of the PostgreSQL advisory lock that orders event writes (any fixed number).
_EVENT_LOCK = 7_210_845_311
# session.info key under which the ids of deliveries written in this transaction
# wait for the commit, after which the queue is told about them.
NEW_DELIVERIES = "mercato.new_deliveries"

Change = dict[str, str]


def _serialise_event_writes(session: Session) -> None:
    # PostgreSQL hands out ids at insert time, but transactions may commit in
    # another order; a reader paging by `from_id` would then skip the event that
    # commits late. Holding this lock until commit makes ids appear in order.
    # SQLite has a single writer, which gives the same guarantee.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EVENT_LOCK})


def _primary_omses_of_project(session: Session, project_id: int) -> list[int]:
    query = (
        select(Offer.primary_oms_id)
        .join(Order, Order.offer_id == Offer.id)
        .where(Order.project_id == project_id, Offer.primary_oms_id.is_not(None))
        .distinct()
    )
    return [oms_id for oms_id in session.scalars(query) if oms_id is not None]


def _primary_oms_of_order(session: Session, order_id: int) -> list[int]:
    query = select(Offer.primary_oms_id).join(Order, Order.offer_id == Offer.id)
    oms_id = session.scalar(query.where(Order.id == order_id))
    return [] if oms_id is None else [oms_id]


def concerned_omses(session: Session, event: Event) -> list[Oms]:
    """The OMSes an event rings (reference §4): the record's OMSes and the default one."""
    if event.order_id is not None:
        oms_ids = _primary_oms_of_order(session, event.order_id)
    else:
        oms_ids = _primary_omses_of_project(session, event.project_id)
    default = default_oms(session)
    if default is not None:
        oms_ids.append(default.id)
    if not oms_ids:
        return []
    return list(session.scalars(select(Oms).where(Oms.id.in_(oms_ids)).order_by(Oms.id)))


def record_event(
    session: Session,
    *,
    type: EventType,
    project: Project,
    order: Order | None = None,
    message: Message | None = None,
    changes: list[Change] | None = None,
) -> Event:
    """Write an event and the trigger deliveries it owes; call it last in a rule."""
    session.flush()
    _serialise_event_writes(session)
    resource = (
        EventResource.MESSAGE
        if message is not None
        else EventResource.PROJECT_ITEM
        if order is not None
        else EventResource.PROJECT
    )
    event = Event(
        created_at=utcnow(),
        type=type,
        resource=resource,
        project_id=project.id,
        order_id=order.id if order is not None else None,
        message_id=message.id if message is not None else None,
        changes=changes if type == EventType.UPDATE else None,
    )
    session.add(event)
    session.flush()
    deliveries = [
        Delivery(event_id=event.id, oms_id=oms.id, next_attempt_at=event.created_at)
        for oms in concerned_omses(session, event)
        if oms.has_trigger
    ]
    session.add_all(deliveries)
    session.flush()
    session.info.setdefault(NEW_DELIVERIES, []).extend(d.id for d in deliveries)
    return event


def message_content_change(message: Message, before: str) -> Change:
    if message.scope == MessageScope.USER_DIRECT:
        return {"field": "content", "before": OBFUSCATED, "after": OBFUSCATED}
    return {"field": "content", "before": before, "after": message.content}
