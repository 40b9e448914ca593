"""Mercato's hot HTTP paths next to bare Starlette doing the same lookups, in one run.

    python bench/api.py [--seconds 4] [--rounds 2] [--connections 16]
                        [--postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/mercato_bench_api]
                        [--skip-postgresql] [--skip-orders]

Needs `wrk` (Debian/Ubuntu: `apt-get install wrk`; macOS: `brew install wrk`); without
it the bench says so and exits 2.

For SQLite (a file in a new temporary folder) and PostgreSQL (the database named by
--postgresql-url, dropped and made anew; its name must contain "bench"): loads the
demo, adds offers to one service and 150 orders with their events, then starts

- Mercato: `uvicorn --factory mercato.app:create_app --workers 2` (no access log), and
- bare Starlette, bench/api_bare.py, the same way (2 workers), reading the same
  database with `sqlite3` or `psycopg` directly,

and for each path runs wrk (2 threads, --connections, --seconds) on one then the
other, --rounds times, interleaved, and keeps each side's best round. Each API read
runs twice: as clients repeat it (Mercato keeps the answer until its data changes),
and with `Cache-Control: no-cache`, which makes Mercato make every answer anew. Then order
creation: --connections clients POST the web order form for --seconds, next to the
same rows (order, first status, event) written directly by as many threads, each
on its own connection, one commit per order. There is no API route that places
orders (EOSC's Ordering API is the OMS's side), so only the web one is measured.

Prints a table per database with both rates, the ratio and the goal of the Speed
issue. A run takes about three minutes.
"""

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
from concurrency import reset_postgresql
from rich.console import Console
from rich.table import Table
from servers import free_port, running
from sqlalchemy import func, insert, select

from mercato.accounts.models import User
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Category, Offer, Oms, OrderType, Service
from mercato.db import make_engine, make_session_factory, migrate, transaction, utcnow
from mercato.demo import load_demo
from mercato.ordering.models import (
    Event,
    EventResource,
    EventType,
    Order,
    Project,
    StatusChange,
    StatusType,
)
from mercato.ordering.orders import OrderRequest, place_order
from mercato.settings import Settings
from mercato.store.assets import local_files
from mercato.store.models import StoreOffering

console = Console(highlight=False, soft_wrap=True)

BENCH_DIR = Path(__file__).resolve().parent
STARTUP_SECONDS = 120
WRK_INSTALL = "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`"
DATA_STEWARD = "ingrid.larsen@mercato.example"
OPERATOR = "operator@mercato.example"
CUSTOMER = "customer@mercato.example"
CUSTOMER_PASSWORD = "customer-pass"
SERVICE = "nrc-virtual-machines"
OFFERS = 12
ORDERS = 150


@dataclass(frozen=True)
class Path_:
    label: str
    path: str
    headers: dict[str, str]
    goal: str


@dataclass(frozen=True)
class World:
    steward_token: str
    operator_token: str
    customer_token: str
    oms_id: int
    project_id: int
    customer_id: int
    offer_id: int
    offer_iid: int
    offering_path: str
    category: str


# --- the database --------------------------------------------------------------------


def build_world(database_url: str, data_dir: Path) -> World:
    """The demo, 12 published offers on one service and 150 orders (with their events)."""
    engine = make_engine(database_url)
    migrate(engine)
    factory = make_session_factory(engine)
    settings = Settings(data_dir=data_dir, database_url=database_url)
    with transaction(factory) as session:
        made = load_demo(session, local_files(settings))
    tokens = {account.email: account.token for account in made}
    with transaction(factory) as session:
        service = catalogue.require_service(session, SERVICE)
        for number in range(OFFERS):
            catalogue.create_offer(
                session,
                service,
                catalogue.OfferData(
                    name=f"Bench offer {number}",
                    description="An offer the benchmark adds so a page has ten.",
                    order_type=OrderType.ORDER_REQUIRED,
                    internal=True,
                ),
            )
    with transaction(factory) as session:
        customer = session.scalars(select(User).where(User.email == CUSTOMER)).one()
        project = session.scalars(
            select(Project).where(Project.owner_id == customer.id).order_by(Project.id)
        ).first()
        offer = session.scalars(
            select(Offer)
            .join(Service)
            .where(Service.slug == SERVICE, Offer.name == "Bench offer 0")
        ).one()
        for _ in range(ORDERS):
            place_order(session, customer, project, offer, OrderRequest(values={}))
        oms_id = session.scalars(select(Oms.id).where(Oms.is_default)).one()
        offering = session.scalars(select(StoreOffering).order_by(StoreOffering.offer_id)).first()
        category = session.scalar(select(func.min(Category.slug)))
        world = World(
            steward_token=tokens[DATA_STEWARD],
            operator_token=tokens[OPERATOR],
            customer_token=tokens[CUSTOMER],
            oms_id=oms_id,
            project_id=project.id,
            customer_id=customer.id,
            offer_id=offer.id,
            offer_iid=offer.iid,
            offering_path=(
                f"{offering.service.provider.slug}/{quote(offering.service.name, safe='')}"
                f"/{offering.version}"
            ),
            category=category,
        )
    engine.dispose()
    return world


