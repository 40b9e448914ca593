"""Running Mercato: migrating, the demo, the web server and the queue workers."""

import logging
import os
from typing import Annotated

import typer
import uvicorn
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

# Registering hooks: the invoicing and the revenue sharing of every charge.
import mercato.commerce.billing
import mercato.commerce.revenue  # noqa: F401
from mercato.accounts.models import Provider, User
from mercato.cli.common import console, fail, migrated_engine, print_uncut, task_queue
from mercato.db import make_session_factory, transaction
from mercato.demo import DemoAccount, load_demo
from mercato.queue import Worker
from mercato.settings import Settings
from mercato.store.assets import local_files

WORKER_START_SECONDS = 60


def _print_demo_accounts(accounts_made: list[DemoAccount]) -> None:
    table = Table(title="Demo users")
    table.add_column("E-mail", no_wrap=True)
    table.add_column("Name")
    table.add_column("Roles")
    table.add_column("Password", no_wrap=True)
    table.add_column("API token (X-User-Token)", no_wrap=True)
    for account in accounts_made:
        table.add_row(account.email, account.name, account.roles, account.password, account.token)
    print_uncut(table)


def _load_demo(engine: Engine, settings: Settings) -> bool:
    """Load the demo data and print its users, unless the database already has data."""
    with transaction(make_session_factory(engine)) as session:
        if _has_data(session):
            return False
        made = load_demo(session, local_files(settings))
    _print_demo_accounts(made)
    return True


def _has_data(session: Session) -> bool:
    return any(
        session.scalar(select(column).limit(1)) is not None for column in (User.id, Provider.id)
    )


def migrate_schema() -> None:
    """Bring the database schema up to date."""
    migrated_engine()
    console.print("Database schema is up to date.")


def demo() -> None:
    """Load the demo catalogue and users into an empty database."""
    if not _load_demo(migrated_engine(), Settings()):
        fail("the database is not empty; demo data needs an empty one.")


def serve(
    demo: Annotated[bool, typer.Option(help="Load demo data into an empty database.")] = False,
    host: Annotated[str | None, typer.Option(help="Address to bind (MERCATO_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (MERCATO_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Web server processes sharing the port (MERCATO_WORKERS)."),
    ] = None,
) -> None:
    """Migrate the database and serve the web UI and the APIs.

    With several web processes, the queue worker (if it runs in-process) runs in
    this one, which only supervises them, so the queue is worked exactly once.
    """
    settings = Settings()
    engine = migrated_engine()
    if demo and not _load_demo(engine, settings):
        console.print("The database already has data; demo data not loaded.")
    engine.dispose()
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    processes = settings.workers if workers is None else workers
    # Made here, before the web processes start, so that they all read one key.
    settings.resolved_secret_key()
    console.print(f"Mercato on http://{bind_host}:{bind_port} (API docs at /docs)")
    in_process = Worker(task_queue(settings, engine)) if settings.worker_in_process else None
    if in_process is not None:
        in_process.start()
        console.print(f"Queue worker: in process {os.getpid()}")
    try:
        uvicorn.run(
            "mercato.app:create_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            proxy_headers=True,
            workers=processes,
            # A web process imports the whole app before it answers the supervisor's
            # health check; on a busy machine that takes longer than uvicorn's 5 s.
            timeout_worker_healthcheck=WORKER_START_SECONDS,
        )
    finally:
        if in_process is not None:
            in_process.stop()


def worker(
    workers: Annotated[int, typer.Option(min=1, help="Worker threads in this process.")] = 2,
) -> None:
    """Run task-queue workers (trigger deliveries) until Ctrl-C or SIGTERM."""
    settings = Settings()
    queue = task_queue(settings, migrated_engine())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    backend = "Redis" if settings.queue_url else "SQLite"
    console.print(f"Mercato worker: {workers} thread(s) on the {backend} queue")
    Worker(queue, workers).run()
