"""Invoices rendered by the queue's workers (SQLite file and Redis): handed over after the
purchase commits, nothing for a purchase that rolls back, and found by the sweep when the
hand-over was lost."""

import time

import pytest
from sqlalchemy.orm import Session

from mercato.commerce.invoice_models import Invoice, RenderStatus
from mercato.db import make_session_factory
from mercato.queue import TaskQueue
from mercato.store.assets import local_files
from tests.commerce.invoicing import issue, pdf_lines, stored_pdf
from tests.ordering.test_triggers_queue import committing, queue, queue_settings, worker

__all__ = ["committing", "queue", "queue_settings", "worker"]

pytestmark = pytest.mark.slow


def wait_for_render(session: Session, invoice_id: int, timeout: float = 30) -> Invoice:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.expire_all()
        invoice = session.get(Invoice, invoice_id)
        if invoice.status is not RenderStatus.PENDING:
            return invoice
        time.sleep(0.1)
    raise AssertionError(f"invoice {invoice_id} still pending after {timeout} s")


def test_a_committed_purchase_has_its_invoice_rendered_by_a_worker(
    committing, make, session, queue_settings, worker
):
    seller, buyer = make.provider(make.user(), name="Acme"), make.user()
    with committing() as purchase:
        invoice = issue(purchase, purchase.merge(seller), purchase.merge(buyer))
        purchase.commit()

    done = wait_for_render(session, invoice.id)

    assert (done.status, done.attempts, done.last_error) == (RenderStatus.RENDERED, 1, "")
    pdf = stored_pdf(local_files(queue_settings).storage, done)
    assert pdf_lines(pdf)[1] == ("Invoice acme-2026-000001",)


def test_a_rolled_back_purchase_enqueues_no_render(committing, make, queue: TaskQueue):
    with committing() as session:
        make.session = session
        seller, buyer = make.provider(name="Acme"), make.user()
        issue(session, seller, buyer)
        session.rollback()
        assert queue.huey.pending_count() == 0
        issue(session, seller, buyer)
        session.commit()
    assert queue.huey.pending_count() == 1


def test_an_invoice_whose_hand_over_was_lost_is_found_by_the_sweep(
    engine, make, session, queue: TaskQueue, worker
):
    seller, buyer = make.provider(name="Acme"), make.user()
    # Sessions that hand nothing over: the queue never hears of this invoice.
    with make_session_factory(engine)() as silent:
        invoice = issue(silent, silent.merge(seller), silent.merge(buyer))
        silent.commit()

    assert queue.sweep(always=True) == 1
    assert wait_for_render(session, invoice.id).status is RenderStatus.RENDERED
