"""Trigger deliveries: one HTTP call per event and OMS, claimed, sent, logged and retried.

A delivery is claimed with a conditional UPDATE that leases it to one worker,
sent outside any transaction, then recorded. A worker that dies mid-call
leaves a lease that simply runs out; the sweep then hands the delivery to the
queue again, so nothing is lost (an OMS may get a call twice, never none).
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from mercato.accounts.models import User
from mercato.db import transaction, utcnow
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.ordering.events import NEW_DELIVERIES
from mercato.ordering.models import Delivery, DeliveryAttempt, DeliveryStatus, Oms
from mercato.ordering.trigger_targets import (
    RefusedAddress,
    UnresolvableHost,
    default_port,
    resolve_allowed,
)
from mercato.settings import Settings

Clock = Callable[[], datetime]

FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)
# The last attempt comes at least this long after the first one.
RETRY_PERIOD = timedelta(hours=24)
RETRYABLE_STATUSES = frozenset({408, 429})
SWEEP_BATCH = 10_000


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


def _claimable(now: datetime) -> list[ColumnElement[bool]]:
    return [
        Delivery.status == DeliveryStatus.PENDING,
        Delivery.next_attempt_at <= now,
        or_(Delivery.leased_until.is_(None), Delivery.leased_until <= now),
    ]


def claim(session: Session, delivery_id: int, now: datetime, lease: timedelta) -> Call | None:
    """Lease a due delivery to this worker; None if it is not due or another worker has it."""
    claimed = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, *_claimable(now))
        .values(leased_until=now + lease, attempts=Delivery.attempts + 1)
        .returning(Delivery.oms_id, Delivery.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None
    oms = session.execute(
        select(Oms.trigger_url, Oms.trigger_method, Oms.trigger_user, Oms.trigger_password).where(
            Oms.id == claimed.oms_id
        )
    ).one()
    return Call(delivery_id, claimed.attempts, oms[0], oms[1].value, oms[2], oms[3])


def _pinned_request(settings: Settings, call: Call) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL to call, with the host replaced by the address checked just now.

    Connecting to that very address (with the original Host header and TLS
    server name) leaves no second lookup that could answer differently.
    """
    parts = urlsplit(call.url)
    hostname = parts.hostname or ""
    address = resolve_allowed(settings, hostname, default_port(parts))
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    headers = {"Host": parts.netloc.rpartition("@")[2]}
    extensions = {"sni_hostname": hostname} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), headers, extensions


def _call(settings: Settings, client: httpx.Client, call: Call) -> tuple[int | None, str, bool]:
    """The status code, error and whether to retry, of the one HTTP call of an attempt."""
    if not call.url:
        return None, "the OMS no longer has a trigger", False
    try:
        url, headers, extensions = _pinned_request(settings, call)
    except UnresolvableHost as error:
        return None, str(error), True
    except RefusedAddress as error:
        return None, f"refused: {error}", False
    auth = httpx.BasicAuth(call.user, call.password) if call.user or call.password else None
    try:
        response = client.request(
            call.method.upper(),
            url,
            headers=headers,
            auth=auth,
            extensions=extensions,
            timeout=settings.trigger_timeout,
        )
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}".removesuffix(": "), True
    status = response.status_code
    return status, "", status >= 500 or status in RETRYABLE_STATUSES


def send(settings: Settings, client: httpx.Client, call: Call, started_at: datetime) -> Outcome:
    """Make the call: the OMS's method, an empty body, Basic credentials when set."""
    began = time.perf_counter()
    status_code, error, is_retryable = _call(settings, client, call)
    took = round((time.perf_counter() - began) * 1000)
    return Outcome(started_at, took, status_code, error, is_retryable)


def record(
    session: Session, call: Call, outcome: Outcome, now: datetime, rng: random.Random
) -> datetime | None:
    """Log the attempt and settle the delivery; returns when to try again, if ever."""
    delivery = session.get_one(Delivery, call.delivery_id)
    delivery.attempt_log.append(
        DeliveryAttempt(
            started_at=outcome.started_at,
            url=call.url,
            method=call.method,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
    )
    delivery.leased_until = None
    retry_at = next_attempt_at(now, call.attempt, rng) if outcome.is_retryable else None
    if retry_at is not None:
        delivery.next_attempt_at = retry_at
    else:
        delivery.status = DeliveryStatus.DELIVERED if outcome.is_success else DeliveryStatus.FAILED
        delivery.finished_at = now
    return retry_at


def deliver(
    factory: sessionmaker[Session],
    settings: Settings,
    client: httpx.Client,
    delivery_id: int,
    *,
    clock: Clock = utcnow,
    rng: random.Random | None = None,
) -> datetime | None:
    """Run one attempt of a delivery if it is due and free; returns when to retry, if ever."""
    with transaction(factory) as session:
        call = claim(session, delivery_id, clock(), lease_for(settings))
    if call is None:
        return None
    outcome = send(settings, client, call, clock())
    with transaction(factory) as session:
        return record(session, call, outcome, clock(), rng or random.Random())


def due_deliveries(session: Session, now: datetime) -> list[int]:
    """Pending deliveries that are due and that no worker holds, oldest first."""
    query = select(Delivery.id).where(*_claimable(now)).order_by(Delivery.next_attempt_at)
    return list(session.scalars(query.limit(SWEEP_BATCH)))


def check_can_see_deliveries(user: User, oms: Oms) -> None:
    """An OMS's delivery log is for its administrators and the site admins."""
    if not user.is_admin and user not in oms.administrators:
        raise Forbidden("Only the OMS's administrators see its deliveries")


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


def redeliver(session: Session, delivery: Delivery, now: datetime) -> Delivery:
    """Start a delivered or failed delivery over: pending now, with a full retry period."""
    if delivery.status == DeliveryStatus.PENDING:
        raise Invalid.field("delivery", "is still pending; it will be sent")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.leased_until = None
    delivery.finished_at = None
    session.flush()
    session.info.setdefault(NEW_DELIVERIES, []).append(delivery.id)
    return delivery
