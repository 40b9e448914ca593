"""Rendering invoices' PDFs on the workers: the invoice row is its own outbox row.

An issued invoice is pending; after the commit the queue is told (``NEW_INVOICES``)
and a worker leases due invoices with the outbox's conditional UPDATE (as triggers
do), draws each PDF outside any transaction, then stores the file and marks the
invoice rendered in one commit (the file goes again if that commit fails). A failure
keeps the invoice pending with its error and attempt count, due again after the
triggers' backoff (10 s doubling to an hour); after 24 hours of failures it is
``failed`` until an admin renders it again. A worker that dies mid-render leaves a
lease that runs out, and the sweep queues the invoice again.
"""

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from mercato.commerce.invoice_models import Invoice, RenderStatus
from mercato.commerce.invoice_pdf import render_invoice
from mercato.db import transaction, utcnow
from mercato.ordering.triggers import SWEEP_BATCH, claimable, lease_due, next_attempt_at
from mercato.store.storage import Storage, delete_file_on_commit, new_key, save_file

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Invoices a worker claims at once; each is drawn in well under a second.
BATCH_SIZE = 10
LEASE = timedelta(minutes=5)
ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Round:
    """What one round of ``render_due`` did: invoices claimed, and when failed ones
    are due again."""

    claimed: int
    retries: list[datetime]


def _claim(session: Session, now: datetime, limit: int) -> list[Invoice]:
    """Lease due invoices and load them, lines too, to be read after this session ends."""
    leased = [
        row.id for row in lease_due(session, Invoice, RenderStatus.PENDING, now, LEASE, limit)
    ]
    if not leased:
        return []
    query = (
        select(Invoice)
        .where(Invoice.id.in_(leased))
        .options(selectinload(Invoice.lines))
        .order_by(Invoice.id)
    )
    invoices = list(session.scalars(query))
    session.expunge_all()
    return invoices


def _stored(
    session: Session, storage: Storage, invoice: Invoice, pdf: bytes, now: datetime
) -> None:
    """Keep the PDF and mark the invoice rendered, unless another worker's lease took it."""
    row = session.get(Invoice, invoice.id, with_for_update=True)
    if row is None or row.status != RenderStatus.PENDING or row.attempts != invoice.attempts:
        return
    if row.pdf_key:
        delete_file_on_commit(session, storage, row.pdf_key)
    row.pdf_key = new_key("invoices", f"{row.number}.pdf")
    save_file(session, storage, row.pdf_key, pdf)
    row.status, row.rendered_at, row.leased_until = RenderStatus.RENDERED, now, None


def _failed(
    session: Session, invoice: Invoice, error: Exception, now: datetime, rng: random.Random
) -> datetime | None:
    """Record the failure; when the invoice is due again (None: given up)."""
    due = next_attempt_at(now, invoice.attempts, rng)
    values = {
        "last_error": f"{type(error).__name__}: {error}"[:ERROR_LENGTH],
        "leased_until": None,
        "next_attempt_at": due or now,
        "status": RenderStatus.PENDING if due else RenderStatus.FAILED,
    }
    session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.attempts == invoice.attempts)
        .values(**values)
    )
    return due


def _render_one(
    factory: sessionmaker[Session],
    storage: Storage,
    store_name: str,
    invoice: Invoice,
    clock: Clock,
    rng: random.Random,
) -> datetime | None:
    try:
        pdf = render_invoice(invoice, store_name)
        with transaction(factory) as session:
            _stored(session, storage, invoice, pdf, clock())
    except Exception as error:
        log.warning("invoice %s could not be rendered", invoice.number, exc_info=True)
        with transaction(factory) as session:
            return _failed(session, invoice, error, clock(), rng)
    return None


def render_due(
    factory: sessionmaker[Session],
    storage: Storage,
    store_name: str,
    *,
    limit: int = BATCH_SIZE,
    on_full_batch: Callable[[], None] | None = None,
    clock: Clock = utcnow,
    rng: random.Random | None = None,
) -> Round:
    """Claim a batch of due invoices and render each; each stored in its own commit."""
    with transaction(factory) as session:
        invoices = _claim(session, clock(), limit)
    if len(invoices) == limit and on_full_batch is not None:
        on_full_batch()
    rng = rng or random.Random()
    retries = [
        due
        for invoice in invoices
        if (due := _render_one(factory, storage, store_name, invoice, clock, rng)) is not None
    ]
    return Round(len(invoices), retries)


def due_renders(session: Session, now: datetime) -> list[int]:
    """Pending invoices that are due and that no worker holds, oldest first."""
    query = select(Invoice.id).where(*claimable(Invoice, RenderStatus.PENDING, now))
    return list(session.scalars(query.order_by(Invoice.next_attempt_at).limit(SWEEP_BATCH)))
