"""Concurrent writers benchmark: prints figures, asserts nothing.

    python bench/concurrency.py [--seconds 10] [--writers 1,8,32] [--orders 1000]
                                [--database-url URL]

Run it once per database: without --database-url on a new SQLite file in a
temporary folder; with `postgresql+psycopg://postgres@127.0.0.1:5432/mercato_bench_conc`
on PostgreSQL, where the database (its name must contain "bench") is dropped
if it exists and created empty.

The world: a default OMS with an administrator, its API token and a trigger
URL (no worker runs, so each change writes its delivery and hands it to the
SQLite queue, and nothing is sent; bench/ordering.py measures sending), a
provider, a service, an offer handled by the OMS, and 1,000 orders in 50
projects, so that concurrent writers rarely change the same order.

The real server runs in its own process (`uvicorn mercato.app:create_app
--factory` on a free loopback port). For each number of writers N, for the
given seconds each:

1. API: N threads, each with its own kept-alive httpx client, send Ordering API
   status changes (`PATCH /api/v1/oms/{id}/projects/{p}/project_items/{iid}`)
   to random orders, each order alternating between in_progress and
   waiting_for_response with a numbered status text, so every write is a
   change. Every request waits at most 30 s, so a server that hangs shows as
   errors. Any answer but 2xx, or no answer, is an error.
2. Direct: N threads, each with its own connection (an engine made by
   `make_engine`, as the server's), do the same transactions on the database:
   in a new session each, the order and its author are loaded and the rule
   (`update_order`: the order's UPDATE, its status history, its event, its
   deliveries) runs and commits, handing the deliveries over to the queue, as
   the server does after the route, without HTTP, the token and the access
   checks. The server has one engine, whose pool holds up to 15 connections,
   so at 32 writers requests also queue for a connection there.

Prints, per N: status changes per second (successful ones), p50 and p99
latency of the successful ones, errors, the API rate as a share of the direct
rate, and the 1-minute load average at the end of each run.
"""

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from servers import free_port, running
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mercato.accounts import rules as accounts
from mercato.accounts.models import User
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Offer, OfferStatus, OmsType, OrderType
from mercato.catalogue.omses import create_oms
from mercato.catalogue.rules import OfferData
from mercato.db import make_engine, make_session_factory, migrate, read_only
from mercato.ordering.models import Event, Order, Project, StatusType
from mercato.ordering.orders import OrderRequest, place_order, update_order
from mercato.ordering.projects import ProjectData, create_project
from mercato.queue import TaskQueue, hand_over_deliveries
from mercato.settings import Settings

console = Console()

REQUEST_TIMEOUT = 30.0
STARTUP_SECONDS = 30
PROJECTS = 50
# Never called: no worker runs in this benchmark.
TRIGGER_URL = "http://127.0.0.1:9/bench-trigger"
# The OMS registry checks the trigger's address: an admin allowed loopback here.
ALLOWING_LOOPBACK = Settings(outgoing_allowed_networks="127.0.0.0/8")
STATUSES = (StatusType.IN_PROGRESS, StatusType.WAITING_FOR_RESPONSE)
Status = tuple[StatusType, str]


# --- the database and its world ------------------------------------------------------


def reset_postgresql(url: str) -> None:
    """Drop the URL's database if it exists and create it empty."""
    parsed = make_url(url)
    name = parsed.database or ""
    if "bench" not in name:
        sys.exit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    with psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@dataclass
class World:
    """What the writers need: the OMS, its administrator's id and token, and the orders."""

    oms_id: int
    admin_id: int
    token: str
    # (order id, project id, iid)
    orders: list[tuple[int, int, int]]


def build_world(factory: sessionmaker[Session], order_count: int) -> World:
    with factory.begin() as session:
        admin = accounts.create_user(
            session, email="ops@bench.example", first_name="O", last_name="Ps"
        )
        _, token = accounts.issue_token(session, admin)
        oms_id = create_oms(
            session,
            ALLOWING_LOOPBACK,
            name="Operations",
            type=OmsType.GLOBAL,
            is_default=True,
            administrators=[admin],
            trigger_url=TRIGGER_URL,
        ).id
        customer = accounts.create_user(
            session, email="customer@bench.example", first_name="C", last_name="Ustomer"
        )
        provider = accounts.create_provider(session, name="Bench", data_administrator_emails=[])
        service = catalogue.create_service(
            session,
            provider=provider,
            name="Compute",
            description="Bench",
            order_type=OrderType.ORDER_REQUIRED,
        )
        data = OfferData(
            name="Small", description="Bench", order_type=OrderType.ORDER_REQUIRED, internal=True
        )
        offer_id = catalogue.create_offer(session, service, data, OfferStatus.PUBLISHED).id
        admin_id, customer_id = admin.id, customer.id
        project_ids = [
            create_project(session, customer, ProjectData(name=f"Bench {number}")).id
            for number in range(PROJECTS)
        ]
    orders = []
    with factory() as session:
        customer = session.get_one(User, customer_id)
        offer = session.get_one(Offer, offer_id)
        for number in range(order_count):
            project = session.get_one(Project, project_ids[number % PROJECTS])
            order = place_order(session, customer, project, offer, OrderRequest(values={}))
            orders.append((order.id, project.id, order.iid))
            if number % 100 == 99:
                session.commit()
        session.commit()
    return World(oms_id=oms_id, admin_id=admin_id, token=token, orders=orders)


