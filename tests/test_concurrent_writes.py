"""Concurrent writers against the real server, on the test database (SQLite or PostgreSQL).

32 writers for `SECONDS` mix Ordering API status changes and messages, web orders
and web messages, and Offering API offer edits, while a poller follows the event
feed by `from_id`. The server runs with asyncio's slow-callback detection. Then:
every request answered (2xx), the event loop was never blocked, every
acknowledged change has exactly one event, and the poller saw the same gapless
feed as a reading afterwards.
"""

import itertools
import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select

from mercato.accounts.models import User
from mercato.catalogue.models import Oms, Service
from mercato.ordering.models import Event
from tests.factories import Factory, TokenUser
from tests.live import blocked_loop_reports, running_app
from tests.web.pages import log_in, submit

pytestmark = pytest.mark.slow

WRITERS = 32
SECONDS = float(os.environ.get("MERCATO_CONCURRENCY_SECONDS", "20"))
# Generous for the 2-CPU machines this runs on, shared with the other tests (a
# request measures page and form for the web writers); a blocked server never answers.
P99_LIMIT_SECONDS = 15.0
STATUSES = ["in_progress", "waiting_for_response", "approved", "ready"]


@dataclass
class Outcome:
    """What the writers sent and the server acknowledged."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    acknowledged: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, response: httpx.Response, started: float, ok: int) -> None:
        with self.lock:
            self.latencies.append(time.monotonic() - started)
            if response.status_code == ok:
                self.acknowledged[kind] += 1
            else:
                self.failures.append(f"{kind}: {response.status_code} {response.text[:200]}")


@dataclass
class Marketplace:
    oms: Oms
    operator: TokenUser
    admin: TokenUser
    service: Service
    offer_iid: int
    # One order per status writer, so each change really changes the status.
    orders: list[tuple[int, int]]
    projects: list[int]
    customer: User


def _build(make: Factory) -> Marketplace:
    operator = make.token_user()
    admin = make.token_user()
    oms = make.oms(is_default=True, administrators=[operator.user])
    service = make.service(make.provider(admin.user))
    offer = make.offer(service, internal=True)
    customer = make.user()
    projects = [make.project(customer) for _ in range(8)]
    orders = [make.order(offer, projects[n % 8]) for n in range(WRITERS)]
    return Marketplace(
        oms,
        operator,
        admin,
        service,
        offer.iid,
        [(order.project_id, order.iid) for order in orders],
        [project.id for project in projects],
        customer,
    )


def _api_status_changes(base: str, world: Marketplace, n: int, outcome: Outcome) -> Callable:
    project_id, iid = world.orders[n]
    statuses = itertools.cycle(STATUSES)
    url = f"{base}/api/v1/oms/{world.oms.id}/projects/{project_id}/project_items/{iid}"

    def step(client: httpx.Client) -> None:
        body = {"project_item": {"status": {"type": next(statuses), "value": "changed"}}}
        started = time.monotonic()
        response = client.patch(url, json=body, headers=world.operator.headers)
        outcome.record("status", response, started, 200)

    return step


def _api_messages(base: str, world: Marketplace, n: int, outcome: Outcome) -> Callable:
    author = {"email": world.operator.user.email, "name": "Olivia", "role": "mediator"}

    def step(client: httpx.Client) -> None:
        body = {
            "message": {
                "project_id": random.choice(world.projects),
                "author": author,
                "content": f"Message from writer {n}",
                "scope": "public",
            }
        }
        started = time.monotonic()
        response = client.post(
            f"{base}/api/v1/oms/{world.oms.id}/messages", json=body, headers=world.operator.headers
        )
        outcome.record("api message", response, started, 201)

    return step


def _web_orders(base: str, world: Marketplace, n: int, outcome: Outcome) -> Callable:
    form = f"/services/{world.service.slug}/offers/{world.offer_iid}/order"

    def step(client: httpx.Client) -> None:
        started = time.monotonic()
        response = submit(client, form, form, {"project": str(random.choice(world.projects))})
        outcome.record("web order", response, started, 303)

    return step


def _web_messages(base: str, world: Marketplace, n: int, outcome: Outcome) -> Callable:
    def step(client: httpx.Client) -> None:
        page = f"/projects/{random.choice(world.projects)}"
        started = time.monotonic()
        response = submit(client, page, f"{page}/messages", {"message": f"Hello from {n}"})
        outcome.record("web message", response, started, 303)

    return step


def _offer_edits(base: str, world: Marketplace, n: int, outcome: Outcome) -> Callable:
    url = f"{base}/api/v1/resources/{world.service.slug}/offers/{world.offer_iid}"
    numbers = itertools.count()

    def step(client: httpx.Client) -> None:
        body = {"description": f"Edited by writer {n}, edit {next(numbers)}"}
        started = time.monotonic()
        response = client.patch(url, json=body, headers=world.admin.headers)
        outcome.record("offer edit", response, started, 200)

    return step


WRITER_KINDS = [_api_status_changes, _api_messages, _web_orders, _web_messages, _offer_edits]


def _writer(base: str, world: Marketplace, n: int, outcome: Outcome, deadline: float) -> None:
    kind = WRITER_KINDS[n % len(WRITER_KINDS)]
    with httpx.Client(base_url=base, timeout=60) as client:
        if kind in (_web_orders, _web_messages):
            log_in(client, world.customer)
        step = kind(base, world, n, outcome)
        while time.monotonic() < deadline:
            step(client)


def _feed(client: httpx.Client, world: Marketplace, after: int) -> list[int]:
    """Event ids after ``after``, one page of the feed."""
    response = client.get(
        f"/api/v1/oms/{world.oms.id}/events",
        params={"from_id": after, "limit": 1000},
        headers=world.operator.headers,
    )
    assert response.status_code == 200, response.text
    return [event["id"] for event in response.json()["events"]]


def _poll(base: str, world: Marketplace, seen: list[int], stop: threading.Event) -> None:
    """Follow the feed as an OMS would, by the last id seen."""
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            page = _feed(client, world, seen[-1] if seen else 0)
            seen.extend(page)
            if not page:
                time.sleep(0.05)


def _all_events(base: str, world: Marketplace) -> list[dict]:
    events, after = [], 0
    with httpx.Client(base_url=base, timeout=60) as client:
        while True:
            response = client.get(
                f"/api/v1/oms/{world.oms.id}/events",
                params={"from_id": after, "limit": 1000},
                headers=world.operator.headers,
            )
            page = response.json()["events"]
            if not page:
                return events
            events += page
            after = page[-1]["id"]


def test_concurrent_writers_all_answer_and_every_change_has_one_event(make, database_url, tmp_path):
    world = _build(make)
    outcome, seen, stop = Outcome(), [], threading.Event()
    before = set(_initial_event_ids(make))

    with running_app(database_url, tmp_path, watch_loop=True) as base:
        poller = threading.Thread(target=_poll, args=(base, world, seen, stop))
        poller.start()
        deadline = time.monotonic() + SECONDS
        writers = [
            threading.Thread(target=_writer, args=(base, world, n, outcome, deadline))
            for n in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        time.sleep(0.5)
        stop.set()
        poller.join()
        seen.extend(_feed(httpx.Client(base_url=base), world, seen[-1] if seen else 0))
        events = _all_events(base, world)

    assert outcome.failures == []
    assert blocked_loop_reports(tmp_path / "server.log") == []
    p99 = statistics.quantiles(outcome.latencies, n=100)[98]
    assert p99 < P99_LIMIT_SECONDS, f"p99 {p99:.2f} s"
    assert set(outcome.acknowledged) == {
        "status",
        "api message",
        "web order",
        "web message",
        "offer edit",
    }
    new = [event for event in events if event["id"] not in before]
    ids = [event["id"] for event in events]
    assert ids == sorted(set(ids)), "the feed repeats or reorders ids"
    assert seen == ids, "the poller following from_id missed or repeated events"
    kinds = Counter(_kind(event) for event in new)
    assert kinds == {
        "update project_item": outcome.acknowledged["status"],
        "create message": outcome.acknowledged["api message"] + outcome.acknowledged["web message"],
        "create project_item": outcome.acknowledged["web order"],
    }


def _initial_event_ids(make: Factory) -> list[int]:
    return list(make.session.scalars(select(Event.id)))


def _kind(event: dict) -> str:
    return f"{event['type']} {event['resource']}"
