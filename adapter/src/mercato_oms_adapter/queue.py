"""A durable task queue in the adapter's own database: retries with backoff, dead letters.

A task is a row. The worker runs the oldest due pending task; its handler does
its outside calls and writes its records in the session the worker then commits
with the task marked done, so the record of an effect and the end of its task
are one transaction. A failure schedules a retry (doubling from
``retry_seconds``, at most ``max_retry_seconds``); after ``max_attempts`` the
task is dead: it stays in the table for an operator to see and replay.
A task's key is unique, so queueing the same thing twice queues it once.
"""

import json
import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from mercato_oms_adapter.config import Service
from mercato_oms_adapter.store import Task, utcnow

Handler = Callable[[Session, dict[str, Any]], None]
log = logging.getLogger(__name__)

PENDING, DONE, DEAD = "pending", "done", "dead"


def enqueue(session: Session, key: str, kind: str, payload: dict[str, Any]) -> bool:
    """Queue a task under ``key`` unless one has that key; whether it was queued."""
    if session.scalar(select(Task.id).where(Task.key == key)) is not None:
        return False
    session.add(Task(key=key, kind=kind, payload=json.dumps(payload)))
    session.flush()
    return True


def retry_delay(settings: Service, attempts: int) -> timedelta:
    seconds = settings.retry_seconds * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, settings.max_retry_seconds))


class Worker:
    def __init__(
        self, sessions: sessionmaker[Session], handlers: dict[str, Handler], settings: Service
    ) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.settings = settings

    def _next(self, session: Session) -> Task | None:
        query = (
            select(Task)
            .where(Task.state == PENDING, Task.not_before <= utcnow())
            .order_by(Task.id)
            .limit(1)
        )
        return session.scalar(query)

    def run_one(self) -> bool:
        """Run the oldest due task; whether there was one."""
        with self.sessions() as session:
            task = self._next(session)
            if task is None:
                return False
            task_id, kind, payload = task.id, task.kind, json.loads(task.payload)
            try:
                self.handlers[kind](session, payload)
                task.state, task.updated_at = DONE, utcnow()
                session.commit()
                return True
            except Exception:
                session.rollback()
                error = traceback.format_exc(limit=5)
        self._failed(task_id, error)
        return True

    def _failed(self, task_id: int, error: str) -> None:
        log.warning("task %s failed: %s", task_id, error.strip().splitlines()[-1])
        with self.sessions.begin() as session:
            task = session.get_one(Task, task_id)
            task.attempts += 1
            task.last_error, task.updated_at = error, utcnow()
            if task.attempts >= self.settings.max_attempts:
                task.state = DEAD
            else:
                task.not_before = utcnow() + retry_delay(self.settings, task.attempts)

    def run_until_idle(self) -> int:
        """Run every due task; how many ran."""
        ran = 0
        while self.run_one():
            ran += 1
        return ran

    def next_due(self) -> datetime | None:
        with self.sessions() as session:
            return session.scalar(select(func.min(Task.not_before)).where(Task.state == PENDING))


def dead_tasks(session: Session) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.state == DEAD).order_by(Task.id)))


def replay(session: Session, task_ids: list[int] | None = None) -> int:
    """Put dead tasks (those given, or all) back in the queue with fresh attempts."""
    query = update(Task).where(Task.state == DEAD)
    if task_ids is not None:
        query = query.where(Task.id.in_(task_ids))
    now = utcnow()
    values = {"state": PENDING, "attempts": 0, "not_before": now, "updated_at": now}
    return session.execute(query.values(**values)).rowcount


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Task.state, func.count()).group_by(Task.state)).all()
    return {PENDING: 0, DONE: 0, DEAD: 0} | {state: number for state, number in rows}
