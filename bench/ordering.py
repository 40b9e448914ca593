"""Ordering benchmark: prints figures, asserts nothing.

    python bench/ordering.py [--orders 2000] [--deliveries 5000] [--database-url URL]
                             [--queue-url redis://127.0.0.1:6379/13]

1. Orders per second through the real rule (`place_order`: the order, its
   status history, its event and its trigger deliveries, then the commit and
   the hand-over to the queue), next to raw inserts of the same rows through
   the same database in the same run.
2. Server time of a 1,000-event page of the Ordering API's event feed.
3. Trigger latency from commit to receipt (p50, p99), and deliveries per
   second with 2 workers, against a receiver on a loopback port (in its own
   process, so it does not share the workers' interpreter).

Goals: orders >= 50% of the raw rate; 1,000-event page <= 30 ms; trigger p99
<= 200 ms and >= 1,000 deliveries/s.
"""

import argparse
import asyncio
import multiprocessing
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session, sessionmaker

from mercato.accounts import rules as accounts
from mercato.app import create_app
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Offer, OfferStatus, OmsType, OrderType
from mercato.catalogue.omses import create_oms
from mercato.catalogue.rules import OfferData
from mercato.db import make_engine, make_session_factory, migrate, utcnow
from mercato.ordering.events import record_event
from mercato.ordering.models import (
    Delivery,
    Event,
    EventResource,
    EventType,
    Order,
    Project,
    StatusChange,
    StatusType,
)
from mercato.ordering.orders import OrderRequest, place_order
from mercato.ordering.projects import ProjectData, create_project
from mercato.queue import TaskQueue, Worker, hand_over_deliveries
from mercato.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about its test client
    from fastapi.testclient import TestClient

console = Console()


def receive(port: Any, count: Any, last: Any) -> None:
    """A trigger endpoint in its own process: counts calls and notes when the last came.

    A bare asyncio HTTP/1.1 server, so the two CPUs go to Mercato rather than to
    parsing in the receiver: triggers send no body, and each request is
    answered 204 on the kept-alive connection.
    """

    class Endpoint(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            answered = 0
            while b"\r\n\r\n" in self.buffer:
                _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                answered += 1
            if answered:
                self.transport.write(
                    b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n" * answered
                )
                with count.get_lock():
                    count.value += answered
                    last.value = time.time()

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Endpoint, "127.0.0.1", 0)
        port.value = server.sockets[0].getsockname()[1]
        await server.serve_forever()

    asyncio.run(serve())


class World:
    """A migrated database with a customer, a project, an offer and a default OMS."""

    def __init__(self, settings: Settings, trigger_url: str) -> None:
        self.settings = settings
        self.engine = make_engine(settings.resolved_database_url)
        migrate(self.engine)
        self.factory = make_session_factory(self.engine)
        with self.factory.begin() as session:
            admin = accounts.create_user(
                session, email="ops@bench.example", first_name="O", last_name="Ps"
            )
            _, self.token = accounts.issue_token(session, admin)
            self.oms_id = create_oms(
                session,
                settings,
                name="Operations",
                type=OmsType.GLOBAL,
                is_default=True,
                administrators=[admin],
                trigger_url=trigger_url,
            ).id
            provider = accounts.create_provider(session, name="Bench", data_administrator_emails=[])
            service = catalogue.create_service(
                session,
                provider=provider,
                name="Compute",
                description="Bench",
                order_type=OrderType.ORDER_REQUIRED,
            )
            data = OfferData(
                name="Small",
                description="Bench",
                order_type=OrderType.ORDER_REQUIRED,
                internal=True,
            )
            self.offer_id = catalogue.create_offer(session, service, data, OfferStatus.PUBLISHED).id
            self.customer_id = admin.id
            self.project_id = create_project(session, admin, ProjectData(name="Bench")).id


def timed(label: str, count: int, step: Callable[[int], None]) -> float:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=count)
        began = time.perf_counter()
        for number in range(count):
            step(number)
            progress.advance(task)
        return count / (time.perf_counter() - began)


def order_rate(world: World, factory: sessionmaker[Session], orders: int) -> float:
    with factory() as session:
        customer = session.get_one(accounts.User, world.customer_id)
        project = session.get_one(Project, world.project_id)
        offer = session.get_one(Offer, world.offer_id)

        def one(_: int) -> None:
            place_order(session, customer, project, offer, OrderRequest(values={}))
            session.commit()

        return timed("orders through the rule", orders, one)


