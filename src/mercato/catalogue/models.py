"""Catalogue tables."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.accounts.models import Provider, User, oms_administrators
from mercato.db import Base, JSONDocument, str_enum, utcnow


class OmsType(enum.StrEnum):
    GLOBAL = "global"
    PROVIDER_GROUP = "provider_group"
    RESOURCE_DEDICATED = "resource_dedicated"


class TriggerMethod(enum.StrEnum):
    GET = "get"
    POST = "post"
    PUT = "put"


class OrderType(enum.StrEnum):
    OPEN_ACCESS = "open_access"
    FULLY_OPEN_ACCESS = "fully_open_access"
    ORDER_REQUIRED = "order_required"
    OTHER = "other"


class ServiceStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DELETED = "deleted"


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DELETED = "deleted"


class BundleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class OfferCategory(enum.StrEnum):
    COMPUTE = "service_category-compute"
    DATA_SOURCE = "service_category-data_source"
    STORAGE = "service_category-storage"
    TRAINING = "service_category-training"
    OTHER = "service_category-other"


service_categories = Table(
    "service_categories",
    Base.metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)

service_scientific_domains = Table(
    "service_scientific_domains",
    Base.metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "scientific_domain_id",
        ForeignKey("scientific_domains.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Term:
    """A term of one of the catalogue's vocabularies, found by its name or slug."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


class Category(Term, Base):
    __tablename__ = "categories"


class ScientificDomain(Term, Base):
    __tablename__ = "scientific_domains"


class Service(Base):
    """What a provider publishes in the catalogue (EOSC: resource)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    # Persistent identifier from an external catalogue (EOSC: eid).
    pid: Mapped[str | None] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    tagline: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    webpage: Mapped[str] = mapped_column(String(2048), default="")
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    order_type: Mapped[OrderType] = mapped_column(str_enum(OrderType))
    status: Mapped[ServiceStatus] = mapped_column(
        str_enum(ServiceStatus), default=ServiceStatus.PUBLISHED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    provider: Mapped[Provider] = relationship()
    categories: Mapped[list[Category]] = relationship(
        secondary=service_categories, order_by=Category.name
    )
    scientific_domains: Mapped[list[ScientificDomain]] = relationship(
        secondary=service_scientific_domains, order_by=ScientificDomain.name
    )
    offers: Mapped[list["Offer"]] = relationship(back_populates="service", order_by="Offer.iid")


oms_providers = Table(
    "oms_providers",
    Base.metadata,
    Column("oms_id", ForeignKey("omses.id", ondelete="CASCADE"), primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True),
)


class Oms(Base):
    """An order-management system that handles the orders of some offers."""

    __tablename__ = "omses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[OmsType] = mapped_column(str_enum(OmsType))
    is_default: Mapped[bool] = mapped_column(default=False)
    # name -> {"mandatory": false} | {"mandatory": true, "default": "<string>"}
    custom_params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    trigger_url: Mapped[str] = mapped_column(String(2048), default="")
    trigger_method: Mapped[TriggerMethod] = mapped_column(
        str_enum(TriggerMethod), default=TriggerMethod.POST
    )
    # Kept readable: the Ordering API shows it to the OMS's administrators and
    # the trigger sends it, exactly as the EOSC Marketplace does.
    trigger_user: Mapped[str] = mapped_column(String(255), default="")
    trigger_password: Mapped[str] = mapped_column(String(255), default="")
    # Signs the trigger calls (Standard Webhooks) when set; kept readable, since
    # signing needs it, and shown to the admins only once, when generated.
    signing_secret: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    administrators: Mapped[list[User]] = relationship(
        secondary=oms_administrators, order_by=User.id
    )
    providers: Mapped[list[Provider]] = relationship(secondary=oms_providers, order_by=Provider.id)
    service: Mapped[Service | None] = relationship()

    __table_args__ = (
        # The operations team's OMS is unique: at most one row may be the default.
        Index(
            "uq_omses_single_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    @property
    def has_trigger(self) -> bool:
        return bool(self.trigger_url)

    @property
    def signs_triggers(self) -> bool:
        return bool(self.signing_secret)


class Offer(Base):
    """A way to get a service: its terms, ordering path and technical parameters."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    # Per-service sequence; what the EOSC API calls the offer's id.
    iid: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    order_type: Mapped[OrderType] = mapped_column(str_enum(OrderType))
    internal: Mapped[bool] = mapped_column(default=False)
    order_url: Mapped[str] = mapped_column(String(2048), default="")
    primary_oms_id: Mapped[int | None] = mapped_column(ForeignKey("omses.id", ondelete="SET NULL"))
    oms_params: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)
    offer_category: Mapped[OfferCategory | None] = mapped_column(str_enum(OfferCategory))
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    bundle_exclusive: Mapped[bool] = mapped_column(default=False)
    status: Mapped[OfferStatus] = mapped_column(
        str_enum(OfferStatus), default=OfferStatus.PUBLISHED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship(back_populates="offers")
    primary_oms: Mapped[Oms | None] = relationship()

    __table_args__ = (UniqueConstraint("service_id", "iid"),)

    @property
    def is_published(self) -> bool:
        return self.status == OfferStatus.PUBLISHED


class BundleGoal(Term, Base):
    """What a bundle helps to do (EOSC vocabulary ``Vocabulary::BundleGoal``)."""

    __tablename__ = "bundle_goals"


class CapabilityOfGoal(Term, Base):
    """What a bundle's research product can do (``Vocabulary::BundleCapabilityOfGoal``)."""

    __tablename__ = "capabilities_of_goals"


class TargetUser(Term, Base):
    """Who a bundle is meant for (EOSC vocabulary ``target_user``)."""

    __tablename__ = "target_users"


class MarketplaceLocation(Term, Base):
    """Where in the marketplace a bundle is shown (``Vocabulary::MarketplaceLocation``)."""

    __tablename__ = "marketplace_locations"


def _bundle_link(name: str, column: str, target: str) -> Table:
    """A bundle's choices of one vocabulary."""
    return Table(
        name,
        Base.metadata,
        Column("bundle_id", ForeignKey("bundles.id", ondelete="CASCADE"), primary_key=True),
        Column(column, ForeignKey(f"{target}.id", ondelete="CASCADE"), primary_key=True),
    )


bundle_categories = _bundle_link("bundle_categories", "category_id", "categories")
bundle_scientific_domains = _bundle_link(
    "bundle_scientific_domains", "scientific_domain_id", "scientific_domains"
)
bundle_bundle_goals = _bundle_link("bundle_bundle_goals", "bundle_goal_id", "bundle_goals")
bundle_capabilities_of_goals = _bundle_link(
    "bundle_capabilities_of_goals", "capability_of_goal_id", "capabilities_of_goals"
)
bundle_target_users = _bundle_link("bundle_target_users", "target_user_id", "target_users")
bundle_marketplace_locations = _bundle_link(
    "bundle_marketplace_locations", "marketplace_location_id", "marketplace_locations"
)


class BundleOffer(Base):
    """An offer inside a bundle; ``position`` keeps the order the bundle lists them in."""

    __tablename__ = "bundle_offers"

    bundle_id: Mapped[int] = mapped_column(
        ForeignKey("bundles.id", ondelete="CASCADE"), primary_key=True
    )
    # Deleting an offer takes it out of its bundles first (catalogue.bundles.unbundle).
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), primary_key=True, index=True)
    position: Mapped[int]

    offer: Mapped[Offer] = relationship()


