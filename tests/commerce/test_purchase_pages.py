"""The acquire pages as a browser without scripts drives them: the form, the review with
duty-free, tax and total, the sandbox gateway's page, the purchase, My purchases and the
provider's Sales; an Idempotency-Key buys once, also for two submissions at once."""

import re

import pytest
from sqlalchemy import func, select

from mercato.commerce.invoice_rendering import render_due
from mercato.commerce.models import Contract, ContractState, Payment, TaxAddress
from mercato.db import make_session_factory, utcnow
from mercato.ordering.models import Order
from mercato.store.assets import local_files
from tests.commerce.invoicing import pdf_lines
from tests.commerce.purchase_world import OFFERING, shop
from tests.live import running_app
from tests.store.web.test_marketplaces import _table_rows
from tests.store.world import seller, store
from tests.web.pages import csrf_token, field_error, log_in, post_together, submit

__all__ = ["seller", "shop", "store"]

FORM = f"{OFFERING}/acquire"
REVIEW = f"{OFFERING}/acquire/review"
_KEY_FIELD = re.compile(r'<input type="hidden" name="idempotency_key" value="([^"]+)">')


@pytest.fixture
def buyer(client, shop):
    log_in(client, shop.buyer)
    return shop.buyer


def _fields(shop, **changes: str) -> dict[str, str]:
    fields = {
        "conditions_accepted": "on",
        "plan_label": "monthly",
        "street": "Calle Mayor 1",
        "postal": "28013",
        "city": "Madrid",
        "country": "Spain",
        "project": str(shop.project.id),
        "gateway": "sandbox",
    }
    return {**fields, **changes}


def _count(session, table) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(table))


