"""Purchases as a data set keeps them, written back: contracts with their charges and
payments, invoices as issued (their PDFs made again from the snapshot), buyers' tax
addresses and contracting forms not used yet. Checked as far as a record can be
wrong; what a purchase did when made (events, notifications) is not done again."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.commerce.contracting_forms import form_id, is_redirect_uri
from mercato.commerce.contracts import TaxAddressData, check_tax_address, keep_tax_address
from mercato.commerce.invoice_models import Invoice, InvoiceLine, InvoiceSeries, RenderStatus
from mercato.commerce.invoices import invoice_number, note_new_invoices
from mercato.commerce.models import (
    Contract,
    ContractCharge,
    ContractingForm,
    Payment,
    PaymentStatus,
)
from mercato.errors import Conflict, Invalid
from mercato.ordering.models import Order
from mercato.store.models import StoreOffering


def restore_tax_address(session: Session, user: User, address: TaxAddressData) -> None:
    keep_tax_address(session, user, check_tax_address(address))


def restore_contract(
    session: Session,
    order: Order,
    customer: User,
    contract: Contract,
    charges: list[ContractCharge],
    payments: list[Payment],
) -> Contract:
    """The purchase ``contract`` (its fields set, no ids) of ``order``, by the owner of
    the order's project, with its charges and payments."""
    if order.project.owner_id != customer.id:
        raise Invalid.field("customer", "must be the owner of the order's project")
    if session.get(StoreOffering, order.offer_id) is None:
        raise Invalid.field("order", "is not an order of a store offering")
    if session.scalar(select(Contract.id).where(Contract.order_id == order.id)) is not None:
        raise Conflict.field("order", "already has a purchase")
    if session.scalar(select(Contract.id).where(Contract.ref == contract.ref)) is not None:
        raise Conflict.field("ref", "is already the reference of a purchase")
    pending = [p for p in payments if p.status == PaymentStatus.PENDING]
    if len(pending) > 1:
        raise Invalid.field("payments", "at most one may be pending")
    contract.order_id, contract.offer_id, contract.customer_id = (
        order.id,
        order.offer_id,
        customer.id,
    )
    contract.charges, contract.payments = charges, payments
    session.add(contract)
    session.flush()
    return contract


def restore_invoice(
    session: Session, seller: Provider, buyer: User, contract: Contract, fields: dict[str, Any]
) -> Invoice:
    """The invoice as issued, under its number; the seller's series moves past it and
    the PDF is queued to be made again."""
    number = invoice_number(seller.slug, fields["year"], fields["sequence"])
    if fields["number"] != number:
        raise Invalid.field("number", f"must be {number}: the seller's slug, year and sequence")
    if session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        raise Conflict.field("number", "is already the number of an invoice")
    lines = [InvoiceLine(position=i, **line) for i, line in enumerate(fields.pop("lines"))]
    invoice = Invoice(
        **fields,
        seller_id=seller.id,
        buyer_id=buyer.id,
        order_id=contract.id,
        reference=contract.ref,
        status=RenderStatus.PENDING,
        lines=lines,
    )
    session.add(invoice)
    series = session.get(InvoiceSeries, (seller.id, invoice.year))
    if series is None:
        session.add(InvoiceSeries(seller_id=seller.id, year=invoice.year, last_number=0))
        session.flush()
        series = session.get_one(InvoiceSeries, (seller.id, invoice.year))
    series.last_number = max(series.last_number, invoice.sequence)
    session.flush()
    note_new_invoices(session, 1)
    return invoice


@dataclass(frozen=True)
class PastForm:
    redirect_uri: str
    created_at: datetime


def restore_form(session: Session, user: User, offering_id: int, past: PastForm) -> ContractingForm:
    """The form, under the ID its (new) offering and user ids give."""
    if not is_redirect_uri(past.redirect_uri):
        raise Invalid.field("redirect_uri", "must be an absolute http(s) URL")
    if session.get(StoreOffering, offering_id) is None:
        raise Invalid.field("offering", "names an offer that is not a store offering")
    form = ContractingForm(
        id=form_id(offering_id, user.id),
        user_id=user.id,
        offering_id=offering_id,
        redirect_uri=past.redirect_uri,
        created_at=past.created_at,
    )
    session.add(form)
    session.flush()
    return form
