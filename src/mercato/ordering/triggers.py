"""Trigger deliveries: one HTTP call per event and OMS, claimed, sent, logged and retried.

A worker claims a batch of due deliveries with one conditional UPDATE that
leases them to it, sends them concurrently outside any transaction, then
records every attempt in one commit. A worker that dies mid-call leaves
leases that simply run out; the sweep then hands the deliveries to the queue
again, so nothing is lost (an OMS may get a call twice, never none).

The same machinery serves every outbox of HTTP calls whose rows have the
``OutboxRow`` columns and an ``AttemptRecord`` log, described by an ``Outbox``:
the trigger deliveries here (``DELIVERIES``) and the purchase notifications of
``commerce.notifications``.
"""

import enum
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import httpx
from sqlalchemy import ColumnElement, Row, func, insert, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload, sessionmaker

from mercato import outgoing
from mercato.accounts.models import User
from mercato.catalogue.models import Oms
from mercato.catalogue.omses import require_oms
from mercato.db import transaction, utcnow
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.ordering.events import note_new_deliveries
from mercato.ordering.models import Delivery, DeliveryAttempt, DeliveryStatus
from mercato.outgoing import RefusedAddress, TooLarge, UnresolvableHost
from mercato.settings import Settings
from mercato.webhooks import signature_headers

Clock = Callable[[], datetime]

FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)
# The last attempt comes at least this long after the first one.
RETRY_PERIOD = timedelta(hours=24)
RETRYABLE_STATUSES = frozenset({408, 429})
SWEEP_BATCH = 10_000
# Deliveries a worker claims and sends at once; a batch's calls all run at the
# same time, so the lease of one call covers the whole batch.
BATCH_SIZE = 50


def retry_delay(failed_attempts: int) -> timedelta:
    """The nominal wait after the n-th failed attempt: doubling from 10 s, at most an hour."""
    return min(FIRST_RETRY * 2 ** (failed_attempts - 1), LONGEST_RETRY)


def _max_attempts() -> int:
    attempts, waited = 1, timedelta(0)
    while waited < RETRY_PERIOD:
        waited += retry_delay(attempts)
        attempts += 1
    return attempts


MAX_ATTEMPTS = _max_attempts()


def next_attempt_at(now: datetime, failed_attempts: int, rng: random.Random) -> datetime | None:
    """When to try again, or None once the retry period is over.

    The jitter only lengthens the wait, so retries always span the whole
    period, and many deliveries failing together do not come back together.
    """
    if failed_attempts >= MAX_ATTEMPTS:
        return None
    return now + retry_delay(failed_attempts) * (1 + rng.random() / 4)


def lease_for(settings: Settings) -> timedelta:
    # httpx's timeout bounds each phase (connect, write, read) of a call, not the whole.
    return timedelta(seconds=3 * settings.trigger_timeout + 5)


@dataclass(frozen=True)
class Call:
    """What one attempt of a delivery sends."""

    delivery_id: int
    attempt: int
    url: str
    method: str
    user: str
    password: str
    # Signs the call when set (Standard Webhooks); empty: sent as before, unsigned.
    signing_secret: str = ""

    @property
    def message_id(self) -> str:
        """The ``webhook-id``: one per delivery, the same on every attempt and redelivery."""
        return f"msg_trigger_{self.delivery_id}"


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str = ""
    is_retryable: bool = False

    @property
    def is_success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 400


def claimable(table: Any, pending: enum.StrEnum, now: datetime) -> list[ColumnElement[bool]]:
    """Rows of an outbox table (deliveries, publications) that are due and unleased."""
    return [
        table.status == pending,
        table.next_attempt_at <= now,
        or_(table.leased_until.is_(None), table.leased_until <= now),
    ]


