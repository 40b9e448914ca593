"""The registries that selling needs (currencies, price units, tax rates per country),
what selling records (buyers' tax addresses, contracts, their charges and payments) and
the outbox of purchase notifications to providers."""

import enum
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Dialect, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from mercato.accounts.models import Provider, User
from mercato.catalogue.models import Offer
from mercato.db import Base, JSONDocument, str_enum, utcnow
from mercato.ordering.models import AttemptRecord, BigId, Order, OutboxRow


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal kept as its text, so SQLite (which has no decimal type) loses no digit."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class PricingModel(enum.StrEnum):
    """How a price unit charges (WStore: a unit's ``defined_model``)."""

    SINGLE_PAYMENT = "single payment"
    SUBSCRIPTION = "subscription"
    PAY_PER_USE = "pay per use"


class Currency(Base):
    """A currency prices may be given in. Exactly one is the default once any exists."""

    __tablename__ = "currencies"
    __table_args__ = (
        # At most one default, whatever races between two admins.
        Index(
            "uq_currencies_is_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
        CheckConstraint("minor_unit BETWEEN 0 AND 6", name="minor_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # As registered: WStore keeps the code as sent (`usd` stays lower case).
    code: Mapped[str] = mapped_column(String(32))
    # The code lower-cased: WStore compares codes case-insensitively, so `usd` and `USD`
    # are one currency.
    folded_code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    # Digits after the decimal point of the smallest coin: 2 for EUR, 0 for JPY.
    minor_unit: Mapped[int] = mapped_column(default=2)
    is_default: Mapped[bool] = mapped_column(default=False)


class PriceUnit(Base):
    """A unit price components are given in (WStore: Unit), e.g. ``per month``."""

    __tablename__ = "price_units"
    __table_args__ = (
        CheckConstraint(
            "model != 'subscription' OR renewal_days > 0", name="subscription_has_period"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique as given (WStore's duplicate check is case-sensitive); plans match it lower-cased.
    name: Mapped[str] = mapped_column(String(255), unique=True)
    model: Mapped[PricingModel] = mapped_column(str_enum(PricingModel))
    # Days a subscription period lasts; only subscriptions have one.
    renewal_days: Mapped[int | None]


class TaxRate(Base):
    """The tax charged to buyers whose tax address is in a country."""

    __tablename__ = "tax_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # ISO 3166-1 alpha-2, upper case.
    country: Mapped[str] = mapped_column(String(2), unique=True)
    # Percent of the duty-free amount, e.g. 21 or 7.7.
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    # What invoices call it (VAT, GST, sales tax).
    label: Mapped[str] = mapped_column(String(64), default="VAT")


# --- purchases: contracts, their charges and payments --------------------------------


class ContractState(enum.StrEnum):
    """A purchase's state (WStore: ``pending|paid``; a rolled-back one is kept, cancelled)."""

    PENDING = "pending payment"
    PAID = "paid"
    CANCELLED = "cancelled"
    # A renewal overdue past the grace period: no downloads until renewed.
    SUSPENDED = "suspended"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SETTLED = "settled"
    # Offline: the purchase goes ahead and the transfer is awaited.
    DUE = "due"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class TaxAddress(Base):
    """The address a buyer is taxed at, reused by their next purchase."""

    __tablename__ = "tax_addresses"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    street: Mapped[str] = mapped_column(String(255))
    postal: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(255))
    # ISO 3166-1 alpha-2, upper case.
    country: Mapped[str] = mapped_column(String(2))


class Contract(Base):
    """A purchase: the order it made and the plan bought, as it was when bought
    (store-ge.md §5.3), so later changes of the offering or the registries do not
    change what the buyer pays."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # WStore's purchase reference: opaque, 24 hex digits, what URLs name.
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[ContractState] = mapped_column(str_enum(ContractState))
    plan_label: Mapped[str] = mapped_column(String(255))
    plan_title: Mapped[str] = mapped_column(String(255), default="")
    # The bought plan's price_components and deductions, as written.
    components: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    currency: Mapped[str] = mapped_column(String(32))
    minor_unit: Mapped[int]
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_label: Mapped[str] = mapped_column(String(64))
    # {street, postal, city, country} at purchase time.
    tax_address: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    # Each subscription component's next renewal, ISO 8601, in the plan's order.
    renewal_dates: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    # The earliest of renewal_dates, for the worker's indexed sweep; claimed (cleared)
    # by the one sweep that renews the contract.
    next_renewal_at: Mapped[datetime | None] = mapped_column(index=True)
    # The renewal date the customer was last reminded of (once per date).
    reminded_for: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()
    offer: Mapped[Offer] = relationship()
    customer: Mapped[User] = relationship()
    charges: Mapped[list["ContractCharge"]] = relationship(
        order_by="ContractCharge.id", cascade="all, delete-orphan", passive_deletes=True
    )
    payments: Mapped[list["Payment"]] = relationship(
        order_by="Payment.id", cascade="all, delete-orphan", passive_deletes=True
    )


class ContractCharge(Base):
    """A charge made: recorded once its payment went through (WStore's ``charges``)."""

    __tablename__ = "contract_charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    concept: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(32))
    duty_free: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax: Mapped[Decimal] = mapped_column(ExactDecimal)
    total: Mapped[Decimal] = mapped_column(ExactDecimal)
    # The charge's lines: [{kind, label, price}].
    parts: Mapped[list[dict[str, str]]] = mapped_column(JSONDocument, default=list)
    charged_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payment(Base):
    """A payment asked of a gateway for a charge. No card data is ever stored: gateways
    that take cards take them on their own pages."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    gateway: Mapped[str] = mapped_column(String(32))
    # The gateway's own id of the payment (PayPal: its order id).
    gateway_ref: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus), index=True)
    currency: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    # The charge this payment pays, recorded on the contract once it is settled.
    charge: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A pending redirect payment not approved by then is rolled back.
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    settled_at: Mapped[datetime | None]


class PurchaseNotification(OutboxRow, Base):
    """The call owed to a provider's notification URL after a purchase (the outbox row).

    One per purchase reference: the URL and the body are fixed when the purchase is
    made, so every attempt and redelivery sends the same message.
    """

    __tablename__ = "purchase_notifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    # The JSON text sent, byte for byte (the signature covers these bytes).
    body: Mapped[str] = mapped_column(Text)

    provider: Mapped[Provider] = relationship()
    attempt_log: Mapped[list["PurchaseNotificationAttempt"]] = relationship(
        back_populates="notification",
        order_by="PurchaseNotificationAttempt.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (Index("ix_purchase_notifications_due", "status", "next_attempt_at"),)

    @property
    def document(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class PurchaseNotificationAttempt(AttemptRecord, Base):
    """One HTTP call of a purchase notification, as the provider sees it in the log."""

    __tablename__ = "purchase_notification_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("purchase_notifications.id", ondelete="CASCADE"), index=True
    )

    notification: Mapped[PurchaseNotification] = relationship(back_populates="attempt_log")


class ContractingForm(Base):
    """A purchase started with ``POST /api/contracting/form`` (WStore's ``user_refs``):
    where the buyer goes back once it is done; consumed by that purchase."""

    __tablename__ = "contracting_forms"

    # WStore's token: offering id + user id, 24 hex digits each.
    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    offering_id: Mapped[int] = mapped_column(
        ForeignKey("store_offerings.offer_id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
