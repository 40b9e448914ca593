"""The ``mercato-oms-adapter`` command."""

import json
import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from mercato_oms_adapter import config as configuration
from mercato_oms_adapter import queue
from mercato_oms_adapter.service import Adapter, describe
from mercato_oms_adapter.store import open_database
from mercato_oms_adapter.web import last_line, serve

app = typer.Typer(help="An OMS adapter for the EOSC Ordering API: JIRA, Redmine or your own.")

ConfigPath = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        envvar="MERCATO_OMS_ADAPTER_CONFIG",
        help="The TOML configuration file.",
        exists=True,
        dir_okay=False,
    ),
]
BackendName = Annotated[
    str | None, typer.Option(help="jira, redmine or package.module:Class (overrides `backend`).")
]


def _config(path: Path, backend: str | None = None) -> configuration.Config:
    try:
        return configuration.with_backend(configuration.load(path), backend)
    except configuration.ConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def run(config: ConfigPath = Path("oms-adapter.toml"), backend: BackendName = None) -> None:
    """Serve triggers and the status page, poll both sides and work the queue until
    Ctrl-C or SIGTERM."""

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    adapter = Adapter(_config(config, backend))
    server = serve(adapter)
    stop = threading.Event()

    def stopping(*_: object) -> None:
        stop.set()
        adapter.wake.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    service = adapter.config.service
    typer.echo(f"listening on http://{service.host}:{server.server_port}/ (trigger: /trigger)")
    try:
        adapter.run(stop)
    finally:
        server.shutdown()


@app.command()
def once(config: ConfigPath = Path("oms-adapter.toml"), backend: BackendName = None) -> None:
    """Poll both sides once, run every due task, and stop (for cron or a test)."""
    ran = Adapter(_config(config, backend)).step()
    typer.echo(f"{ran} tasks run")


@app.command()
def status(config: ConfigPath = Path("oms-adapter.toml")) -> None:
    """Print the queue's counts and the cursors as JSON."""
    typer.echo(json.dumps(describe(open_database(_config(config).service.database)), indent=2))


@app.command()
def dead(config: ConfigPath = Path("oms-adapter.toml")) -> None:
    """List the dead letters: tasks that failed their last retry."""
    sessions = open_database(_config(config).service.database)
    with sessions() as session:
        for task in queue.dead_tasks(session):
            last = last_line(task.last_error)
            typer.echo(f"{task.id}\t{task.key}\t{task.attempts} attempts\t{last}")


@app.command()
def replay(
    task_ids: Annotated[list[int] | None, typer.Argument(help="Dead tasks to replay.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Replay every dead task.")] = False,
    config: ConfigPath = Path("oms-adapter.toml"),
) -> None:
    """Queue dead tasks again, with fresh attempts (a running adapter takes them up)."""
    if not task_ids and not every:
        typer.echo("error: give task ids or --all", err=True)
        raise typer.Exit(2)
    sessions = open_database(_config(config).service.database)
    with sessions.begin() as session:
        count = queue.replay(session, None if every else task_ids)
    typer.echo(f"{count} tasks queued again")


def main() -> None:
    app()
