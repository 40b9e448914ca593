"""Data set benchmark: prints figures, asserts nothing.

    python bench/datasets.py [--offers 100000] [--database-url URL]

Writes a data set of N offers (over N/100 services of 100 providers; each offer
with three parameters: a select, an integer range and an input, the shapes a
real catalogue has most), then times the real command, `mercato load FILE`, in
its own process on an empty database (SQLite in a temporary folder unless a
URL is given; the database is emptied first), and `mercato dump FILE`. Prints
the wall time, offers per second, the file's size and the peak memory of each
process. Goal: 100,000 offers load in under a minute.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from mercato.db import make_engine

console = Console()
MERCATO = Path(sys.executable).with_name("mercato")
PROVIDERS = 100
OFFERS_PER_SERVICE = 100


def parameters(number: int) -> list[dict[str, Any]]:
    return [
        {
            "id": "flavour",
            "type": "select",
            "label": "Flavour",
            "config": {"values": ["small", "medium", "large"], "mode": "dropdown"},
            "value_type": "string",
        },
        {
            "id": "cores",
            "type": "range",
            "label": "Cores",
            "config": {"minimum": 1, "maximum": 8 + number % 56},
            "value_type": "integer",
            "unit": "cores",
        },
        {"id": "purpose", "type": "input", "label": "Purpose", "value_type": "string"},
    ]


def dataset(offers: int) -> dict[str, Any]:
    services = max(1, offers // OFFERS_PER_SERVICE)
    return {
        "format": "mercato-dataset",
        "version": 1,
        "providers": [{"ref": f"p{n}", "name": f"Provider {n}"} for n in range(PROVIDERS)],
        "services": [
            {
                "ref": f"s{n}",
                "provider": f"p{n % PROVIDERS}",
                "name": f"Service {n}",
                "description": f"Service number {n} of the benchmark catalogue.",
                "order_type": "order_required",
            }
            for n in range(services)
        ],
        "offers": [
            {
                "ref": f"o{n}",
                "service": f"s{n % services}",
                "name": f"Offer {n}",
                "description": f"Offer number {n}: compute time with a choice of flavours.",
                "order_type": "order_required",
                "tags": ["compute", f"tier-{n % 5}"],
                "parameters": parameters(n),
            }
            for n in range(offers)
        ],
    }


def empty_database(url: str) -> None:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def timed(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([str(MERCATO), *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"mercato {' '.join(args)} failed:\n{result.stderr}")
    return elapsed


def peak_rss_mb() -> float:
    # Linux reports kilobytes; the largest of the children run so far.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MERCATO_")}
        env["MERCATO_DATA_DIR"] = str(data_dir)
        if options.database_url:
            env["MERCATO_DATABASE_URL"] = options.database_url
            empty_database(options.database_url)
        source = data_dir / "catalogue.json"
        source.write_text(json.dumps(dataset(options.offers)))
        size_mb = source.stat().st_size / 1e6
        timed(env, "migrate")
        load_seconds = timed(env, "load", str(source))
        load_rss = peak_rss_mb()
        dump_seconds = timed(env, "dump", str(data_dir / "dump" / "catalogue.json"))
        dump_rss = peak_rss_mb()
    table = Table(title=f"{options.offers:,} offers, {size_mb:.1f} MB file")
    for column in ("command", "seconds", "offers/s", "peak memory"):
        table.add_column(column, justify="right")
    table.add_row(
        "load", f"{load_seconds:.1f}", f"{options.offers / load_seconds:,.0f}", f"{load_rss:.0f} MB"
    )
    table.add_row(
        "dump", f"{dump_seconds:.1f}", f"{options.offers / dump_seconds:,.0f}", f"{dump_rss:.0f} MB"
    )
    console.print(table)
    console.print("Goal: load 100,000 offers in under 60 s.")


if __name__ == "__main__":
    main()
