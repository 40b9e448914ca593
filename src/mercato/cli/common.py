"""What every command shares: the database, one unit of work, failing with a message."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from mercato.accounts.token_cache import TokenCache
from mercato.db import make_engine, make_session_factory, migrate, transaction
from mercato.errors import MercatoError
from mercato.kept_answers import watch_writes
from mercato.queue import TaskQueue, hand_over_deliveries
from mercato.settings import Settings

console = Console()
errors = Console(stderr=True)


def open_engine() -> Engine:
    settings = Settings()
    # A fresh checkout has no data folder yet, and SQLite will not create one.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    # What a command changes shows at once on the pages that web processes keep for visitors.
    watch_writes(engine, settings)
    return engine


def migrated_engine() -> Engine:
    engine = open_engine()
    migrate(engine)
    return engine


def fail(message: str | MercatoError) -> NoReturn:
    # Unwrapped: a script reads the whole message on one line.
    errors.print(f"[red]Error:[/red] {escape(str(message))}", soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def unit_of_work(*, wakes_workers: bool = False) -> Iterator[Session]:
    """A migrated database's session, committed at the end; a rule's error ends the command.

    ``wakes_workers``: trigger deliveries written are handed to the queue on commit,
    as the web app does, rather than waiting for the workers' next sweep.
    """
    engine = migrated_engine()
    factory = make_session_factory(engine)
    # A revocation made here is refused at once by the running web processes too.
    TokenCache(Settings()).watch(factory)
    if wakes_workers:
        hand_over_deliveries(factory, task_queue(Settings(), engine))
    try:
        with transaction(factory) as session:
            yield session
    except MercatoError as error:
        fail(error)


def print_uncut(table: Table) -> None:
    """Print a table whole: Rich would cut no-wrap columns (secrets) to fit the console."""
    needed = Measurement.get(console, console.options.update_width(sys.maxsize), table)
    # A pipe has no width to respect: one line per row suits scripts best.
    width = console.width if console.is_terminal else needed.maximum
    Console(width=max(width, needed.minimum)).print(table)


def task_queue(settings: Settings, engine: Engine) -> TaskQueue:
    return TaskQueue(settings, make_session_factory(engine))
