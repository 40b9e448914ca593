"""The site admins' pages for price units, currencies and tax rates, driven as a browser
without scripts would: plain forms, errors under the field they are about."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from mercato.commerce.models import Currency, PriceUnit, TaxRate
from tests.store.web.test_marketplaces import _flashes, _rows, _table_rows
from tests.web.pages import csrf_token, field_error, input_value, log_in, submit

PAGES = ["/admin/units", "/admin/currencies", "/admin/tax-rates"]
FORMS = [
    "/admin/units",
    "/admin/units/1/edit",
    "/admin/units/1/delete",
    "/admin/currencies",
    "/admin/currencies/1/edit",
    "/admin/currencies/1/default",
    "/admin/currencies/1/delete",
    "/admin/tax-rates",
]


@pytest.fixture
def admin(client, make):
    user = make.user("root@example.org", is_admin=True)
    log_in(client, user)
    return user


def _tax_rate(session, country: str = "ES", rate: str = "21") -> TaxRate:
    row = TaxRate(country=country, rate=Decimal(rate), label="VAT")
    session.add(row)
    session.commit()
    return row


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_anonymous_visitors_to_log_in(client, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_forbidden_to_other_users(client, make, path):
    log_in(client, make.user())

    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", FORMS)
def test_forms_are_forbidden_to_other_users_and_change_nothing(client, make, session, path):
    log_in(client, make.user())

    response = client.post(
        path,
        data={"csrftoken": csrf_token(client, "/account"), "name": "x", "currency": "USD"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert _rows(session, PriceUnit, "name")[0] == ("invocation",)
    assert _rows(session, Currency, "code", "is_default") == [("EUR", True)]


def test_admins_find_the_pricing_pages_in_their_menu(client, admin):
    page = client.get("/omses").text

    assert '<a href="/admin/units">Pricing</a>' in page


# --- units -------------------------------------------------------------------------------


def test_the_units_page_lists_the_shipped_units(client, admin):
    rows = _table_rows(client.get("/admin/units").text)

    assert [row[:3] for row in rows] == [
        ["invocation", "Pay per use", "—"],
        ["issue", "Pay per use", "—"],
        ["single payment", "Single payment", "—"],
        ["per month", "Subscription", "30 days"],
        ["per week", "Subscription", "7 days"],
        ["per year", "Subscription", "365 days"],
    ]


def test_admin_adds_a_subscription_unit(client, admin, session):
    form = {"name": "per quarter", "defined_model": "subscription", "renovation_period": "90"}

    response = submit(client, "/admin/units", "/admin/units", form)

    assert (response.status_code, response.headers["location"]) == (303, "/admin/units")
    assert _rows(session, PriceUnit, "name", "renewal_days")[-1] == ("per quarter", 90)
    assert _flashes(client.get("/admin/units").text) == ["Price unit “per quarter” is registered."]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "", "defined_model": "pay per use"}, "name", "Missing required field"),
        ({"name": "per month", "defined_model": "pay per use"}, "name", "The unit already exists"),
        (
            {"name": "per day", "defined_model": "subscription"},
            "renovation_period",
            "Missing renovation period",
        ),
        (
            {"name": "per day", "defined_model": "subscription", "renovation_period": "0"},
            "renovation_period",
            "The renovation period must be a whole number of days, at least 1",
        ),
        ({"name": "x", "defined_model": "weekly"}, "defined_model", "Invalid pricing model"),
    ],
)
def test_a_refused_unit_shows_the_error_under_its_field(
    client, admin, session, form, field, message
):
    response = submit(client, "/admin/units", "/admin/units", form)

    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert input_value(response.text, "name") == form["name"]
    assert len(_rows(session, PriceUnit, "name")) == 6


def test_admin_changes_and_removes_a_unit(client, admin, session):
    unit = session.scalar(select(PriceUnit).where(PriceUnit.name == "per week"))
    edit = f"/admin/units/{unit.id}/edit"

    shown = client.get(edit).text
    changed = submit(
        client,
        edit,
        edit,
        {"name": "weekly", "defined_model": "subscription", "renovation_period": "7"},
    )
    after_change = _rows(session, PriceUnit, "name", "renewal_days")
    removed = submit(client, "/admin/units", f"/admin/units/{unit.id}/delete")

    assert input_value(shown, "name") == "per week"
    assert changed.status_code == removed.status_code == 303
    assert after_change[4] == ("weekly", 7)
    assert "weekly" not in [name for (name,) in _rows(session, PriceUnit, "name")]
    assert _flashes(client.get("/admin/units").text) == ["Price unit “weekly” is removed."]


# --- currencies --------------------------------------------------------------------------


def test_admin_adds_a_currency_and_makes_it_the_default(client, admin, session):
    added = submit(
        client,
        "/admin/currencies",
        "/admin/currencies",
        {"currency": "JPY", "name": "Yen", "minor_unit": "0"},
    )
    yen = session.scalar(select(Currency).where(Currency.code == "JPY"))
    made = submit(client, "/admin/currencies", f"/admin/currencies/{yen.id}/default")

    assert added.status_code == made.status_code == 303
    assert _rows(session, Currency, "code", "name", "minor_unit", "is_default") == [
        ("EUR", "Euro", 2, False),
        ("JPY", "Yen", 0, True),
    ]
    rows = _table_rows(client.get("/admin/currencies").text)
    assert [row[:3] for row in rows] == [
        ["EUR", "Euro", "2 digits"],
        ["JPY default", "Yen", "0 digits"],
    ]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"currency": "US$", "minor_unit": "2"}, "currency", "Invalid currency format"),
        ({"currency": "eur", "minor_unit": "2"}, "currency", "The currency already exists"),
        (
            {"currency": "BTC", "minor_unit": "8"},
            "minor_unit",
            "The minor unit must be a whole number from 0 to 6",
        ),
        (
            {"currency": "BTC", "minor_unit": "two"},
            "minor_unit",
            "The minor unit must be a whole number from 0 to 6",
        ),
    ],
)
def test_a_refused_currency_shows_the_error_under_its_field(
    client, admin, session, form, field, message
):
    response = submit(client, "/admin/currencies", "/admin/currencies", form)

    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert _rows(session, Currency, "code") == [("EUR",)]


def test_admin_changes_a_currencys_name_and_minor_unit_but_not_its_code(client, admin, session):
    edit = "/admin/currencies/1/edit"

    changed = submit(
        client, edit, edit, {"currency": "XXX", "name": "Euro (EU)", "minor_unit": "3"}
    )

    assert changed.status_code == 303
    assert _rows(session, Currency, "code", "name", "minor_unit") == [("EUR", "Euro (EU)", 3)]


def test_the_default_currency_cannot_be_removed(client, admin, session):
    response = submit(client, "/admin/currencies", "/admin/currencies/1/delete")

    assert response.status_code == 303
    assert _rows(session, Currency, "code") == [("EUR",)]
    assert _flashes(client.get("/admin/currencies").text) == [
        "EUR: The currency cannot be deleted: It is the default currency."
    ]


# --- tax rates ---------------------------------------------------------------------------


def test_admin_adds_changes_and_removes_a_tax_rate(client, admin, session):
    added = submit(
        client,
        "/admin/tax-rates",
        "/admin/tax-rates",
        {"country": "es", "rate": "21.00", "label": "IVA"},
    )
    rate = session.scalar(select(TaxRate))
    edit = f"/admin/tax-rates/{rate.id}/edit"
    changed = submit(client, edit, edit, {"country": "ES", "rate": "10.5", "label": ""})
    listed = _table_rows(client.get("/admin/tax-rates").text)
    removed = submit(client, "/admin/tax-rates", f"/admin/tax-rates/{rate.id}/delete")

    assert added.status_code == changed.status_code == removed.status_code == 303
    assert [row[:3] for row in listed] == [["ES", "10.5 %", "VAT"]]
    assert _rows(session, TaxRate, "country") == []


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"country": "Spain", "rate": "21"},
            "country",
            "must be a two-letter country code (ISO 3166-1)",
        ),
        ({"country": "FR", "rate": "twenty"}, "rate", "must be a number, found: twenty"),
        (
            {"country": "FR", "rate": "120"},
            "rate",
            "must be a percentage from 0 to 100, at most 4 decimals",
        ),
        ({"country": "es", "rate": "20"}, "country", "already has a tax rate"),
    ],
)
def test_a_refused_tax_rate_shows_the_error_under_its_field(
    client, admin, session, form, field, message
):
    _tax_rate(session)

    response = submit(client, "/admin/tax-rates", "/admin/tax-rates", form)

    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert _rows(session, TaxRate, "country", "rate") == [("ES", Decimal(21))]
