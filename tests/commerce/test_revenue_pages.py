"""The site admins' revenue sharing pages, driven as a browser without scripts would:
plain forms, errors under the field they are about, nothing kept when refused."""

import html
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

# The app registers the hooks (invoicing, revenue sharing); the purchases here need them.
import mercato.commerce.billing
import mercato.commerce.revenue  # noqa: F401
from mercato.commerce import revenue
from mercato.commerce.payments.lifecycle import approve_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.revenue_models import RevenueClass, RevenueModel, RevenueStakeholder
from tests.commerce.purchase_world import NOW, shop
from tests.store.web.test_marketplaces import _flashes, _rows, _table_rows
from tests.store.world import seller, store
from tests.web.pages import csrf_token, field_error, input_value, log_in, submit

__all__ = ["seller", "shop", "store"]

PAGES = ["/admin/revenue-sharing", "/admin/revenue-sharing/use", "/admin/revenue"]
FORMS = [
    "/admin/revenue-sharing/use",
    "/admin/revenue-sharing/use/stakeholders",
    "/admin/revenue-sharing/use/stakeholders/1/delete",
]
USE = "/admin/revenue-sharing/use"
ONE_PARTY = "name exactly one: a provider, a user or an organisation"
NO_USER = "is not the e-mail of a registered user"
OVER = revenue.OVER_HUNDRED


@pytest.fixture
def admin(client, make):
    user = make.user("root@example.org", is_admin=True)
    log_in(client, user)
    return user


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
    revenue.add_stakeholder(
        session, RevenueClass.USE, revenue.StakeholderData("5", organisation="O")
    )
    session.commit()
    log_in(client, make.user())

    response = client.post(
        path,
        data={"csrftoken": csrf_token(client, "/account"), "percentage": "1", "share": "1"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert _rows(session, RevenueStakeholder, "organisation", "share") == [("O", Decimal("5.00"))]
    assert session.get(RevenueModel, RevenueClass.USE).percentage == Decimal("30.00")


def test_admins_find_the_revenue_pages_beside_the_pricing_ones(client, admin):
    page = client.get("/admin/tax-rates").text

    assert '<a href="/admin/revenue-sharing">Revenue sharing</a>' in page
    assert '<a href="/admin/revenue">Revenue</a>' in page


def test_the_sharing_page_shows_wstores_defaults(client, admin):
    rows = _table_rows(client.get("/admin/revenue-sharing").text)

    assert [row[:3] for row in rows] == [
        ["10.00 %", "—", "90.00 %"],
        ["20.00 %", "—", "80.00 %"],
        ["30.00 %", "—", "70.00 %"],
    ]


def test_admin_changes_the_stores_share_of_a_class(client, admin, session):
    response = submit(client, USE, USE, {"percentage": "25.5"})

    assert (response.status_code, response.headers["location"]) == (303, USE)
    assert session.get(RevenueModel, RevenueClass.USE).percentage == Decimal("25.50")
    page = client.get(USE).text
    assert [html.unescape(f) for f in _flashes(page)] == [
        "The store's share of pay per use charges is changed."
    ]
    assert input_value(page, "percentage") == "25.50"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", revenue.INVALID_PERCENTAGE_TYPE),
        ("101", revenue.PERCENTAGE_RANGE),
        ("", revenue.INVALID_PERCENTAGE_TYPE),
    ],
)
def test_a_refused_share_shows_the_error_under_its_field(client, admin, session, value, message):
    response = submit(client, USE, USE, {"percentage": value})

    assert response.status_code == 400
    assert field_error(response.text, "percentage") == message
    assert input_value(response.text, "percentage") == value
    assert session.get(RevenueModel, RevenueClass.USE) is None


