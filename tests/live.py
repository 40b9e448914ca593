"""Run the real app in its own process, for tests that need real HTTP between processes."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.loop_watch import BLOCKED_MARK

STARTUP_SECONDS = 60  # a liveness bound, not a speed goal: CI machines are shared
# Where `python -m tests.loop_watch` is found.
PROJECT_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()}")
        try:
            httpx.get(f"{base_url}/login", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def blocked_loop_reports(log: Path) -> list[str]:
    """What tests.loop_watch reported of callbacks that held the event loop too long,
    each with the stack it printed (a failure says where the loop was)."""
    reports: list[str] = []
    for line in log.read_text().splitlines():
        if line.startswith(BLOCKED_MARK):
            reports.append(line)
        elif reports and line.startswith("  "):
            reports[-1] += "\n" + line
    return reports


@contextmanager
def running_app(
    database_url: str,
    data_dir: Path,
    *,
    watch_loop: bool = False,
    factory: str = "mercato.app:create_app",
    **settings: str,
) -> Iterator[str]:
    """`mercato.app` under uvicorn on a free loopback port; yields its base URL.

    ``watch_loop`` serves it through tests.loop_watch, whose reports of a blocked
    event loop land in ``data_dir / "server.log"`` (see `blocked_loop_reports`).
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = data_dir / "server.log"
    env = {
        **os.environ,
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(data_dir),
        "MERCATO_SECRET_KEY": "x",
        "MERCATO_BASE_URL": base_url,
        **{f"MERCATO_{name.upper()}": value for name, value in settings.items()},
    }
    if watch_loop:
        command = [sys.executable, "-m", "tests.loop_watch", str(port), factory]
    else:
        command = [sys.executable, "-m", "uvicorn", factory, "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=PROJECT_DIR
        )
    try:
        wait_until_up(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
