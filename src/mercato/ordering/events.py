"""Events: every change an OMS may see, written in the transaction that makes it.

The event row and its trigger deliveries (the outbox) commit together with the
change, so no change can be lost between the database and an OMS.
"""

from sqlalchemy import or_, select, text
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

OBFUSCATED = "<OBFUSCATED>"
# Key of the PostgreSQL advisory lock that orders event writes (any fixed number).
_EVENT_LOCK = 7_210_845_311
# session.info key under which the deliveries written in this transaction wait
# for the commit, after which the queue is told about them.
NEW_DELIVERIES = "mercato.new_deliveries"

Change = dict[str, str]


def _serialise_event_writes(session: Session) -> None:
    # PostgreSQL hands out ids at insert time, but transactions may commit in
    # another order; a reader paging by `from_id` would then skip the event that
    # commits late. Holding this lock until commit makes ids appear in order.
    # SQLite has a single writer, which gives the same guarantee.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EVENT_LOCK})


def _ringing_oms_ids(session: Session, project_id: int, order_id: int | None) -> list[int]:
    """The OMSes with a trigger that an event rings (reference §4): the primary OMSes of
    the order's offer (or of every order in the project) and the default OMS; one query."""
    records = select(Offer.primary_oms_id).join(Order, Order.offer_id == Offer.id)
    if order_id is not None:
        records = records.where(Order.id == order_id)
    else:
        records = records.where(Order.project_id == project_id)
    query = (
        select(Oms.id)
        .where(Oms.trigger_url != "", or_(Oms.is_default, Oms.id.in_(records)))
        .order_by(Oms.id)
    )
    return list(session.scalars(query))


def record_event(
    session: Session,
    *,
    type: EventType,
    project: Project,
    order: Order | None = None,
    message: Message | None = None,
    changes: list[Change] | None = None,
) -> Event:
    """Add an event and the trigger deliveries it owes; call it last in a rule.

    They are inserted at the next flush (at the latest the commit), with the
    event lock already held, which saves a round trip per row on the way.
    """
    session.flush()
    _serialise_event_writes(session)
    resource = (
        EventResource.MESSAGE
        if message is not None
        else EventResource.PROJECT_ITEM
        if order is not None
        else EventResource.PROJECT
    )
    order_id = order.id if order is not None else None
    oms_ids = _ringing_oms_ids(session, project.id, order_id)
    event = Event(
        created_at=utcnow(),
        type=type,
        resource=resource,
        project_id=project.id,
        order_id=order_id,
        message_id=message.id if message is not None else None,
        changes=changes if type == EventType.UPDATE else None,
    )
    deliveries = [
        Delivery(event=event, oms_id=oms_id, next_attempt_at=event.created_at) for oms_id in oms_ids
    ]
    session.add(event)
    session.add_all(deliveries)
    session.info.setdefault(NEW_DELIVERIES, []).extend(deliveries)
    return event


def message_content_change(message: Message, before: str) -> Change:
    if message.scope == MessageScope.USER_DIRECT:
        return {"field": "content", "before": OBFUSCATED, "after": OBFUSCATED}
    return {"field": "content", "before": before, "after": message.content}
