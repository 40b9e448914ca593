"""Invoices: a snapshot of each charge as billed, numbered per seller, and its PDF's state.

Kept apart from the registries in ``commerce.models``: nothing here is edited once
issued, except the PDF's render state.
"""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mercato.commerce.models import ExactDecimal
from mercato.db import Base, JSONDocument, str_enum, utcnow


class RenderStatus(enum.StrEnum):
    """Where an invoice's PDF is: queued or retrying, stored, or given up on."""

    PENDING = "pending"
    RENDERED = "rendered"
    FAILED = "failed"


class InvoiceSeries(Base):
    """A seller's invoice counter for one year: the last number it gave.

    Incremented in the transaction that issues the invoice, so a purchase that rolls
    back gives its number back, and concurrent purchases wait for each other's row.
    """

    __tablename__ = "invoice_series"

    seller_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int]


class Invoice(Base):
    """One charge as invoiced (store-ge.md §7): every name and amount copied when issued."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("seller_id", "year", "sequence"),
        Index("ix_invoices_render_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # <seller slug>-<year>-<sequence, six digits>: what buyers and sellers quote.
    number: Mapped[str] = mapped_column(String(300), unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    year: Mapped[int]
    sequence: Mapped[int]
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The purchase the charge belongs to, as the acquiring flow identifies it.
    order_id: Mapped[int] = mapped_column(index=True)
    reference: Mapped[str] = mapped_column(String(255))
    concept: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime]

    seller_name: Mapped[str] = mapped_column(String(255))
    buyer_organization: Mapped[str] = mapped_column(String(255))
    buyer_name: Mapped[str] = mapped_column(String(255))
    tax_street: Mapped[str] = mapped_column(String(255))
    tax_postal: Mapped[str] = mapped_column(String(64))
    tax_city: Mapped[str] = mapped_column(String(255))
    tax_country: Mapped[str] = mapped_column(String(255))
    offering_organization: Mapped[str] = mapped_column(String(255))
    offering_name: Mapped[str] = mapped_column(String(255))
    offering_version: Mapped[str] = mapped_column(String(64))
    # [[name, description], ...] in the offering's order.
    resources: Mapped[list[Any]] = mapped_column(JSONDocument)

    currency: Mapped[str] = mapped_column(String(32))
    minor_unit: Mapped[int]
    duty_free: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax: Mapped[Decimal] = mapped_column(ExactDecimal)
    total: Mapped[Decimal] = mapped_column(ExactDecimal)

    # The PDF: rendered by a worker after the purchase commits (an outbox row).
    status: Mapped[RenderStatus] = mapped_column(
        str_enum(RenderStatus), default=RenderStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    rendered_at: Mapped[datetime | None]
    pdf_key: Mapped[str | None] = mapped_column(String(1024))

    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )


class InvoiceLine(Base):
    """One charged part of an invoice, with what its table shows (§7)."""

    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    # A charges.PartKind value: single payment, subscription, pay per use, deduction.
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(255))
    # The unit, or "price function" for a function.
    unit: Mapped[str] = mapped_column(String(255), default="")
    # The unit price as the plan wrote it, or the function's text.
    unit_value: Mapped[str] = mapped_column(Text, default="")
    use: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    price: Mapped[Decimal] = mapped_column(ExactDecimal)
    renewal_date: Mapped[datetime | None]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
