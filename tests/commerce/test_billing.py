"""Every recorded charge gets its invoice in the same transaction: the initial charge
once paid, a free purchase's zero charge, and any later charge (a renewal)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

import mercato.commerce.billing  # noqa: F401  (the app registers it; unit tests need it too)
from mercato.commerce.charges import renewal_charge
from mercato.commerce.contracts import charge_record, record_charge
from mercato.commerce.invoice_models import Invoice
from mercato.commerce.money import Currency, Tax
from mercato.commerce.payments.lifecycle import approve_payment, cancel_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.registry import registered_units
from tests.commerce.purchase_world import NOW, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]

LATER = NOW + timedelta(minutes=2)


def _invoices(session) -> list[Invoice]:
    session.expire_all()
    return list(session.scalars(select(Invoice).order_by(Invoice.id)))


def _lines(invoice: Invoice) -> list[tuple]:
    return [(li.kind, li.label, li.unit, li.price, li.renewal_date) for li in invoice.lines]


def _approve(shop, contract) -> None:
    assert approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, LATER)
    shop.session.commit()


def test_a_pending_or_cancelled_purchase_has_no_invoice(shop):
    contract = shop.buy().contract
    assert _invoices(shop.session) == []

    assert cancel_payment(shop.session, contract.payments[0], SandboxGateway(), LATER)
    shop.session.commit()

    assert _invoices(shop.session) == []


def test_the_paid_initial_charge_gets_one_invoice_from_the_snapshot(shop):
    contract = shop.buy().contract
    _approve(shop, contract)

    [invoice] = _invoices(shop.session)
    assert (invoice.number, invoice.seller_id, invoice.buyer_id, invoice.order_id) == (
        "conwet-2026-000001",
        shop.offering.service.provider_id,
        shop.buyer.id,
        contract.id,
    )
    assert (invoice.reference, invoice.concept, invoice.issued_at) == (
        contract.ref,
        "initial charge",
        LATER,
    )
    assert (invoice.buyer_organization, invoice.buyer_name) == (shop.buyer.name, shop.buyer.name)
    assert (invoice.tax_street, invoice.tax_postal, invoice.tax_city, invoice.tax_country) == (
        "Calle Mayor 1",
        "28013",
        "Madrid",
        "ES",
    )
    assert (invoice.offering_organization, invoice.offering_name, invoice.offering_version) == (
        "CoNWeT",
        "Smart City Lights",
        "1.0",
    )
    assert invoice.resources == [["Map Viewer", shop.offering.assets[0].description]]
    assert (invoice.currency, invoice.duty_free, invoice.tax_rate, invoice.tax, invoice.total) == (
        "EUR",
        Decimal("15.00"),
        Decimal(21),
        Decimal("3.15"),
        Decimal("18.15"),
    )
    assert _lines(invoice) == [
        ("single payment", "setup", "single payment", Decimal("5.00"), None),
        ("subscription", "fee", "per month", Decimal("10.00"), LATER + timedelta(days=30)),
    ]


def test_a_free_purchase_gets_a_zero_invoice(shop):
    contract = shop.buy(plan_label="free").contract

    [invoice] = _invoices(shop.session)
    assert (invoice.number, invoice.order_id, invoice.concept, invoice.total) == (
        "conwet-2026-000001",
        contract.id,
        "initial charge",
        Decimal("0.00"),
    )
    assert invoice.lines == []


def test_each_later_charge_gets_the_next_invoice(shop):
    contract = shop.buy().contract
    _approve(shop, contract)
    session = shop.session
    due = NOW + timedelta(days=31)
    plan = dict(contract.components)
    renewal = renewal_charge(
        plan,
        registered_units(session),
        Currency("EUR", 2),
        Tax(Decimal(21), "IVA"),
        [LATER + timedelta(days=30)],
        [],
        due,
    )

    record_charge(session, contract, charge_record(renewal, due), due)
    session.commit()

    first, second = _invoices(session)
    assert (second.number, second.concept, second.issued_at, second.total) == (
        "conwet-2027-000001",  # a new year, a new series
        "Renovation",
        due,
        Decimal("12.10"),
    )
    assert _lines(second) == [
        ("subscription", "fee", "per month", Decimal("10.00"), due + timedelta(days=30)),
    ]
    assert first.number == "conwet-2026-000001"
