"""Usage records, expenditure limits and the notices of charges a limit stopped."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.commerce.models import ExactDecimal
from mercato.db import Base, JSONDocument, str_enum, utcnow
from mercato.ordering.models import BigId


class UsageRecord(Base):
    """One use of a purchase (WStore: an SDR), pending until a charge rates it.

    ``transaction_id`` is the meter's own id of the record: the unique constraint makes a
    record sent twice (a retry, two identical batches at once) one record, charged once.
    """

    __tablename__ = "usage_records"
    __table_args__ = (
        UniqueConstraint("contract_id", "transaction_id", name="uq_usage_records_transaction"),
        # WStore's SDRs number 1, 2, 3… per purchase; batch records have none.
        UniqueConstraint("contract_id", "correlation_number", name="uq_usage_records_correlation"),
        # A contract's pending records, oldest first: charging and the sweep.
        Index("ix_usage_records_pending", "contract_id", "charged_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    transaction_id: Mapped[str] = mapped_column(String(128))
    # Basic components match the unit (case-insensitively), price functions the label.
    unit: Mapped[str] = mapped_column(String(255), default="")
    component_label: Mapped[str] = mapped_column(String(255), default="")
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    # When the use happened, as the meter says.
    time_stamp: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    correlation_number: Mapped[int | None]
    # An SDR as posted (WStore's GET answers every key as posted); None for batches.
    sdr: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    # Set, with the charge that rated it, in the transaction that records the charge.
    charged_at: Mapped[datetime | None]
    charge_id: Mapped[int | None] = mapped_column(
        ForeignKey("contract_charges.id", ondelete="SET NULL")
    )


class LimitPeriod(enum.StrEnum):
    """What an expenditure limit caps: one charge, or the charges of a calendar period (UTC)."""

    TRANSACTION = "transaction"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class ExpenditureLimit(Base):
    """The most a customer may be charged per transaction or period, in one currency.

    Held per customer user; ``user_id`` is the holder column so that an organisation
    holder can be added beside it (a nullable ``organization_id`` and a check that one
    of the two is set) when Mercato gets organisations.
    """

    __tablename__ = "expenditure_limits"
    __table_args__ = (
        UniqueConstraint("user_id", "period", "currency", name="uq_expenditure_limits_holder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[LimitPeriod] = mapped_column(str_enum(LimitPeriod))
    currency: Mapped[str] = mapped_column(String(32))
    max_amount: Mapped[Decimal] = mapped_column(ExactDecimal)


class StoppedCharge(Base):
    """The last charge of a purchase that an expenditure limit stopped, so the customer
    is told once a day, not at every sweep."""

    __tablename__ = "stopped_charges"

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(Text)
    notified_at: Mapped[datetime]