class Bundle(Base):
    """Offers of one or more services ordered together, fronted by a main offer."""

    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    # Per-service sequence, like an offer's; the EOSC API shows the global id.
    iid: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    order_type: Mapped[OrderType] = mapped_column(str_enum(OrderType))
    # Never cascades: an offer that fronts bundles is never removed (catalogue.bundles).
    main_offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    status: Mapped[BundleStatus] = mapped_column(
        str_enum(BundleStatus), default=BundleStatus.PUBLISHED
    )
    helpdesk_url: Mapped[str] = mapped_column(String(2048), default="")
    contact_email: Mapped[str] = mapped_column(String(255), default="")
    related_training: Mapped[bool] = mapped_column(default=False)
    related_training_url: Mapped[str] = mapped_column(String(2048), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship()
    main_offer: Mapped[Offer] = relationship()
    bundle_offers: Mapped[list[BundleOffer]] = relationship(
        order_by=BundleOffer.position, cascade="all, delete-orphan"
    )
    categories: Mapped[list[Category]] = relationship(
        secondary=bundle_categories, order_by=Category.name
    )
    scientific_domains: Mapped[list[ScientificDomain]] = relationship(
        secondary=bundle_scientific_domains, order_by=ScientificDomain.name
    )
    bundle_goals: Mapped[list[BundleGoal]] = relationship(
        secondary=bundle_bundle_goals, order_by=BundleGoal.name
    )
    capabilities_of_goals: Mapped[list[CapabilityOfGoal]] = relationship(
        secondary=bundle_capabilities_of_goals, order_by=CapabilityOfGoal.name
    )
    target_users: Mapped[list[TargetUser]] = relationship(
        secondary=bundle_target_users, order_by=TargetUser.name
    )
    marketplace_locations: Mapped[list[MarketplaceLocation]] = relationship(
        secondary=bundle_marketplace_locations, order_by=MarketplaceLocation.name
    )

    __table_args__ = (UniqueConstraint("service_id", "iid"),)

    @property
    def offers(self) -> list[Offer]:
        return [entry.offer for entry in self.bundle_offers]

    @property
    def is_published(self) -> bool:
        return self.status == BundleStatus.PUBLISHED
