"""Report pages as a browser without scripts uses them: a GET form for the period,
tables, CSV exports and SVG plots read back; each reader sees only what is theirs."""

import html
from datetime import UTC, date, datetime

import pytest

from tests.reports.reading import csv_rows, plot_series, plot_title
from tests.web.pages import field_error, input_value, log_in

PERIOD = "start=2026-11&end=2027-01"
MONTHS = ["Nov 2026", "Dec 2026", "Jan 2027"]
REVENUE_HEADER = ["month", "party", "role", "currency", "charges", "duty_free", "tax", "total"]
REVENUE_LINES = [
    ["2026-12", "Store (aggregator)", "Store", "EUR", "1", "3.00", "0.63", "3.63"],
    ["2026-12", "CoNWeT", "Provider (seller)", "EUR", "1", "11.25", "2.37", "13.62"],
    ["2026-12", "FIWARE Foundation", "Stakeholder", "EUR", "1", "0.75", "0.15", "0.90"],
    ["2027-01", "Store (aggregator)", "Store", "EUR", "1", "2.00", "0.42", "2.42"],
    ["2027-01", "CoNWeT", "Provider (seller)", "EUR", "1", "7.50", "1.58", "9.08"],
    ["2027-01", "FIWARE Foundation", "Stakeholder", "EUR", "1", "0.50", "0.10", "0.60"],
]
USAGE_CSV = [
    ["month", "provider", "offering", "unit", "records", "value"],
    ["2026-11", "CoNWeT", "Smart City Lights", "call", "1", "40"],
    ["2026-12", "CoNWeT", "Smart City Lights", "call", "2", "190.5"],
    ["2026-12", "CoNWeT", "Smart City Lights", "minutes", "1", "12"],
    ["2027-01", "CoNWeT", "Smart City Lights", "call", "1", "7"],
]
SPENDING_CSV = [
    ["month", "provider", "offering", "currency", "charges", "duty_free", "tax", "total"],
    ["2026-12", "CoNWeT", "Smart City Lights", "EUR", "1", "15.00", "3.15", "18.15"],
    ["2027-01", "CoNWeT", "Smart City Lights", "EUR", "1", "10.00", "2.10", "12.10"],
]
USAGE_SERIES = {
    "Smart City Lights: call": [("Nov 2026", "40"), ("Dec 2026", "190.5"), ("Jan 2027", "7")],
    "Smart City Lights: minutes": [("Dec 2026", "12")],
}
BASES = {"provider": "/sales/reports", "admin": "/admin/reports", "customer": "/purchases/spending"}


@pytest.fixture
def readers(sold, make, seller):
    """Who reads: the seller's data administrator, a site admin, the buyer."""
    return {"provider": seller.user, "admin": make.user(is_admin=True), "customer": sold.shop.buyer}


def _get(client, readers, who, path):
    log_in(client, readers[who])
    return client.get(path)


@pytest.mark.parametrize("who", ["provider", "admin"])
def test_revenue_csv_has_each_partys_figures_per_month(client, readers, who):
    response = _get(client, readers, who, f"{BASES[who]}/revenue.csv?{PERIOD}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="revenue-2026-11-2027-01.csv"'
    )
    assert csv_rows(response.text) == [REVENUE_HEADER, *REVENUE_LINES]


@pytest.mark.parametrize("who", ["provider", "admin", "customer"])
def test_usage_csv_sums_each_unit_per_month(client, readers, who):
    response = _get(client, readers, who, f"{BASES[who]}/usage.csv?{PERIOD}")

    assert csv_rows(response.text) == USAGE_CSV


def test_the_customers_spending_csv_is_their_charges_per_offering(client, readers):
    response = _get(client, readers, "customer", f"/purchases/spending/spending.csv?{PERIOD}")

    assert csv_rows(response.text) == SPENDING_CSV


def test_the_revenue_plot_has_a_series_per_party(client, readers):
    response = _get(client, readers, "provider", f"/sales/reports/revenue.svg?{PERIOD}")

    assert response.headers["content-type"] == "image/svg+xml"
    assert plot_title(response.text) == "Revenue per month"
    assert plot_series(response.text) == {
        "Store (aggregator) (EUR)": [("Dec 2026", "3.63"), ("Jan 2027", "2.42")],
        "CoNWeT (EUR)": [("Dec 2026", "13.62"), ("Jan 2027", "9.08")],
        "FIWARE Foundation (EUR)": [("Dec 2026", "0.9"), ("Jan 2027", "0.6")],
    }
    assert "<script" not in response.text.split("<defs>")[0]
    assert "http://kozea.github.io" not in response.text


