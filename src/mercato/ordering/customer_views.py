"""What a customer sees of their own projects: their orders and the conversations."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import User
from mercato.catalogue.models import Offer
from mercato.errors import NotFound
from mercato.ordering.messages import post_message
from mercato.ordering.models import AuthorRole, Message, MessageScope, Order, Project
from mercato.ordering.projects import require_own_project


def require_own_order(session: Session, owner: User, project_id: int, iid: int) -> Order:
    """An order of the customer's own project, by its number within the project."""
    project = require_own_project(session, owner, project_id)
    order = session.scalar(select(Order).where(Order.project_id == project.id, Order.iid == iid))
    if order is None:
        raise NotFound("Order")
    return order


def orders_in(session: Session, project: Project) -> list[Order]:
    """The project's orders by number, with their offers and services."""
    query = (
        select(Order)
        .where(Order.project_id == project.id)
        .order_by(Order.iid)
        .options(selectinload(Order.offer).selectinload(Offer.service))
    )
    return list(session.scalars(query))


def customer_messages(session: Session, project: Project, order: Order | None) -> list[Message]:
    """The conversation on the order, or on the project itself when ``order`` is None.

    Internal messages are between providers and operators and never reach the
    customer; `user_direct` ones on their orders are addressed to them.
    """
    place = Message.order_id == order.id if order is not None else Message.order_id.is_(None)
    query = (
        select(Message)
        .where(Message.project_id == project.id, place, Message.scope != MessageScope.INTERNAL)
        .order_by(Message.id)
    )
    return list(session.scalars(query))


def write_message(
    session: Session, customer: User, project: Project, order: Order | None, content: str
) -> Message:
    """A customer's message: always public, signed with their account."""
    return post_message(
        session,
        project=project,
        order=order,
        scope=MessageScope.PUBLIC,
        role=AuthorRole.USER,
        author=customer,
        content=content,
    )
