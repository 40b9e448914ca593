"""Trigger deliveries over real HTTP: the call, its log, retries by a moved clock, leases."""

import base64
import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.catalogue.models import Oms, TriggerMethod
from mercato.errors import Invalid
from mercato.ordering import triggers
from mercato.ordering.events import NEW_DELIVERIES
from mercato.ordering.models import Delivery, DeliveryAttempt, DeliveryStatus
from tests.ordering.trigger_receiver import Received, receiving

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def pending_delivery(make, url: str, clock: Clock, **trigger) -> Delivery:
    """A project created with a default OMS whose trigger calls ``url``: one delivery, due."""
    make.oms(is_default=True, trigger_url=url, **trigger)
    make.project()
    delivery = make.session.scalars(select(Delivery)).one()
    delivery.next_attempt_at = clock.now
    make.session.commit()
    return delivery


def attempts(session: Session) -> list[tuple[int | None, str]]:
    session.expire_all()
    rows = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))
    return [(row.status_code, row.error) for row in rows]


def state(session: Session, delivery: Delivery) -> tuple[DeliveryStatus, int]:
    session.refresh(delivery)
    return delivery.status, delivery.attempts


def run(factory, settings, http, delivery, clock) -> datetime | None:
    """One round of a worker; the delivery is the only one, so its retry is the round's."""
    sent = triggers.deliver_due(factory, settings, http, clock=clock, rng=random.Random(7))
    return sent.retries[0] if sent.retries else None


@pytest.mark.parametrize("method", list(TriggerMethod))
def test_delivery_calls_the_trigger_once_with_its_method_and_basic_credentials(
    make, session, factory, trigger_settings, http, clock, method
):
    with receiving() as receiver:
        delivery = pending_delivery(
            make,
            receiver.url,
            clock,
            trigger_method=method,
            trigger_user="oms-bot",
            trigger_password="s3cret:é",
        )

        assert run(factory, trigger_settings, http, delivery, clock) is None

        expected = "Basic " + base64.b64encode("oms-bot:s3cret:é".encode()).decode()
        assert receiver.calls == [Received(method.value.upper(), "/hook", expected, b"")]
    assert state(session, delivery) == (DeliveryStatus.DELIVERED, 1)
    assert delivery.finished_at == START
    assert delivery.leased_until is None
    logged = session.scalars(select(DeliveryAttempt)).one()
    assert (logged.started_at, logged.url, logged.method, logged.status_code, logged.error) == (
        START,
        receiver.url,
        method.value,
        200,
        "",
    )


def test_delivery_without_credentials_sends_no_authorization(
    make, factory, trigger_settings, http, clock
):
    with receiving() as receiver:
        delivery = pending_delivery(make, receiver.url, clock)
        run(factory, trigger_settings, http, delivery, clock)
    assert [(c.method, c.authorization, c.body) for c in receiver.calls] == [("POST", None, b"")]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_failing_status_is_retried_after_a_backoff_then_delivered(
    make, session, factory, trigger_settings, http, clock, status
):
    with receiving([status]) as receiver:
        delivery = pending_delivery(make, receiver.url, clock)

        retry_at = run(factory, trigger_settings, http, delivery, clock)

        assert retry_at is not None
        assert START + timedelta(seconds=10) <= retry_at <= START + timedelta(seconds=12.5)
        assert state(session, delivery) == (DeliveryStatus.PENDING, 1)
        assert (delivery.next_attempt_at, delivery.leased_until) == (retry_at, None)
        clock.now = retry_at - timedelta(microseconds=1)
        assert run(factory, trigger_settings, http, delivery, clock) is None
        assert len(receiver.calls) == 1, "not sent before it is due"

        clock.now = retry_at
        assert run(factory, trigger_settings, http, delivery, clock) is None

    assert len(receiver.calls) == 2
    assert state(session, delivery) == (DeliveryStatus.DELIVERED, 2)
    assert attempts(session) == [(status, ""), (200, "")]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 422])
def test_client_error_fails_the_delivery_without_retry(
    make, session, factory, trigger_settings, http, clock, status
):
    with receiving([status]) as receiver:
        delivery = pending_delivery(make, receiver.url, clock)
        assert run(factory, trigger_settings, http, delivery, clock) is None
    assert len(receiver.calls) == 1
    assert state(session, delivery) == (DeliveryStatus.FAILED, 1)
    assert delivery.finished_at == START
    assert attempts(session) == [(status, "")]