def events_written(engine: Engine) -> int:
    with read_only(engine).connect() as connection:
        return connection.scalar(select(func.count()).select_from(Event)) or 0


# --- the server ----------------------------------------------------------------------


@contextmanager
def running_server(database_url: str, data_dir: Path) -> Iterator[str]:
    """The real app under uvicorn in its own process on a free loopback port."""
    port = free_port()
    env = {
        **os.environ,
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(data_dir),
        "MERCATO_SECRET_KEY": "bench",
        "MERCATO_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "uvicorn", "mercato.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with running(command, env, data_dir / "server.log", port, STARTUP_SECONDS) as base_url:
        yield base_url


# --- the writers ---------------------------------------------------------------------


class Picker:
    """Random orders, each one's status type alternating and its text numbered, so that
    every write is a change, also when two writers meet on one order."""

    def __init__(self, world: World) -> None:
        self.orders = world.orders
        self.steps = [0] * len(world.orders)
        self.lock = threading.Lock()

    def next(self, chooser: random.Random) -> tuple[tuple[int, int, int], Status]:
        index = chooser.randrange(len(self.orders))
        with self.lock:
            step = self.steps[index]
            self.steps[index] = step + 1
        status_type = STATUSES[step % len(STATUSES)]
        return self.orders[index], (status_type, f"{status_type.value} #{step + 1}")


@dataclass
class Tally:
    """One writer's results."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    finished: float = 0.0


@dataclass
class Outcome:
    changes_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    error_kinds: Counter[str]
    changes: int
    load: float


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# A writer gets ready (a connection, a first request), then runs until the deadline.
Write = Callable[[tuple[int, int, int], Status], str | None]
Writer = Callable[[], tuple[Write, Callable[[], None]]]


def run_writers(label: str, writers: int, seconds: float, picker: Picker, make: Writer) -> Outcome:
    """N threads, each with the write ``make`` gives it, for ``seconds`` after all are ready."""
    tallies = [Tally() for _ in range(writers)]
    clock: dict[str, float] = {}

    def start() -> None:
        clock["start"] = time.perf_counter()
        clock["deadline"] = clock["start"] + seconds

    ready = threading.Barrier(writers, action=start)

    def work(number: int) -> None:
        tally, chooser = tallies[number], random.Random(number)
        write, close = make()
        try:
            ready.wait()
            while time.perf_counter() < clock["deadline"]:
                order, status = picker.next(chooser)
                began = time.perf_counter()
                problem = write(order, status)
                if problem is None:
                    tally.latencies.append((time.perf_counter() - began) * 1000)
                else:
                    tally.errors[problem] += 1
        finally:
            tally.finished = time.perf_counter()
            close()

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(writers)]
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{label}, {writers} writer(s)", total=seconds)
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            if "start" in clock:
                progress.update(task, completed=time.perf_counter() - clock["start"])
            time.sleep(0.2)
    load = os.getloadavg()[0]
    elapsed = max(tally.finished for tally in tallies) - clock["start"]
    latencies = [ms for tally in tallies for ms in tally.latencies]
    kinds: Counter[str] = sum((tally.errors for tally in tallies), Counter())
    return Outcome(
        changes_per_second=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        errors=sum(kinds.values()),
        error_kinds=kinds,
        changes=len(latencies),
        load=load,
    )


def api_writer(base_url: str, world: World) -> Writer:
    def make() -> tuple[Write, Callable[[], None]]:
        client = httpx.Client(
            base_url=f"{base_url}/api/v1/oms/{world.oms_id}",
            headers={"X-User-Token": world.token},
            timeout=REQUEST_TIMEOUT,
        )
        with suppress(httpx.HTTPError):  # the connection is open before the clock starts
            client.get("")

        def write(order: tuple[int, int, int], status: Status) -> str | None:
            _, project_id, iid = order
            try:
                response = client.patch(
                    f"/projects/{project_id}/project_items/{iid}",
                    json={"status": {"type": status[0].value, "value": status[1]}},
                )
            except httpx.HTTPError as error:
                return type(error).__name__
            if not response.is_success:
                return f"{response.status_code} {response.text[:80]}"
            return None

        return write, client.close

    return make


def direct_writer(database_url: str, queue: TaskQueue, world: World) -> Writer:
    """Each writer with its own engine (`make_engine`, the server's settings) and connection."""

    def make() -> tuple[Write, Callable[[], None]]:
        engine = make_engine(database_url)
        bounded_locks(engine)
        factory = make_session_factory(engine)
        # Deliveries go to the server's queue after each commit, as the server hands them.
        hand_over_deliveries(factory, queue)
        with factory() as session:  # the connection is open before the clock starts
            session.get_one(User, world.admin_id)

        def write(order: tuple[int, int, int], status: Status) -> str | None:
            order_id = order[0]
            with factory() as session:
                try:
                    author = session.get_one(User, world.admin_id)
                    row = session.get_one(Order, order_id)
                    update_order(session, row, author=author, status=status)
                    session.commit()
                except Exception as error:
                    session.rollback()
                    first_line = (str(error).splitlines() or [""])[0]
                    return f"{type(error).__name__}: {first_line[:80]}"
            return None

        return write, engine.dispose

    return make


def bounded_locks(engine: Engine) -> None:
    """On PostgreSQL, a lock wait in the direct run fails after 30 s, as a request times out."""
    if engine.dialect.name == "postgresql":

        def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{REQUEST_TIMEOUT:.0f}s'")
            dbapi_connection.commit()

        event.listen(engine, "connect", on_connect)


# --- the run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--seconds", type=float, default=10.0, help="per run (default 10)")
    parser.add_argument("--writers", default="1,8,32", help="comma-separated (default 1,8,32)")
    parser.add_argument("--orders", type=int, default=1000, help="default 1000")
    args = parser.parse_args()
    levels = [int(part) for part in args.writers.split(",") if part.strip()]

    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        database_url = args.database_url or f"sqlite:///{data_dir / 'mercato.db'}"
        if database_url.startswith("postgresql"):
            reset_postgresql(database_url)
        settings = Settings(data_dir=data_dir, database_url=database_url, secret_key="bench")
        engine = make_engine(database_url)
        bounded_locks(engine)
        migrate(engine)
        factory = make_session_factory(engine)
        with console.status(f"building the world ({args.orders:,} orders)"):
            world = build_world(factory, args.orders)
        # The direct writers hand their deliveries to the server's queue, as the server does.
        queue = TaskQueue(settings, factory)
        picker = Picker(world)

        rows = []
        load_before = os.getloadavg()[0]
        with running_server(database_url, data_dir) as base_url:
            for writers in levels:
                before = events_written(engine)
                api = run_writers("API", writers, args.seconds, picker, api_writer(base_url, world))
                between = events_written(engine)
                direct = run_writers(
                    "direct",
                    writers,
                    args.seconds,
                    picker,
                    direct_writer(database_url, queue, world),
                )
                after = events_written(engine)
                rows.append((writers, api, direct, between - before, after - between))
        engine.dispose()

    table = Table(
        title=f"Status changes on {engine.dialect.name}, {args.seconds:g} s per run, "
        f"{len(world.orders):,} orders (load average {load_before:.1f} before)",
        caption="load avg: the 1-minute load average at the end of each run",
    )
    for column in (
        "writers",
        "API\nchanges/s",
        "API\np50 ms",
        "API\np99 ms",
        "direct\nchanges/s",
        "direct\np99 ms",
        "API /\ndirect",
        "errors\nAPI/direct",
        "load avg\nAPI/direct",
    ):
        table.add_column(column, justify="right")
    for writers, api, direct, _, _ in rows:
        ratio = api.changes_per_second / direct.changes_per_second if direct.changes else 0
        table.add_row(
            str(writers),
            f"{api.changes_per_second:,.0f}",
            f"{api.p50_ms:.1f}",
            f"{api.p99_ms:.1f}",
            f"{direct.changes_per_second:,.0f}",
            f"{direct.p99_ms:.1f}",
            f"{ratio:.0%}",
            f"{api.errors}/{direct.errors}",
            f"{api.load:.1f}/{direct.load:.1f}",
        )
    Console(width=max(console.width, 100)).print(table)
    for writers, api, direct, api_events, direct_events in rows:
        for label, outcome, events in (("API", api, api_events), ("direct", direct, direct_events)):
            for kind, count in outcome.error_kinds.most_common(3):
                console.print(f"{writers} writer(s), {label}: {count} x {kind}")
            if events != outcome.changes:
                console.print(
                    f"{writers} writer(s), {label}: {outcome.changes} writes succeeded "
                    f"but {events} events were written"
                )


if __name__ == "__main__":
    main()
