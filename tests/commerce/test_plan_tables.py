"""An offering's price plans on its store page and on its service page: a table per plan,
prices as written, and what is charged at purchase, rounded to the currency's minor unit."""

import re

from sqlalchemy import select

from mercato.commerce.models import Currency, PriceUnit
from tests.store.web.test_marketplaces import _table_rows
from tests.store.world import seller, store

__all__ = ["seller", "store"]

OFFERING = "/store/offerings/conwet/Smart%20City%20Lights/1.0"
BASIC = {
    "label": "basic",
    "title": "Basic",
    "description": "Pay monthly",
    "currency": "EUR",
    "price_components": [
        {"label": "setup", "description": "Once", "value": "99.995", "unit": "single payment"},
        {"label": "fee", "description": "Monthly fee", "value": 10, "unit": "per month"},
        {"label": "calls", "description": "By use", "value": "0.005", "unit": "invocation"},
    ],
    "deductions": [
        {"label": "bonus", "description": "Back", "value": "0.001", "unit": "invocation"}
    ],
}
FREE = {"label": "free", "title": "Free", "description": "No charge"}
YEN = {
    "label": "yen",
    "title": "In yen",
    "description": "Once",
    "currency": "JPY",
    "price_components": [
        {"label": "licence", "description": "Forever", "value": "1500.5", "unit": "single payment"}
    ],
}
BASIC_ROWS = [
    ["setup Once", "Single payment", "99.995 EUR"],
    ["fee Monthly fee", "Subscription", "10 EUR per month"],
    ["calls By use", "Pay per use", "0.005 EUR per invocation"],
    ["bonus Back", "Deduction", "0.001 EUR per invocation"],
    ["110.00 EUR plus tax"],
]


def _priced(store, seller, session):
    session.add(Currency(code="JPY", folded_code="jpy", name="Yen", minor_unit=0))
    session.commit()
    provider = store.provider(seller)
    return store.offering(provider, seller, publish=True, price_plans=[BASIC, FREE, YEN])


def _headings(page: str, tag: str) -> list[str]:
    found = re.findall(rf'<div class="price-plan">\s*<{tag}>(.*?)</{tag}>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in found]


def test_the_store_page_shows_a_table_per_plan(client, store, seller, session):
    _priced(store, seller, session)

    page = client.get(OFFERING).text

    assert _headings(page, "h3") == ["Basic (basic)", "Free (free)", "In yen (yen)"]
    assert _table_rows(page.split("<h2>Price plans</h2>")[1])[:7] == [
        *BASIC_ROWS,
        ["licence Forever", "Single payment", "1500.5 JPY"],
        ["1501 JPY plus tax"],
    ]
    assert page.count('<p class="meta">Free.</p>') == 1
    assert "Prices are duty-free, in JPY; tax is added by the buyer's country." in page


def test_the_service_page_shows_the_plans_of_an_offer(client, store, seller, session):
    offering = _priced(store, seller, session)

    page = client.get(f"/services/{offering.service.slug}").text

    assert _headings(page, "h4") == ["Basic (basic)", "Free (free)", "In yen (yen)"]
    assert _table_rows(page)[:5] == BASIC_ROWS


def test_a_plan_whose_unit_was_removed_is_shown_without_prices(client, store, seller, session):
    _priced(store, seller, session)
    session.delete(session.scalar(select(PriceUnit).where(PriceUnit.name == "invocation")))
    session.commit()

    page = client.get(OFFERING).text

    assert _headings(page, "h3") == ["Basic (basic)", "Free (free)", "In yen (yen)"]
    assert page.count("Its prices name a unit that is no longer registered.") == 1
    assert page.count('<p class="meta">Free.</p>') == 1
    assert _table_rows(page.split("<h2>Price plans</h2>")[1])[:2] == [
        ["licence Forever", "Single payment", "1500.5 JPY"],
        ["1501 JPY plus tax"],
    ]
