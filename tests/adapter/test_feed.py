"""Reading the event feed of a live Mercato: every event queued exactly once, with the exact
``from_id`` cursor and with EOSC's ``from_timestamp`` (which re-delivers a second)."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import select

from mercato.ordering.models import StatusType
from mercato.ordering.orders import update_order
from mercato_oms_adapter.config import Marketplace, parse
from mercato_oms_adapter.marketplace import EventFeed, OrderingApi
from mercato_oms_adapter.store import Task, open_database
from tests.adapter.conftest import adapter_settings, jira_options

pytestmark = pytest.mark.slow

# Tomorrow, a quarter into a second: after the fixtures' own events.
SECOND = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=250000)


def _feed(tmp_path, mercato, shop, jira, cursor: str, page_size: int):
    settings = adapter_settings(tmp_path, mercato, shop, "jira", jira_options(jira), cursor=cursor)
    settings["marketplace"]["page_size"] = page_size
    config = parse(settings)
    api = OrderingApi(config.marketplace)
    return EventFeed(api, config.marketplace), open_database(config.service.database), api


def _queued(sessions) -> list[dict]:
    with sessions() as session:
        return [json.loads(p) for p in session.scalars(select(Task.payload).order_by(Task.id))]


def _every_event(api: OrderingApi) -> list[dict]:
    events = api.events_after_id(0, 1000)
    return [{k: v for k, v in event.items() if k != "id"} for event in events]


def _flip(session, order, author, times: int, start: int = 0) -> None:
    """Status changes back and forth: the 1st and 3rd events are identical (same second)."""
    for number in range(start, start + times):
        status = StatusType.IN_PROGRESS if number % 2 == 0 else StatusType.REGISTERED
        update_order(session, order, author=author, status=(status, status.value))
        session.commit()


@pytest.mark.parametrize("cursor", ["id", "timestamp"])
def test_every_event_is_queued_once_however_the_polls_fall(
    cursor, tmp_path, mercato, shop, jira, session
):
    feed, sessions, api = _feed(tmp_path, mercato, shop, jira, cursor, page_size=2)
    with time_machine.travel(SECOND, tick=False):
        # Many events in one second, more than a page, some of them identical.
        order = shop.order()
        feed.poll(sessions)
        _flip(session, order, shop.desk.user, 3)
        feed.poll(sessions)
        for number in range(5):
            shop.make.message(order, content=f"Question {number}")
            if number % 2:
                feed.poll(sessions)
    with time_machine.travel(SECOND + timedelta(seconds=1), tick=False):
        _flip(session, order, shop.desk.user, 2, start=1)
    for _ in range(6):
        feed.poll(sessions)

    queued = _queued(sessions)
    expected = _every_event(api)
    assert len(expected) == 1 + 1 + 3 + 5 + 2  # project, order, 3 flips, 5 messages, 2 flips
    if cursor == "id":
        assert [{k: v for k, v in e.items() if k != "id"} for e in queued] == expected
    else:
        assert queued == expected
    with sessions() as adapter_session:
        keys = adapter_session.scalars(select(Task.key)).all()
    assert len(set(keys)) == len(keys)


def test_auto_takes_from_id_on_mercato(tmp_path, mercato, shop, jira):
    feed, sessions, _ = _feed(tmp_path, mercato, shop, jira, "auto", page_size=20)
    assert feed.mode(sessions) == "id"


def _eosc_like(request: httpx.Request) -> httpx.Response:
    """The real EOSC Marketplace: no from_id on /events, from_timestamp required."""
    if "from_timestamp" not in request.url.params:
        body = {"error": "param is missing or the value is empty: from_timestamp"}
        return httpx.Response(400, json=body)
    return httpx.Response(200, json={"events": []})


def test_auto_takes_from_timestamp_on_the_eosc_marketplace(tmp_path):
    settings = Marketplace(url="https://marketplace.example.org", token="t", oms_id=3)
    api = OrderingApi(settings, transport=httpx.MockTransport(_eosc_like))
    sessions = open_database(f"sqlite:///{tmp_path / 'a.db'}")
    assert EventFeed(api, settings).mode(sessions) == "timestamp"
