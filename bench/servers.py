"""Starting a server for a benchmark and waiting until it answers, shared by the benches."""

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(
    base_url: str,
    server: subprocess.Popen[bytes],
    log: Path,
    seconds: float,
    probe: str = "/login",
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """Return once ``probe`` gets any answer and ``ready()`` holds; exit if the server
    stops or has not answered within ``seconds``, with its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(errors="replace")
            sys.exit(f"the server stopped (exit {server.returncode}):\n{output}")
        try:
            httpx.get(base_url + probe, timeout=1)
            if ready():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.kill()
    sys.exit(
        f"the server did not answer within {seconds:.0f} s:\n{log.read_text(errors='replace')}"
    )


def stop(server: subprocess.Popen[bytes], how: int = signal.SIGTERM, seconds: float = 20) -> int:
    """Stop the server (SIGINT: uvicorn's graceful shutdown, as Ctrl-C), killing it if slow."""
    if server.poll() is None:
        server.send_signal(how)
        try:
            server.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return server.returncode


@contextmanager
def running(
    command: list[str],
    env: dict[str, str],
    log: Path,
    port: int,
    seconds: float,
    probe: str = "/login",
) -> Iterator[str]:
    """``command`` (which listens on ``port``) started, output in ``log``, until it answers
    ``probe``; yields its base URL and stops it afterwards."""
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_up(base_url, server, log, seconds, probe)
        yield base_url
    finally:
        stop(server)
