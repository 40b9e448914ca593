"""Price plans are checked against the units and currencies admins register, with
WStore's texts (store-wire.md §4, §10): what is added is accepted, what is removed refused."""

import pytest
from sqlalchemy import select

from mercato.commerce.models import Currency, PriceUnit
from tests.store.world import bearer
from tests.store.wstore.test_offerings_wire import OFFERINGS, body, description, error, plan
from tests.web.pages import log_in, submit

PER_QUARTER = {"label": "fee", "description": "Quarterly", "value": "25.50", "unit": "per quarter"}
PER_YEAR = {**PER_QUARTER, "unit": "per year"}


@pytest.fixture
def admin(make):
    return make.user("root@example.org", is_admin=True)


def _as_admin(client, admin, path, form, action=None):
    log_in(client, admin)
    response = submit(client, path, action or path, form)
    client.cookies.clear()
    return response


def _offer(client, seller, *plans, version="1.0"):
    pricing = {"price_plans": list(plans)}
    shown = body(version=version, offering_description=description(pricing=pricing))
    return client.post(OFFERINGS, json=shown, headers=bearer(seller))


def test_a_unit_added_by_an_admin_can_price_a_plan(client, admin, store, seller):
    store.provider(seller)
    form = {"name": "per quarter", "defined_model": "subscription", "renovation_period": "90"}

    added = _as_admin(client, admin, "/admin/units", form)
    response = _offer(client, seller, plan(price_components=[PER_QUARTER]))

    assert added.status_code == 303
    assert (response.status_code, response.json()) == (
        201,
        {"message": "Created", "result": "correct"},
    )


def test_a_removed_unit_is_refused_with_wstores_text(client, admin, store, session, seller):
    store.provider(seller)
    unit = session.scalar(select(PriceUnit).where(PriceUnit.name == "per month"))

    removed = _as_admin(client, admin, "/admin/units", {}, f"/admin/units/{unit.id}/delete")
    component = {**PER_QUARTER, "unit": "per month"}
    response = _offer(client, seller, plan(price_components=[component]))

    assert removed.status_code == 303
    assert (response.status_code, response.json()) == (
        400,
        error("Invalid pricing info: A price component contains an unsupported unit: per month"),
    )


def test_a_currency_added_by_an_admin_can_price_a_plan(client, admin, store, seller):
    store.provider(seller)
    form = {"currency": "JPY", "name": "Yen", "minor_unit": "0"}

    added = _as_admin(client, admin, "/admin/currencies", form)
    response = _offer(client, seller, plan(currency="jpy", price_components=[PER_YEAR]))

    assert added.status_code == 303
    assert (response.status_code, response.json()) == (
        201,
        {"message": "Created", "result": "correct"},
    )


def test_a_removed_currency_is_refused_with_wstores_text(client, admin, store, session, seller):
    store.provider(seller)
    _as_admin(
        client, admin, "/admin/currencies", {"currency": "USD", "name": "Dollar", "minor_unit": "2"}
    )
    usd = session.scalar(select(Currency).where(Currency.code == "USD"))

    removed = _as_admin(
        client, admin, "/admin/currencies", {}, f"/admin/currencies/{usd.id}/delete"
    )
    response = _offer(client, seller, plan(currency="USD", price_components=[PER_YEAR]))

    assert removed.status_code == 303
    assert (response.status_code, response.json()) == (
        400,
        error("Invalid pricing info: The currency USD is not supported"),
    )


def test_a_store_without_currencies_sends_wstores_bare_text(client, store, session, seller):
    store.provider(seller)
    session.query(Currency).delete()
    session.commit()

    response = _offer(client, seller, plan(price_components=[PER_YEAR]))

    assert (response.status_code, response.json()) == (
        400,
        error("There are'n currencies registered in WStore, please contact with an admin"),
    )
