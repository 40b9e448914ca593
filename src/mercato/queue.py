"""The task queue (Huey): a SQLite file in the data folder by default, Redis for many machines.

Rules never call the queue: they write outbox rows (trigger deliveries,
publications to marketplaces and repositories, purchase notifications, invoices to
render) and count them in ``session.info``; once the session commits, the queue gets
one task per kind, "send what is due", which claims a batch (see ``ordering.triggers``,
``store.marketplaces.outbox``, ``commerce.notifications`` and
``commerce.invoice_rendering``). A lost hand-over costs nothing but time, since
workers sweep the outboxes for due rows when they start and whenever the queue is idle.
"""

import logging
import sqlite3
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
from redis import ConnectionPool
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from mercato import outgoing
from mercato.commerce import invoice_rendering, notifications
from mercato.commerce.invoices import NEW_INVOICES
from mercato.commerce.payments.configured import unattended_gateways
from mercato.commerce.payments.lifecycle import expire_payments
from mercato.commerce.renewals import sweep_renewals
from mercato.db import transaction, utcnow
from mercato.ordering import idempotency, triggers
from mercato.ordering.events import NEW_DELIVERIES
from mercato.settings import Settings
from mercato.store.assets import local_files
from mercato.store.marketplaces import outbox
from mercato.store.marketplaces.rules import NEW_PUBLICATIONS
from mercato.usage.charging import sweep_usage

# huey.storage imports psycopg, if installed, for a PostgreSQL queue storage that
# Mercato never uses; on a SQLite database nothing else loads it, and it costs each
# web process about 11 MB. Hiding it (ImportError) while huey loads keeps it out;
# SQLAlchemy still imports it normally for a PostgreSQL database.
_hide_psycopg = "psycopg" not in sys.modules
if _hide_psycopg:
    sys.modules["psycopg"] = None  # type: ignore[assignment]
try:
    from huey import Huey, RedisHuey, SqliteHuey
    from huey.consumer import Consumer
    from huey.storage import SqliteStorage
finally:
    if _hide_psycopg:
        del sys.modules["psycopg"]

log = logging.getLogger(__name__)

# An idle SQLite queue is polled this often, which bounds the wait of a new task.
POLL_SECONDS = 0.02
SWEEP_SECONDS = 5.0
# Redis blocks a worker on an empty queue; it wakes this often to see if it must stop.
REDIS_READ_TIMEOUT = 1


class _SqliteStorage(SqliteStorage):
    """WAL with synchronous=NORMAL, as Mercato's own database: a commit survives a crashed
    process without waiting for the disk, and the outbox covers a lost machine."""

    def _create_connection(self) -> sqlite3.Connection:
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


class _SqliteHuey(SqliteHuey):
    storage_class = _SqliteStorage


def make_huey(settings: Settings) -> Huey:
    if settings.queue_url.startswith(("redis://", "rediss://", "unix://")):
        # Short socket timeouts: a Redis that is down must not hold a web request.
        pool = ConnectionPool.from_url(
            settings.queue_url, socket_connect_timeout=2, socket_timeout=REDIS_READ_TIMEOUT + 4
        )
        return RedisHuey(
            settings.queue_name,
            results=False,
            connection_pool=pool,
            read_timeout=REDIS_READ_TIMEOUT,
        )
    if settings.queue_url:
        raise ValueError("MERCATO_QUEUE_URL must be a redis:// URL, or empty for SQLite")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    filename = str(settings.data_dir / "queue.db")
    return _SqliteHuey(settings.queue_name, results=False, filename=filename)


