"""The EOSC Ordering API, as an OMS sees it: a client and the event feed's cursor.

Only the documented API is used, so the adapter runs against Mercato and the
EOSC Marketplace alike. The feed is read with Mercato's exact ``from_id`` cursor
where the server answers it; otherwise with EOSC's ``from_timestamp``, which
re-delivers the cursor's second (timestamps are shown to the second, compared
to the microsecond), so events are told apart by their identity (see
``SeenEvent``).
"""

import hashlib
import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from mercato_oms_adapter import queue
from mercato_oms_adapter.config import Marketplace
from mercato_oms_adapter.store import SeenEvent, get_state, set_state

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
Json = dict[str, Any]


class MarketplaceError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"marketplace answered {status}: {body[:300]}")
        self.status = status


class OrderingApi:
    """Calls under ``/api/v1/oms/{oms_id}`` with the OMS administrator's token."""

    def __init__(self, settings: Marketplace, transport: httpx.BaseTransport | None = None) -> None:
        self.client = httpx.Client(
            base_url=f"{settings.url.rstrip('/')}/api/v1/oms/{settings.oms_id}",
            headers={"X-User-Token": settings.token, "Accept": "application/json"},
            timeout=settings.timeout,
            transport=transport,
        )

    def _call(self, method: str, path: str, **options: Any) -> Json:
        answer = self.client.request(method, path, **options)
        if answer.status_code >= 300:
            raise MarketplaceError(answer.status_code, answer.text)
        return answer.json()

    def supports_id_cursor(self) -> bool:
        """Whether ``/events`` pages by ``from_id`` (Mercato) rather than only by time (EOSC)."""
        answer = self.client.get("/events", params={"from_id": "0", "limit": "1"})
        if answer.status_code == 400:
            return False
        if answer.status_code >= 300:
            raise MarketplaceError(answer.status_code, answer.text)
        events = answer.json()["events"]
        return not events or "id" in events[0]

    def events_after_id(self, from_id: int, limit: int) -> list[Json]:
        return self._call("GET", "/events", params={"from_id": from_id, "limit": limit})["events"]

    def events_after_time(self, from_timestamp: str, limit: int) -> list[Json]:
        params = {"from_timestamp": from_timestamp, "limit": limit}
        return self._call("GET", "/events", params=params)["events"]

    def project(self, project_id: int) -> Json:
        return self._call("GET", f"/projects/{project_id}")

    def item(self, project_id: int, iid: int) -> Json:
        return self._call("GET", f"/projects/{project_id}/project_items/{iid}")

    def update_item(self, project_id: int, iid: int, body: Json) -> Json:
        return self._call("PATCH", f"/projects/{project_id}/project_items/{iid}", json=body)

    def message(self, message_id: int) -> Json:
        return self._call("GET", f"/messages/{message_id}")

    def messages(self, project_id: int, iid: int | None) -> list[Json]:
        """Every message of a project (iid None) or of one of its items, oldest first."""
        found: list[Json] = []
        params: dict[str, Any] = {"project_id": project_id, "limit": 100, "from_id": 0}
        if iid is not None:
            params["project_item_id"] = iid
        while page := self._call("GET", "/messages", params=params)["messages"]:
            found += page
            params["from_id"] = page[-1]["id"]
        return found

    def post_message(self, body: Json) -> Json:
        return self._call("POST", "/messages", json=body)


def _identity(event: Json) -> str:
    return hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()[:40]


def _just_before(second: str) -> str:
    """The last microsecond before ``second``: a query from it re-reads that whole second."""
    moment = datetime.strptime(second, TIME_FORMAT) - timedelta(microseconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class EventFeed:
    """Reads new events and queues one task per event, the cursor moving in the same
    transaction: an event is either queued and passed, or neither."""

    def __init__(self, api: OrderingApi, settings: Marketplace) -> None:
        self.api = api
        self.settings = settings

    def mode(self, sessions: sessionmaker[Session]) -> str:
        """The cursor this adapter uses, chosen once (``auto``: asking the server) and kept."""
        with sessions.begin() as session:
            mode = get_state(session, "cursor_mode")
            if not mode:
                mode = self.settings.cursor
                if mode == "auto":
                    mode = "id" if self.api.supports_id_cursor() else "timestamp"
                set_state(session, "cursor_mode", mode)
            return mode

    def poll(self, sessions: sessionmaker[Session]) -> int:
        """Queue every event not seen yet, page after page; how many were queued."""
        if self.mode(sessions) == "id":
            return self._poll_by_id(sessions)
        return self._poll_by_time(sessions)

    def _poll_by_id(self, sessions: sessionmaker[Session]) -> int:
        queued, limit = 0, self.settings.page_size
        while True:
            with sessions.begin() as session:
                from_id = int(get_state(session, "events_from_id", "0"))
                page = self.api.events_after_id(from_id, limit)
                for event in page:
                    queued += queue.enqueue(session, f"event:{event['id']}", "event", event)
                if page:
                    set_state(session, "events_from_id", str(page[-1]["id"]))
            if len(page) < limit:
                return queued

    def _poll_by_time(self, sessions: sessionmaker[Session]) -> int:
        queued, limit = 0, self.settings.page_size
        while True:
            with sessions.begin() as session:
                second = get_state(session, "events_second", self.settings.start)
                page = self.api.events_after_time(_just_before(second), limit)
                queued += self._take_new(session, page)
                last = page[-1]["timestamp"] if page else second
                set_state(session, "events_second", last)
                session.execute(delete(SeenEvent).where(SeenEvent.second < last))
            if len(page) < limit:
                return queued
            if last == second:
                # A whole page inside one second: read that second with a bigger page.
                limit *= 2

    def _take_new(self, session: Session, page: list[Json]) -> int:
        """Queue the events of a page (which starts at a second's beginning) not taken yet."""
        ranks: Counter[tuple[str, str]] = Counter()
        queued = 0
        for event in page:
            place = (event["timestamp"], _identity(event))
            rank = ranks[place]
            ranks[place] += 1
            seen = session.scalar(
                select(SeenEvent).where(
                    SeenEvent.second == place[0], SeenEvent.identity == place[1]
                )
            )
            if seen is not None and rank < seen.count:
                continue
            if seen is None:
                session.add(SeenEvent(second=place[0], identity=place[1], count=rank + 1))
            else:
                seen.count = rank + 1
            session.flush()
            queued += queue.enqueue(session, f"event:{place[0]}:{place[1]}:{rank}", "event", event)
        return queued
