"""Registered marketplaces and repositories; publications; stores and offerings received."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.db import Base, JSONDocument, str_enum, utcnow
from mercato.ordering.models import AttemptRecord

if TYPE_CHECKING:
    from mercato.store.models import StoreOffering


class Marketplace(Base):
    """An external marketplace this store is registered on (WStore: Marketplace)."""

    __tablename__ = "store_marketplaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    host: Mapped[str] = mapped_column(String(2048), unique=True)
    api_version: Mapped[int]
    # The id the marketplace gave this store when it registered it.
    store_id: Mapped[str] = mapped_column(String(255))
    # Sent as HTTP Basic credentials, so they must be kept as given.
    username: Mapped[str] = mapped_column(String(255))
    password: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Repository(Base):
    """A USDL repository (WStore: Repository); at most one is the default."""

    __tablename__ = "store_repositories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    host: Mapped[str] = mapped_column(String(2048))
    api_version: Mapped[int]
    offering_collection: Mapped[str] = mapped_column(String(255))
    resource_collection: Mapped[str] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicationStatus(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"


class Publication(Base):
    """An offering owed to (or taken back from) a marketplace, or its USDL owed to a
    repository: the outbox row, written with the publish (or the delete) and settled by a
    worker, which keeps trying while it is pending and records the outcome here.

    ``is_wanted`` is what should be true on the other side: the worker sends the call
    that gets it there (publish, or withdraw once the marketplace has named it), so a
    delete that comes while the publish is still on its way is settled in turn.
    """

    __tablename__ = "store_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("store_offerings.offer_id", ondelete="CASCADE"), index=True
    )
    # One of the two: a marketplace, or the repository the USDL is uploaded to.
    marketplace_id: Mapped[int | None] = mapped_column(
        ForeignKey("store_marketplaces.id", ondelete="CASCADE")
    )
    repository_id: Mapped[int | None] = mapped_column(
        ForeignKey("store_repositories.id", ondelete="CASCADE")
    )
    # The marketplace's name for it, or the repository address of the document; empty
    # until the call succeeds.
    remote_name: Mapped[str] = mapped_column(String(2048), default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_wanted: Mapped[bool] = mapped_column(default=True)
    status: Mapped[PublicationStatus] = mapped_column(
        str_enum(PublicationStatus), default=PublicationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker owns the row until then; a killed worker's lease simply runs out.
    leased_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Why the last attempt failed; empty once one succeeds.
    error: Mapped[str] = mapped_column(Text, default="")

    offering: Mapped["StoreOffering"] = relationship()
    marketplace: Mapped[Marketplace | None] = relationship(lazy="joined")
    repository: Mapped[Repository | None] = relationship(lazy="joined")
    attempt_log: Mapped[list["PublicationAttempt"]] = relationship(
        back_populates="publication",
        order_by="PublicationAttempt.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        UniqueConstraint("offer_id", "marketplace_id"),
        UniqueConstraint("offer_id", "repository_id"),
        CheckConstraint("(marketplace_id IS NULL) <> (repository_id IS NULL)", name="one_target"),
        Index("ix_store_publications_due", "status", "next_attempt_at"),
    )

    @property
    def target_name(self) -> str:
        target = self.marketplace or self.repository
        return target.name if target is not None else ""


class PublicationAttempt(AttemptRecord, Base):
    """One HTTP call made for a publication, as the provider and the admins see it."""

    __tablename__ = "store_publication_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("store_publications.id", ondelete="CASCADE"), index=True
    )

    publication: Mapped[Publication] = relationship(back_populates="attempt_log")


class RemoteStore(Base):
    """A store registered on this Mercato through the marketplace contract (receiving side)."""

    __tablename__ = "store_remote_stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(2048))
    comment: Mapped[str] = mapped_column(Text, default="")
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offerings: Mapped[list["RemoteOffering"]] = relationship(
        back_populates="store", cascade="all, delete-orphan", passive_deletes=True
    )


class RemoteOffering(Base):
    """An offering a remote store published here: its USDL, read once, and a link back."""

    __tablename__ = "store_remote_offerings"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        ForeignKey("store_remote_stores.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255))
    # Where the USDL was read from, on the remote store.
    url: Mapped[str] = mapped_column(String(2048))
    # The parsed OfferingDescription (mercato.store.usdl), as JSON.
    description: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[RemoteStore] = relationship(back_populates="offerings")

    __table_args__ = (UniqueConstraint("store_id", "name"),)