class TaskQueue:
    """Mercato's tasks on one Huey instance; the web app enqueues, workers run them."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self.factory = factory
        # The worker renews subscriptions with these (commerce.renewals).
        self.gateways = unattended_gateways(settings)
        self.huey = make_huey(settings)
        # Per worker thread: an HTTP client that keeps connections to the OMSes
        # alive, and the threads that make a batch's calls at the same time.
        self._local = threading.local()
        self._deliver_due = self.huey.task(name="deliver-due")(self._run_deliveries)
        self._publish_due = self.huey.task(name="publish-due")(self._run_publications)
        self._notify_due = self.huey.task(name="notify-due")(self._run_notifications)
        self._render_due = self.huey.task(name="render-invoices")(self._run_renders)
        self.huey.on_shutdown(name="close-http-client")(self._close_client)

    def _client(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            size = triggers.BATCH_SIZE
            client = self._local.client = outgoing.new_client(size)
            self._local.senders = ThreadPoolExecutor(size, thread_name_prefix="trigger")
        return client

    def _close_client(self) -> None:
        client = getattr(self._local, "client", None)
        if client is not None:
            self._local.senders.shutdown()
            client.close()
            self._local.client = None

    def _run_outbox(
        self, sending: triggers.Outbox[Any], task: Any, wake: Callable[[], None]
    ) -> None:
        """Send a batch of ``sending``'s due rows; retries come back as tasks of ``task``."""
        sent = triggers.deliver_due(
            self.factory,
            self.settings,
            self._client(),
            outbox=sending,
            senders=self._local.senders,
            on_full_batch=wake,
        )
        for retry_at in sent.retries:
            task.schedule(eta=retry_at)

    def _run_deliveries(self) -> None:
        self._run_outbox(triggers.DELIVERIES, self._deliver_due, self.wake)

    def _run_notifications(self) -> None:
        self._run_outbox(notifications.NOTIFICATIONS, self._notify_due, self.wake_notifications)

    def _run_publications(self) -> None:
        round_ = outbox.deliver_due(
            self.factory, self.settings, self._client(), on_full_batch=self.wake_publications
        )
        for due_at in round_.due:
            self._publish_due.schedule(eta=due_at)

    def _run_renders(self) -> None:
        round_ = invoice_rendering.render_due(
            self.factory,
            local_files(self.settings).storage,
            self.settings.store_name,
            on_full_batch=self.wake_renders,
        )
        for retry_at in round_.retries:
            self._render_due.schedule(eta=retry_at)

    @staticmethod
    def _enqueue(task: Any, what: str) -> None:
        """Have a worker do what is due of an outbox; on failure the sweep does later."""
        try:
            task()
        except Exception:
            log.warning("could not enqueue %s; the sweep will", what, exc_info=True)

    def wake(self) -> None:
        self._enqueue(self._deliver_due, "trigger deliveries")

    def wake_publications(self) -> None:
        self._enqueue(self._publish_due, "publications")

    def wake_notifications(self) -> None:
        self._enqueue(self._notify_due, "purchase notifications")

    def wake_renders(self) -> None:
        self._enqueue(self._render_due, "invoice rendering")

    def sweep(self, *, always: bool = False) -> int:
        """Wake a worker if deliveries are due that no worker holds, forget expired
        idempotency keys and roll back purchases whose payment expired; by default only
        when the queue is idle. Returns how many rows of the outboxes are due.

        An idle queue means nothing due is waiting in it, so what the outbox
        still has due was lost (a crash, a failed hand-over) and is re-queued.
        """
        if not always and self.huey.pending_count():
            return 0
        with transaction(self.factory) as session:
            now = utcnow()
            due = triggers.due_deliveries(session, now)
            publications = outbox.due_publications(session, now)
            due_notifications = notifications.due_notifications(session, now)
            renders = invoice_rendering.due_renders(session, now)
            # Housekeeping rides along, in the transaction the sweep takes anyway.
            idempotency.forget_expired_keys(session, now)
            expire_payments(session, now)
            sweep_renewals(
                session,
                self.gateways,
                now,
                base_url=self.settings.base_url,
                timeout=self.settings.payment_timeout,
                reminder=timedelta(days=self.settings.renewal_reminder_days),
                grace=timedelta(days=self.settings.renewal_grace_days),
            )
            sweep_usage(session, now, after=timedelta(days=self.settings.usage_charge_after_days))
        if due:
            self.wake()
        if publications:
            self.wake_publications()
        if due_notifications:
            self.wake_notifications()
        if renders:
            self.wake_renders()
        return len(due) + len(publications) + len(due_notifications) + len(renders)


