"""Publishing answers at once and leaves through the outbox: one Publication row per target
(the default repository, §11, and each marketplace), sent after the commit by a worker
that retries with backoff and logs each attempt; deleting withdraws the same way."""

import base64
import json
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mercato.catalogue.models import OfferStatus, ServiceStatus
from mercato.db import make_session_factory, utcnow
from mercato.queue import TaskQueue, Worker
from mercato.store.marketplaces import outbox
from mercato.store.marketplaces.models import (
    Publication,
    PublicationAttempt,
    PublicationStatus,
)
from mercato.store.models import StoreOffering
from mercato.store.usdl import OfferingDescription, UsdlFormat, parse_usdl
from tests.live import free_port
from tests.store.loopback import Server
from tests.store.world import PNG, b64, bearer
from tests.web.pages import csrf_token, log_in

OFFERINGS = "/api/offering/offerings"
ONE = f"{OFFERINGS}/conwet/City%20Lights/1.0"
PAGE = "/store/offerings/conwet/City%20Lights/1.0"
OFFERING = {
    "name": "City Lights",
    "version": "1.0",
    "image": {"name": "logo.png", "data": b64(PNG)},
    "offering_info": {"description": "Lights that dim", "pricing": {"price_model": "free"}},
}
DOCUMENT = "/v2/collec/offerings/conwet__City%20Lights__1.0"
DESCRIPTIONS = "/First/api/v2/store/me/description"
# The loopback server plays the marketplaces and the repository.
pytestmark = pytest.mark.loopback_allowed
USDL = "http://127.0.0.1:8000/api/offering/offerings/conwet/City%20Lights/1.0/usdl"
OK = {"message": "OK", "result": "correct"}


class Clock:
    """The real time until a test moves it; then the time it was moved to."""

    def __init__(self) -> None:
        self.moved_to: datetime | None = None

    @property
    def now(self) -> datetime:
        return self.moved_to or utcnow()

    @now.setter
    def now(self, moment: datetime) -> None:
        self.moved_to = moment

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def factory(engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def uploaded(client, store, seller):
    store.provider(seller)
    assert client.post(OFFERINGS, json=OFFERING, headers=bearer(seller)).status_code == 201


def _publish(client, seller, *marketplaces: str) -> None:
    """Publish on marketplaces from the web UI, which needs no repository (the WStore API
    does, store-wire.md §3.8); the outbox is the same."""
    log_in(client, seller.user)
    page = f"{PAGE}/publish"
    fields = {"csrftoken": csrf_token(client, page), "marketplaces": list(marketplaces)}
    response = client.post(page, data=fields, follow_redirects=False)
    assert response.status_code == 303, response.text


def _marketplaces(store, server: Server, *names: str) -> None:
    for name in names:
        store.marketplace(name, f"{server.url}/{name}")


def _state(session) -> tuple[OfferStatus, ServiceStatus, str, bool]:
    session.expire_all()
    offering = session.scalars(select(StoreOffering)).one()
    published = offering.published_at is not None
    return offering.offer.status, offering.service.status, offering.description_url, published


def _publications(session) -> list[tuple[str, PublicationStatus, bool, str, int, str]]:
    session.expire_all()
    rows = session.scalars(select(Publication).order_by(Publication.id))
    return [
        (row.target_name, row.status, row.is_wanted, row.remote_name, row.attempts, row.error)
        for row in rows
    ]


def _attempts(session) -> list[tuple[str, str, int | None, str]]:
    rows = session.scalars(select(PublicationAttempt).order_by(PublicationAttempt.id))
    return [(row.method, row.url, row.status_code, row.error) for row in rows]


def _round(factory, settings, http, clock) -> outbox.Round:
    return outbox.deliver_due(factory, settings, http, clock=clock, rng=random.Random(7))


@pytest.mark.parametrize(
    ("api_version", "path"),
    [(2, DOCUMENT), (1, "/v1/offerings/conwet__City%20Lights__1.0")],
)
def test_publishing_answers_first_then_the_worker_puts_the_usdl_in_the_default_repository(
    client,
    store,
    session,
    seller,
    uploaded,
    server,
    factory,
    settings,
    http,
    clock,
    api_version,
    path,
):
    store.repository(server.url, api_version=api_version)
    server.answers[f"PUT {path}"] = (201, "text/plain", b"")

    response = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))

    assert response.json() == OK
    assert server.received == []
    assert _state(session) == (OfferStatus.PUBLISHED, ServiceStatus.PUBLISHED, "", True)
    assert _publications(session) == [("main", PublicationStatus.PENDING, True, "", 0, "")]

    assert _round(factory, settings, http, clock) == outbox.Round(1, [])

    [put] = server.received
    assert (put.method, put.path, put.content_type) == ("PUT", path, "application/rdf+xml")
    document = parse_usdl(put.body, UsdlFormat.RDF_XML)
    assert document == OfferingDescription(
        uri="http://127.0.0.1:8000/api/offering/offerings/conwet/City%20Lights/1.0",
        page="http://127.0.0.1:8000/store/offerings/conwet/City%20Lights/1.0",
        name="City Lights",
        version="1.0",
        description="Lights that dim",
        provider="CoNWeT",
        image_url=document.image_url,
        created=document.created,
        modified=document.modified,
    )
    assert document.image_url.endswith("/logo.png")
    url = f"{server.url}{path}"
    assert _state(session) == (OfferStatus.PUBLISHED, ServiceStatus.PUBLISHED, url, True)
    assert _publications(session) == [("main", PublicationStatus.PUBLISHED, True, url, 1, "")]
    assert _attempts(session) == [("PUT", url, 201, "")]


