"""Soak test of `mercato serve`: prints figures, asserts nothing but the server's survival.

    python bench/soak.py [--minutes 5] [--readers 4] [--writers 1] [--port 0]
                         [--database-url URL] [--interval 30]

Starts `mercato serve --demo` in its own process under `python -X faulthandler`
(stdout, where the demo users' tokens are printed, and stderr go to files in a
new temporary folder, as does the SQLite database unless --database-url names
another, empty one), waits until it answers on 127.0.0.1, then for --minutes:

- each reader (its own thread and kept-alive connection) GETs, in turn, the
  catalogue `/`, a service page, `/api/v1/resources`, a service's offer list,
  the Ordering API's event feed (`from_timestamp`) and project list, `/store`,
  a store offering's page, `/search`, and a page that does not exist (an
  expected 404); every other reader is logged in to the web UI as the
  operator, so that its pages, the 404 page too (which opens its own database
  session on the event loop), load the user from the database;
- each writer, as the default OMS's administrator, PATCHes the status of the
  project items it may change and POSTs messages on them, in turn.

Every --interval seconds it prints the requests, errors (an unexpected status
or a transport error), p50 and p99 latency of that interval and the server's
RSS (VmRSS of /proc/PID/status). At the end: a table per request kind
(count, errors, p50, p99, max), the most frequent errors, the RSS at start and
end, and whether the server died; if it did (or its log holds a "Fatal Python
error"), its exit code or signal and the faulthandler traceback from its log,
the exit status 1, and the temporary folder kept. A clean run removes it.
"""

import argparse
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from rich.console import Console
from rich.table import Table
from servers import free_port, wait_until_up
from servers import stop as stop_server

console = Console(highlight=False, soft_wrap=True)

STARTUP_SECONDS = 120
REQUEST_TIMEOUT = 30.0
OPERATOR = "operator@mercato.example"
STATUSES = ["in_progress", "waiting_for_response", "registered", "approved", "ready"]


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    headers: dict[str, str]
    expected: int = 200
    body: dict[str, object] | None = None


@dataclass
class Stats:
    """Samples of the current interval and of the whole run, shared by every thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    interval: list[tuple[float, bool]] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors_by_kind: Counter[str] = field(default_factory=Counter)
    error_samples: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, ms: float, ok: bool, problem: str = "") -> None:
        with self.lock:
            self.interval.append((ms, ok))
            self.by_kind.setdefault(kind, []).append(ms)
            if not ok:
                self.errors_by_kind[kind] += 1
                self.error_samples[f"{kind}: {problem}"] += 1

    def take_interval(self) -> list[tuple[float, bool]]:
        with self.lock:
            taken, self.interval = self.interval, []
        return taken


@dataclass
class Row:
    elapsed: float
    requests: int
    errors: int
    p50: float
    p99: float
    rss_mb: float | None


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def start_server(folder: Path, port: int, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(folder),
        "MERCATO_SECRET_KEY": "soak",
        "MERCATO_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-X", "faulthandler", "-m", "mercato.cli", "serve", "--demo"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with (folder / "stdout.txt").open("wb") as out, (folder / "server.log").open("wb") as err:
        return subprocess.Popen(command, env=env, stdout=out, stderr=err)


def demo_users(folder: Path) -> dict[str, tuple[str, str]]:
    """E-mail → (password, API token), from the demo users' table `serve --demo` prints."""
    users = {}
    for line in (folder / "stdout.txt").read_text().splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) == 7 and "@" in cells[1]:
            users[cells[1]] = (cells[4], cells[5])
    if not users:
        sys.exit("no demo users were printed: the database must be empty for --demo")
    return users