def test_anonymous_visitors_are_sent_to_log_in(client, shop):
    response = client.get(FORM, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_the_offering_page_leads_to_the_acquire_form(client, shop, buyer):
    page = client.get(OFFERING).text

    assert f'<a class="button" href="{FORM}">Acquire</a>' in page


def test_the_form_shows_terms_plans_projects_and_gateways(client, shop, buyer):
    page = client.get(FORM).text

    assert "Use it well." in page
    assert re.findall(r'name="plan_label" value="([^"]*)"', page) == ["monthly", "free"]
    assert "15.00 EUR at purchase, plus tax" in page
    assert re.findall(r'name="gateway" value="([^"]*)"', page) == ["sandbox", "offline"]
    assert "Smart city pilot" in page
    assert len(_KEY_FIELD.findall(page)) == 1


def test_the_review_refuses_unaccepted_terms_under_the_checkbox(client, shop, buyer, session):
    fields = _fields(shop)
    del fields["conditions_accepted"]

    refused = submit(client, FORM, REVIEW, fields)

    assert refused.status_code == 400
    assert field_error(refused.text, "conditions_accepted") == (
        "You must accept the terms and conditions of the offering to acquire it"
    )
    assert _count(session, Contract) == 0


def test_the_review_shows_duty_free_tax_and_total(client, shop, buyer, session):
    page = submit(client, FORM, REVIEW, _fields(shop)).text

    assert re.search(r'id="duty-free">([^<]*)<', page)[1] == "15.00 EUR"
    assert re.search(r'id="tax">([^<]*)<', page)[1] == "3.15 EUR"
    assert re.search(r'id="total">([^<]*)<', page)[1] == "18.15 EUR"
    assert "IVA (21%)" in page
    assert "Confirm and pay 18.15 EUR" in page
    assert _count(session, Contract) == 0
    assert _count(session, TaxAddress) == 0


def _buy(client, shop, **changes: str):
    return submit(client, FORM, FORM, {**_fields(shop, **changes), "idempotency_key": "k-1"})


def test_buying_with_the_sandbox_approving_and_seeing_the_purchase(client, shop, buyer, session):
    answer = _buy(client, shop)

    assert answer.status_code == 303
    payment = session.scalar(select(Payment))
    assert answer.headers["location"] == f"/payments/sandbox/{payment.gateway_ref}"
    assert (
        "Downloads are here once the purchase is paid."
        in client.get(f"/purchases/{session.scalar(select(Contract.ref))}").text
    )
    checkout = client.get(answer.headers["location"]).text
    assert re.search(r'id="amount">([^<]*)<', checkout)[1] == "18.15 EUR"
    ref = session.scalar(select(Contract.ref))

    approved = submit(client, answer.headers["location"], f"/purchases/{ref}/accept")

    assert approved.status_code == 303
    assert approved.headers["location"] == f"/purchases/{ref}"
    page = client.get(f"/purchases/{ref}").text
    day = utcnow().strftime("%Y-%m-%d")
    assert "Payment confirmed: the purchase is yours." in page
    assert 'Invoice <a href="#invoices">conwet-2026-000001</a>: 18.15 EUR.' in page
    assert '<span class="badge purchase-paid">paid</span>' in page
    charges, invoices = page.split('id="invoices-title"')
    assert [row[1:] for row in _table_rows(charges)] == [
        ["initial charge", "15.00 EUR", "3.15 EUR", "18.15 EUR"]
    ]
    assert _table_rows(invoices) == [
        ["conwet-2026-000001", day, "initial charge", "18.15 EUR", "PDF pending"]
    ]
    assert (
        '<li><a href="/media/resources/conwet/Map%20Viewer/1.0/widget.zip">Map Viewer</a></li>'
        in page
    )
    mine = _table_rows(client.get("/purchases").text)
    assert [row[:2] + row[3:] for row in mine] == [
        ["Smart City Lights · Monthly", "CoNWeT", "18.15 EUR", "paid", "Map Viewer"]
    ]


def test_cancelling_at_the_sandbox_cancels_the_purchase(client, shop, buyer, session):
    _buy(client, shop)
    ref = session.scalar(select(Contract.ref))

    cancelled = submit(client, FORM, f"/purchases/{ref}/cancel")

    assert cancelled.headers["location"] == f"/purchases/{ref}"
    page = client.get(f"/purchases/{ref}").text
    assert "Payment canceled: nothing was charged and the purchase is cancelled." in page
    assert '<span class="badge purchase-cancelled">cancelled</span>' in page
    again = submit(client, FORM, f"/purchases/{ref}/accept")
    assert again.headers["location"] == f"/purchases/{ref}"
    assert "This payment was canceled." in client.get(f"/purchases/{ref}").text
    assert session.scalar(select(Contract.state)) == ContractState.CANCELLED


def test_offline_shows_the_transfer_due(client, shop, buyer, session):
    answer = _buy(client, shop, gateway="offline")

    ref = session.scalar(select(Contract.ref))
    assert answer.headers["location"] == f"/purchases/{ref}"
    page = client.get(f"/purchases/{ref}").text
    assert f"pay 18.15 EUR by bank transfer quoting TRF-{ref.upper()}" in page
    assert "You acquired “Smart City Lights” 1.0." in page


def test_the_stored_tax_address_is_offered_next_time(client, shop, buyer, session, store, seller):
    _buy(client, shop, plan_label="free")
    provider = shop.offering.service.provider
    store.offering(provider, seller, "Parking Sensors", publish=True)
    form = "/store/offerings/conwet/Parking%20Sensors/1.0/acquire"

    page = client.get(form).text
    assert "My tax address: Calle Mayor 1, 28013 Madrid, ES" in page
    fields = {"tax_address": "stored", "project": str(shop.project.id), "gateway": "sandbox"}
    answer = submit(client, form, form, fields)

    assert answer.status_code == 303
    assert session.scalars(select(Contract.tax_address)).all()[-1]["city"] == "Madrid"


def test_a_resubmitted_purchase_buys_once_and_answers_the_same(client, shop, buyer, session):
    answers = [_buy(client, shop) for _ in range(2)]

    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert _count(session, Contract) == 1
    assert _count(session, Order) == 1


def test_others_may_not_see_or_pay_a_purchase(client, shop, make, session):
    log_in(client, shop.buyer)
    location = _buy(client, shop).headers["location"]
    ref = session.scalar(select(Contract.ref))
    log_in(client, make.user())

    assert client.get(f"/purchases/{ref}").status_code == 403
    assert client.get(location).status_code == 403
    token = csrf_token(client, "/purchases")
    answer = client.post(f"/purchases/{ref}/accept", data={"csrftoken": token})
    assert answer.status_code == 403
    assert client.get("/purchases/0123456789abcdef01234567").status_code == 404


def test_the_provider_sees_the_sale(client, shop, buyer, session, seller):
    _buy(client, shop, gateway="offline")
    log_in(client, seller.user)

    rows = _table_rows(client.get("/sales").text)

    assert [row[:2] + row[3:5] for row in rows] == [
        ["Smart City Lights · Monthly", "buyer@example.org", "18.15 EUR", "paid"]
    ]


def test_sales_are_forbidden_to_users_who_provide_nothing(client, shop, buyer):
    assert client.get("/sales").status_code == 403


# --- two identical submissions at once, against the real server ------------------------


def test_two_identical_concurrent_purchases_buy_once(shop, session, database_url, tmp_path):
    fields = {**_fields(shop), "idempotency_key": "race-1"}

    with running_app(database_url, tmp_path) as base:
        answers = post_together(base, shop.buyer, FORM, fields)

    payment = session.scalar(select(Payment))
    assert [(a.status_code, a.headers["location"]) for a in answers] == [
        (303, f"/payments/sandbox/{payment.gateway_ref}")
    ] * 2
    assert _count(session, Contract) == 1
    assert _count(session, Order) == 1


def test_the_invoice_downloads_once_the_worker_rendered_it(
    client, shop, buyer, session, engine, settings
):
    answer = _buy(client, shop)
    ref = session.scalar(select(Contract.ref))
    submit(client, answer.headers["location"], f"/purchases/{ref}/accept")
    pdf = "/invoices/conwet-2026-000001.pdf"
    assert client.get(pdf).status_code == 202

    render_due(make_session_factory(engine), local_files(settings).storage, settings.store_name)

    page = client.get(f"/purchases/{ref}").text
    assert f'<a href="{pdf}" download>download the PDF</a>' in page
    assert f'<td><a href="{pdf}" download>PDF</a></td>' in page
    downloaded = client.get(pdf)
    assert (downloaded.status_code, downloaded.headers["content-type"]) == (200, "application/pdf")
    lines = pdf_lines(downloaded.content)
    assert lines[1] == ("Invoice conwet-2026-000001",)
    assert lines[4] == ("Concept: initial charge",)
    assert lines[13] == ("Name: Smart City Lights",)
    assert lines[-2:] == [("Total: 18.15 EUR",), ("Currency: EUR",)]
