"""Publication deliveries: the calls to marketplaces and repositories, sent after commit.

Publishing (or deleting) an offering writes its ``Publication`` rows in the same
transaction as the change, pending; after the commit the queue is told
(``NEW_PUBLICATIONS``), and a worker claims the due rows with one conditional UPDATE
that leases them, makes their calls outside any transaction through
``mercato.outgoing.call``, then logs every attempt and settles every row in one commit.
Network errors, timeouts, 5xx, 408 and 429 are retried with the triggers' backoff
(10 s doubling to an hour, for at least 24 hours); other answers fail at once. A worker
that dies mid-call leaves leases that run out, and the sweep queues the rows again, so
a marketplace may get a call twice, never none.

A row holds what should be true on the other side (``is_wanted``) and converges to it:
a publish once the marketplace names the description, a withdrawal of that name once
the offering is deleted, nothing to send when what is withdrawn was never published.
"""

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from mercato.db import transaction, utcnow
from mercato.ordering.triggers import RETRYABLE_STATUSES, claimable, lease_due, next_attempt_at
from mercato.outgoing import RefusedAddress, TooLarge, UnresolvableHost
from mercato.settings import Settings
from mercato.store.descriptions import usdl_of
from mercato.store.marketplaces import client, repository_client
from mercato.store.marketplaces.client import Request
from mercato.store.marketplaces.models import (
    Publication,
    PublicationAttempt,
    PublicationStatus,
    Repository,
)
from mercato.store.marketplaces.repository_client import Collection
from mercato.store.marketplaces.rules import address_of, display_name, usdl_url
from mercato.store.models import StoreOffering
from mercato.store.usdl import UsdlFormat, export_usdl

Clock = Callable[[], datetime]

# Rows a worker claims at once; their calls are made one after the other.
BATCH_SIZE = 10
SWEEP_BATCH = 10_000


def lease_for(limit: int) -> timedelta:
    # Each call may take three times its timeout; a batch's calls run in turn.
    return timedelta(seconds=limit * (3 * client.TIMEOUT_SECONDS + 5))


# --- what to send ----------------------------------------------------------------------


def document_url(repository: Repository, offering: StoreOffering) -> str:
    collection = Collection(repository.host, repository.api_version, repository.offering_collection)
    service = offering.service
    return repository_client.document_url(
        collection, service.provider.slug, service.name, offering.version
    )


def request_for(settings: Settings, publication: Publication) -> Request | None:
    """The call that brings the other side where the row wants it; None when it is there."""
    offering = publication.offering
    if publication.repository is not None:
        document = export_usdl(usdl_of(offering, settings.base_url.rstrip("/")), UsdlFormat.RDF_XML)
        url = document_url(publication.repository, offering)
        return repository_client.upload(url, UsdlFormat.RDF_XML.value, document)
    marketplace = publication.marketplace
    if marketplace is None:
        return None
    address = address_of(marketplace)
    if publication.is_wanted and not publication.remote_name:
        return client.add_description(
            address,
            marketplace.store_id,
            display_name(offering),
            usdl_url(settings.base_url, offering),
        )
    if not publication.is_wanted and publication.remote_name:
        return client.delete_description(address, marketplace.store_id, publication.remote_name)
    return None


# --- claiming, sending, recording --------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """What one attempt of a publication sends (nothing, when nothing is owed)."""

    publication_id: int
    attempt: int
    request: Request | None


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str = ""
    is_retryable: bool = False
    is_success: bool = False
    # The marketplace's name for the description, or where the repository keeps it.
    remote_name: str = ""


def claim(
    session: Session, settings: Settings, now: datetime, limit: int = BATCH_SIZE
) -> list[Call]:
    """Lease up to ``limit`` due rows that no worker holds, oldest first (as triggers do)."""
    leased = lease_due(
        session, Publication, PublicationStatus.PENDING, now, lease_for(limit), limit
    )
    claimed = [row.id for row in leased]
    if not claimed:
        return []
    rows = session.scalars(
        select(Publication).where(Publication.id.in_(claimed)).order_by(Publication.id)
    ).all()
    return [Call(row.id, row.attempts, request_for(settings, row)) for row in rows]


