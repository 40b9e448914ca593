"""Messages: the conversation on a project or on one of its orders."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.db import utcnow
from mercato.errors import Conflict, Invalid
from mercato.ordering.events import message_content_change, record_event
from mercato.ordering.models import AuthorRole, EventType, Message, MessageScope, Order, Project

MAX_CONTENT = 10_000


@dataclass(frozen=True)
class Author:
    """Who signs a message when an OMS writes it: what the OMS sent, as sent."""

    uid: str = ""
    email: str = ""
    name: str = ""

    @classmethod
    def of(cls, user: User) -> "Author":
        return cls(uid=user.uid, email=user.email, name=user.name)


def _checked_content(content: str) -> str:
    if not content.strip():
        raise Invalid.field("content", "can't be blank")
    if len(content) > MAX_CONTENT:
        raise Invalid.field("content", f"is too long ({MAX_CONTENT} characters at most)")
    return content


def post_message(
    session: Session,
    *,
    project: Project,
    order: Order | None,
    scope: MessageScope,
    role: AuthorRole,
    author: User | None,
    content: str,
    signature: Author | None = None,
    message_id: int | None = None,
    created_at: datetime | None = None,
    is_edited: bool = False,
    from_history: bool = False,
) -> Message:
    """Post a message; the author block is the signature given, else the author's account.

    A data set may keep the message's id, time and edited mark; a message
    ``from_history`` keeps any scope, as rules for new messages have changed over
    time while upstream systems kept what was written.
    """
    if role == AuthorRole.USER and scope != MessageScope.PUBLIC and not from_history:
        raise Invalid.field("scope", "customers write public messages")
    if order is not None and order.project_id != project.id:
        raise Invalid.field("order", "is not an order of this project")
    if message_id is not None and session.get(Message, message_id) is not None:
        raise Conflict.field("id", "is already taken")
    if signature is None:
        signature = Author.of(author) if author is not None else Author()
    now = created_at or utcnow()
    message = Message(
        id=message_id,
        is_edited=is_edited,
        project=project,
        order=order,
        scope=scope,
        author_role=role,
        author=author,
        author_uid=signature.uid,
        author_email=signature.email,
        author_name=signature.name,
        content=_checked_content(content),
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    record_event(session, type=EventType.CREATE, project=project, order=order, message=message)
    return message


def edit_message(session: Session, message: Message, content: str) -> Message:
    """Replace a message's text; the change is an `update` event on `content`."""
    before = message.content
    message.content = _checked_content(content)
    if message.content == before:
        return message
    message.is_edited = True
    message.updated_at = utcnow()
    record_event(
        session,
        type=EventType.UPDATE,
        project=message.project,
        order=message.order,
        message=message,
        changes=[message_content_change(message, before)],
    )
    return message
