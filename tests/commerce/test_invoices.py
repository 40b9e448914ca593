"""Invoices: §6.5's charges invoiced and their PDFs read back line by line, numbering per
seller without gaps (also under concurrent purchases), failed renders retried and shown."""

import random
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from mercato.commerce.charges import renewal_charge
from mercato.commerce.invoice_models import Invoice, InvoiceLine, RenderStatus
from mercato.commerce.invoice_rendering import render_due
from mercato.commerce.invoices import (
    buyer_invoices,
    order_invoices,
    render_again,
    seller_invoices,
    unrendered_invoices,
)
from mercato.commerce.money import NO_TAX
from mercato.db import make_session_factory, utcnow
from mercato.errors import Forbidden
from mercato.ordering.triggers import MAX_ATTEMPTS
from mercato.store.storage import LocalStorage
from tests.commerce.invoicing import (
    EXAMPLE_3_TEXTS,
    EXAMPLE_3_USAGE,
    issue,
    pdf_lines,
    stored_pdf,
)
from tests.commerce.test_charges import EUR, EXAMPLE_1, T0, UNITS

HEADER = [
    ("Mercato",),
    ("Invoice acme-2026-000001",),
    ("Date: 2026-01-01",),
    ("Ref: ref-1",),
]
CUSTOMER = [
    ("Customer",),
    ("Santander City Council",),
    ("Ann Buyer",),
    ("C/Los alamos n 17",),
    ("39011 Santander",),
    ("Spain",),
    ("Offering",),
    ("Organization: CoNWeT",),
    ("Name: SmartCityLights",),
    ("Version: 1.0",),
    ("Resources",),
    ("Name", "Description"),
    ("Map", "The city map"),
    ("Lights API", "Street lights"),
]


@pytest.fixture
def seller(make):
    return make.provider(make.user(), name="Acme")


@pytest.fixture
def buyer(make):
    return make.user(first_name="Ann", last_name="Buyer")


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


@pytest.fixture
def factory(engine):
    return make_session_factory(engine)


def rendered(factory, storage, invoice_id: int, now: datetime | None = None) -> Invoice:
    render_due(factory, storage, "Mercato", clock=lambda: now or utcnow())
    with factory() as session:
        return session.get(Invoice, invoice_id)


# --- the PDF of §6.5's examples --------------------------------------------------------------


def test_example_1_initial_invoice_shows_15_00_plus_tax(session, seller, buyer, factory, storage):
    invoice = issue(session, seller, buyer)
    session.commit()

    done = rendered(factory, storage, invoice.id)

    assert done.status is RenderStatus.RENDERED and done.attempts == 1
    assert pdf_lines(stored_pdf(storage, done)) == [
        *HEADER,
        ("Concept: initial charge",),
        *CUSTOMER,
        ("Single payments",),
        ("Label", "Price"),
        ("setup", "10.00 EUR"),
        ("Subtotal: 10.00 EUR",),
        ("Subscriptions",),
        ("Label", "Price", "Unit", "Renewal date"),
        ("monthly", "5.00 EUR", "per month", "2026-01-31"),
        ("Subtotal: 5.00 EUR",),
        ("Duty-free subtotal: 15.00 EUR",),
        ("Tax (21%): 3.15 EUR",),
        ("Total: 18.15 EUR",),
        ("Currency: EUR",),
    ]


def test_example_1_renewal_invoice_charges_5_00(session, seller, buyer, factory, storage):
    now = T0 + timedelta(days=45)
    charge = renewal_charge(EXAMPLE_1, UNITS, EUR, NO_TAX, [T0 + timedelta(days=30)], [], now)
    invoice = issue(session, seller, buyer, charge, issued_at=now)
    session.commit()

    lines = pdf_lines(stored_pdf(storage, rendered(factory, storage, invoice.id)))

    assert lines == [
        *HEADER[:2],
        ("Date: 2026-02-15",),
        HEADER[3],
        ("Concept: Renovation",),
        *CUSTOMER,
        ("Subscriptions",),
        ("Label", "Price", "Unit", "Renewal date"),
        ("monthly", "5.00 EUR", "per month", "2026-03-17"),
        ("Subtotal: 5.00 EUR",),
        ("Duty-free subtotal: 5.00 EUR",),
        ("Tax (0%): 0.00 EUR",),
        ("Total: 5.00 EUR",),
        ("Currency: EUR",),
    ]