def send(settings: Settings, http: httpx.Client, call: Call, started_at: datetime) -> Outcome:
    """Make the call, and judge its answer by the contract."""
    if call.request is None:
        return Outcome(started_at, 0, is_success=True)
    request = call.request
    began = time.perf_counter()

    def took() -> int:
        return round((time.perf_counter() - began) * 1000)

    try:
        answer = client.send(settings, http, request)
    except UnresolvableHost as error:
        return Outcome(started_at, took(), error=str(error), is_retryable=True)
    except RefusedAddress as error:
        return Outcome(started_at, took(), error=f"refused: {error}")
    except TooLarge as error:
        return Outcome(started_at, took(), error=str(error))
    except httpx.HTTPError as error:
        message = f"{type(error).__name__}: {error}".removesuffix(": ")
        return Outcome(started_at, took(), error=message, is_retryable=True)
    status = answer.status_code
    if status not in request.expected:
        retry = status >= 500 or status in RETRYABLE_STATUSES
        error = f"answered {status} to {request.method} {request.url}"
        return Outcome(started_at, took(), status, error, is_retryable=retry)
    if request.method == "PUT":
        return Outcome(started_at, took(), status, is_success=True, remote_name=request.url)
    if request.method == "POST":
        name = client.last_segment(answer)
        if not name:
            return Outcome(started_at, took(), status, "answered without a Location")
        return Outcome(started_at, took(), status, is_success=True, remote_name=name)
    return Outcome(started_at, took(), status, is_success=True)


def _settle(
    publication: Publication, call: Call, outcome: Outcome, now: datetime, retry_at: datetime | None
) -> bool:
    """Apply one attempt's outcome to its row; True when the row is due again at once."""
    publication.leased_until = None
    if not outcome.is_success:
        publication.error = outcome.error
        if retry_at is not None:
            publication.next_attempt_at = retry_at
        else:
            publication.status = PublicationStatus.FAILED
            publication.finished_at = now
        return False
    publication.error = ""
    if publication.repository_id is not None:
        # The repository holds the description from now on, as in WStore.
        publication.remote_name = outcome.remote_name
        publication.offering.description_url = outcome.remote_name
    elif call.request is not None and call.request.method == "DELETE":
        publication.remote_name = ""
    elif outcome.remote_name:
        publication.remote_name = outcome.remote_name
    if publication.repository_id is None and publication.is_wanted != bool(publication.remote_name):
        # The offering was deleted while its publish was on the way: withdraw it now.
        publication.attempts = 0
        publication.next_attempt_at = now
        return True
    publication.status = (
        PublicationStatus.PUBLISHED if publication.is_wanted else PublicationStatus.WITHDRAWN
    )
    publication.finished_at = now
    return False


def record(
    session: Session,
    calls: Sequence[Call],
    outcomes: Sequence[Outcome],
    now: datetime,
    rng: random.Random,
) -> list[datetime]:
    """Log the attempts and settle the rows; returns when each is due again."""
    made = [
        (call, outcome)
        for call, outcome in zip(calls, outcomes, strict=True)
        if call.request is not None
    ]
    if made:
        session.execute(
            insert(PublicationAttempt),
            [
                {
                    "publication_id": call.publication_id,
                    "started_at": outcome.started_at,
                    "url": call.request.url,
                    "method": call.request.method,
                    "status_code": outcome.status_code,
                    "duration_ms": outcome.duration_ms,
                    "error": outcome.error,
                }
                for call, outcome in made
                if call.request is not None
            ],
        )
    # Read again, locked: a delete may have changed what a row wants since the claim.
    rows = {
        row.id: row
        for row in session.scalars(
            select(Publication)
            .where(Publication.id.in_([call.publication_id for call in calls]))
            .with_for_update(of=Publication)
        )
    }
    due: list[datetime] = []
    for call, outcome in zip(calls, outcomes, strict=True):
        publication = rows.get(call.publication_id)
        if publication is None:
            continue
        retry_at = next_attempt_at(now, call.attempt, rng) if outcome.is_retryable else None
        if _settle(publication, call, outcome, now, retry_at):
            due.append(now)
        elif retry_at is not None:
            due.append(retry_at)
    session.flush()
    return due


@dataclass(frozen=True)
class Round:
    """What one round of ``deliver_due`` did."""

    claimed: int
    due: list[datetime]


def deliver_due(
    factory: sessionmaker[Session],
    settings: Settings,
    http: httpx.Client,
    *,
    limit: int = BATCH_SIZE,
    on_full_batch: Callable[[], None] | None = None,
    clock: Clock = utcnow,
    rng: random.Random | None = None,
) -> Round:
    """Claim a batch of due publications, make their calls, record them."""
    with transaction(factory) as session:
        calls = claim(session, settings, clock(), limit)
    if not calls:
        return Round(0, [])
    if len(calls) == limit and on_full_batch is not None:
        on_full_batch()
    outcomes = [send(settings, http, call, clock()) for call in calls]
    with transaction(factory) as session:
        due = record(session, calls, outcomes, clock(), rng or random.Random())
    return Round(len(calls), due)


def due_publications(session: Session, now: datetime) -> list[int]:
    """Pending publications that are due and that no worker holds, oldest first."""
    pending = claimable(Publication, PublicationStatus.PENDING, now)
    query = select(Publication.id).where(*pending).order_by(Publication.next_attempt_at)
    return list(session.scalars(query.limit(SWEEP_BATCH)))
