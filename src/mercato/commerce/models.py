"""The registries that selling needs: currencies, price units and tax rates per country."""

import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, Dialect, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from mercato.db import Base, str_enum


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
