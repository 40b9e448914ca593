"""Ordering tables: projects, orders, messages, events and trigger deliveries."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.accounts.models import User
from mercato.catalogue.models import Offer, Oms
from mercato.db import Base, JSONDocument, str_enum, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere event ids need 64 bits.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class CustomerTypology(enum.StrEnum):
    SINGLE_USER = "single_user"
    RESEARCH = "research"
    PRIVATE_COMPANY = "private_company"
    PROJECT = "project"


class StatusType(enum.StrEnum):
    """An order's status type; its order is the documented workflow (reference §2.5)."""

    CREATED = "created"
    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_RESPONSE = "waiting_for_response"
    APPROVED = "approved"
    READY = "ready"
    REJECTED = "rejected"
    CLOSED = "closed"


class MessageScope(enum.StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    USER_DIRECT = "user_direct"


class AuthorRole(enum.StrEnum):
    USER = "user"
    PROVIDER = "provider"
    MEDIATOR = "mediator"


class EventType(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"


class EventResource(enum.StrEnum):
    PROJECT = "project"
    PROJECT_ITEM = "project_item"
    MESSAGE = "message"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Project(Base):
    """A customer's folder of orders (EOSC: project)."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    customer_typology: Mapped[CustomerTypology] = mapped_column(
        str_enum(CustomerTypology), default=CustomerTypology.SINGLE_USER
    )
    organization: Mapped[str] = mapped_column(String(255), default="")
    department: Mapped[str] = mapped_column(String(255), default="")
    department_webpage: Mapped[str] = mapped_column(String(2048), default="")
    scientific_domains: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    country: Mapped[str] = mapped_column(String(255), default="")
    collaboration_countries: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    user_group_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()
    orders: Mapped[list["Order"]] = relationship(back_populates="project", order_by="Order.iid")


class Order(Base):
    """One offer ordered into a project (EOSC: project item)."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    iid: Mapped[int]
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    # Copied from the offer when ordered: the order keeps what the customer chose.
    order_type: Mapped[str] = mapped_column(String(32), default="order_required")
    status_type: Mapped[StatusType] = mapped_column(
        str_enum(StatusType), default=StatusType.CREATED
    )
    status_value: Mapped[str] = mapped_column(String(255), default="created")
    offer_properties: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    user_secrets: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)
    request_voucher: Mapped[bool] = mapped_column(default=False)
    voucher_id: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship(back_populates="orders")
    offer: Mapped[Offer] = relationship()
    history: Mapped[list["StatusChange"]] = relationship(
        back_populates="order", order_by="StatusChange.id", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("project_id", "iid"),)


class StatusChange(Base):
    """One step of an order's status history."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    status_type: Mapped[StatusType] = mapped_column(str_enum(StatusType))
    status_value: Mapped[str] = mapped_column(String(255))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="history")
    author: Mapped[User | None] = relationship()


class Message(Base):
    """A message on a project, or on one of its orders when ``order_id`` is set."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[MessageScope] = mapped_column(str_enum(MessageScope))
    author_role: Mapped[AuthorRole] = mapped_column(str_enum(AuthorRole))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What an OMS sent as the author; a customer's author block comes from the account.
    author_uid: Mapped[str] = mapped_column(String(255), default="")
    author_email: Mapped[str] = mapped_column(String(255), default="")
    author_name: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[str] = mapped_column(Text)
    is_edited: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship()
    order: Mapped[Order | None] = relationship()
    author: Mapped[User | None] = relationship()


class Event(Base):
    """A change an OMS may see; the single source of the feed and of triggers."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    type: Mapped[EventType] = mapped_column(str_enum(EventType))
    resource: Mapped[EventResource] = mapped_column(str_enum(EventResource))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    changes: Mapped[list[dict[str, str]] | None] = mapped_column(JSONDocument)

    order: Mapped[Order | None] = relationship()


class OutboxRow:
    """The columns of an outbox row of HTTP calls (a trigger delivery, a purchase
    notification) that ``ordering.triggers`` claims, retries and settles."""

    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker owns the row until then; a killed worker's lease simply runs out.
    leased_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class AttemptRecord:
    """The columns of one logged HTTP call of an outbox row, as its owners see it."""

    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    url: Mapped[str] = mapped_column(String(2048))
    method: Mapped[str] = mapped_column(String(8))
    status_code: Mapped[int | None]
    duration_ms: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class Delivery(OutboxRow, Base):
    """One trigger call owed to one OMS for one event (the outbox row)."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    oms_id: Mapped[int] = mapped_column(ForeignKey("omses.id", ondelete="CASCADE"), index=True)

    event: Mapped[Event] = relationship()
    oms: Mapped[Oms] = relationship()
    attempt_log: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)


class DeliveryAttempt(AttemptRecord, Base):
    """One HTTP call of a delivery, as the OMS administrators see it in the log."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_log")


class IdempotencyKey(Base):
    """An ``Idempotency-Key`` a user sent with a request that buys or orders.

    Written in the transaction of what the request made, so the key exists exactly
    when that does; the unique (user, key) pair makes a concurrent retry wait for
    the first request and then find its result instead of buying again.
    """

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the request (method, path, content): the same key with another
    # request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # What the first request answered, for the surface that answered it to repeat.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (UniqueConstraint("user_id", "key"),)
