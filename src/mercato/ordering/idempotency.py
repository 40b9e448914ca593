"""Idempotency keys: a retried request that orders or buys answers what the first one did.

A client sends an ``Idempotency-Key`` header (a web form, which cannot set
headers, a hidden field filled when the form is shown) with a request that
places orders. The first request with a key claims it, in its own transaction,
before it changes anything, and settles it with what it produced; a retry with
the same key and the same request gets that result again and changes nothing;
the same key with another request is refused. The unique (user, key) pair does
the deciding: a concurrent retry's claim waits for the first request's
transaction and then finds its result (PostgreSQL), or runs after it
(SQLite's single writer). Keys are forgotten after ``MERCATO_IDEMPOTENCY_KEY_HOURS``.

Any surface uses it the same way::

    lifetime = settings.idempotency_key_lifetime
    held = claim_key(session, user, key, fingerprint(...), lifetime=lifetime)
    if held.result is not None:
        return <the answer held.result describes>
    ... make the change ...
    settle_key(session, held, <what to answer retries>)
"""

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.db import utcnow
from mercato.errors import Conflict, Invalid, Unprocessable
from mercato.ordering.models import IdempotencyKey

KEY_HEADER = "Idempotency-Key"
# The hidden field of web forms that place orders.
FORM_FIELD = "idempotency_key"
MAX_KEY_LENGTH = 255
SWEEP_BATCH = 10_000


def new_key() -> str:
    """A key for a form being shown: each rendering of the form is one request to make."""
    return str(uuid.uuid4())


def fingerprint(method: str, path: str, content: Any) -> str:
    """What identifies a request: its method, path and content (JSON-able, e.g. the body
    or a form's fields), as a SHA-256 of their canonical JSON."""
    canonical = json.dumps([method.upper(), path, content], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    """A key is 1 to 255 visible ASCII characters (what an HTTP header carries safely)."""
    if not (0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        raise Invalid.field(KEY_HEADER, f"must be 1 to {MAX_KEY_LENGTH} visible ASCII characters")
    return key


def _find(session: Session, user: User, key: str) -> IdempotencyKey | None:
    query = select(IdempotencyKey).where(
        IdempotencyKey.user_id == user.id, IdempotencyKey.key == key
    )
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def _insert(session: Session, row: IdempotencyKey) -> bool:
    """Whether the row went in; False when another request holds the key."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def claim_key(
    session: Session,
    user: User,
    key: str,
    request_fingerprint: str,
    *,
    lifetime: timedelta,
    now: datetime | None = None,
) -> IdempotencyKey:
    """Claim ``key`` for this request, or find the result of the first request with it.

    Call it before the request changes anything. Returns the key's row: without a
    ``result``, this request holds the key and settles it (``settle_key``) in its
    transaction; with one, the first request's, whose answer the retry repeats.
    Raises Unprocessable when the key came with another request, Invalid when it
    is malformed.
    """
    key = check_key(key)
    now = now or utcnow()
    found = _find(session, user, key)
    if found is not None and found.expires_at <= now:
        # Forgotten: a statement, not the ORM's delete, since a concurrent claim may
        # have removed it already.
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == found.id))
        session.expunge(found)
        found = None
    if found is None:
        row = IdempotencyKey(
            user_id=user.id,
            key=key,
            fingerprint=request_fingerprint,
            created_at=now,
            expires_at=now + lifetime,
        )
        if _insert(session, row):
            return row
        # A concurrent request claimed it first; its transaction has ended by now.
        found = _find(session, user, key)
        if found is None:
            raise Conflict.field(KEY_HEADER, "is being used by another request; try again")
    if found.fingerprint != request_fingerprint:
        raise Unprocessable.field(KEY_HEADER, "was already used for a different request")
    if found.result is None:
        raise Conflict.field(KEY_HEADER, "is being used by another request; try again")
    return found


def settle_key(session: Session, held: IdempotencyKey, result: dict[str, Any]) -> None:
    """Record what the request that holds the key produced, for its retries to repeat."""
    held.result = result
    session.flush()


def forget_expired_keys(session: Session, now: datetime) -> int:
    """Delete up to a batch of expired keys; returns how many."""
    expired = select(IdempotencyKey.id).where(IdempotencyKey.expires_at <= now).limit(SWEEP_BATCH)
    deleted = session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.id.in_(expired.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return deleted.rowcount
