"""Data set benchmark: prints figures, asserts nothing.

    python bench/datasets.py [--offers 100000] [--database-url URL] [--other PATH]

Writes a data set of N offers (over N/100 services of 100 providers; each offer
with three parameters: a select, an integer range and an input, the shapes a
real catalogue has most), then times the real command, `mercato load FILE`, in
its own process on an empty database (SQLite in a temporary folder unless a
URL is given; the database is emptied first), and `mercato dump FILE`. Prints
the wall time, offers per second, the file's size and the peak memory of each
process, next to a baseline run in the same way: a process that parses the
file whole with `json.load` (what holding the data set in memory at all
takes). `--other` times another checkout's `mercato` the same way in the same
run (the figures before a change). Goals: 100,000 offers load in under a
minute; peak memory of both commands <= 300 MB.
"""

import argparse
import json
import os
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
BASELINE = "import json, sys; json.load(open(sys.argv[1]))"
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


# Runs the command in a grandchild and prints its peak memory (kB), CPU seconds and exit code. A
# child forked straight from this bench would count the bench's pages as its own
# high-water mark; one forked from this small process does not.
MEASURED = """
import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status))
"""


def timed(env: dict[str, str], *command: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MB) of the command, in its own process.

    CPU seconds say more than wall time on a machine doing other work too."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, *command], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    peak_kb, cpu, code = result.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed, float(cpu), int(peak_kb) / 1024  # Linux reports kilobytes


def load_and_dump(
    command: Path, folder: Path, source: Path, database_url: str
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """``mercato load`` then ``mercato dump`` on an empty database, each timed."""
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MERCATO_")}
    env["MERCATO_DATA_DIR"] = str(folder)
    if database_url:
        env["MERCATO_DATABASE_URL"] = database_url
        empty_database(database_url)
    timed(env, str(command), "migrate")
    load = timed(env, str(command), "load", str(source))
    dump = timed(env, str(command), "dump", str(folder / "dump" / "catalogue.json"))
    return load, dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--other",
        type=Path,
        help="another checkout's mercato command, timed in the same run (e.g. main's)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "catalogue.json"
        source.write_text(json.dumps(dataset(options.offers)))
        size_mb = source.stat().st_size / 1e6
        # The baseline: what holding the whole file in Python takes, with nothing else.
        rows = {"baseline: json.load": timed({}, sys.executable, "-c", BASELINE, str(source))}
        commands = {"": MERCATO, " (other)": options.other} if options.other else {"": MERCATO}
        for name, command in commands.items():
            load, dump = load_and_dump(
                command, Path(folder) / f"run{name}", source, options.database_url
            )
            rows |= {f"mercato load{name}": load, f"mercato dump{name}": dump}
    table = Table(title=f"{options.offers:,} offers, {size_mb:.1f} MB file")
    for column in ("command", "seconds", "CPU seconds", "offers/s", "peak memory", "/ baseline"):
        table.add_column(column, justify="right")
    baseline_peak = rows["baseline: json.load"][2]
    for name, (seconds, cpu, peak) in rows.items():
        rate = f"{options.offers / seconds:,.0f}"
        memory = f"{peak:.0f} MB", f"{peak / baseline_peak:.2f}"
        table.add_row(name, f"{seconds:.1f}", f"{cpu:.1f}", rate, *memory)
    console.print(table)
    console.print("Goals: load 100,000 offers in under 60 s; peak memory <= 300 MB for both.")


if __name__ == "__main__":
    main()