NO_CACHE = {"Cache-Control": "no-cache"}


def paths(world: World) -> list[Path_]:
    steward = {"X-User-Token": world.steward_token}
    operator = {"X-User-Token": world.operator_token}
    customer = {"Authorization": f"Bearer {world.customer_token}"}
    oms = f"/api/v1/oms/{world.oms_id}"
    kept = [
        Path_("API offer detail", f"/api/v1/resources/{SERVICE}/offers/1", steward, "≥ 50%"),
        Path_("API offer list (10)", f"/api/v1/resources/{SERVICE}/offers", steward, "≥ 40%"),
        Path_("API resource list", "/api/v1/resources", steward, "≥ 25%"),
        Path_("API events page (100)", f"{oms}/events?from_id=0&limit=100", operator, "≥ 25%"),
        Path_(
            "API project items",
            f"{oms}/projects/{world.project_id}/project_items",
            operator,
            "≥ 25%",
        ),
        Path_("service page (HTML)", f"/services/{SERVICE}", {}, "≥ 1,500/s"),
        Path_("catalogue, filtered", f"/?category={world.category}", {}, "≥ 1,500/s"),
        Path_(
            "store offering detail",
            f"/api/offering/offerings/{world.offering_path}",
            customer,
            "≥ 25%",
        ),
        Path_("keyword search", "/api/search/keyword/storage", customer, "≥ 25%"),
    ]
    # The API reads again, each answer made anew (Mercato keeps them otherwise: see the
    # README's "Answers kept until they change"): what a read costs when its data changed.
    made_anew = [
        Path_(f"{path.label}, made anew", path.path, {**path.headers, **NO_CACHE}, "—")
        for path in kept
        if path.path.startswith("/api/")
    ]
    return kept + made_anew


# --- the servers ---------------------------------------------------------------------