def test_without_a_repository_nothing_is_uploaded(client, session, seller, uploaded):
    response = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))

    assert response.status_code == 200
    assert _state(session) == (OfferStatus.PUBLISHED, ServiceStatus.PUBLISHED, "", True)
    assert _publications(session) == []


def test_the_worker_publishes_on_a_marketplace_with_the_usdl_address_and_credentials(
    client, store, session, seller, uploaded, server, factory, settings, http, clock
):
    _marketplaces(store, server, "First")
    server.answers[f"POST {DESCRIPTIONS}"] = (201, {"Location": f"{DESCRIPTIONS}/city-1"}, b"")

    _publish(client, seller, "First")
    assert server.received == []
    _round(factory, settings, http, clock)

    [post] = server.received
    assert (post.method, post.path, post.content_type, post.authorization) == (
        "POST",
        DESCRIPTIONS,
        "application/json",
        "Basic " + base64.b64encode(b"u:p").decode(),
    )
    assert json.loads(post.body) == {"displayName": "CoNWeT City Lights 1.0", "url": USDL}
    assert _publications(session) == [("First", PublicationStatus.PUBLISHED, True, "city-1", 1, "")]


def _closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize(
    ("answer", "logged"),
    [
        ((503, "text/plain", b"down"), (503, "answered 503 to POST {url}")),
        ((429, "text/plain", b"slow down"), (429, "answered 429 to POST {url}")),
    ],
)
def test_a_down_marketplace_is_retried_with_backoff_and_each_attempt_logged(
    client, store, session, seller, uploaded, server, factory, settings, http, clock, answer, logged
):
    _marketplaces(store, server, "First", "Second")
    server.answers[f"POST {DESCRIPTIONS}"] = (201, {"Location": f"{DESCRIPTIONS}/c"}, b"")
    second_path = "/Second/api/v2/store/me/description"
    server.answers[f"POST {second_path}"] = answer
    _publish(client, seller, "First", "Second")
    started = clock.now

    first = _round(factory, settings, http, clock)
    clock.now = first.due[0] - timedelta(seconds=1)
    too_soon = _round(factory, settings, http, clock)
    clock.now = first.due[0]
    server.answers[f"POST {second_path}"] = (201, {"Location": f"{second_path}/c2"}, b"")
    second = _round(factory, settings, http, clock)

    assert (first.claimed, len(first.due), too_soon, second) == (
        2,
        1,
        outbox.Round(0, []),
        outbox.Round(1, []),
    )
    assert timedelta(seconds=10) <= first.due[0] - started <= timedelta(seconds=13)
    assert _publications(session) == [
        ("First", PublicationStatus.PUBLISHED, True, "c", 1, ""),
        ("Second", PublicationStatus.PUBLISHED, True, "c2", 2, ""),
    ]
    error = logged[1].format(url=f"{server.url}{second_path}")
    assert [row[2:] for row in _attempts(session)] == [(201, ""), (logged[0], error), (201, "")]
    assert _state(session)[0] == OfferStatus.PUBLISHED


def test_an_unreachable_marketplace_is_a_network_error_that_is_retried(
    client, store, session, seller, uploaded, factory, settings, http, clock
):
    store.marketplace("Gone", _closed_port_url())
    _publish(client, seller, "Gone")

    sent = _round(factory, settings, http, clock)

    [(name, status, wanted, remote, attempts, error)] = _publications(session)
    assert (name, status, wanted, remote, attempts) == (
        "Gone",
        PublicationStatus.PENDING,
        True,
        "",
        1,
    )
    assert error.startswith("ConnectError")
    assert len(sent.due) == 1


def test_a_refusing_marketplace_fails_the_publication_and_the_page_says_so(
    client, store, session, seller, uploaded, server, factory, settings, http, clock
):
    _marketplaces(store, server, "First")
    server.answers[f"POST {DESCRIPTIONS}"] = (400, "text/plain", b"no")
    _publish(client, seller, "First")

    assert _round(factory, settings, http, clock) == outbox.Round(1, [])

    error = f"answered 400 to POST {server.url}{DESCRIPTIONS}"
    assert _publications(session) == [("First", PublicationStatus.FAILED, True, "", 1, error)]
    assert _state(session)[0] == OfferStatus.PUBLISHED
    log_in(client, seller.user)
    page = client.get("/store/offerings/conwet/City%20Lights/1.0").text
    assert 'First: <span class="status">failed</span>' in page
    assert f"(1 attempt; last: {error})" in page