def test_example_3_renewal_with_usage_and_deductions_is_33_30(
    session, seller, buyer, factory, storage
):
    now = T0 + timedelta(days=31)
    charge = renewal_charge(EXAMPLE_3_TEXTS, UNITS, EUR, NO_TAX, [T0], EXAMPLE_3_USAGE, now)
    invoice = issue(session, seller, buyer, charge, plan=EXAMPLE_3_TEXTS, issued_at=now)
    session.commit()

    lines = pdf_lines(stored_pdf(storage, rendered(factory, storage, invoice.id)))

    assert lines[len(HEADER) + 1 + len(CUSTOMER) :] == [
        ("Subscriptions",),
        ("Label", "Price", "Unit", "Renewal date"),
        ("monthly", "5.00 EUR", "per month", "2026-03-03"),
        ("Subtotal: 5.00 EUR",),
        ("Usage",),
        ("Label", "Unit", "Unit price", "Use", "Price"),
        ("calls and minutes", "price function", "calls * 2 - minutes", "27", "33.00 EUR"),
        ("Subtotal: 33.00 EUR",),
        ("Deductions",),
        ("Label", "Unit", "Unit price", "Use", "Price"),
        ("minutes back", "price function", "0.1 * minutes", "7", "0.70 EUR"),
        ("per call back", "call", "0.2", "20", "4.00 EUR"),
        ("Subtotal: 4.70 EUR",),
        ("Duty-free subtotal: 33.30 EUR",),
        ("Tax (0%): 0.00 EUR",),
        ("Total: 33.30 EUR",),
        ("Currency: EUR",),
    ]
    assert lines[4] == ("Concept: Renovation",)


def test_the_invoice_is_a_snapshot_later_changes_do_not_alter(session, seller, buyer):
    invoice = issue(session, seller, buyer)
    session.commit()
    seller.name, buyer.first_name = "Acme Renamed", "Anna"
    session.commit()

    session.expire_all()
    stored = session.get(Invoice, invoice.id)
    lines = session.scalars(select(InvoiceLine).order_by(InvoiceLine.position)).all()
    assert (stored.seller_name, stored.buyer_name) == ("Acme", "Ann Buyer")
    assert (stored.duty_free, stored.tax_rate, stored.tax, stored.total) == (
        Decimal("15.00"),
        Decimal(21),
        Decimal("3.15"),
        Decimal("18.15"),
    )
    assert [(x.kind, x.label, x.unit, x.unit_value, x.price, x.renewal_date) for x in lines] == [
        ("single payment", "setup", "single payment", "10", Decimal("10.00"), None),
        ("subscription", "monthly", "per month", "5", Decimal("5.00"), T0 + timedelta(days=30)),
    ]
    assert stored.resources == [["Map", "The city map"], ["Lights API", "Street lights"]]


# --- numbering ----------------------------------------------------------------------------


def test_numbers_are_consecutive_per_seller_and_year_and_rollbacks_give_theirs_back(
    session, make, seller, buyer
):
    other = make.provider(name="Other Shop")
    first = issue(session, seller, buyer).number
    session.commit()
    issue(session, seller, buyer)
    session.rollback()
    second = issue(session, seller, buyer).number
    elsewhere = issue(session, other, buyer).number
    next_year = issue(session, seller, buyer, issued_at=datetime(2027, 1, 1, tzinfo=UTC)).number
    session.commit()

    assert [first, second, elsewhere, next_year] == [
        "acme-2026-000001",
        "acme-2026-000002",
        "other-shop-2026-000001",
        "acme-2027-000001",
    ]


def test_sixteen_concurrent_purchases_get_gapless_numbers(engine, make, seller, buyer):
    """Each thread has its own session and transaction; every fourth rolls back after
    taking its number. On PostgreSQL they really run at once; SQLite serialises them."""
    factory = make_session_factory(engine)
    start = threading.Barrier(16)
    errors: list[BaseException] = []

    def purchase(index: int) -> None:
        try:
            with factory() as own:
                start.wait(timeout=30)
                issue(own, own.merge(seller), own.merge(buyer), order_id=index)
                if index % 4 == 3:
                    own.rollback()
                else:
                    own.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=purchase, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with factory() as session:
        rows = session.execute(select(Invoice.sequence, Invoice.number, Invoice.order_id)).all()
    assert sorted(row.sequence for row in rows) == list(range(1, 13))
    assert {row.number for row in rows} == {f"acme-2026-{n:06d}" for n in range(1, 13)}
    assert sorted(row.order_id for row in rows) == [i for i in range(16) if i % 4 != 3]


