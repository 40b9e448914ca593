"""Idempotency keys: claimed once per user, answered again, refused with another request."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mercato.errors import Invalid, Unprocessable
from mercato.ordering import idempotency
from mercato.ordering.models import IdempotencyKey

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
ORDER = idempotency.fingerprint("POST", "/services/vm/offers/1/order", [["project", "3"]])


def claim(session, user, key="key-1", fingerprint=ORDER, now=NOW) -> IdempotencyKey:
    return idempotency.claim_key(session, user, key, fingerprint, lifetime=DAY, now=now)


def test_a_first_claim_holds_the_key_until_settled(make, session):
    user = make.user()

    held = claim(session, user)

    assert (held.user_id, held.key, held.fingerprint, held.result) == (
        user.id,
        "key-1",
        ORDER,
        None,
    )
    assert (held.created_at, held.expires_at) == (NOW, NOW + DAY)


def test_a_retry_finds_the_first_requests_result(make, session):
    user = make.user()
    idempotency.settle_key(session, claim(session, user), {"location": "/projects/1/orders/1"})
    session.commit()

    again = claim(session, user, now=NOW + timedelta(hours=23))

    assert again.result == {"location": "/projects/1/orders/1"}
    assert session.scalars(select(IdempotencyKey.id)).all() == [again.id]


def test_the_same_key_with_another_request_is_refused(make, session):
    user = make.user()
    idempotency.settle_key(session, claim(session, user), {"location": "/projects/1/orders/1"})
    session.commit()
    other = idempotency.fingerprint("POST", "/services/vm/offers/1/order", [["project", "4"]])

    with pytest.raises(Unprocessable) as refused:
        claim(session, user, fingerprint=other)

    assert refused.value.errors == {"Idempotency-Key": ["was already used for a different request"]}


def test_keys_are_each_users_own(make, session):
    first, second = make.user(), make.user()
    idempotency.settle_key(session, claim(session, first), {"location": "/projects/1"})

    held = claim(session, second)

    assert (held.user_id, held.result) == (second.id, None)


def test_an_expired_key_is_claimed_anew(make, session):
    user = make.user()
    idempotency.settle_key(session, claim(session, user), {"location": "/projects/1"})
    session.commit()
    later = NOW + DAY

    held = claim(session, user, now=later)

    assert (held.result, held.created_at) == (None, later)
    assert session.scalars(select(IdempotencyKey.id)).all() == [held.id]


def test_the_sweep_forgets_expired_keys_only(make, session):
    user = make.user()
    for key, at in [("old", NOW - DAY), ("young", NOW - DAY + timedelta(seconds=1))]:
        idempotency.settle_key(session, claim(session, user, key, now=at), {"location": "/"})
    session.commit()

    assert idempotency.forget_expired_keys(session, NOW) == 1
    assert session.scalars(select(IdempotencyKey.key)).all() == ["young"]


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\tkey"])
def test_a_malformed_key_is_refused(make, session, key):
    with pytest.raises(Invalid) as refused:
        claim(session, make.user(), key)

    assert refused.value.errors == {
        "Idempotency-Key": ["must be 1 to 255 visible ASCII characters"]
    }


def test_the_fingerprint_ignores_key_order_in_content():
    assert idempotency.fingerprint("post", "/a", {"x": 1, "y": 2}) == idempotency.fingerprint(
        "POST", "/a", {"y": 2, "x": 1}
    )
