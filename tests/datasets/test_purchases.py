"""Purchases in data sets: contracts with their charges and payments, invoices, buyers'
tax addresses and contracting forms dump, load back as they were, and dump the same."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.commerce.contracting_forms import form_id, keep_form
from mercato.commerce.invoice_models import Invoice, InvoiceSeries, RenderStatus
from mercato.commerce.models import Contract, ContractingForm, Payment, TaxAddress
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.dumping import dump_dataset
from mercato.datasets.loading import load_dataset
from mercato.datasets.names import offer_ref, order_ref
from mercato.datasets.schema import DataSet
from mercato.ordering.models import Order
from tests.commerce.purchase_world import NOW, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]

BACK = "https://client.example/back"
PURCHASE_KINDS = ("tax_addresses", "contracts", "invoices", "contracting_forms")


@pytest.fixture
def bought(shop, make, session: Session):
    """A paid purchase (offline: invoiced), one waiting for its payment, and a form."""
    shop.buy(gateway="offline", plan_label="monthly")
    other = make.user("other@example.org")
    shop.buyer, shop.project = other, make.project(other)
    shop.buy(gateway="sandbox", plan_label="monthly", now=NOW + timedelta(hours=1))
    third = make.user("third@example.org")
    offer_id = shop.offering.offer_id
    keep_form(session, form_id(offer_id, third.id), third.id, offer_id, BACK, NOW)
    return shop


def _purchases(data: DataSet) -> dict[str, list]:
    return {kind: getattr(data, kind) for kind in PURCHASE_KINDS}


def _forget_purchases(session: Session) -> None:
    for table in (Invoice, InvoiceSeries, Payment, Contract, TaxAddress, ContractingForm):
        session.execute(delete(table))
    session.commit()


def _what_the_rest_made(loading: Loading, session: Session) -> None:
    """The rows the other kinds of the data set made, by the refs a dump gives them."""
    for user in session.scalars(select(User)):
        loading.keep("users", user.email, user)
    for provider in session.scalars(select(Provider)):
        loading.keep("providers", provider.slug, provider)
    for order in session.scalars(select(Order)):
        loading.keep("orders", order_ref(order.project_id, order.iid), order)
        loading.keep("offers", offer_ref(order.offer.service.slug, order.offer.iid), order.offer_id)


def test_purchases_load_back_as_they_were_dumped(
    bought, session: Session, loading: Loading, dataset_folder: Path
):
    dumped = _purchases(dump_dataset(session, loading.files, dataset_folder))
    assert {kind: len(records) for kind, records in dumped.items()} == {
        "tax_addresses": 2,
        "contracts": 2,
        "invoices": 1,
        "contracting_forms": 1,
    }
    paid, pending = dumped["contracts"]
    assert (len(paid.charges), len(paid.payments), len(pending.payments)) == (1, 1, 1)
    assert paid.components["units"] == {
        "per month": {"model": "subscription", "renewal_days": 30},
        "single payment": {"model": "single payment", "renewal_days": None},
    }
    _forget_purchases(session)
    _what_the_rest_made(loading, session)

    counts = load_dataset(loading, DataSet(format="mercato-dataset", version=1, **dumped))
    session.commit()

    assert {k: v for k, v in counts.items() if v} == {
        "tax_addresses": 2,
        "contracts": 2,
        "invoices": 1,
        "contracting_forms": 1,
    }
    assert _purchases(dump_dataset(session, loading.files, dataset_folder)) == dumped
    invoice = session.scalars(select(Invoice)).one()
    assert invoice.status == RenderStatus.PENDING
    assert session.scalar(select(InvoiceSeries.last_number)) == invoice.sequence
    contract = session.scalars(select(Contract).where(Contract.ref == paid.ref)).one()
    assert invoice.order_id == contract.id


def test_a_purchase_of_an_order_that_has_one_is_named_with_its_field(
    bought, session: Session, loading: Loading, dataset_folder: Path
):
    dumped = dump_dataset(session, loading.files, dataset_folder)
    _what_the_rest_made(loading, session)
    again = dumped.contracts[0].model_copy(update={"ref": "f" * 24})

    with pytest.raises(LoadError) as refused:
        load_dataset(loading, DataSet(format="mercato-dataset", version=1, contracts=[again]))

    assert str(refused.value) == (
        f"contracts[0] (ref '{'f' * 24}'), field 'order': already has a purchase"
    )
    assert session.scalar(select(func.count(Contract.id))) == 2