def test_a_failing_repository_is_retried_and_the_offering_stays_published(
    client, store, session, seller, uploaded, server, factory, settings, http, clock
):
    store.repository(server.url)
    server.answers[f"PUT {DOCUMENT}"] = (500, "text/plain", b"down")

    response = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))
    sent = _round(factory, settings, http, clock)

    assert response.json() == OK
    assert len(sent.due) == 1
    error = f"answered 500 to PUT {server.url}{DOCUMENT}"
    assert _publications(session) == [("main", PublicationStatus.PENDING, True, "", 1, error)]
    assert _state(session) == (OfferStatus.PUBLISHED, ServiceStatus.PUBLISHED, "", True)


def _published_on_first(client, store, seller, server) -> None:
    _marketplaces(store, server, "First")
    server.answers[f"POST {DESCRIPTIONS}"] = (201, {"Location": f"{DESCRIPTIONS}/c"}, b"")
    server.answers[f"DELETE {DESCRIPTIONS}/c"] = (204, "text/plain", b"")
    _publish(client, seller, "First")


def test_deleting_a_published_offering_withdraws_it_through_the_outbox(
    client, store, session, seller, uploaded, server, factory, settings, http, clock
):
    _published_on_first(client, store, seller, server)
    _round(factory, settings, http, clock)

    deleted = client.delete(ONE, headers=bearer(seller))
    called_before_the_answer = len(server.received)
    _round(factory, settings, http, clock)

    assert (deleted.status_code, called_before_the_answer) == (204, 1)
    assert [(r.method, r.path) for r in server.received] == [
        ("POST", DESCRIPTIONS),
        ("DELETE", f"{DESCRIPTIONS}/c"),
    ]
    assert _publications(session) == [("First", PublicationStatus.WITHDRAWN, False, "", 1, "")]


def test_deleting_while_the_publish_is_on_its_way_withdraws_it_once_it_lands(
    client, store, session, seller, uploaded, server, factory, settings, http, clock
):
    _published_on_first(client, store, seller, server)
    with factory() as worker_session:
        calls = outbox.claim(worker_session, settings, clock())
        worker_session.commit()

    assert client.delete(ONE, headers=bearer(seller)).status_code == 204
    outcomes = [outbox.send(settings, http, call, clock()) for call in calls]
    with factory() as worker_session:
        due = outbox.record(worker_session, calls, outcomes, clock(), random.Random(7))
        worker_session.commit()
    _round(factory, settings, http, clock)

    assert len(due) == 1 and due[0] <= utcnow(), "due again at once"
    assert [(r.method, r.path) for r in server.received] == [
        ("POST", DESCRIPTIONS),
        ("DELETE", f"{DESCRIPTIONS}/c"),
    ]
    assert _publications(session) == [("First", PublicationStatus.WITHDRAWN, False, "", 1, "")]


def test_deleting_what_never_reached_the_marketplace_calls_nobody(
    client, store, session, seller, uploaded, server, factory, settings, http, clock
):
    _published_on_first(client, store, seller, server)

    client.delete(ONE, headers=bearer(seller))
    _round(factory, settings, http, clock)

    assert server.received == []
    assert _publications(session) == [("First", PublicationStatus.WITHDRAWN, False, "", 1, "")]
    assert _attempts(session) == []


def test_a_worker_that_dies_mid_call_loses_nothing_once_its_lease_runs_out(
    client, store, session, seller, uploaded, server, factory, settings, http, clock
):
    _published_on_first(client, store, seller, server)
    with factory() as dead_worker:
        assert len(outbox.claim(dead_worker, settings, clock())) == 1
        dead_worker.commit()

    held = _round(factory, settings, http, clock)
    clock.now += outbox.lease_for(outbox.BATCH_SIZE)
    with factory() as sweeper:
        due = outbox.due_publications(sweeper, clock.now)
    sent = _round(factory, settings, http, clock)

    assert (held.claimed, len(due), sent.claimed) == (0, 1, 1)
    assert _publications(session) == [("First", PublicationStatus.PUBLISHED, True, "c", 2, "")]


def test_a_crash_between_commit_and_delivery_loses_nothing(
    app, client, store, session, seller, uploaded, server, engine, settings
):
    _marketplaces(store, server, "First")
    server.answers[f"POST {DESCRIPTIONS}"] = (201, {"Location": f"{DESCRIPTIONS}/c"}, b"")
    _publish(client, seller, "First")
    # The hand-over was queued; the process dies before any worker takes it.
    assert app.state.queue.huey.pending_count() == 1
    app.state.queue.huey.flush()

    # A worker starts: its sweep finds the due row and has it sent.
    worker = Worker(TaskQueue(settings, make_session_factory(engine)))
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while _publications(session)[0][1] != PublicationStatus.PUBLISHED:
            assert time.monotonic() < deadline, _publications(session)
            time.sleep(0.1)
    finally:
        worker.stop()
    assert [(r.method, r.path) for r in server.received] == [("POST", DESCRIPTIONS)]
