"""Revenue sharing tables (store-ge.md §10, §15.5): the sharing model of each revenue
class, its stakeholders, the WStore-compatible RSS registration, and the revenue
records that split every charge between the parties."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.accounts.models import Provider, User
from mercato.commerce.models import ExactDecimal
from mercato.db import Base, JSONDocument, str_enum, utcnow


class RevenueClass(enum.StrEnum):
    """An offering's revenue class (store-ge.md §5.2), WStore's spelling."""

    SINGLE_PAYMENT = "single-payment"
    SUBSCRIPTION = "subscription"
    USE = "use"


class PartyKind(enum.StrEnum):
    """Who a revenue record pays: the store (WStore: the aggregator), the provider who
    sold, or a stakeholder of the class's model."""

    AGGREGATOR = "aggregator"
    PROVIDER = "provider"
    STAKEHOLDER = "stakeholder"


class RevenueModel(Base):
    """The store's share of a revenue class; the provider gets what the aggregator and
    the stakeholders leave. A class without a row uses WStore's default share."""

    __tablename__ = "revenue_models"

    revenue_class: Mapped[RevenueClass] = mapped_column(str_enum(RevenueClass), primary_key=True)
    # Percent of each charge kept by the aggregator, two decimals (WStore: decimal 5,2);
    # the rules keep it within 0-100 (a text column: no numeric check in the database).
    percentage: Mapped[Decimal] = mapped_column(ExactDecimal)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    stakeholders: Mapped[list["RevenueStakeholder"]] = relationship(
        order_by="RevenueStakeholder.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="model",
    )


class RevenueStakeholder(Base):
    """Another party of a class's model (BAE's ``stakeholders``): a provider, a user or
    an organisation known only by its name, with its percent of each charge."""

    __tablename__ = "revenue_stakeholders"
    __table_args__ = (
        # Exactly one way of naming the party.
        CheckConstraint(
            "(CASE WHEN provider_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN organisation = '' THEN 0 ELSE 1 END) = 1",
            name="one_party",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revenue_class: Mapped[RevenueClass] = mapped_column(
        str_enum(RevenueClass),
        ForeignKey("revenue_models.revenue_class", ondelete="CASCADE"),
        index=True,
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(255), default="")
    share: Mapped[Decimal] = mapped_column(ExactDecimal)

    model: Mapped[RevenueModel] = relationship(back_populates="stakeholders")
    provider: Mapped[Provider | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def party_name(self) -> str:
        if self.provider is not None:
            return self.provider.name
        if self.user is not None:
            return self.user.name or self.user.email
        return self.organisation


class RssRegistration(Base):
    """The RSS registered through WStore's admin API (at most one, as in WStore). Mercato
    shares revenue itself; the registration keeps what WStore clients send and read."""

    __tablename__ = "rss_registrations"
    __table_args__ = (CheckConstraint("slot = 1", name="one_rss"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always 1, unique: a second registration fails in the database, whatever the race.
    slot: Mapped[int] = mapped_column(default=1, unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    host: Mapped[str] = mapped_column(String(2048))
    api_version: Mapped[int]
    # WStore's expenditure limits: {currency, perTransaction, daily, weekly, monthly}.
    limits: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevenueRecord(Base):
    """One party's part of one charge. The records of a charge add up exactly to its
    duty-free amount, its tax and its total."""

    __tablename__ = "revenue_records"
    __table_args__ = (Index("ix_revenue_records_charged_at_provider", "charged_at", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    # The provider who sold: what settlements per provider select on.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    revenue_class: Mapped[RevenueClass] = mapped_column(str_enum(RevenueClass))
    concept: Mapped[str] = mapped_column(String(32))
    party_kind: Mapped[PartyKind] = mapped_column(str_enum(PartyKind))
    # The party paid: a provider (the seller or a stakeholder), a user, or neither (the
    # aggregator, an organisation); its name as it was when charged.
    party_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL")
    )
    party_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    party_name: Mapped[str] = mapped_column(String(255))
    # The party's percent of the charge under the model in force when charged.
    percentage: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(32))
    duty_free: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax: Mapped[Decimal] = mapped_column(ExactDecimal)
    total: Mapped[Decimal] = mapped_column(ExactDecimal)
    charged_at: Mapped[datetime] = mapped_column(default=utcnow)