@pytest.mark.parametrize("status", [204, 301, 302, 304])
def test_success_and_redirect_statuses_deliver_without_following(
    make, session, factory, trigger_settings, http, clock, status
):
    with receiving([status]) as receiver:
        delivery = pending_delivery(make, receiver.url, clock)
        run(factory, trigger_settings, http, delivery, clock)
    assert len(receiver.calls) == 1
    assert state(session, delivery) == (DeliveryStatus.DELIVERED, 1)


def test_unreachable_trigger_is_a_network_error_that_is_retried(
    make, session, factory, trigger_settings, http, clock
):
    with receiving() as receiver:
        closed_url = receiver.url
    delivery = pending_delivery(make, closed_url, clock)

    retry_at = run(factory, trigger_settings, http, delivery, clock)

    assert retry_at is not None
    assert state(session, delivery) == (DeliveryStatus.PENDING, 1)
    [(status_code, error)] = attempts(session)
    assert status_code is None
    assert error.startswith("ConnectError")


def test_retries_go_on_for_at_least_24_hours_then_the_delivery_fails(
    make, session, factory, trigger_settings, http, clock
):
    with receiving([503] * 100) as receiver:
        delivery = pending_delivery(make, receiver.url, clock)
        while (retry_at := run(factory, trigger_settings, http, delivery, clock)) is not None:
            clock.now = retry_at

    assert len(receiver.calls) == triggers.MAX_ATTEMPTS
    assert state(session, delivery) == (DeliveryStatus.FAILED, triggers.MAX_ATTEMPTS)
    started = session.scalars(select(DeliveryAttempt.started_at).order_by(DeliveryAttempt.id))
    times = list(started)
    assert times[-1] - times[0] >= timedelta(hours=24)
    assert max(b - a for a, b in itertools.pairwise(times)) <= timedelta(hours=1.25)


def test_retry_waits_double_from_ten_seconds_up_to_an_hour():
    assert [triggers.retry_delay(n).total_seconds() for n in (1, 2, 3, 9, 10, 30)] == [
        10,
        20,
        40,
        2560,
        3600,
        3600,
    ]


def test_a_leased_delivery_is_not_sent_by_another_worker_until_the_lease_runs_out(
    make, session, factory, trigger_settings, http, clock
):
    with receiving() as receiver:
        delivery = pending_delivery(make, receiver.url, clock)
        lease = triggers.lease_for(trigger_settings)
        with factory.begin() as other:
            assert [call.delivery_id for call in triggers.claim(other, START, lease)] == [
                delivery.id
            ]

        assert run(factory, trigger_settings, http, delivery, clock) is None
        clock.now = START + lease - timedelta(microseconds=1)
        assert run(factory, trigger_settings, http, delivery, clock) is None
        assert receiver.calls == []

        clock.now = START + lease
        run(factory, trigger_settings, http, delivery, clock)
    assert len(receiver.calls) == 1
    assert state(session, delivery) == (DeliveryStatus.DELIVERED, 2)


def pending_deliveries(make, url: str, clock: Clock, count: int) -> list[Delivery]:
    """``count`` projects created with a default OMS whose trigger calls ``url``, all due."""
    make.oms(is_default=True, trigger_url=url)
    for _ in range(count):
        make.project()
    deliveries = list(make.session.scalars(select(Delivery).order_by(Delivery.id)))
    for delivery in deliveries:
        delivery.next_attempt_at = clock.now
    make.session.commit()
    return deliveries


def test_a_round_sends_a_batch_at_once_and_settles_each_delivery_by_its_answer(
    make, session, factory, trigger_settings, http, clock
):
    with receiving([503, 404]) as receiver, ThreadPoolExecutor(3) as senders:
        deliveries = pending_deliveries(make, receiver.url, clock, 3)

        sent = triggers.deliver_due(
            factory, trigger_settings, http, senders=senders, clock=clock, rng=random.Random(7)
        )

    assert len(receiver.calls) == 3
    assert sent.claimed == 3
    [retry_at] = sent.retries
    session.expire_all()
    answers = dict(
        session.execute(select(DeliveryAttempt.delivery_id, DeliveryAttempt.status_code)).all()
    )
    settled = sorted(
        (d.status, d.attempts, d.next_attempt_at, d.finished_at, d.leased_until, answers[d.id])
        for d in deliveries
    )
    assert settled == sorted(
        [
            (DeliveryStatus.DELIVERED, 1, START, START, None, 200),
            (DeliveryStatus.FAILED, 1, START, START, None, 404),
            (DeliveryStatus.PENDING, 1, retry_at, None, None, 503),
        ]
    )