def plan(
    client: httpx.Client, users: dict[str, tuple[str, str]]
) -> tuple[list[Request], list[Request]]:
    """The readers' requests and the writers' requests, found in the demo data."""
    operator = {"X-User-Token": users[OPERATOR][1]}
    admin_email = next(email for email in users if email.startswith("ingrid"))
    data_admin = {"X-User-Token": users[admin_email][1]}
    customer = {"Authorization": f"Bearer {users['customer@mercato.example'][1]}"}

    resources = client.get("/api/v1/resources", headers=data_admin).json()["resources"]
    slug = resources[0]["id"]
    oms_id = client.get("/api/v1/oms", headers=operator).json()["omses"][0]["id"]
    offering = client.get("/api/offering/offerings", headers=customer).json()[0]
    offering_path = "/store/offerings/{}/{}/{}".format(
        offering["owner_organization"], quote(offering["name"]), quote(offering["version"])
    )
    since = (datetime.now(UTC) - timedelta(days=3650)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    events = f"/api/v1/oms/{oms_id}/events?from_timestamp={since}"
    reads = [
        Request("catalogue", "GET", "/", {}),
        Request("service page", "GET", f"/services/{slug}", {}),
        Request("resources API", "GET", "/api/v1/resources", data_admin),
        Request("offers API", "GET", f"/api/v1/resources/{slug}/offers", data_admin),
        Request("events API", "GET", events, operator),
        Request("projects API", "GET", f"/api/v1/oms/{oms_id}/projects", operator),
        Request("store", "GET", "/store", {}),
        Request("offering page", "GET", offering_path, {}),
        Request("search", "GET", "/search?q=data", {}),
        Request("missing page", "GET", "/no-such-page", {}, expected=404),
    ]

    writes = []
    projects = client.get(f"/api/v1/oms/{oms_id}/projects", headers=operator).json()["projects"]
    for project in projects:
        for iid in project["project_items"]:
            path = f"/api/v1/oms/{oms_id}/projects/{project['id']}/project_items/{iid}"
            status = {"status": {"type": "in_progress", "value": "soak"}}
            # Only the items of the default OMS's own orders: the others answer 403.
            if client.patch(path, headers=operator, json=status).status_code != 200:
                continue
            for type_ in STATUSES:
                body: dict[str, object] = {"status": {"type": type_, "value": f"soak {type_}"}}
                writes.append(Request("PATCH item", "PATCH", path, operator, body=body))
            message: dict[str, object] = {
                "project_id": project["id"],
                "project_item_id": iid,
                "author": {"email": "ops@soak.example", "name": "Soak", "role": "mediator"},
                "content": "soak message",
                "scope": "public",
            }
            messages = f"/api/v1/oms/{oms_id}/messages"
            writes.append(Request("POST message", "POST", messages, operator, 201, message))
    if not writes:
        sys.exit("the default OMS's administrator may change no project item")
    return reads, writes


def log_in(client: httpx.Client, email: str, password: str) -> None:
    """Log in to the web UI, so that pages (error pages too) load the user from the database."""
    form = client.get("/login").text
    found = re.search(r'name="csrftoken" value="([^"]+)"', form)
    csrftoken = found.group(1) if found else ""
    data = {"email": email, "password": password, "csrftoken": csrftoken, "next": ""}
    answer = client.post("/login", data=data)
    if answer.status_code != 303:
        sys.exit(f"could not log in as {email}: HTTP {answer.status_code}")


def run_client(
    client: httpx.Client, requests: list[Request], offset: int, stats: Stats, stop: threading.Event
) -> None:
    for request in itertools.islice(itertools.cycle(requests), offset, None):
        if stop.is_set():
            return
        began = time.perf_counter()
        try:
            response = client.request(
                request.method, request.path, headers=request.headers, json=request.body
            )
            ok = response.status_code == request.expected
            problem = "" if ok else f"HTTP {response.status_code}"
        except httpx.TransportError as error:
            ok, problem = False, type(error).__name__
            time.sleep(0.05)  # a server that is gone refuses at once: no busy loop meanwhile
        ms = (time.perf_counter() - began) * 1000
        if not stop.is_set():  # requests cut short by the end of the run do not count
            stats.add(request.kind, ms, ok, problem)


def exit_description(code: int) -> str:
    if code < 0:
        return f"killed by signal {signal.Signals(-code).name} ({code})"
    return f"exit code {code}"


def fatal_traceback(log: str) -> str:
    start = log.find("Fatal Python error")
    return log[start:] if start >= 0 else log[-4000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="default: a free loopback port")
    parser.add_argument("--database-url", default="", help="default: a new SQLite file")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between lines")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="mercato-soak-"))
    database_url = args.database_url or f"sqlite:///{folder / 'mercato.db'}"
    port = args.port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_server(folder, port, database_url)
    console.print(f"server pid {server.pid} on {base_url}, files in {folder}")
    try:
        wait_until_up(base_url, server, folder / "server.log", STARTUP_SECONDS)
        with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
            users = demo_users(folder)
            reads, writes = plan(client, users)
        clients = []
        for number in range(args.readers + args.writers):
            client = httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT)
            if number < args.readers and number % 2 == 0:
                # Every other reader is logged in to the web UI as the operator.
                log_in(client, OPERATOR, users[OPERATOR][0])
            requests = reads if number < args.readers else writes
            clients.append((client, requests, number))
    except BaseException:
        stop_server(server, signal.SIGINT)
        raise

    stats, stop = Stats(), threading.Event()
    threads = [
        threading.Thread(target=run_client, args=(client, requests, number, stats, stop))
        for client, requests, number in clients
    ]
    rows = [Row(0.0, 0, 0, float("nan"), float("nan"), rss_mb(server.pid))]
    console.print(
        f"{args.readers} reader(s) over {len(reads)} kinds of GET, {args.writers} writer(s)"
        f" over {len(writes)} writes, for {args.minutes:g} min; RSS {rows[0].rss_mb:.1f} MB"
    )
    console.print(
        f"{'elapsed':>8} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} RSS MB",
    )
    began = time.monotonic()
    deadline = began + args.minutes * 60
    next_line = began + args.interval
    for thread in threads:
        thread.start()
    died_at = None
    try:
        while (now := time.monotonic()) < deadline:
            if server.poll() is not None:
                died_at = now - began
                break
            if now >= next_line:
                next_line += args.interval
                samples = stats.take_interval()
                times = [ms for ms, _ in samples]
                row = Row(
                    now - began,
                    len(samples),
                    sum(not ok for _, ok in samples),
                    percentile(times, 0.5),
                    percentile(times, 0.99),
                    rss_mb(server.pid),
                )
                rows.append(row)
                rss = f"{row.rss_mb:.1f}" if row.rss_mb is not None else "-"
                console.print(
                    f"{row.elapsed:>7.0f}s {row.requests:>9,} {row.errors:>7,}"
                    f" {row.p50:>8.1f} {row.p99:>8.1f} {rss:>6}"
                )
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        for client, _, _ in clients:
            client.close()
        final_rss = rss_mb(server.pid)
        code = stop_server(server, signal.SIGINT)
    elapsed = time.monotonic() - began

    summary = Table(title=f"Soak: {elapsed / 60:.1f} min, {args.readers}+{args.writers} clients")
    for column in ("request", "count", "errors", "p50 ms", "p99 ms", "max ms"):
        summary.add_column(column, justify="left" if column == "request" else "right")
    for kind, times in stats.by_kind.items():
        summary.add_row(
            kind,
            f"{len(times):,}",
            f"{stats.errors_by_kind[kind]:,}",
            f"{percentile(times, 0.5):.1f}",
            f"{percentile(times, 0.99):.1f}",
            f"{max(times):.1f}",
        )
    everything = [ms for times in stats.by_kind.values() for ms in times]
    summary.add_row(
        "all",
        f"{len(everything):,}",
        f"{sum(stats.errors_by_kind.values()):,}",
        f"{percentile(everything, 0.5):.1f}",
        f"{percentile(everything, 0.99):.1f}",
        f"{max(everything, default=float('nan')):.1f}",
        style="bold",
    )
    console.print(summary)
    for problem, count in stats.error_samples.most_common(10):
        console.print(f"  error {count:>6,} x {problem}")
    start_rss, end_rss = rows[0].rss_mb, final_rss or rows[-1].rss_mb
    console.print(f"server RSS: {start_rss or 0:.1f} MB at start, {end_rss or 0:.1f} MB at end")

    log = (folder / "server.log").read_text(errors="replace")
    crashed = died_at is not None or "Fatal Python error" in log or code not in (0, -2)
    if not crashed:
        console.print(f"server: survived, stopped cleanly ({exit_description(code)})")
        shutil.rmtree(folder)
        return
    when = f"died after {died_at:.0f} s" if died_at is not None else "crashed"
    console.print(f"[bold red]server {when}: {exit_description(code)}[/]")
    console.print(fatal_traceback(log), markup=False)
    console.print(f"log and database kept in {folder}")
    sys.exit(1)


if __name__ == "__main__":
    main()