def raw_order(connection: Connection, world: World, project_id: int, iid: int) -> None:
    """The rows of one order (order, status change, event, delivery) by plain INSERTs."""
    now = utcnow()
    order_id = connection.execute(
        insert(Order).returning(Order.id),
        {
            "project_id": project_id,
            "iid": iid,
            "offer_id": world.offer_id,
            "order_type": "order_required",
            "status_type": StatusType.CREATED,
            "status_value": "created",
            "offer_properties": [],
            "user_secrets": {},
            "request_voucher": False,
            "voucher_id": "",
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    connection.execute(
        insert(StatusChange),
        {
            "order_id": order_id,
            "status_type": StatusType.CREATED,
            "status_value": "created",
            "author_id": world.customer_id,
            "created_at": now,
        },
    )
    event_id = connection.execute(
        insert(Event).returning(Event.id),
        {
            "created_at": now,
            "type": EventType.CREATE,
            "resource": EventResource.PROJECT_ITEM,
            "project_id": project_id,
            "order_id": order_id,
        },
    ).scalar_one()
    connection.execute(
        insert(Delivery),
        {
            "event_id": event_id,
            "oms_id": world.oms_id,
            "status": "delivered",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    connection.commit()


def raw_rate(world: World, orders: int) -> float:
    """The same rows by plain INSERTs, one commit each."""
    with world.engine.connect() as connection:
        first_iid = 1_000_000
        return timed(
            "raw inserts",
            orders,
            lambda number: raw_order(connection, world, world.project_id, first_iid + number),
        )


def event_page_ms(world: World) -> tuple[float, int]:
    app = create_app(world.settings)
    url = f"/api/v1/oms/{world.oms_id}/events?from_id=0&limit=1000"
    headers = {"X-User-Token": world.token}
    times = []
    with TestClient(app) as client:
        for _ in range(20):
            began = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - began) * 1000)
        events = len(response.json()["events"])
    app.state.engine.dispose()
    return statistics.median(times), events


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def trigger_latency(world: World, queue: TaskQueue, count: Any, rounds: int) -> list[float]:
    factory = make_session_factory(world.engine)
    hand_over_deliveries(factory, queue)
    latencies = []
    with factory() as session, Progress(console=console, transient=True) as progress:
        project = session.get_one(Project, world.project_id)
        task = progress.add_task("trigger latency", total=rounds)
        for _ in range(rounds):
            expected = count.value + 1
            record_event(session, type=EventType.UPDATE, project=project, changes=[])
            began = time.perf_counter()
            session.commit()
            while count.value < expected:
                time.sleep(0.0005)
            latencies.append((time.perf_counter() - began) * 1000)
            progress.advance(task)
            time.sleep(0.01)
    return latencies


def delivery_rate(world: World, queue: TaskQueue, count: Any, last: Any, deliveries: int) -> float:
    """Deliveries written while no worker runs, then sent by 2 workers started for them."""
    for _ in range(0, deliveries, 100):
        with world.factory.begin() as session:
            project = session.get_one(Project, world.project_id)
            for _ in range(100):
                record_event(session, type=EventType.UPDATE, project=project, changes=[])
    start_count = count.value
    worker = Worker(queue, workers=2)
    began = time.time()
    worker.start()  # its first sweep finds them all due
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("deliveries", total=deliveries)
            while count.value < start_count + deliveries:
                progress.update(task, completed=count.value - start_count)
                time.sleep(0.05)
    finally:
        worker.stop()
    return deliveries / (last.value - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--latency-rounds", type=int, default=300)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--queue-url", default="", help="default: a SQLite queue file")
    args = parser.parse_args()

    port = multiprocessing.Value("i", 0)
    count = multiprocessing.Value("i", 0)
    last = multiprocessing.Value("d", 0.0)
    receiver = multiprocessing.Process(target=receive, args=(port, count, last), daemon=True)
    receiver.start()
    while not port.value:
        time.sleep(0.01)

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=args.database_url or None,
            queue_url=args.queue_url,
            queue_name="bench",
            secret_key="bench",
            outgoing_allowed_networks="127.0.0.0/8",
        )
        world = World(settings, f"http://127.0.0.1:{port.value}/hook")
        queue = TaskQueue(settings, world.factory)
        queue.huey.flush()
        handing_over = make_session_factory(world.engine)
        hand_over_deliveries(handing_over, queue)

        rule = order_rate(world, handing_over, args.orders)
        raw = raw_rate(world, args.orders)
        queue.huey.flush()
        page_ms, page_events = event_page_ms(world)

        worker = Worker(queue, workers=2)
        worker.start()
        try:
            latencies = trigger_latency(world, queue, count, args.latency_rounds)
        finally:
            worker.stop()
        try:
            rate = delivery_rate(world, queue, count, last, args.deliveries)
        finally:
            world.engine.dispose()
    receiver.kill()

    table = Table(
        title=f"Ordering benchmark ({world.engine.dialect.name}, "
        f"queue on {'Redis' if args.queue_url else 'SQLite'})"
    )
    table.add_column("measure")
    table.add_column("figure", justify="right")
    table.add_column("goal", justify="right")
    table.add_row("orders/s through the rule", f"{rule:,.0f}", f">= {raw / 2:,.0f}")
    table.add_row("raw inserts of the same rows/s", f"{raw:,.0f}", "")
    table.add_row("rule / raw", f"{rule / raw:.0%}", ">= 50%")
    table.add_row(f"event page ({page_events} events), median ms", f"{page_ms:.1f}", "<= 30")
    table.add_row("trigger latency p50, ms", f"{percentile(latencies, 0.5):.1f}", "")
    table.add_row("trigger latency p99, ms", f"{percentile(latencies, 0.99):.1f}", "<= 200")
    table.add_row("deliveries/s, 2 workers", f"{rate:,.0f}", ">= 1,000")
    console.print(table)


if __name__ == "__main__":
    main()
