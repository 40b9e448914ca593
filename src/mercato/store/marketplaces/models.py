"""Registered marketplaces and repositories; publications; stores and offerings received."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.db import Base, JSONDocument, utcnow


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


class Publication(Base):
    """An offering published on a marketplace, under the name the marketplace gave it."""

    __tablename__ = "store_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("store_offerings.offer_id", ondelete="CASCADE"), index=True
    )
    marketplace_id: Mapped[int] = mapped_column(
        ForeignKey("store_marketplaces.id", ondelete="CASCADE")
    )
    remote_name: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    marketplace: Mapped[Marketplace] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (UniqueConstraint("offer_id", "marketplace_id"),)


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