def test_admin_adds_and_removes_stakeholders_of_every_kind(client, admin, session, make):
    provider = make.provider(name="Partner Org")
    make.user("pat@example.org", first_name="Pat", last_name="Partner")
    forms = [
        {"kind": "organisation", "share": "5", "organisation": "FIWARE Foundation"},
        {"kind": "provider", "share": "2.5", "provider_id": str(provider.id)},
        {"kind": "user", "share": "1", "user_email": "PAT@example.org"},
    ]

    answers = [submit(client, USE, f"{USE}/stakeholders", form) for form in forms]

    assert [(a.status_code, a.headers["location"]) for a in answers] == [(303, USE)] * 3
    rows = _table_rows(client.get(USE).text)
    assert [row[:3] for row in rows] == [
        ["FIWARE Foundation", "Organisation", "5.00 %"],
        ["Partner Org", "Provider", "2.50 %"],
        ["Pat Partner", "User", "1.00 %"],
    ]
    overview = _table_rows(client.get("/admin/revenue-sharing").text)
    assert overview[2][:3] == [
        "30.00 %",
        "FIWARE Foundation (5.00 %), Partner Org (2.50 %), Pat Partner (1.00 %)",
        "61.50 %",
    ]
    [first, *_] = session.query(RevenueStakeholder).order_by(RevenueStakeholder.id).all()

    removed = submit(client, USE, f"{USE}/stakeholders/{first.id}/delete")

    assert (removed.status_code, removed.headers["location"]) == (303, USE)
    assert _flashes(client.get(USE).text) == ["FIWARE Foundation is no longer a stakeholder."]
    assert len(_rows(session, RevenueStakeholder, "id")) == 2


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"kind": "organisation", "share": "5"}, "party", ONE_PARTY),
        ({"kind": "organisation", "share": "0", "organisation": "O"}, "share", revenue.SHARE_RANGE),
        ({"kind": "organisation", "share": "71", "organisation": "O"}, "share", OVER),
        ({"kind": "provider", "share": "5", "provider_id": ""}, "provider_id", "choose a provider"),
        ({"kind": "user", "share": "5", "user_email": "no@example.org"}, "user_email", NO_USER),
    ],
)  # fmt: skip
def test_a_refused_stakeholder_shows_the_error_and_nothing_is_kept(
    client, admin, session, form, field, message
):
    response = submit(client, USE, f"{USE}/stakeholders", form)

    assert response.status_code == 400
    assert message in html.unescape(response.text)
    if field != "party":
        assert field_error(response.text, field) == message
    assert _rows(session, RevenueStakeholder, "id") == []


def test_an_unknown_class_is_not_found(client, admin):
    assert client.get("/admin/revenue-sharing/rent").status_code == 404


# --- revenue of a period ---------------------------------------------------------------


def test_the_revenue_page_shows_each_partys_figures_and_the_records(client, admin, shop):
    contract = shop.buy().contract
    paid_at = NOW + timedelta(minutes=2)
    assert approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, paid_at)
    shop.session.commit()

    page = client.get("/admin/revenue?start=2026-12-01&end=2026-12-31").text
    paid = "2026-12-07 12:02"

    rows = _table_rows(page)
    assert rows[:2] == [
        ["Store (aggregator)", "Store", "1", "3.00 EUR", "0.63 EUR", "3.63 EUR"],
        ["CoNWeT", "Provider (seller)", "1", "12.00 EUR", "2.52 EUR", "14.52 EUR"],
    ]
    assert rows[2:] == [
        [paid, "Subscription", "initial charge", "CoNWeT", "80.00 %", "14.52 EUR"],
        [paid, "Subscription", "initial charge", "Store (aggregator)", "20.00 %", "3.63 EUR"],
    ]
    november = client.get("/admin/revenue?start=2026-11-01&end=2026-11-30").text
    assert "No charges in this period." in november


def test_the_revenue_page_defaults_to_the_current_month(client, admin):
    today = datetime.now(UTC).date()

    page = client.get("/admin/revenue").text

    assert input_value(page, "start") == today.replace(day=1).isoformat()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=yesterday", "start", "must be a date, YYYY-MM-DD"),
        ("start=2026-12-10&end=2026-12-01", "end", "must not be before the start"),
        ("provider=999", "provider", "is not a registered provider"),
    ],
)
def test_a_bad_period_shows_the_error_under_its_field(client, admin, query, field, message):
    response = client.get(f"/admin/revenue?{query}")

    assert response.status_code == 400
    assert field_error(response.text, field) == message