@contextmanager
def serving(name: str, app: list[str], env: dict[str, str], log_dir: Path) -> Iterator[str]:
    """`uvicorn <app> --workers 2` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", *app, "--workers", "2", "--no-access-log"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--timeout-worker-healthcheck", "60"]
    log = log_dir / f"{name}.log"
    with running(command, {**os.environ, **env}, log, port, STARTUP_SECONDS, "/nowhere") as url:
        yield url


def wrk(base_url: str, path: Path_, seconds: int, connections: int) -> float:
    """Requests per second; exits if any answer was not 2xx or 3xx."""
    # A 10 s timeout: on a busy machine a slow answer is still an answer.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for name, value in path.headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, base_url + path.path], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in output or re.search(r"Socket errors: connect [1-9]", output):
        sys.exit(f"{path.label} on {base_url}: not every answer was good:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])


# --- order creation ------------------------------------------------------------------


def run_clients(clients: int, seconds: float, make: Callable[[], Callable[[], None]]) -> float:
    """Each client calls its step in a loop until the time is up; steps per second."""
    done = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def work(number: int) -> None:
        step = make()
        start.wait()
        while time.monotonic() < stop_at[0]:
            step()
            done[number] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at.append(time.monotonic() + seconds)
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - began)


def web_orders(base_url: str, world: World) -> Callable[[], Callable[[], None]]:
    login = httpx.Client(base_url=base_url, timeout=30)
    token = re.search(r'name="csrftoken" value="([^"]+)"', login.get("/login").text)[1]
    answer = login.post(
        "/login",
        data={"email": CUSTOMER, "password": CUSTOMER_PASSWORD, "csrftoken": token},
    )
    if answer.status_code != 303:
        sys.exit(f"could not log in as {CUSTOMER}: {answer.status_code}")
    cookies = dict(login.cookies)
    form = {"csrftoken": token, "project": str(world.project_id)}
    order_path = f"/services/{SERVICE}/offers/{world.offer_iid}/order"

    def make() -> Callable[[], None]:
        client = httpx.Client(base_url=base_url, cookies=cookies, timeout=60)

        def step() -> None:
            answer = client.post(order_path, data=form)
            if answer.status_code != 303:
                sys.exit(f"a web order answered {answer.status_code}: {answer.text[:300]}")

        return step

    return make


def direct_orders(database_url: str, world: World) -> Callable[[], Callable[[], None]]:
    """The rows a web order writes, by plain INSERTs, one commit per order."""
    iids = itertools.count(10_000_000)

    def make() -> Callable[[], None]:
        # Mercato's engine (on SQLite: its pragmas and write transactions), one a client.
        connection = make_engine(database_url).connect()

        def step() -> None:
            now = utcnow()
            with connection.begin():
                order_id = connection.execute(
                    insert(Order).returning(Order.id),
                    {
                        "project_id": world.project_id,
                        "iid": next(iids),
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
                connection.execute(
                    insert(Event),
                    {
                        "created_at": now,
                        "type": EventType.CREATE,
                        "resource": EventResource.PROJECT_ITEM,
                        "project_id": world.project_id,
                        "order_id": order_id,
                    },
                )

        return step

    return make


# --- one database --------------------------------------------------------------------


@dataclass
class Row:
    label: str
    bare: float
    mercato: float
    goal: str


def bench_database(
    label: str, database_url: str, args: argparse.Namespace, folder: Path
) -> list[Row]:
    console.print(f"[bold]{label}[/bold]: building the data …")
    world = build_world(database_url, folder)
    env = {
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(folder),
        "MERCATO_SECRET_KEY": "bench",
        "BENCH_DATABASE_URL": database_url,
    }
    mercato_app = ["--factory", "mercato.app:create_app"]
    bare_app = ["--app-dir", str(BENCH_DIR), "api_bare:app"]
    rows = []
    with (
        serving("mercato", mercato_app, env, folder) as mercato,
        serving("bare", bare_app, env, folder) as bare,
    ):
        for path in paths(world):
            best = {"mercato": 0.0, "bare": 0.0}
            for _ in range(args.rounds):
                for side, base_url in (("bare", bare), ("mercato", mercato)):
                    rate = wrk(base_url, path, args.seconds, args.connections)
                    best[side] = max(best[side], rate)
            console.print(
                f"  {path.label}: bare {best['bare']:,.0f}/s, Mercato {best['mercato']:,.0f}/s"
            )
            rows.append(Row(path.label, best["bare"], best["mercato"], path.goal))
        if not args.skip_orders:
            clients = args.connections
            direct = run_clients(clients, args.seconds, direct_orders(database_url, world))
            web = run_clients(clients, args.seconds, web_orders(mercato, world))
            console.print(f"  web orders: direct {direct:,.0f}/s, Mercato {web:,.0f}/s")
            rows.append(Row(f"web order, {clients} clients", direct, web, "≥ 50%"))
    return rows


def print_table(label: str, rows: list[Row]) -> None:
    table = Table(title=f"{label}: requests per second, 2 workers each")
    for column in ("path", "bare Starlette", "Mercato", "ratio", "goal"):
        table.add_column(column, justify="left" if column in ("path", "goal") else "right")
    for row in rows:
        ratio = f"{row.mercato / row.bare:.0%}" if row.bare else "—"
        table.add_row(row.label, f"{row.bare:,.0f}", f"{row.mercato:,.0f}", ratio, row.goal)
    console.print(table)
    console.print("(the order row's baseline is the same rows written directly, not Starlette)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved runs per path")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--postgresql-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/mercato_bench_api",
    )
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--skip-orders", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        console.print(WRK_INSTALL)
        sys.exit(2)
    folder = Path(tempfile.mkdtemp(prefix="mercato-bench-api-"))
    try:
        sqlite_dir = _made(folder / "sqlite")
        sqlite_url = f"sqlite:///{sqlite_dir / 'mercato.db'}"
        results = {"SQLite": bench_database("SQLite", sqlite_url, args, sqlite_dir)}
        if not args.skip_postgresql:
            reset_postgresql(args.postgresql_url)
            results["PostgreSQL"] = bench_database(
                "PostgreSQL", args.postgresql_url, args, _made(folder / "postgresql")
            )
        for label, rows in results.items():
            print_table(label, rows)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True)
    return folder


if __name__ == "__main__":
    main()
