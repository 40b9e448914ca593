"""Idle memory of `mercato serve --demo`: prints the RSS of each of its processes.

    python bench/memory.py

Starts, each in a new temporary folder (its SQLite database) on a free loopback
port, `mercato serve --demo` with one web process and with `--workers 2`, waits
until it answers and a few seconds more, and reads VmRSS of /proc/PID/status of
every process: the `mercato` command (which, with several workers, only
supervises them and runs the queue worker) and each web process. As baseline,
in the same run, the bare Starlette app below under the same uvicorn (one
process); the ratios are Mercato's web process over it.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from servers import free_port, wait_until_up
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

STARTUP_SECONDS = 120
SETTLE_SECONDS = 3


async def _login(request: Request) -> PlainTextResponse:
    return PlainTextResponse("login")


# The baseline: `uvicorn memory:app`, nothing of Mercato.
app = Starlette(routes=[Route("/login", _login)])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def web_processes(pid: int) -> list[int]:
    """uvicorn's spawned web processes (not multiprocessing's resource tracker)."""
    spawned = []
    for child in children(pid):
        command = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"spawn_main" in command:
            spawned.append(child)
    return spawned


def measure(command: list[str], workers: int) -> tuple[float, list[float]]:
    """The RSS in MB of the started process and of each of its web processes, idle."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="mercato-memory-") as folder:
        env = {
            **os.environ,
            "MERCATO_DATA_DIR": folder,
            "MERCATO_DATABASE_URL": f"sqlite:///{folder}/mercato.db",
            "MERCATO_SECRET_KEY": "memory",
            "MERCATO_BASE_URL": f"http://127.0.0.1:{port}",
        }
        command = [*command, "--port", str(port)]
        with Path(folder, "server.log").open("wb") as log:
            server = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parent
            )
        try:
            wait_until_up(
                f"http://127.0.0.1:{port}",
                server,
                Path(folder, "server.log"),
                STARTUP_SECONDS,
                ready=lambda: workers == 1 or len(web_processes(server.pid)) == workers,
            )
            time.sleep(SETTLE_SECONDS)
            web = web_processes(server.pid) if workers > 1 else [server.pid]
            return rss_mb(server.pid), [rss_mb(pid) for pid in web]
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)


def main() -> None:
    mercato = str(Path(sys.executable).parent / "mercato")
    uvicorn = [sys.executable, "-m", "uvicorn", "memory:app", "--host", "127.0.0.1"]
    _, (baseline,) = measure(uvicorn, 1)
    print(f"bare Starlette under uvicorn: {baseline:6.1f} MB")
    for workers in (1, 2):
        serve = [mercato, "serve", "--demo", "--host", "127.0.0.1", "--workers", str(workers)]
        command_mb, web = measure(serve, workers)
        shown = ", ".join(f"{mb:.1f} MB ({mb / baseline:.2f}x)" for mb in web)
        print(f"mercato serve --demo --workers {workers}: web process(es) {shown}")
        if workers > 1:
            print(f"    the supervising `mercato` process: {command_mb:.1f} MB")


if __name__ == "__main__":
    main()
