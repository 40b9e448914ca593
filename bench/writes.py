"""Concurrent order writes: prints figures, asserts nothing.

    python bench/writes.py [--clients 16] [--processes 2] [--seconds 10] [--rounds 2]
                           [--database-url URL] [--queue-url redis://127.0.0.1:6379/13]

A PostgreSQL database given by URL is emptied first.

N clients (threads, spread over P processes as a server's workers would be)
place orders through the real rule (`place_order`: the order, its status
history, its event and its trigger delivery, the commit, the hand-over to the
queue), each into a project of its own, for S seconds. In the same run, as many
clients write the same rows directly (plain INSERTs, one commit per order, see
`bench/ordering.py`). The two alternate for R rounds. Prints both rates and the
ratio, and checks every order placed has exactly one event.

Goals (PostgreSQL, 16 clients): >= 500 orders/s, >= 50% of the direct rate.
"""

import argparse
import multiprocessing
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from datasets import empty_database
from mercato.accounts.models import User
from mercato.catalogue.models import Offer
from mercato.db import make_engine, make_session_factory
from mercato.ordering.models import Event, EventType, Order, Project
from mercato.ordering.orders import OrderRequest, place_order
from mercato.ordering.projects import ProjectData, create_project
from mercato.queue import TaskQueue, hand_over_deliveries
from mercato.settings import Settings
from ordering import World, raw_order

console = Console()
# Direct writes number their orders from here, clear of the rule's iids.
DIRECT_IIDS = 1_000_000


def rule_client(world: World, project_id: int, until: Callable[[], bool]) -> int:
    factory = make_session_factory(world.engine)
    hand_over_deliveries(factory, TaskQueue(world.settings, factory))
    placed = 0
    with factory() as session:
        customer = session.get_one(User, world.customer_id)
        project = session.get_one(Project, project_id)
        offer = session.get_one(Offer, world.offer_id)
        while not until():
            place_order(session, customer, project, offer, OrderRequest(values={}))
            session.commit()
            placed += 1
    return placed


def direct_client(world: World, project_id: int, until: Callable[[], bool]) -> int:
    written = 0
    with world.engine.connect() as connection:
        first = (
            DIRECT_IIDS
            + connection.execute(
                select(func.count()).where(Order.project_id == project_id, Order.iid >= DIRECT_IIDS)
            ).scalar_one()
        )
        while not until():
            raw_order(connection, world, project_id, first + written)
            written += 1
    return written


def run_process(
    world: World,
    projects: list[int],
    kind: str,
    seconds: float,
    start: Barrier,
    done: "multiprocessing.Queue[int]",
) -> None:
    """One process's clients, each on a thread of its own; puts how many orders they made."""
    world.engine = make_engine(world.settings.resolved_database_url)
    client = rule_client if kind == "rule" else direct_client
    counts: list[int] = []
    start.wait()
    ends = time.perf_counter() + seconds

    def one(project_id: int) -> None:
        counts.append(client(world, project_id, lambda: time.perf_counter() >= ends))

    threads = [threading.Thread(target=one, args=(project_id,)) for project_id in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    world.engine.dispose()
    done.put(sum(counts))


def rate(world: World, projects: list[int], processes: int, kind: str, seconds: float) -> float:
    context = multiprocessing.get_context("fork")
    start, done = context.Barrier(processes + 1), context.Queue()
    world.engine.dispose()
    workers = [
        context.Process(
            target=run_process,
            args=(world, projects[number::processes], kind, seconds, start, done),
        )
        for number in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    total = sum(done.get() for _ in workers)
    elapsed = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--queue-url", default="", help="default: a SQLite queue file")
    args = parser.parse_args()

    if args.database_url:
        empty_database(args.database_url)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=args.database_url or None,
            queue_url=args.queue_url,
            queue_name="bench-writes",
            secret_key="bench",
            outgoing_allowed_networks="127.0.0.0/8",
        )
        # A trigger no worker sends: the deliveries are written, as in production.
        world = World(settings, "http://127.0.0.1:9/hook")
        with world.factory.begin() as session:
            customer = session.get_one(User, world.customer_id)
            projects = [
                create_project(session, customer, ProjectData(name=f"Client {number}")).id
                for number in range(args.clients)
            ]
        TaskQueue(settings, world.factory).huey.flush()
        rule, direct = [], []
        for round_ in range(args.rounds):
            console.print(f"round {round_ + 1} of {args.rounds}")
            rule.append(rate(world, projects, args.processes, "rule", args.seconds))
            direct.append(rate(world, projects, args.processes, "direct", args.seconds))
        with world.factory() as session:
            placed = session.scalar(select(func.count()).where(Order.iid < DIRECT_IIDS))
            created = session.scalar(
                select(func.count(Event.id))
                .join(Order, Order.id == Event.order_id)
                .where(Event.type == EventType.CREATE, Order.iid < DIRECT_IIDS)
            )
        world.engine.dispose()

    table = Table(
        title=f"Concurrent orders ({world.engine.dialect.name}, {args.clients} clients "
        f"in {args.processes} processes, {args.rounds} x {args.seconds:.0f} s each)"
    )
    for column in ("round", "rule orders/s", "direct orders/s", "rule / direct"):
        table.add_column(column, justify="right")
    for number, (one, other) in enumerate(zip(rule, direct, strict=True), start=1):
        table.add_row(str(number), f"{one:,.0f}", f"{other:,.0f}", f"{one / other:.0%}")
    mean_rule, mean_direct = sum(rule) / len(rule), sum(direct) / len(direct)
    table.add_row(
        "mean", f"{mean_rule:,.0f}", f"{mean_direct:,.0f}", f"{mean_rule / mean_direct:.0%}"
    )
    console.print(table)
    console.print(f"Events: {created:,} for {placed:,} orders placed through the rule.")
    console.print("Goals (PostgreSQL, 16 clients): >= 500 orders/s and >= 50% of direct.")


if __name__ == "__main__":
    main()
