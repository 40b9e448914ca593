"""Invoice downloads and the invoices page: who may fetch a PDF, what is answered while it is
rendered or after it failed, and the admin's button that renders one again."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from mercato.commerce.invoice_models import Invoice, RenderStatus
from mercato.commerce.invoice_rendering import render_due
from mercato.db import make_session_factory
from mercato.store.assets import local_files
from tests.commerce.invoicing import issue, pdf_lines
from tests.web.pages import log_in, submit

PDF = "/invoices/acme-2026-000001.pdf"
PENDING = {
    "status": "pending",
    "detail": "The invoice is being rendered; try again in a few seconds.",
}
FAILED = {
    "status": "failed",
    "detail": "The invoice could not be rendered; the store's administrators can render it again.",
}


@pytest.fixture
def people(make):
    member = make.user()
    return {
        "member": member,
        "seller": make.provider(member, name="Acme"),
        "buyer": make.user(first_name="Ann", last_name="Buyer"),
        "admin": make.user(is_admin=True),
        "stranger": make.user(),
    }


@pytest.fixture
def invoice(session, people) -> Invoice:
    issued = issue(session, people["seller"], people["buyer"])
    session.commit()
    return issued


@contextmanager
def signed_in(app, user) -> Iterator[TestClient]:
    with TestClient(app) as browser:
        log_in(browser, user)
        yield browser


def render(engine, settings) -> None:
    render_due(make_session_factory(engine), local_files(settings).storage, settings.store_name)


def test_the_buyer_the_sellers_members_and_admins_download_the_pdf(
    app, engine, settings, people, invoice
):
    render(engine, settings)

    for who in ("buyer", "member", "admin"):
        with signed_in(app, people[who]) as browser:
            response = browser.get(PDF)
        assert response.status_code == 200, who
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == (
            'attachment; filename="acme-2026-000001.pdf"'
        )
        assert pdf_lines(response.content)[:2] == [("Mercato",), ("Invoice acme-2026-000001",)]


def test_others_get_the_answer_of_an_invoice_that_does_not_exist(
    app, engine, settings, people, invoice
):
    render(engine, settings)

    with signed_in(app, people["stranger"]) as browser:
        hidden = browser.get(PDF)
        missing = browser.get("/invoices/acme-2026-000002.pdf")
    with TestClient(app) as anonymous:
        anonymous_answer = anonymous.get(PDF, follow_redirects=False)

    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text
    assert anonymous_answer.status_code == 303
    assert anonymous_answer.headers["location"].startswith("/login")


def test_a_pdf_being_rendered_answers_202_and_a_failed_one_409(app, session, people, invoice):
    with signed_in(app, people["buyer"]) as browser:
        pending = browser.get(PDF)
        session.execute(update(Invoice).values(status=RenderStatus.FAILED))
        session.commit()
        failed = browser.get(PDF)

    assert (pending.status_code, pending.headers["retry-after"], pending.json()) == (
        202,
        "5",
        PENDING,
    )
    assert (failed.status_code, failed.json()) == (409, FAILED)


def test_the_invoices_page_lists_bought_sold_and_unrendered_invoices(app, people, invoice):
    with signed_in(app, people["buyer"]) as browser:
        bought = browser.get("/invoices").text
    with signed_in(app, people["member"]) as browser:
        sold = browser.get(f"/invoices?seller={people['seller'].id}").text
    with signed_in(app, people["admin"]) as browser:
        admin = browser.get("/invoices").text
    with signed_in(app, people["stranger"]) as browser:
        stranger = browser.get("/invoices").text

    assert "acme-2026-000001" in bought and "Invoices of Acme" not in bought
    assert "Invoices of Acme" in sold and "acme-2026-000001" in sold
    assert '<a href="/invoices?seller=' in sold
    assert "Invoices without their PDF" in admin and "Render again" in admin
    assert "acme-2026-000001" not in stranger
    assert "You have not been invoiced yet." in stranger
    assert "PDF pending" in bought


def test_an_admin_renders_an_invoice_again(app, engine, settings, session, people, invoice):
    session.execute(update(Invoice).values(status=RenderStatus.FAILED, attempts=60))
    session.commit()
    action = "/invoices/acme-2026-000001/render"

    with signed_in(app, people["buyer"]) as browser:
        refused = submit(browser, "/invoices", action)
    with signed_in(app, people["stranger"]) as browser:
        hidden = submit(browser, "/invoices", action)
    with signed_in(app, people["admin"]) as browser:
        done = submit(browser, "/invoices", action)
        session.expire_all()
        queued = session.get(Invoice, invoice.id)
        assert (queued.status, queued.attempts) == (RenderStatus.PENDING, 0)
        render(engine, settings)
        downloaded = browser.get(PDF)

    assert (refused.status_code, hidden.status_code) == (403, 404)
    assert (done.status_code, done.headers["location"]) == (303, "/invoices")
    assert downloaded.status_code == 200


def _numbers(page: str) -> list[str]:
    return re.findall(r"<td><code>(acme-2026-\d+)</code></td>", page)


def test_the_invoice_lists_come_a_page_at_a_time(app, session, settings, people):
    for _ in range(settings.page_size + 1):
        issue(session, people["seller"], people["buyer"])
    session.commit()
    newest = [f"acme-2026-{n:06}" for n in range(settings.page_size + 1, 0, -1)]
    sold = f"/invoices?seller={people['seller'].id}"

    with signed_in(app, people["buyer"]) as browser:
        first, second = browser.get("/invoices").text, browser.get("/invoices?page=2").text
    with signed_in(app, people["member"]) as browser:
        sold_first = browser.get(sold).text
        sold_second = browser.get(f"{sold}&page=2").text
    with signed_in(app, people["stranger"]) as browser:
        refused = browser.get(sold, follow_redirects=False)

    assert (_numbers(first), _numbers(second)) == (newest[:-1], newest[-1:])
    assert f"{settings.page_size + 1} invoices, newest first." in first
    assert 'href="?page=2"' in first
    assert (_numbers(sold_first), _numbers(sold_second)) == (newest[:-1], newest[-1:])
    assert f'href="?seller={people["seller"].id}&amp;page=2"' in sold_first
    assert refused.status_code == 403
