"""Store tables: assets, the store side of offers (1:1), bindings, reviews.

A WStore offering is a catalogue ``Offer`` plus its ``StoreOffering`` row; the
offering's name is its service's name, so ``{provider}/{name}/{version}`` reads
Provider.slug / Service.name / StoreOffering.version.
"""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.accounts.models import Provider, User
from mercato.catalogue.models import Offer, OfferStatus, OrderType, Service
from mercato.db import Base, JSONDocument, str_enum, utcnow


class AssetKind(enum.StrEnum):
    """Values are WStore's `resource_type` names."""

    DOWNLOADABLE = "Downloadable"
    API = "API"


class AssetState(enum.StrEnum):
    CREATED = "created"
    USED = "used"
    DELETED = "deleted"


class OfferingState(enum.StrEnum):
    """The WStore names of the catalogue's offer statuses."""

    UPLOADED = "uploaded"
    PUBLISHED = "published"
    DELETED = "deleted"


class NotificationTarget(enum.StrEnum):
    OWN = "own"
    PROVIDER_DEFAULT = "default"
    NONE = "none"


OFFERING_STATE_OF_STATUS = {
    OfferStatus.DRAFT: OfferingState.UPLOADED,
    OfferStatus.PUBLISHED: OfferingState.PUBLISHED,
    OfferStatus.DELETED: OfferingState.DELETED,
}
OPEN_ORDER_TYPES = {OrderType.OPEN_ACCESS, OrderType.FULLY_OPEN_ACCESS}

# A binding's id is the order it was made in: WStore lists an offering's resources, and a
# resource's offerings, in binding order.
offering_assets = Table(
    "store_offering_assets",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("offer_id", ForeignKey("store_offerings.offer_id", ondelete="CASCADE"), nullable=False),
    Column("asset_id", ForeignKey("store_assets.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("offer_id", "asset_id"),
)


class Asset(Base):
    """A provider's digital asset (WStore: resource): a stored file or a link.

    One row per name and provider (WStore's rule): a new version is an
    upgrade of the row, which every offering that includes it follows.
    """

    __tablename__ = "store_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    content_type: Mapped[str] = mapped_column(String(255))
    kind: Mapped[AssetKind] = mapped_column(str_enum(AssetKind))
    is_open: Mapped[bool] = mapped_column(default=False)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    # Exactly one of a stored file (its storage key) and an external link.
    file_key: Mapped[str | None] = mapped_column(String(512))
    file_name: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None]
    link: Mapped[str | None] = mapped_column(String(2048))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    provider: Mapped[Provider] = relationship()
    offerings: Mapped[list["StoreOffering"]] = relationship(
        secondary=offering_assets, back_populates="assets", order_by=offering_assets.c.id
    )

    __table_args__ = (UniqueConstraint("provider_id", "name"),)

    @property
    def state(self) -> AssetState:
        # `used` is derived from the bindings, as WStore does, so it can never go stale.
        if self.is_deleted:
            return AssetState.DELETED
        return AssetState.USED if self.offerings else AssetState.CREATED


class StoreOffering(Base):
    """What the store adds to an offer: version, media, legal terms, USDL, rating."""

    __tablename__ = "store_offerings"

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True
    )
    # The offer's service, kept here so versions are unique per offering name.
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(32))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    image_key: Mapped[str | None] = mapped_column(String(512))
    screenshot_keys: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    notification: Mapped[NotificationTarget] = mapped_column(
        str_enum(NotificationTarget), default=NotificationTarget.NONE
    )
    notification_url: Mapped[str] = mapped_column(String(2048), default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    # {"title": ..., "text": ...} or None.
    legal: Mapped[dict[str, str] | None] = mapped_column(JSONDocument)
    price_plans: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    # The keys of WStore's ``offering_description`` that Mercato has no column for, kept as
    # the client sent them (WStore stores the object as is); ``base_id`` while it shows.
    description_extra: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # Where the USDL came from, when it was given as a URL.
    description_url: Mapped[str] = mapped_column(String(2048), default="")
    # Every literal of the offering's USDL, for keyword search.
    usdl_text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[float] = mapped_column(default=0.0)
    published_at: Mapped[datetime | None]

    offer: Mapped[Offer] = relationship(lazy="joined", innerjoin=True)
    service: Mapped[Service] = relationship()
    owner: Mapped[User | None] = relationship()
    assets: Mapped[list[Asset]] = relationship(
        secondary=offering_assets, back_populates="offerings", order_by=offering_assets.c.id
    )
    # Newest first, as WStore lists them.
    reviews: Mapped[list["Review"]] = relationship(
        order_by="Review.id.desc()", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("service_id", "version"),)

    @property
    def state(self) -> OfferingState:
        return OFFERING_STATE_OF_STATUS[self.offer.status]

    @property
    def is_open(self) -> bool:
        return self.offer.order_type in OPEN_ORDER_TYPES


class Review(Base):
    """A customer's 0-5 star review of an offering, with at most one provider reply."""

    __tablename__ = "store_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("store_offerings.offer_id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rating: Mapped[int]
    title: Mapped[str] = mapped_column(String(60))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reply_title: Mapped[str] = mapped_column(String(60), default="")
    reply_text: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reply_user: Mapped[User | None] = relationship(foreign_keys=[reply_user_id])

    __table_args__ = (UniqueConstraint("offer_id", "user_id"),)


class ProviderStoreSettings(Base):
    """A provider's store defaults: the notification URL offerings may take as theirs."""

    __tablename__ = "store_provider_settings"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True
    )
    notification_url: Mapped[str] = mapped_column(String(2048), default="")