@pytest.mark.parametrize("who", ["provider", "customer"])
def test_the_usage_plot_has_a_series_per_offering_and_unit(client, readers, who):
    response = _get(client, readers, who, f"{BASES[who]}/usage.svg?{PERIOD}")

    assert plot_title(response.text) == "Usage per month"
    assert plot_series(response.text) == USAGE_SERIES


def test_the_admins_usage_plot_names_each_offerings_provider(client, readers):
    response = _get(client, readers, "admin", f"/admin/reports/usage.svg?{PERIOD}")

    assert list(plot_series(response.text)) == [f"CoNWeT · {name}" for name in USAGE_SERIES]


def test_the_spending_plot_has_a_series_per_offering(client, readers):
    response = _get(client, readers, "customer", f"/purchases/spending/spending.svg?{PERIOD}")

    assert plot_title(response.text) == "Spending per month"
    assert plot_series(response.text) == {
        "Smart City Lights (EUR)": [("Dec 2026", "18.15"), ("Jan 2027", "12.1")]
    }


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("provider", ["revenue", "usage"]),
        ("admin", ["revenue", "usage"]),
        ("customer", ["spending", "usage"]),
    ],
)
def test_each_page_shows_its_plots_tables_and_exports(client, readers, who, names):
    page = _get(client, readers, who, f"{BASES[who]}?{PERIOD}").text

    for name in names:
        assert f'src="{BASES[who]}/{name}.svg?start=2026-11&amp;end=2027-01' in page
        assert f'href="{BASES[who]}/{name}.csv?start=2026-11&amp;end=2027-01' in page
    assert "190.5" in page
    assert 'value="2026-11"' in page and 'value="2027-01"' in page


def test_pages_default_to_this_month_and_the_five_before(client, readers):
    today = datetime.now(UTC).date()
    index = today.year * 12 + today.month - 1 - 5
    first = date(index // 12, index % 12 + 1, 1)

    page = _get(client, readers, "customer", "/purchases/spending").text

    assert input_value(page, "start") == f"{first:%Y-%m}"
    assert input_value(page, "end") == f"{today:%Y-%m}"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2026-13", "start", "must be a month, YYYY-MM"),
        ("start=2027-01&end=2026-11", "end", "must not be before the start"),
        ("start=2020-01&end=2026-01", "end", "a period is at most 36 months"),
    ],
)
def test_a_bad_period_shows_the_error_under_its_field(client, readers, query, field, message):
    response = _get(client, readers, "provider", f"/sales/reports?{query}")

    assert response.status_code == 400
    assert field_error(response.text, field) == message


@pytest.mark.parametrize("path", ["/sales/reports", "/sales/reports/revenue.csv"])
def test_sales_reports_are_refused_to_who_administers_no_provider(client, readers, path):
    response = _get(client, readers, "customer", path)

    assert response.status_code == 403
    assert "Sales reports are for the data administrators of a provider." in html.unescape(
        response.text
    )


def test_a_provider_sees_no_other_providers_sales(client, readers, make):
    other = make.provider(name="Elsewhere")

    response = _get(client, readers, "provider", f"/sales/reports/revenue.csv?provider={other.id}")

    assert response.status_code == 403
    assert "Only the data administrators of this provider may see its sales." in html.unescape(
        response.text
    )


@pytest.mark.parametrize("path", ["/admin/reports", "/admin/reports/usage.svg"])
def test_store_wide_reports_are_for_site_admins(client, readers, path):
    response = _get(client, readers, "provider", path)

    assert response.status_code == 403
    assert "Store-wide reports are for site admins only." in html.unescape(response.text)


def test_a_customer_sees_only_their_own_spending(client, readers, make):
    response = _get(
        client, {"other": make.user()}, "other", f"/purchases/spending/spending.csv?{PERIOD}"
    )

    assert csv_rows(response.text) == [SPENDING_CSV[0]]


@pytest.mark.parametrize("path", [*BASES.values(), "/purchases/spending/usage.svg"])
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "path", ["/purchases/spending/revenue.csv", "/purchases/spending/usage.pdf"]
)
def test_an_unknown_report_is_not_found(client, readers, path):
    assert _get(client, readers, "customer", path).status_code == 404
