"""Purchases in a data set: buyers' tax addresses, contracts (with their charges and
payments), invoices and contracting forms not used yet; made through
``commerce.restoring`` and dumped back.

A contract keeps its purchase reference and an invoice its number, since buyers and
sellers quote them; an invoice's PDF is not in the data set but made again from the
invoice (the worker renders it after the load).
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from mercato.accounts.models import Provider, User
from mercato.commerce.contracts import TaxAddressData
from mercato.commerce.invoice_models import Invoice
from mercato.commerce.models import (
    Contract,
    ContractCharge,
    ContractingForm,
    Payment,
    TaxAddress,
)
from mercato.commerce.restoring import (
    PastForm,
    restore_contract,
    restore_form,
    restore_invoice,
    restore_tax_address,
)
from mercato.datasets.context import DUMP_BATCH, Loading
from mercato.datasets.names import offer_ref, order_ref
from mercato.datasets.schema import (
    ChargeRecord,
    ContractingFormRecord,
    ContractRecord,
    InvoiceLineRecord,
    InvoiceRecord,
    PaymentRecord,
    TaxAddressRecord,
)
from mercato.ordering.models import Order
from mercato.store.models import StoreOffering


def load_tax_addresses(loading: Loading, records: list[TaxAddressRecord]) -> None:
    loading.each("tax_addresses", records, lambda r: _load_tax_address(loading, r), "user")


def _load_tax_address(loading: Loading, record: TaxAddressRecord) -> None:
    user = loading.find("users", record.user, "user")
    address = TaxAddressData(record.street, record.postal, record.city, record.country)
    restore_tax_address(loading.session, user, address)


def load_contracts(loading: Loading, records: list[ContractRecord]) -> None:
    loading.each("contracts", records, lambda record: _load_contract(loading, record))


def _load_contract(loading: Loading, record: ContractRecord) -> Contract:
    order: Order = loading.find("orders", record.order, "order")
    customer: User = loading.find("users", record.customer, "customer")
    contract = Contract(
        ref=record.ref,
        **record.model_dump(
            include={
                "state",
                "plan_label",
                "plan_title",
                "components",
                "currency",
                "minor_unit",
                "tax_rate",
                "tax_label",
                "tax_address",
                "next_renewal_at",
                "reminded_for",
                "created_at",
                "paid_at",
            }
        ),
        renewal_dates=[due.isoformat() for due in record.renewal_dates],
    )
    charges = [ContractCharge(**charge.model_dump()) for charge in record.charges]
    payments = [Payment(**payment.model_dump()) for payment in record.payments]
    return restore_contract(loading.session, order, customer, contract, charges, payments)


def load_invoices(loading: Loading, records: list[InvoiceRecord]) -> None:
    loading.each("invoices", records, lambda r: _load_invoice(loading, r), named_by="number")


def _load_invoice(loading: Loading, record: InvoiceRecord) -> Invoice:
    seller: Provider = loading.find("providers", record.seller, "seller")
    buyer: User = loading.find("users", record.buyer, "buyer")
    contract: Contract = loading.find("contracts", record.purchase, "purchase")
    fields = record.model_dump(exclude={"seller", "buyer", "purchase"})
    return restore_invoice(loading.session, seller, buyer, contract, fields)


def load_contracting_forms(loading: Loading, records: list[ContractingFormRecord]) -> None:
    loading.each("contracting_forms", records, lambda r: _load_form(loading, r), "user")


def _load_form(loading: Loading, record: ContractingFormRecord) -> ContractingForm:
    user: User = loading.find("users", record.user, "user")
    offer_id = loading.find("offers", record.offering, "offering")
    past = PastForm(record.redirect_uri, record.created_at)
    return restore_form(loading.session, user, offer_id, past)


# --- dumping ------------------------------------------------------------------------------


def dump_tax_addresses(session: Session) -> Iterator[TaxAddressRecord]:
    rows = session.execute(
        select(TaxAddress, User.email)
        .join(User, User.id == TaxAddress.user_id)
        .order_by(TaxAddress.user_id)
        .execution_options(yield_per=DUMP_BATCH)
    )
    for address, email in rows:
        yield TaxAddressRecord(
            user=email,
            street=address.street,
            postal=address.postal,
            city=address.city,
            country=address.country,
        )


def dump_contracts(session: Session) -> Iterator[ContractRecord]:
    contracts = session.scalars(
        select(Contract)
        .order_by(Contract.id)
        .options(
            joinedload(Contract.order),
            joinedload(Contract.customer),
            selectinload(Contract.charges),
            selectinload(Contract.payments),
        )
        .execution_options(yield_per=DUMP_BATCH)
    )
    for contract in contracts:
        yield ContractRecord(
            ref=contract.ref,
            order=order_ref(contract.order.project_id, contract.order.iid),
            customer=contract.customer.email,
            state=contract.state,
            plan_label=contract.plan_label,
            plan_title=contract.plan_title,
            components=contract.components,
            currency=contract.currency,
            minor_unit=contract.minor_unit,
            tax_rate=contract.tax_rate,
            tax_label=contract.tax_label,
            tax_address=contract.tax_address,
            renewal_dates=[datetime.fromisoformat(due) for due in contract.renewal_dates],
            next_renewal_at=contract.next_renewal_at,
            reminded_for=contract.reminded_for,
            created_at=contract.created_at,
            paid_at=contract.paid_at,
            charges=[_charge(charge) for charge in contract.charges],
            payments=[_payment(payment) for payment in contract.payments],
        )


def _charge(charge: ContractCharge) -> ChargeRecord:
    return ChargeRecord(
        concept=charge.concept,
        currency=charge.currency,
        duty_free=charge.duty_free,
        tax=charge.tax,
        total=charge.total,
        parts=charge.parts,
        charged_at=charge.charged_at,
    )


def _payment(payment: Payment) -> PaymentRecord:
    return PaymentRecord(
        gateway=payment.gateway,
        gateway_ref=payment.gateway_ref,
        status=payment.status,
        currency=payment.currency,
        amount=payment.amount,
        charge=payment.charge,
        created_at=payment.created_at,
        expires_at=payment.expires_at,
        settled_at=payment.settled_at,
    )


_INVOICE_FIELDS = (
    "number",
    "year",
    "sequence",
    "concept",
    "issued_at",
    "seller_name",
    "buyer_organization",
    "buyer_name",
    "tax_street",
    "tax_postal",
    "tax_city",
    "tax_country",
    "offering_organization",
    "offering_name",
    "offering_version",
    "resources",
    "currency",
    "minor_unit",
    "duty_free",
    "tax_rate",
    "tax",
    "total",
)


def dump_invoices(session: Session) -> Iterator[InvoiceRecord]:
    rows = session.execute(
        select(Invoice, Provider.slug, User.email, Contract.ref)
        .join(Provider, Provider.id == Invoice.seller_id)
        .join(User, User.id == Invoice.buyer_id)
        .join(Contract, Contract.id == Invoice.order_id)
        .order_by(Invoice.id)
        .options(selectinload(Invoice.lines))
        .execution_options(yield_per=DUMP_BATCH)
    )
    for invoice, seller, buyer, purchase in rows:
        yield InvoiceRecord(
            seller=seller,
            buyer=buyer,
            purchase=purchase,
            lines=[
                InvoiceLineRecord(
                    kind=line.kind,
                    label=line.label,
                    unit=line.unit,
                    unit_value=line.unit_value,
                    use=line.use,
                    price=line.price,
                    renewal_date=line.renewal_date,
                )
                for line in invoice.lines
            ],
            **{name: getattr(invoice, name) for name in _INVOICE_FIELDS},
        )


def dump_contracting_forms(session: Session) -> Iterator[ContractingFormRecord]:
    rows = session.execute(
        select(ContractingForm, User.email, StoreOffering)
        .join(User, User.id == ContractingForm.user_id)
        .join(StoreOffering, StoreOffering.offer_id == ContractingForm.offering_id)
        .order_by(ContractingForm.created_at, ContractingForm.id)
        .options(joinedload(StoreOffering.offer))
    )
    for form, email, offering in rows:
        offer = offering.offer
        yield ContractingFormRecord(
            user=email,
            offering=offer_ref(offering.service.slug, offer.iid),
            redirect_uri=form.redirect_uri,
            created_at=form.created_at,
        )