def test_workers_claim_disjoint_batches_of_the_oldest_due_deliveries(make, factory, clock):
    deliveries = pending_deliveries(make, "http://127.0.0.1:9/hook", clock, 3)
    deliveries[0].next_attempt_at = START - timedelta(seconds=1)
    make.session.commit()
    lease = timedelta(minutes=1)

    with factory.begin() as one:
        first = [call.delivery_id for call in triggers.claim(one, START, lease, limit=2)]
    with factory.begin() as other:
        second = [call.delivery_id for call in triggers.claim(other, START, lease, limit=2)]
    with factory.begin() as third:
        assert triggers.claim(third, START, lease) == []

    assert first == [deliveries[0].id, deliveries[1].id]
    assert second == [deliveries[2].id]


def test_a_full_batch_wakes_another_worker_before_its_calls(
    make, factory, trigger_settings, http, clock
):
    woken = []
    with receiving() as receiver:
        pending_deliveries(make, receiver.url, clock, 3)

        def wake() -> None:
            woken.append(len(receiver.calls))

        rounds = [
            triggers.deliver_due(
                factory, trigger_settings, http, limit=2, on_full_batch=wake, clock=clock
            ).claimed
            for _ in range(3)
        ]

    assert rounds == [2, 1, 0]
    assert woken == [0], "once, for the full batch, before it was sent"


def test_sweep_finds_due_deliveries_that_no_worker_holds(make, session, factory, clock):
    make.oms(is_default=True, trigger_url="http://127.0.0.1:9/hook")
    due, leased, later, done = (make.project() for _ in range(4))
    rows = {d.event.project_id: d for d in session.scalars(select(Delivery))}
    rows[due.id].next_attempt_at = START
    rows[leased.id].next_attempt_at = START
    rows[leased.id].leased_until = START + timedelta(seconds=1)
    rows[later.id].next_attempt_at = START + timedelta(seconds=1)
    rows[done.id].next_attempt_at = START
    rows[done.id].status = DeliveryStatus.DELIVERED
    session.commit()

    assert triggers.due_deliveries(session, START) == [rows[due.id].id]


def test_trigger_to_an_address_no_longer_allowed_is_refused_at_send_time_and_logged(
    make, session, factory, settings, http, clock
):
    with receiving() as receiver:
        delivery = pending_delivery(make, receiver.url, clock)
        run(factory, settings, http, delivery, clock)
    assert receiver.calls == []
    assert state(session, delivery) == (DeliveryStatus.FAILED, 1)
    assert attempts(session) == [
        (
            None,
            "refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address;"
            " an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS",
        )
    ]


def test_trigger_removed_since_the_event_fails_the_delivery(
    make, session, factory, trigger_settings, http, clock
):
    delivery = pending_delivery(make, "http://127.0.0.1:9/hook", clock)
    session.scalars(select(Oms)).one().trigger_url = ""
    session.commit()
    run(factory, trigger_settings, http, delivery, clock)
    assert state(session, delivery) == (DeliveryStatus.FAILED, 1)
    assert attempts(session) == [(None, "the OMS no longer has a trigger")]


@pytest.mark.parametrize("status", [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED])
def test_redeliver_starts_a_finished_delivery_over(make, session, clock, status):
    delivery = pending_delivery(make, "http://127.0.0.1:9/hook", clock)
    delivery.status, delivery.attempts, delivery.finished_at = status, 33, START
    session.commit()
    session.info.pop(NEW_DELIVERIES, None)
    later = START + timedelta(days=2)

    triggers.redeliver(session, delivery, later)

    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.PENDING,
        0,
        later,
    )
    assert (delivery.finished_at, delivery.leased_until) == (None, None)
    assert session.info[NEW_DELIVERIES] == 1


def test_redeliver_refuses_a_pending_delivery(make, session, clock):
    delivery = pending_delivery(make, "http://127.0.0.1:9/hook", clock)
    with pytest.raises(Invalid) as raised:
        triggers.redeliver(session, delivery, START)
    assert raised.value.errors == {"delivery": ["is still pending; it will be sent"]}
