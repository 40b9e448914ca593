"""Events: every change an OMS may see, written in the transaction that makes it.

The event row and its trigger deliveries (the outbox) commit together with the
change, so no change can be lost between the database and an OMS.
"""

from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Insert,
    Integer,
    ScalarSelect,
    Select,
    bindparam,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from mercato.catalogue.models import Offer, Oms
from mercato.db import utcnow
from mercato.ordering.models import (
    Delivery,
    DeliveryStatus,
    Event,
    EventResource,
    EventType,
    Message,
    MessageScope,
    Order,
    Project,
)

OBFUSCATED = "<OBFUSCATED>"
# Key of the PostgreSQL advisory lock that orders event writes (any fixed number).
_EVENT_LOCK = 7_210_845_311
# session.info key counting the deliveries written in this transaction; after
# the commit, the queue is told about them.
NEW_DELIVERIES = "mercato.new_deliveries"
# session.info key of the events recorded in this transaction, written at commit.
_PENDING_EVENTS = "mercato.pending_events"

Change = dict[str, str]


def _ringing_omses(records: ColumnElement[bool]) -> Select[tuple[int]]:
    """The OMSes with a trigger that an event rings (reference §4): the primary OMSes of
    the offers of the event's orders, and the default OMS."""
    primary = select(Offer.primary_oms_id).join(Order, Order.offer_id == Offer.id).where(records)
    query = select(Oms.id).where(Oms.trigger_url != "", or_(Oms.is_default, Oms.id.in_(primary)))
    return query.order_by(Oms.id)


