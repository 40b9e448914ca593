"""Batch usage ingestion through HTTP, next to a raw COPY of the same rows, on PostgreSQL.

    python bench/usage.py [--records 200000] [--batch 1000] [--clients 4] [--workers 2]
                          [--postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/mercato_bench_usage]

The database named by --postgresql-url is dropped and made anew (its name must contain
"bench"); the demo is loaded, a data steward's offering bought with a pay-per-use plan
twice (two purchases, the same plan). Then, in one run:

1. ingestion: `uvicorn --factory mercato.app:create_app --workers N` takes the records
   as batches of --batch through `POST /api/v1/purchases/{ref}/usage` from --clients
   threads (keep-alive connections; bodies serialised before the clock starts); every
   answer must report every record new;
2. raw COPY: the same rows (for the second purchase: same table, same unique index)
   written by one `COPY usage_records (…) FROM STDIN` in one transaction;
3. replay: the same batches sent again; every record must be reported a duplicate and
   nothing added.

Prints records per second of each, and the ingestion's share of the raw COPY. Goal:
≥ 50,000 records/s and ≥ 30% of raw COPY.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import psycopg
from concurrency import reset_postgresql
from rich.console import Console
from rich.table import Table
from servers import free_port, running
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mercato.accounts.models import DataAdministrator, User
from mercato.catalogue.models import Offer, Service
from mercato.commerce.contracts import TaxAddressData, create_contract
from mercato.commerce.models import ContractState, PriceUnit, PricingModel
from mercato.commerce.money import NO_TAX, Currency
from mercato.db import make_engine, make_session_factory, migrate, transaction
from mercato.demo import load_demo
from mercato.ordering.models import Project
from mercato.ordering.orders import OrderRequest, place_order
from mercato.settings import Settings
from mercato.store.assets import local_files
from mercato.store.models import StoreOffering
from mercato.usage.models import UsageRecord

console = Console(highlight=False, soft_wrap=True)
STARTUP_SECONDS = 120
DATA_STEWARD = "ingrid.larsen@mercato.example"
CUSTOMER = "customer@mercato.example"
PLAN = {
    "label": "metered",
    "title": "Metered",
    "price_components": [{"label": "calls", "description": "", "value": "0.001", "unit": "call"}],
}
ADDRESS = TaxAddressData("Mayor 1", "28013", "Madrid", "ES")
COLUMNS = ("contract_id", "transaction_id", "unit", "component_label", "value", "time_stamp")


@dataclass(frozen=True)
class World:
    token: str
    ingested_ref: str
    copied_id: int


def _purchase(session: Session, customer: User, project: Project, offer: Offer) -> tuple[str, int]:
    order = place_order(session, customer, project, offer, OrderRequest(values={}))
    contract = create_contract(session, order, customer, PLAN, Currency("EUR", 2), NO_TAX, ADDRESS)
    contract.state = ContractState.PAID
    session.flush()
    return contract.ref, contract.id


def build_world(database_url: str, data_dir: Path) -> World:
    """The demo, a pay-per-use unit and two purchases of a steward's offer."""
    engine = make_engine(database_url)
    migrate(engine)
    factory = make_session_factory(engine)
    settings = Settings(data_dir=data_dir, database_url=database_url)
    with transaction(factory) as session:
        made = load_demo(session, local_files(settings))
    tokens = {account.email: account.token for account in made}
    with transaction(factory) as session:
        session.add(PriceUnit(name="call", model=PricingModel.PAY_PER_USE))
        customer = session.scalars(select(User).where(User.email == CUSTOMER)).one()
        project = session.scalars(
            select(Project).where(Project.owner_id == customer.id).order_by(Project.id)
        ).first()
        offer = session.scalars(
            select(Offer)
            .join(StoreOffering, StoreOffering.offer_id == Offer.id)
            .join(Service, Service.id == Offer.service_id)
            .join(DataAdministrator, DataAdministrator.provider_id == Service.provider_id)
            .where(DataAdministrator.email == DATA_STEWARD)
            .order_by(Offer.id)
        ).first()
        if offer is None or project is None:
            sys.exit("the demo has no offering of the data steward's providers to buy")
        ingested_ref, _ = _purchase(session, customer, project, offer)
        _, copied_id = _purchase(session, customer, project, offer)
    engine.dispose()
    return World(tokens[DATA_STEWARD], ingested_ref, copied_id)


