"""Projects, orders and messages in a data set: made through the ordering rules, dumped back.

Each record goes through the rule the app uses (``create_project``, ``restore_order``,
``post_message``), so it is checked the same way and writes its ``create`` event and
trigger deliveries, in the file's order.
"""

from collections.abc import Iterator
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from mercato.catalogue.models import Offer, OrderType
from mercato.datasets.context import DUMP_BATCH, Loading, keep_ids_ahead
from mercato.datasets.names import offer_ref, order_ref, project_ref
from mercato.datasets.schema import (
    MessageRecord,
    OrderRecord,
    ProjectRecord,
    Signature,
    Status,
    StatusStep,
)
from mercato.db import utcnow
from mercato.errors import Invalid
from mercato.ordering.messages import Author, post_message
from mercato.ordering.models import Message, Order, Project, StatusChange
from mercato.ordering.orders import HistoryStep, PastOrder, first_status, restore_order
from mercato.ordering.projects import ProjectData, create_project

# The attributes a project record shares with the project rules' input.
_ATTRIBUTES = {item.name for item in fields(ProjectData)}


def load_projects(loading: Loading, records: list[ProjectRecord]) -> None:
    loading.each("projects", records, lambda record: _load_project(loading, record))


def _load_project(loading: Loading, record: ProjectRecord) -> Project:
    project = create_project(
        loading.session,
        loading.find("users", record.owner, "owner"),
        ProjectData(**record.model_dump(include=_ATTRIBUTES)),
        project_id=record.id,
        created_at=record.created_at,
    )
    if record.id is not None:
        # At once: a later record without an id takes the next one, as on SQLite.
        keep_ids_ahead(loading.session, Project)
    return project


def load_orders(loading: Loading, records: list[OrderRecord]) -> None:
    loading.each("orders", records, lambda record: _load_order(loading, record))


def _load_order(loading: Loading, record: OrderRecord) -> Order:
    """Restore the order; ``restore_order`` says how its ``offer_properties`` are checked."""
    project: Project = loading.find("projects", record.project, "project")
    offer = loading.session.get_one(Offer, loading.find("offers", record.offer, "offer"))
    past = PastOrder(
        history=_history(loading, record, project, offer),
        offer_properties=record.offer_properties,
        iid=record.iid,
        order_type=record.order_type,
        user_secrets=record.user_secrets,
        request_voucher=record.request_voucher,
        voucher_id=record.voucher_id,
        created_at=record.created_at,
    )
    return restore_order(loading.session, project, offer, past)


def _history(
    loading: Loading, record: OrderRecord, project: Project, offer: Offer
) -> list[HistoryStep]:
    """The given history, which ends with the status; else the step ``place_order`` writes.

    A history given without a status makes its last step the status.
    """
    status = record.status
    if not record.history:
        start = first_status(offer)
        status_type, value = (status.type, status.value) if status else (start, start.value)
        return [HistoryStep(status_type, value, project.owner, record.created_at or utcnow())]
    last = record.history[-1]
    if status is not None and (last.type, last.value) != (status.type, status.value):
        raise Invalid.field("history", "must end with the order's status")
    return [
        HistoryStep(
            step.type,
            step.value,
            loading.find_given("users", step.author, f"history[{i}].author"),
            step.at,
        )
        for i, step in enumerate(record.history)
    ]


def load_messages(loading: Loading, records: list[MessageRecord]) -> None:
    loading.each("messages", records, lambda record: _load_message(loading, record))


def _load_message(loading: Loading, record: MessageRecord) -> Message:
    """Post the message on its order, or on its project; if both are given they must agree."""
    order: Order | None = loading.find_given("orders", record.order, "order")
    if record.project is not None:
        project = loading.find("projects", record.project, "project")
    elif order is not None:
        project = order.project
    else:
        raise Invalid.field("project", "is needed when no order is given")
    signature = record.signature
    message = post_message(
        loading.session,
        project=project,
        order=order,
        scope=record.scope,
        role=record.author_role,
        author=loading.find_given("users", record.author, "author"),
        content=record.content,
        signature=Author(**signature.model_dump()) if signature is not None else None,
        message_id=record.id,
        created_at=record.created_at,
        is_edited=record.is_edited,
        from_history=True,
    )
    if record.id is not None:
        keep_ids_ahead(loading.session, Message)
    return message


def dump_projects(session: Session) -> Iterator[ProjectRecord]:
    projects = session.scalars(
        select(Project)
        .order_by(Project.id)
        .options(joinedload(Project.owner))
        .execution_options(yield_per=DUMP_BATCH)
    )
    yield from (
        ProjectRecord(
            ref=project_ref(project.id),
            id=project.id,
            owner=project.owner.email,
            created_at=project.created_at,
            **{name: getattr(project, name) for name in _ATTRIBUTES},
        )
        for project in projects
    )


def dump_orders(session: Session) -> Iterator[OrderRecord]:
    orders = session.scalars(
        select(Order)
        .order_by(Order.id)
        .options(
            joinedload(Order.offer).joinedload(Offer.service),
            selectinload(Order.history).joinedload(StatusChange.author),
        )
        .execution_options(yield_per=DUMP_BATCH)
    )
    yield from (
        OrderRecord(
            ref=order_ref(order.project_id, order.iid),
            project=project_ref(order.project_id),
            iid=order.iid,
            offer=offer_ref(order.offer.service.slug, order.offer.iid),
            order_type=_order_type(order),
            status=Status(type=order.status_type, value=order.status_value),
            history=[_step(change) for change in order.history],
            offer_properties=order.offer_properties,
            user_secrets=order.user_secrets,
            request_voucher=order.request_voucher,
            voucher_id=order.voucher_id,
            created_at=order.created_at,
        )
        for order in orders
    )


def _order_type(order: Order) -> OrderType | None:
    """The type the order was made with, when the offer's is another one now."""
    kept = OrderType(order.order_type)
    return kept if kept != order.offer.order_type else None


def _step(change: StatusChange) -> StatusStep:
    author = change.author.email if change.author is not None else None
    return StatusStep(
        type=change.status_type, value=change.status_value, author=author, at=change.created_at
    )


def dump_messages(session: Session) -> Iterator[MessageRecord]:
    messages = session.scalars(
        select(Message)
        .order_by(Message.id)
        .options(joinedload(Message.order), joinedload(Message.author))
        .execution_options(yield_per=DUMP_BATCH)
    )
    yield from (
        MessageRecord(
            id=message.id,
            project=project_ref(message.project_id),
            order=order_ref(message.project_id, message.order.iid) if message.order else None,
            scope=message.scope,
            author_role=message.author_role,
            author=message.author.email if message.author is not None else None,
            signature=_signature(message),
            content=message.content,
            is_edited=message.is_edited,
            created_at=message.created_at,
        )
        for message in messages
    )


def _signature(message: Message) -> Signature | None:
    """The author block, unless it is the one the author's account gives (or an empty one)."""
    block = Author(message.author_uid, message.author_email, message.author_name)
    account = Author.of(message.author) if message.author is not None else Author()
    if block == account:
        return None
    return Signature(uid=block.uid, email=block.email, name=block.name)
