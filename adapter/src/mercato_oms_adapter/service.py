"""The running adapter: one loop that polls both sides and works the queue, woken early
by triggers and webhooks.

A trigger only wakes the loop; the loop then reads the feed from its own
cursor. So a lost trigger delays a change by at most ``poll_seconds``, and a
storm of triggers costs one read.
"""

import logging
import threading
from dataclasses import asdict
from datetime import datetime

import httpx
from sqlalchemy.orm import Session, sessionmaker

from mercato_oms_adapter import queue
from mercato_oms_adapter.backends.base import Backend, backend_class
from mercato_oms_adapter.config import Config
from mercato_oms_adapter.marketplace import EventFeed, OrderingApi
from mercato_oms_adapter.store import get_state, open_database, set_state, utcnow
from mercato_oms_adapter.sync import Sync

log = logging.getLogger(__name__)


def make_backend(config: Config, transport: httpx.BaseTransport | None = None) -> Backend:
    return backend_class(config.backend)(config.backends.get(config.backend, {}), transport)


class Adapter:
    def __init__(self, config: Config, backend: Backend | None = None) -> None:
        self.config = config
        self.sessions: sessionmaker[Session] = open_database(config.service.database)
        self.api = OrderingApi(config.marketplace)
        self.backend = backend or make_backend(config)
        self.feed = EventFeed(self.api, config.marketplace)
        self.sync = Sync(config, self.api, self.backend)
        self.worker = queue.Worker(self.sessions, self.sync.handlers, config.service)
        self.wake = threading.Event()

    def poll_tickets(self) -> int:
        with self.sessions() as session:
            cursor = get_state(session, "tickets_since")
        changes, newest = self.backend.changes_since(cursor)
        queued = 0
        with self.sessions.begin() as session:
            for change in changes:
                key = f"ticket:{change.key}"
                queued += queue.enqueue(session, key, "ticket_change", asdict(change))
            set_state(session, "tickets_since", newest)
        return queued

    def poll(self) -> None:
        """Read both sides; a side that is down is logged and read again next time."""
        readers = (
            ("marketplace", lambda: self.feed.poll(self.sessions)),
            ("tickets", self.poll_tickets),
        )
        for name, read in readers:
            try:
                read()
            except Exception as error:  # network errors, 5xx: the next poll tries again
                log.warning("polling the %s failed: %s", name, error)

    def step(self) -> int:
        """One round: poll, then run every due task; how many tasks ran."""
        self.poll()
        return self.worker.run_until_idle()

    def _seconds_to_wait(self) -> float:
        wait = self.config.service.poll_seconds
        due = self.worker.next_due()
        if due is not None:
            wait = min(wait, max((due - utcnow()).total_seconds(), 0.0))
        return wait

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.step():
                continue  # what the tasks did may have made events: read them at once
            self.wake.wait(self._seconds_to_wait())
            self.wake.clear()


def describe(sessions: sessionmaker[Session]) -> dict[str, object]:
    """What the status page and ``status`` command show."""
    with sessions() as session:
        return {
            "tasks": queue.counts(session),
            "cursor_mode": get_state(session, "cursor_mode"),
            "events_from_id": get_state(session, "events_from_id"),
            "events_second": get_state(session, "events_second"),
            "tickets_since": get_state(session, "tickets_since"),
            "checked_at": datetime.now().isoformat(timespec="seconds"),
        }
