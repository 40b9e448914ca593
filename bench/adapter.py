"""OMS adapter benchmark: prints figures, asserts nothing.

    python bench/adapter.py [--orders 200] [--latency-orders 50] [--database-url URL]

A real Mercato server (uvicorn, its own process) on a fresh database, the fake JIRA
of the adapter package on a loopback port, and the adapter (``mercato-oms-adapter``).

1. Events per second: orders (each with its project's events, and a customer
   message on every second order) placed at once, then one adapter pass that
   queues and handles them all: a ticket per project and order, the order
   registered, its status shown on the ticket, each message copied as a comment.
2. Trigger-to-ticket latency (p50, p99): the adapter running (``run``, with a
   poll far longer than the run), one order placed and committed, the trigger
   sent, the time until the order's issue exists in JIRA; one order at a time.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from servers import free_port, running

from mercato.accounts import rules as accounts
from mercato.accounts.models import User
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Offer, OfferStatus, OmsType, OrderType
from mercato.catalogue.omses import create_oms
from mercato.catalogue.rules import OfferData
from mercato.db import make_engine, make_session_factory, migrate
from mercato.ordering.messages import post_message
from mercato.ordering.models import AuthorRole, MessageScope, Project
from mercato.ordering.orders import OrderRequest, place_order
from mercato.ordering.projects import ProjectData, create_project
from mercato.settings import Settings
from mercato_oms_adapter.config import parse, to_toml
from mercato_oms_adapter.fake_jira import FakeJira, running_jira
from mercato_oms_adapter.service import Adapter

console = Console()
ORDERS_PER_PROJECT = 5
KEEP_LOG = False


class Shop:
    """A migrated database with an OMS, its administrator's token and an offer."""

    def __init__(self, database_url: str) -> None:
        self.settings = Settings(database_url=database_url)
        engine = make_engine(self.settings.resolved_database_url)
        migrate(engine)
        self.factory = make_session_factory(engine)
        with self.factory.begin() as session:
            admin = accounts.create_user(
                session, email="desk@bench.example", first_name="D", last_name="Esk"
            )
            _, self.token = accounts.issue_token(session, admin)
            oms = create_oms(
                session, self.settings, name="Desk", type=OmsType.GLOBAL, administrators=[admin]
            )
            self.oms_id = oms.id
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
                primary_oms_id=oms.id,
            )
            self.offer_id = catalogue.create_offer(session, service, data, OfferStatus.PUBLISHED).id
            self.customer = accounts.create_user(
                session, email="cleo@bench.example", first_name="C", last_name="Leo"
            ).id

    def place(self, count: int, with_messages: bool) -> list[tuple[int, int]]:
        """``count`` orders, five to a project; (project id, iid) of each."""
        placed = []
        with self.factory.begin() as session:
            customer = session.get_one(User, self.customer)
            offer = session.get_one(Offer, self.offer_id)
            project: Project | None = None
            for number in range(count):
                if number % ORDERS_PER_PROJECT == 0:
                    project = create_project(session, customer, ProjectData(name=f"P{number}"))
                assert project is not None
                order = place_order(session, customer, project, offer, OrderRequest(values={}))
                if with_messages and number % 2:
                    post_message(
                        session,
                        project=project,
                        order=order,
                        scope=MessageScope.PUBLIC,
                        role=AuthorRole.USER,
                        author=customer,
                        content=f"Question {number}",
                    )
                placed.append((project.id, order.iid))
        return placed


def adapter_settings(
    folder: Path, mercato: str, shop: Shop, jira: FakeJira, port: int, poll: float
) -> dict:
    return {
        "backend": "jira",
        "status_field": "customfield_status",
        "marketplace": {"url": mercato, "token": shop.token, "oms_id": shop.oms_id},
        "service": {
            "database": f"sqlite:///{folder / f'adapter-{port}.db'}",
            "port": port,
            "poll_seconds": poll,
        },
        "workflow": {"to_ticket": {"registered": "To Do"}},
        "jira": {"url": jira.base_url, "user": "adapter", "token": "secret", "project": "OPS"},
    }


def events_per_second(folder: Path, mercato: str, shop: Shop, orders: int) -> tuple[int, float]:
    with running_jira(FakeJira()) as jira:
        adapter = Adapter(parse(adapter_settings(folder, mercato, shop, jira, 0, 600)))
        shop.place(orders, with_messages=True)
        started = time.perf_counter()
        handled = adapter.step()
        while more := adapter.step():  # the registrations' own events
            handled += more
        return handled, time.perf_counter() - started


def trigger_latencies(folder: Path, mercato: str, shop: Shop, orders: int) -> list[float]:
    with running_jira(FakeJira()) as jira:
        port = free_port()
        settings = adapter_settings(folder, mercato, shop, jira, port, 600)
        config = folder / "latency.toml"
        config.write_text(to_toml(settings))
        # The backlog of the first measure first: only new orders are timed.
        backlog = Adapter(parse(settings))
        while backlog.step():
            pass
        command = [sys.executable, "-m", "mercato_oms_adapter", "run", "--config", str(config)]
        log = folder / "adapter.log"
        with log.open("wb") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(lambda: _answers(f"{base}/health"))
            latencies = []
            for _ in range(orders):
                ((project_id, iid),) = shop.place(1, with_messages=False)
                label = f"mp-{project_id}-{iid}"
                started = time.perf_counter()
                httpx.post(f"{base}/trigger")
                _wait(lambda label=label: _has_label(jira, label), pause=0.001)
                latencies.append(time.perf_counter() - started)
            return latencies
        finally:
            process.terminate()
            process.wait(timeout=30)
            if KEEP_LOG:
                sys.stderr.write(log.read_text())


def _has_label(jira: FakeJira, label: str) -> bool:
    with jira.lock:
        return any(label in issue.fields["labels"] for issue in jira.issues.values())


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _wait(check, seconds: float = 60, pause: float = 0.05) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            sys.exit("timed out")
        time.sleep(pause)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--latency-orders", type=int, default=50)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        url = options.database_url or f"sqlite:///{folder / 'mercato.db'}"
        shop = Shop(url)
        port = free_port()
        env = {
            "MERCATO_DATABASE_URL": url,
            "MERCATO_DATA_DIR": str(folder),
            "MERCATO_SECRET_KEY": "x",
            "PATH": "/usr/bin:/bin",
        }
        command = [sys.executable, "-m", "uvicorn", "mercato.app:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        with running(command, env, folder / "mercato.log", port, 60) as mercato:
            handled, seconds = events_per_second(folder, mercato, shop, options.orders)
            latencies = trigger_latencies(folder, mercato, shop, options.latency_orders)
    table = Table(title="OMS adapter (Mercato + fake JIRA, one adapter process)")
    table.add_column("measure")
    table.add_column("result", justify="right")
    table.add_row(f"events handled ({options.orders} orders)", str(handled))
    table.add_row("events per second", f"{handled / seconds:.1f}")
    quantiles = statistics.quantiles(latencies, n=100)
    table.add_row("trigger-to-ticket p50", f"{statistics.median(latencies) * 1000:.0f} ms")
    table.add_row("trigger-to-ticket p99", f"{quantiles[98] * 1000:.0f} ms")
    console.print(table)


if __name__ == "__main__":
    main()
