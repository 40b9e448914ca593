"""Quantity prices: the total on the order form (updated without scripts), on the order
page, in the project and in the queue."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from mercato.catalogue.quantity_prices import QuantityPrice, ordered_prices, totals
from mercato.ordering.models import Order, Project
from tests.factories import ALL_PARAMETERS, sample_values
from tests.ordering.web.test_order_form import FILLED
from tests.web.pages import log_in, submit

HOURS = ALL_PARAMETERS[6]  # start 10 EUR, then 2 EUR per step, up to 100


def _form_url(offer) -> str:
    return f"/services/{offer.service.slug}/offers/{offer.iid}/order"


def _text(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, f"no #{element_id} on the page"
    return match[1]


@pytest.fixture
def customer(client, make):
    user = make.user()
    log_in(client, user)
    return user


@pytest.fixture
def offer(make):
    return make.offer(name="Standard VM", internal=True, parameters=ALL_PARAMETERS)


@pytest.mark.parametrize(
    ("quantity", "amount"), [(1, Decimal(10)), (3, Decimal(14)), (100, Decimal(208))]
)
def test_the_first_unit_costs_the_start_price_and_each_other_a_step(quantity, amount):
    [price] = ordered_prices([{**HOURS, "value": quantity}])

    assert price == QuantityPrice("Hours", quantity, Decimal(10), Decimal(2), "EUR")
    assert price.amount == amount


def test_totals_are_kept_apart_by_currency():
    eur = QuantityPrice("Hours", 2, Decimal(10), Decimal(2), "EUR")
    chf = QuantityPrice("Disks", 1, Decimal(5), Decimal(1), "CHF")

    assert [(t.currency, t.amount) for t in totals([eur, chf, eur])] == [
        ("EUR", Decimal(24)),
        ("CHF", Decimal(5)),
    ]


def test_the_order_form_shows_the_price_of_the_quantity_it_fills_in(client, customer, offer):
    page = client.get(_form_url(offer)).text

    assert "<td>Hours: 1</td>" in page
    assert "<td>10 EUR for the first</td>" in page
    assert _text(page, "quantity-total") == "10 EUR"
    assert '<button type="submit" name="action" value="total"' in page


def test_update_the_total_shows_the_form_again_and_orders_nothing(client, session, customer, offer):
    fields = {"project_choice": "new", "project_name": "Fresh", **FILLED, "value-6": "3"}

    response = submit(client, _form_url(offer), _form_url(offer), {**fields, "action": "total"})

    assert response.status_code == 200
    assert "<td>10 EUR for the first, 2 \u00d7 2 EUR for the others</td>" in response.text
    assert _text(response.text, "quantity-total") == "14 EUR"
    assert 'id="value-6" name="value-6" value="3"' in response.text
    assert session.scalars(select(Order)).all() == []
    assert session.scalars(select(Project)).all() == []


def test_a_quantity_that_is_not_valid_has_no_price_yet(client, customer, offer):
    fields = {**FILLED, "value-6": "many", "action": "total"}

    page = submit(client, _form_url(offer), _form_url(offer), fields).text

    assert 'id="quantity-total"' not in page
    assert "A quantity that is not valid yet has no price" in page


def test_offers_without_quantities_have_no_price_box(client, make, customer):
    plain = make.offer(internal=True, parameters=ALL_PARAMETERS[:6])

    page = client.get(_form_url(plain)).text

    assert "Price of the quantities" not in page
    assert 'value="total"' not in page


def test_the_price_is_shown_on_the_order_in_the_project_and_in_the_queue(client, make, offer):
    operator = make.user()
    make.oms("Operations", is_default=True, administrators=[operator])
    customer = make.user()
    project = make.project(customer, name="Climate study")
    order = make.order(offer, project)
    second = make.order(offer, project, values={**sample_values(offer.parameters), "6": 3})
    log_in(client, customer)

    order_page = client.get(f"/projects/{project.id}/orders/{second.iid}").text
    project_page = client.get(f"/projects/{project.id}").text
    log_in(client, operator)
    queue = client.get("/queue").text
    queue_order = client.get(f"/queue/{second.id}").text

    first_price = ordered_prices(order.offer_properties)[0].amount
    assert _text(order_page, "order-total") == "14 EUR"
    assert re.findall(r'<td class="price">([^<]+)</td>', project_page) == [
        f"{first_price} EUR",
        "14 EUR",
    ]
    assert _text(project_page, "project-total") == f"{first_price + 14} EUR"
    assert re.findall(r'<td class="price">([^<]+)</td>', queue) == ["14 EUR", f"{first_price} EUR"]
    assert _text(queue_order, "order-total") == "14 EUR"
