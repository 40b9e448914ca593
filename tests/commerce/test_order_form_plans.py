"""A sold offer (a published store offering with price plans) on the catalogue's pages: the
service page's Acquire button, and the order form's plans and total before checkout, taxed
by the buyer's stored tax address when there is one; "Update the total" works without
scripts; checkout goes on to the acquire form with the plan and project filled in."""

import re

import pytest
from sqlalchemy import func, select

from mercato.commerce.contracts import keep_tax_address
from mercato.ordering.models import Order, Project
from tests.commerce.purchase_world import MADRID, OFFERING, shop
from tests.store.world import seller, store
from tests.web.pages import field_error, log_in, submit

__all__ = ["seller", "shop", "store"]

ACQUIRE = f"{OFFERING}/acquire"


@pytest.fixture
def buyer(client, shop):
    log_in(client, shop.buyer)
    return shop.buyer


def _urls(shop) -> tuple[str, str]:
    service = shop.offering.service
    form = f"/services/{service.slug}/offers/{shop.offering.offer.iid}/order"
    return f"/services/{service.slug}", form


def _cell(page: str, cell: str) -> str:
    match = re.search(rf'<td id="{cell}">([^<]*)</td>', page)
    assert match, f"no #{cell} on the page"
    return match[1]


def _orders(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Order))


def test_the_service_page_shows_acquire_for_a_sold_offer(client, shop, buyer):
    service, form = _urls(shop)

    page = client.get(service).text

    assert f'<a class="button" href="{ACQUIRE}" aria-label="Acquire: Smart City Lights">' in page
    assert f'<a class="button secondary" href="{form}"' in page


def test_offers_not_sold_keep_their_order_button(client, store, seller, make, session):
    provider = store.provider(seller)
    free = store.offering(provider, seller, publish=True, bound=[store.asset(provider)])
    service = free.service

    page = client.get(f"/services/{service.slug}").text

    assert "Acquire" not in page
    assert 'aria-label="Order: Smart City Lights">Order</a>' in page


def test_without_a_tax_address_the_form_shows_the_duty_free_total_plus_tax(client, shop, buyer):
    page = client.get(_urls(shop)[1]).text

    assert re.findall(r'name="plan_label" value="([^"]*)"( checked)?', page) == [
        ("monthly", " checked"),
        ("free", ""),
    ]
    assert _cell(page, "duty-free") == "15.00 EUR"
    assert _cell(page, "tax") == "by your country, at checkout"
    assert _cell(page, "total") == "15.00 EUR plus tax"
    assert "Continue to checkout" in page
    assert 'name="request_voucher"' not in page


def test_with_a_tax_address_the_form_shows_tax_and_total(client, shop, buyer, session):
    keep_tax_address(session, shop.buyer, MADRID)
    session.commit()

    page = client.get(_urls(shop)[1]).text

    assert _cell(page, "duty-free") == "15.00 EUR"
    assert _cell(page, "tax") == "3.15 EUR"
    assert "IVA (21%, ES)" in page
    assert _cell(page, "total") == "18.15 EUR"


def test_update_the_total_shows_the_chosen_plan_and_orders_nothing(client, shop, buyer, session):
    form = _urls(shop)[1]
    fields = {"plan_label": "free", "project": str(shop.project.id), "action": "total"}

    response = submit(client, form, form, fields)

    assert response.status_code == 200
    assert 'name="plan_label" value="free" checked' in response.text
    assert _cell(response.text, "duty-free") == "0.00 EUR"
    assert _orders(session) == 0


def test_an_unknown_plan_is_refused_under_the_plans(client, shop, buyer, session):
    form = _urls(shop)[1]

    response = submit(client, form, form, {"plan_label": "weekly", "action": "checkout"})

    assert response.status_code == 400
    assert field_error(response.text, "plan_label") == "The specified plan does not exist"
    assert _orders(session) == 0


def test_checkout_goes_to_the_acquire_form_with_plan_and_project(client, shop, buyer, session):
    form = _urls(shop)[1]
    fields = {"plan_label": "free", "project": str(shop.project.id), "action": "checkout"}

    response = submit(client, form, form, fields)

    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"{ACQUIRE}?plan_label=free&project={shop.project.id}"
    assert _orders(session) == 0
    page = client.get(location).text
    assert 'name="plan_label" value="free" checked' in page
    assert f'<option value="{shop.project.id}" selected>Smart city pilot</option>' in page


def test_checkout_into_a_new_project_creates_it_first(client, shop, buyer, session):
    form = _urls(shop)[1]
    fields = {"plan_label": "monthly", "project": "new", "project_name": "Lights 2027"}

    response = submit(client, form, form, fields)

    assert response.status_code == 303
    session.expire_all()
    created = session.scalar(select(Project).where(Project.name == "Lights 2027"))
    assert response.headers["location"] == f"{ACQUIRE}?plan_label=monthly&project={created.id}"
    assert _orders(session) == 0


def test_a_bundle_holding_a_sold_offer_orders_nothing_and_points_to_acquire(
    client, shop, buyer, make, session
):
    main = make.offer(make.service(name="Compute"), name="VM", internal=True)
    bundle = make.bundle(main, [shop.offering.offer], name="City kit")
    form = f"/services/{bundle.service.slug}/bundles/{bundle.iid}/order"
    orders = _orders(session)

    page = client.get(form).text
    answer = submit(client, form, form, {"project_choice": "new", "project_name": "Lights"})

    assert f'<a href="{ACQUIRE}">Acquire it</a> on its own.' in page
    assert "disabled>Order the bundle</button>" in page
    assert answer.status_code == 400
    assert field_error(answer.text, "bundle") == (
        "“Smart City Lights” must be bought on its own: a bundle cannot buy it"
    )
    assert _orders(session) == orders
    lights = select(func.count()).select_from(Project).where(Project.name == "Lights")
    assert session.scalar(lights) == 0