def lease_due(
    session: Session,
    table: Any,
    pending: enum.StrEnum,
    now: datetime,
    lease: timedelta,
    limit: int,
    *returning: InstrumentedAttribute[Any],
) -> Sequence[Row[Any]]:
    """Lease up to ``limit`` due rows of an outbox table that no worker holds, oldest first.

    The UPDATE checks again that each row is claimable, so two workers never
    get the same row; on PostgreSQL they also skip each other's rows. The ids
    are selected first: PostgreSQL may run a LIMIT subquery of an UPDATE more
    than once, which would lease more than ``limit`` rows. Returns each leased
    row's id, then the ``returning`` columns.
    """
    due = session.scalars(
        select(table.id)
        .where(*claimable(table, pending, now))
        .order_by(table.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return []
    return session.execute(
        update(table)
        .where(table.id.in_(due), *claimable(table, pending, now))
        .values(leased_until=now + lease, attempts=table.attempts + 1)
        .returning(table.id, *returning)
        .execution_options(synchronize_session=False)
    ).all()


def claim(session: Session, now: datetime, lease: timedelta, limit: int = BATCH_SIZE) -> list[Call]:
    """Lease up to ``limit`` due deliveries to this worker, with what their calls need."""
    claimed = lease_due(
        session,
        Delivery,
        DeliveryStatus.PENDING,
        now,
        lease,
        limit,
        Delivery.oms_id,
        Delivery.attempts,
    )
    if not claimed:
        return []
    trigger_columns = (Oms.id, Oms.trigger_url, Oms.trigger_method, Oms.trigger_user)
    omses = {
        row.id: row
        for row in session.execute(
            select(*trigger_columns, Oms.trigger_password, Oms.signing_secret).where(
                Oms.id.in_({row.oms_id for row in claimed})
            )
        )
    }
    return [
        Call(
            row.id,
            row.attempts,
            omses[row.oms_id].trigger_url,
            omses[row.oms_id].trigger_method.value,
            omses[row.oms_id].trigger_user,
            omses[row.oms_id].trigger_password,
            omses[row.oms_id].signing_secret,
        )
        for row in sorted(claimed)
    ]


def call_out(
    settings: Settings,
    client: httpx.Client,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    auth: httpx.Auth | None = None,
) -> tuple[int | None, str, bool]:
    """The status code, error and whether to retry, of one outbox call.

    Through ``mercato.outgoing.call``: checked, pinned to the address checked, no
    redirects followed (a 3xx is the receiver's answer, and its target unchecked).
    """
    try:
        answer = outgoing.call(
            settings,
            client,
            method,
            url,
            headers=headers,
            content=content,
            auth=auth,
            timeout=settings.trigger_timeout,
        )
    except UnresolvableHost as error:
        return None, str(error), True
    except RefusedAddress as error:
        return None, f"refused: {error}", False
    except TooLarge as error:
        return None, str(error), False
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}".removesuffix(": "), True
    status = answer.status_code
    return status, "", status >= 500 or status in RETRYABLE_STATUSES


def _call(
    settings: Settings, client: httpx.Client, call: Call, started_at: datetime
) -> tuple[int | None, str, bool]:
    """The status code, error and whether to retry, of the one HTTP call of an attempt."""
    if not call.url:
        return None, "the OMS no longer has a trigger", False
    auth = httpx.BasicAuth(call.user, call.password) if call.user or call.password else None
    headers = (
        signature_headers(call.signing_secret, call.message_id, started_at, b"")
        if call.signing_secret
        else None
    )
    return call_out(settings, client, call.method.upper(), call.url, headers=headers, auth=auth)


def timed(started_at: datetime, make_call: Callable[[], tuple[int | None, str, bool]]) -> Outcome:
    """The outcome of one attempt, ``make_call``, with how long it took."""
    began = time.perf_counter()
    status_code, error, is_retryable = make_call()
    took = round((time.perf_counter() - began) * 1000)
    return Outcome(started_at, took, status_code, error, is_retryable)


def send(settings: Settings, client: httpx.Client, call: Call, started_at: datetime) -> Outcome:
    """Make the call: the OMS's method, an empty body, Basic credentials and the
    Standard Webhooks signature headers (timestamped ``started_at``) when set."""
    return timed(started_at, lambda: _call(settings, client, call, started_at))


class OutboxCall(Protocol):
    """What recording needs of one attempt of any outbox row of HTTP calls."""

    @property
    def delivery_id(self) -> int: ...
    @property
    def attempt(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def method(self) -> str: ...


CallT = TypeVar("CallT", bound=OutboxCall)


@dataclass(frozen=True)
class Outbox(Generic[CallT]):
    """A table of HTTP calls owed (with DeliveryStatus, attempts and a lease), its attempt
    log, and how its rows are claimed and sent: triggers, purchase notifications."""

    table: Any
    attempt_table: Any
    # The attempt log's column naming the row.
    key: str
    claim: Callable[[Session, datetime, timedelta, int], list[CallT]]
    send: Callable[[Settings, httpx.Client, CallT, datetime], Outcome]


def send_all(
    outbox: Outbox[CallT],
    settings: Settings,
    client: httpx.Client,
    calls: Sequence[CallT],
    clock: Clock,
    senders: Executor | None = None,
) -> list[Outcome]:
    """Make the calls, all at once on ``senders`` (a lone call, or without senders, in turn)."""
    if senders is None or len(calls) == 1:
        return [outbox.send(settings, client, call, clock()) for call in calls]
    return list(senders.map(lambda call: outbox.send(settings, client, call, clock()), calls))


def record(
    session: Session,
    outbox: Outbox[Any],
    calls: Sequence[OutboxCall],
    outcomes: Sequence[Outcome],
    now: datetime,
    rng: random.Random,
) -> list[datetime]:
    """Log the attempts and settle the rows; returns when each retry is due."""
    session.execute(
        insert(outbox.attempt_table),
        [
            {
                outbox.key: call.delivery_id,
                "started_at": outcome.started_at,
                "url": call.url,
                "method": call.method,
                "status_code": outcome.status_code,
                "duration_ms": outcome.duration_ms,
                "error": outcome.error,
            }
            for call, outcome in zip(calls, outcomes, strict=True)
        ],
    )
    settled, retries = [], []
    for call, outcome in zip(calls, outcomes, strict=True):
        retry_at = next_attempt_at(now, call.attempt, rng) if outcome.is_retryable else None
        if retry_at is not None:
            retries.append(retry_at)
            settled.append(
                {"id": call.delivery_id, "leased_until": None, "next_attempt_at": retry_at}
            )
        else:
            status = DeliveryStatus.DELIVERED if outcome.is_success else DeliveryStatus.FAILED
            settled.append(
                {"id": call.delivery_id, "leased_until": None, "status": status, "finished_at": now}
            )
    session.execute(update(outbox.table), settled)
    return retries


@dataclass(frozen=True)
class Round:
    """What one round of ``deliver_due`` did."""

    claimed: int
    retries: list[datetime]


DELIVERIES = Outbox(Delivery, DeliveryAttempt, "delivery_id", claim, send)


def deliver_due(
    factory: sessionmaker[Session],
    settings: Settings,
    client: httpx.Client,
    *,
    outbox: Outbox[Any] = DELIVERIES,
    senders: Executor | None = None,
    limit: int = BATCH_SIZE,
    on_full_batch: Callable[[], None] | None = None,
    clock: Clock = utcnow,
    rng: random.Random | None = None,
) -> Round:
    """Claim a batch of due rows of ``outbox`` (trigger deliveries by default), send them,
    record them; one commit before, one after.

    A full batch suggests more is due: ``on_full_batch`` runs before the calls
    are made, so that another worker can claim the next batch meanwhile.
    """
    with transaction(factory) as session:
        calls = outbox.claim(session, clock(), lease_for(settings), limit)
    if not calls:
        return Round(0, [])
    if len(calls) == limit and on_full_batch is not None:
        on_full_batch()
    outcomes = send_all(outbox, settings, client, calls, clock, senders)
    with transaction(factory) as session:
        retries = record(session, outbox, calls, outcomes, clock(), rng or random.Random())
    return Round(len(calls), retries)


def due_rows(session: Session, table: Any, now: datetime) -> list[int]:
    """Pending rows of an outbox table that are due and that no worker holds, oldest first."""
    query = select(table.id).where(*claimable(table, DeliveryStatus.PENDING, now))
    query = query.order_by(table.next_attempt_at)
    return list(session.scalars(query.limit(SWEEP_BATCH)))


def due_deliveries(session: Session, now: datetime) -> list[int]:
    """Pending deliveries that are due and that no worker holds, oldest first."""
    return due_rows(session, Delivery, now)


def check_can_see_deliveries(user: User, oms: Oms) -> None:
    """An OMS's delivery log is for its administrators and the site admins."""
    if not user.is_admin and user not in oms.administrators:
        raise Forbidden("Only the OMS's administrators see its deliveries")


def require_oms_for_deliveries(session: Session, user: User, oms_id: int) -> Oms:
    """The OMS (not found) whose delivery log ``user`` may see (forbidden)."""
    oms = require_oms(session, oms_id)
    check_can_see_deliveries(user, oms)
    return oms


def oms_deliveries(
    session: Session, oms: Oms, *, page: int, page_size: int
) -> tuple[list[Delivery], int]:
    """One page of an OMS's deliveries, newest first, with their attempts; and the total."""
    total = session.scalar(select(func.count(Delivery.id)).where(Delivery.oms_id == oms.id)) or 0
    query = (
        select(Delivery)
        .where(Delivery.oms_id == oms.id)
        .options(selectinload(Delivery.attempt_log), selectinload(Delivery.event))
        .order_by(Delivery.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(session.scalars(query)), total


def require_delivery(session: Session, oms: Oms, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.oms_id != oms.id:
        raise NotFound("Delivery")
    return delivery


def start_over(row: Any, now: datetime) -> None:
    """Make a delivered or failed outbox row pending now, with a full retry period."""
    if row.status == DeliveryStatus.PENDING:
        raise Invalid.field("delivery", "is still pending; it will be sent")
    row.status = DeliveryStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.leased_until = None
    row.finished_at = None


def redeliver(session: Session, delivery: Delivery, now: datetime) -> Delivery:
    """Start a delivered or failed delivery over: pending now, with a full retry period."""
    start_over(delivery, now)
    session.flush()
    note_new_deliveries(session, 1)
    return delivery
