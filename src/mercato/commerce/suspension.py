"""Suspending a purchase whose renewal is overdue, and reinstating it when paid: the
contract's state, and what the customer, the provider and OMSes see of it on the order
(a message from Mercato, and a status change, which writes the order's event).

EOSC's statuses have no "suspended": a suspended order is ``waiting_for_response`` (on
the customer's payment) with the value below; a payment puts back the status it had
before, unless someone (an OMS) changed it meanwhile.
"""

from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.commerce.models import Contract
from mercato.ordering.messages import Author, post_message
from mercato.ordering.models import AuthorRole, MessageScope, StatusChange, StatusType
from mercato.ordering.orders import update_order

SUSPENDED_STATUS = (StatusType.WAITING_FOR_RESPONSE, "suspended: renewal overdue")
SIGNATURE = Author(name="Mercato")


def _say(session: Session, contract: Contract, content: str) -> None:
    order = contract.order
    post_message(
        session,
        project=order.project,
        order=order,
        scope=MessageScope.PUBLIC,
        role=AuthorRole.MEDIATOR,
        author=None,
        signature=SIGNATURE,
        content=content,
    )


def announce_suspension(session: Session, contract: Contract) -> None:
    """The contract was just suspended (by the caller's conditional update): tell it."""
    update_order(session, contract.order, author=None, status=SUSPENDED_STATUS)
    _say(
        session,
        contract,
        "This purchase is suspended: its renewal is overdue, so its downloads are closed. "
        f"Renew it on the purchase's page (/purchases/{contract.ref}) to reinstate it.",
    )


def _status_before_suspension(session: Session, order_id: int) -> tuple[StatusType, str] | None:
    steps = session.execute(
        select(StatusChange.status_type, StatusChange.status_value)
        .where(StatusChange.order_id == order_id)
        .order_by(StatusChange.id.desc())
    ).all()
    # The newest step is the suspension; the one before it is what to go back to.
    for newer, older in pairwise(steps):
        if (newer.status_type, newer.status_value) == SUSPENDED_STATUS:
            return older.status_type, older.status_value
    return None


def reinstate(session: Session, contract: Contract) -> None:
    """A suspended contract paid again: tell it, and give the order its status back."""
    order = contract.order
    if (order.status_type, order.status_value) == SUSPENDED_STATUS:
        before = _status_before_suspension(session, order.id)
        status_type, value = before or (StatusType.READY, StatusType.READY.value)
        if status_type == StatusType.CREATED:
            # An order never goes back to created; registered is the step after it.
            status_type, value = StatusType.REGISTERED, StatusType.REGISTERED.value
        update_order(session, order, author=None, status=(status_type, value))
    _say(session, contract, "The renewal is paid: this purchase is reinstated.")