# --- failures -----------------------------------------------------------------------------


def test_a_failing_render_is_retried_with_backoff_and_shown(
    session, make, seller, buyer, factory, tmp_path
):
    storage = LocalStorage(tmp_path / "media")
    # The folder invoices are kept in is a file: storing the PDF fails.
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "invoices").write_text("in the way")
    invoice = issue(session, seller, buyer)
    session.commit()
    admin = make.user(is_admin=True)
    now = utcnow()

    round_ = render_due(factory, storage, "Mercato", clock=lambda: now, rng=random.Random(1))

    session.expire_all()
    failed = session.get(Invoice, invoice.id)
    assert (failed.status, failed.attempts, failed.pdf_key) == (RenderStatus.PENDING, 1, None)
    assert failed.last_error.startswith("NotADirectoryError: [Errno 20] Not a directory: ")
    assert round_.retries == [failed.next_attempt_at]
    assert now + timedelta(seconds=10) <= failed.next_attempt_at <= now + timedelta(seconds=12.5)
    assert unrendered_invoices(session, admin) == [failed]
    # Not due yet: nothing is claimed.
    assert render_due(factory, storage, "Mercato", clock=lambda: now).claimed == 0

    (tmp_path / "media" / "invoices").unlink()
    done = rendered(factory, storage, invoice.id, failed.next_attempt_at)

    assert (done.status, done.attempts) == (RenderStatus.RENDERED, 2)
    assert pdf_lines(stored_pdf(storage, done))[1] == ("Invoice acme-2026-000001",)
    assert unrendered_invoices(session, admin) == []


def test_a_render_failing_for_a_day_is_failed_until_an_admin_renders_it_again(
    session, make, seller, buyer, factory, tmp_path
):
    storage = LocalStorage(tmp_path / "media")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "invoices").write_text("in the way")
    invoice = issue(session, seller, buyer)
    session.commit()
    session.execute(update(Invoice).values(attempts=MAX_ATTEMPTS - 1))
    session.commit()

    now = utcnow()
    assert render_due(factory, storage, "Mercato", clock=lambda: now).retries == []

    session.expire_all()
    given_up = session.get(Invoice, invoice.id)
    assert (given_up.status, given_up.attempts) == (RenderStatus.FAILED, MAX_ATTEMPTS)
    later = now + timedelta(days=9)
    assert render_due(factory, storage, "Mercato", clock=lambda: later).claimed == 0
    with pytest.raises(Forbidden):
        render_again(session, buyer, given_up, later)

    (tmp_path / "media" / "invoices").unlink()
    render_again(session, make.user(is_admin=True), given_up, later)
    session.commit()
    done = rendered(factory, storage, invoice.id, later)
    assert (done.status, done.attempts, done.last_error) == (
        RenderStatus.RENDERED,
        1,
        given_up.last_error,
    )


# --- lists ----------------------------------------------------------------------------------


def test_lists_for_the_buyer_the_seller_and_the_order(session, make, seller, buyer):
    stranger = make.user()
    administrator = seller.data_administrators[0]
    member = session.scalar(select(type(buyer)).where(type(buyer).email == administrator.email))
    first = issue(session, seller, buyer, order_id=7)
    second = issue(session, seller, buyer, order_id=7, issued_at=T0 + timedelta(days=1))
    session.commit()

    assert buyer_invoices(session, buyer) == ([second, first], 2)
    assert buyer_invoices(session, buyer, page=2, page_size=1) == ([first], 2)
    assert buyer_invoices(session, stranger) == ([], 0)
    assert seller_invoices(session, member, seller.id) == ([second, first], 2)
    assert seller_invoices(session, member, seller.id, page=1, page_size=1) == ([second], 2)
    with pytest.raises(Forbidden):
        seller_invoices(session, stranger, seller.id)
    assert order_invoices(session, buyer, 7) == [first, second]
    assert order_invoices(session, stranger, 7) == []
