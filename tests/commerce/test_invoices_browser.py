"""The invoices page in headless Chromium: an admin who also sells and buys downloads a PDF,
sees the ones still pending or failed, and renders a failed one again with the plain form."""

import os
from pathlib import Path

import pytest
from sqlalchemy import update

from mercato.commerce.invoice_models import Invoice, RenderStatus
from mercato.commerce.invoice_rendering import render_due
from mercato.db import make_session_factory
from mercato.store.storage import LocalStorage
from tests.commerce.invoicing import issue, pdf_lines
from tests.web.pages import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = os.environ.get("MERCATO_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_admin_downloads_and_renders_again_in_the_browser(page, make, session, engine, tmp_path):
    admin = make.user("root@example.org", first_name="Rosa", last_name="Root", is_admin=True)
    acme, other = make.provider(admin, name="Acme"), make.provider(name="Lights Ltd")
    customer = make.user(first_name="Ann", last_name="Buyer")
    bought = issue(session, other, admin, order_id=1)
    session.commit()
    # The live server keeps files in its data folder (tmp_path); no worker runs there.
    render_due(make_session_factory(engine), LocalStorage(tmp_path / "media"), "Mercato")
    issue(session, acme, customer, order_id=2)
    failed = issue(session, acme, customer, order_id=3)
    session.commit()
    session.execute(
        update(Invoice)
        .where(Invoice.id == failed.id)
        .values(status=RenderStatus.FAILED, attempts=60, last_error="OSError: disk full")
    )
    session.commit()

    log_in_browser(page, "root@example.org")
    page.get_by_role("link", name="Invoices").click()
    _shot(page, "invoices")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"{bought.number}.pdf"
    lines = pdf_lines(Path(download.value.path()).read_bytes())
    assert lines[1] == ("Invoice lights-ltd-2026-000001",)

    page.get_by_role("button", name="Render acme-2026-000002 again").click()
    assert "Invoice acme-2026-000002 will be rendered again." in page.content()
    _shot(page, "invoices-render-again")
    session.expire_all()
    assert session.get(Invoice, failed.id).status is RenderStatus.PENDING

    # A seller's invoices are a tab of their own, a page at a time.
    page.get_by_role("link", name="Of Acme").click()
    assert page.get_by_role("heading", name="Invoices of Acme").is_visible()
    assert "2 invoices, newest first." in page.content()
    _shot(page, "invoices-of-a-seller")