def ringing_omses(offer_id: ColumnElement[int]) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """What ``_ringing_omses`` finds for an event about an order of the offer, as two
    columns (an id or NULL): the default OMS, then the offer's primary OMS."""
    primary = select(Offer.primary_oms_id).where(Offer.id == offer_id).scalar_subquery()

    def ringing(oms: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(Oms.id).where(Oms.trigger_url != "", oms).scalar_subquery()

    return ringing(Oms.is_default), ringing(Oms.id == primary)


# The outbox is written on the path of every change: Core statements, built
# once with parameters, skip the unit of work and most of the SQL compiling.
_INSERT_EVENT = insert(Event).returning(Event.id)
_INSERT_DELIVERY = insert(Delivery)
_EVENT_COLUMNS = (
    "created_at",
    "type",
    "resource",
    "project_id",
    "order_id",
    "message_id",
    "changes",
)


def _locked_event_insert() -> Insert:
    """PostgreSQL: take the event lock, insert the event, insert its deliveries: one statement.

    Every round trip made while holding the lock holds back every other writer,
    so the three go in one. The lock is a MATERIALIZED CTE the event's row is
    selected from, so it is taken before the event's id is drawn.
    """
    table = Event.__table__
    at = bindparam("created_at", type_=table.c.created_at.type)
    locked = (
        select(func.pg_advisory_xact_lock(_EVENT_LOCK)).cte("locked").prefix_with("MATERIALIZED")
    )
    values = [at, *(bindparam(name, type_=table.c[name].type) for name in _EVENT_COLUMNS[1:])]
    event_ = (
        insert(Event)
        .from_select(_EVENT_COLUMNS, select(*values).select_from(locked))
        .returning(Event.id)
        .cte("event")
    )
    omses = func.unnest(bindparam("oms_ids", type_=ARRAY(Integer))).table_valued("id")
    omses = omses.render_derived(name="omses")
    pending = literal(DeliveryStatus.PENDING, Delivery.__table__.c.status.type)
    each = event_.join(omses, true())
    rows = select(event_.c.id, omses.c.id, pending, literal(0), at, at).select_from(each)
    columns = ("event_id", "oms_id", "status", "attempts", "next_attempt_at", "created_at")
    return insert(Delivery).from_select(columns, rows)


_INSERT_LOCKED_EVENT = _locked_event_insert()
_RINGING_FOR_ORDER = _ringing_omses(Order.id == bindparam("order_id"))
_RINGING_FOR_PROJECT = _ringing_omses(Order.project_id == bindparam("project_id"))


def record_event(
    session: Session,
    *,
    type: EventType,
    project: Project,
    order: Order | None = None,
    message: Message | None = None,
    changes: list[Change] | None = None,
    oms_ids: list[int] | None = None,
) -> None:
    """Record an event and the trigger deliveries it owes; both are written at commit.

    The change's own rows are flushed now, so the event can name them, and the
    OMSes to ring are those of the orders the event is about now, not at commit
    (a project made with its first order in one transaction rings nobody).
    ``oms_ids``: those OMSes, when the caller found them already (``ringing_omses``).
    """
    session.flush()
    order_id = order.id if order is not None else None
    if oms_ids is None:
        ringing = _RINGING_FOR_PROJECT if order_id is None else _RINGING_FOR_ORDER
        parameters = {"order_id": order_id, "project_id": project.id}
        oms_ids = list(session.connection().execute(ringing, parameters).scalars())
    resource = (
        EventResource.MESSAGE
        if message is not None
        else EventResource.PROJECT_ITEM
        if order is not None
        else EventResource.PROJECT
    )
    session.info.setdefault(_PENDING_EVENTS, []).append(
        {
            "type": type,
            "resource": resource,
            "project_id": project.id,
            "order_id": order_id,
            "message_id": message.id if message is not None else None,
            "changes": changes if type == EventType.UPDATE else None,
            "oms_ids": oms_ids,
        }
    )


@event.listens_for(Session, "before_commit")
def _write_pending_events(session: Session) -> None:
    """Write the transaction's events last, holding the event lock until the commit.

    A reader pages the feed by `from_id`, so ids must become visible in order.
    PostgreSQL hands out ids at insert time, but transactions may commit in
    another order: the advisory lock, taken here and released by the commit,
    makes "insert the events, commit" one step at a time, and no longer than
    that. Those inserts only take key-share locks on the rows they name, which
    the writers' own locks (FOR NO KEY UPDATE, plain UPDATEs) leave free. SQLite
    writers hold the database's write lock throughout (BEGIN IMMEDIATE), which gives
    the same order.
    """
    if not session.info.get(_PENDING_EVENTS):
        return
    # Whatever rows the change still has to write, it writes before taking the lock:
    # the lock's holder must wait for nothing but the commit, or two writers deadlock.
    session.flush()
    pending = session.info.pop(_PENDING_EVENTS)
    connection = session.connection()
    write = _write_locked_event if connection.dialect.name == "postgresql" else _write_event
    for values in pending:
        write(session, connection, values)


@event.listens_for(Session, "after_rollback")
def _forget_pending_events(session: Session) -> None:
    session.info.pop(_PENDING_EVENTS, None)


def _write_event(session: Session, connection: Connection, values: dict[str, Any]) -> None:
    now, oms_ids = utcnow(), values.pop("oms_ids")
    event_id = connection.execute(_INSERT_EVENT, {"created_at": now, **values}).scalar_one()
    if not oms_ids:
        return
    delivery = {
        "event_id": event_id,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    connection.execute(_INSERT_DELIVERY, [{**delivery, "oms_id": oms_id} for oms_id in oms_ids])
    note_new_deliveries(session, len(oms_ids))


def _write_locked_event(session: Session, connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(_INSERT_LOCKED_EVENT, {"created_at": utcnow(), **values})
    note_new_deliveries(session, len(values["oms_ids"]))


def note_new_deliveries(session: Session, count: int) -> None:
    """Count deliveries written in this transaction, for the queue to hear of after commit."""
    if count:
        session.info[NEW_DELIVERIES] = session.info.get(NEW_DELIVERIES, 0) + count


def message_content_change(message: Message, before: str) -> Change:
    if message.scope == MessageScope.USER_DIRECT:
        return {"field": "content", "before": OBFUSCATED, "after": OBFUSCATED}
    return {"field": "content", "before": before, "after": message.content}