def batches(records: int, size: int) -> list[bytes]:
    """The request bodies, serialised up front: the clock measures the server."""
    stamp = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
    bodies = []
    for start in range(0, records, size):
        chunk = [
            {"transaction_id": f"m-{n}", "unit": "call", "value": 1 + n % 7, "time_stamp": stamp}
            for n in range(start, min(start + size, records))
        ]
        bodies.append(orjson.dumps({"records": chunk}))
    return bodies


def send_all(
    base_url: str, ref: str, token: str, bodies: list[bytes], clients: int, want: str
) -> float:
    """Records per second of sending ``bodies`` from ``clients`` threads; exits unless every
    record is reported ``want``."""
    url = f"{base_url}/api/v1/purchases/{ref}/usage"
    headers = {"X-User-Token": token, "Content-Type": "application/json"}
    queue = list(enumerate(bodies))
    lock, failures, counted = threading.Lock(), [], [0]
    start = threading.Barrier(clients + 1)

    def work() -> None:
        with httpx.Client(timeout=120, headers=headers) as client:
            start.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    _, body = queue.pop()
                answer = client.post(url, content=body)
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:300]}")
                    return
                found = orjson.loads(answer.content)
                with lock:
                    counted[0] += found["new" if want == "new" else "duplicate"]

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    sent = sum(len(orjson.loads(body)["records"]) for body in bodies)
    if failures or counted[0] != sent:
        sys.exit(f"ingestion failed: {counted[0]} of {sent} {want}; {failures[:3]}")
    return sent / elapsed


def raw_copy(database_url: str, contract_id: int, records: int) -> float:
    """Records per second of one COPY of the same rows (for the second purchase), the
    data prepared in COPY's text format before the clock starts."""
    url = make_url(database_url)
    stamp = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
    now = datetime.now(UTC).isoformat()
    data = "".join(
        f"{contract_id}\tm-{n}\tcall\t\t{1 + n % 7}\t{stamp}\t{now}\n" for n in range(records)
    ).encode()
    columns = ", ".join((*COLUMNS, "received_at"))
    with psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    ) as connection:
        began = time.monotonic()
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY usage_records ({columns}) FROM STDIN") as copy,
        ):
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        connection.commit()
        return records / (time.monotonic() - began)


def stored(database_url: str) -> int:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(UsageRecord))
    engine.dispose()
    return count or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--postgresql-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/mercato_bench_usage",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mercato-bench-usage-"))
    try:
        reset_postgresql(args.postgresql_url)
        console.print("building the data …")
        world = build_world(args.postgresql_url, folder)
        bodies = batches(args.records, args.batch)
        env = {
            **os.environ,
            "MERCATO_DATABASE_URL": args.postgresql_url,
            "MERCATO_DATA_DIR": str(folder),
            "MERCATO_SECRET_KEY": "bench",
        }
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "--factory", "mercato.app:create_app"]
        command += ["--workers", str(args.workers), "--no-access-log", "--log-level", "warning"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        with running(command, env, folder / "server.log", port, STARTUP_SECONDS) as base:
            # One small batch first: the workers' first requests pay for their warm-up.
            warm = orjson.dumps(
                {"records": [{"transaction_id": "warm", "unit": "call", "value": 1}]}
            )
            send_all(base, world.ingested_ref, world.token, [warm] * 1, 1, "new")
            ingest = send_all(base, world.ingested_ref, world.token, bodies, args.clients, "new")
            copy = raw_copy(args.postgresql_url, world.copied_id, args.records)
            before = stored(args.postgresql_url)
            replay = send_all(
                base, world.ingested_ref, world.token, bodies, args.clients, "duplicate"
            )
            if stored(args.postgresql_url) != before:
                sys.exit("the replay added records")
        table = Table(title=f"PostgreSQL: {args.records:,} usage records, batches of {args.batch}")
        for column in ("path", "records/s", "of raw COPY", "goal"):
            table.add_column(column, justify="left" if column in ("path", "goal") else "right")
        table.add_row(
            f"HTTP batches, {args.clients} clients, {args.workers} workers",
            f"{ingest:,.0f}",
            f"{ingest / copy:.0%}",
            "≥ 50,000/s and ≥ 30%",
        )
        table.add_row("raw COPY, one transaction", f"{copy:,.0f}", "100%", "")
        table.add_row("replay (all duplicates)", f"{replay:,.0f}", f"{replay / copy:.0%}", "")
        console.print(table)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