# The session.info key under which a factory's sessions find the queue they hand over to.
_QUEUE = "mercato.queue"


def queue_settings(session: Session) -> Settings | None:
    """The settings of the queue ``session`` hands over to, if it hands over to one."""
    queue = session.info.get(_QUEUE)
    return queue.settings if queue is not None else None


def _hand_over(session: Session) -> None:
    queue = session.info.get(_QUEUE)
    if session.info.pop(NEW_DELIVERIES, None) and queue is not None:
        queue.wake()
    if session.info.pop(NEW_PUBLICATIONS, None) and queue is not None:
        queue.wake_publications()
    if session.info.pop(notifications.NEW_NOTIFICATIONS, None) and queue is not None:
        queue.wake_notifications()
    if session.info.pop(NEW_INVOICES, None) and queue is not None:
        queue.wake_renders()


def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    # Rolled-back rows never existed; a savepoint's keep the outer ones.
    if not previous.nested:
        session.info.pop(NEW_DELIVERIES, None)
        session.info.pop(NEW_PUBLICATIONS, None)
        session.info.pop(notifications.NEW_NOTIFICATIONS, None)
        session.info.pop(NEW_INVOICES, None)


def hand_over_deliveries(factory: sessionmaker[Session], queue: TaskQueue) -> None:
    """After each commit of ``factory``'s sessions, enqueue the deliveries, the
    publications and the invoices to render it wrote.

    The listeners are module functions that find the queue in ``session.info``:
    SQLAlchemy keeps a factory's listeners for as long as its Session class lives,
    and a closure over the queue, which holds the factory, would keep the factory,
    its engine and the queue alive for ever.
    """
    factory.configure(info={**factory.kw.get("info", {}), _QUEUE: queue})
    if not event.contains(factory, "after_commit", _hand_over):
        event.listen(factory, "after_commit", _hand_over)
        event.listen(factory, "after_soft_rollback", _forget_rolled_back)


class _InProcessConsumer(Consumer):
    """A consumer inside another program (the web server), which owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


class Worker:
    """Huey consumer threads that run the tasks, and a sweeper thread for the outbox."""

    def __init__(self, queue: TaskQueue, workers: int = 1) -> None:
        self.queue = queue
        self.workers = workers
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_forever, name="sweeper", daemon=True)
        self._in_process: Consumer | None = None

    def _consumer(self, consumer_class: type[Consumer]) -> Consumer:
        return consumer_class(
            self.queue.huey,
            workers=self.workers,
            worker_type="thread",
            periodic=False,
            initial_delay=POLL_SECONDS,
            backoff=1.0,
            max_delay=POLL_SECONDS,
        )

    def _sweep_forever(self) -> None:
        always = True  # at start, whatever is due: a previous worker may have died with it
        while True:
            try:
                self.queue.sweep(always=always)
                always = False
            except Exception:
                log.exception("outbox sweep failed")
            if self._stop.wait(SWEEP_SECONDS):
                return

    def run(self) -> None:
        """Run in the foreground until SIGINT or SIGTERM (graceful) stops the consumer."""
        self._sweeper.start()
        try:
            self._consumer(Consumer).run()
        finally:
            self._stop.set()

    def start(self) -> None:
        """Run in background threads of this process, until ``stop``."""
        self._sweeper.start()
        self._in_process = self._consumer(_InProcessConsumer)
        self._in_process.start()

    def stop(self) -> None:
        self._stop.set()
        if self._in_process is not None:
            self._in_process.stop(graceful=True)
        self._sweeper.join(timeout=SWEEP_SECONDS)
