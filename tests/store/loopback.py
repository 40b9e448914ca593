"""A loopback HTTP server that serves fixed answers and records what was asked."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mercato.settings import Settings

LOOPBACK = "127.0.0.0/8"


def allowing_loopback(settings: Settings) -> Settings:
    """Settings under which Mercato may call the loopback server, as an admin would allow
    a private network in ``MERCATO_OUTGOING_ALLOWED_NETWORKS``."""
    return settings.model_copy(update={"outgoing_allowed_networks": LOOPBACK})


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    content_type: str
    body: bytes
    authorization: str = field(default="", compare=False)


@dataclass
class Server:
    """Answers by path for GET, by ``"METHOD path"`` for other methods: (status, content
    type, body), or (status, headers, body) with a dict of headers; 404 for the rest."""

    answers: dict[str, tuple[int, str | dict[str, str], bytes]] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)
    # The Host header of each GET, in the order of ``requested``.
    hosts: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""


@contextmanager
def serving(host: str = "127.0.0.1", port: int = 0) -> Iterator[Server]:
    """Serve on ``host`` (any loopback address) and ``port`` (a free one by default)."""
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, key: str) -> None:
            status, headers, body = state.answers.get(key, (404, "text/plain", b"no"))
            self.send_response(status)
            named = headers if isinstance(headers, dict) else {"Content-Type": headers}
            for name, value in named.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            state.requested.append(self.path)
            state.hosts.append(self.headers.get("Host", ""))
            self._answer(self.path)

        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            content_type = self.headers.get("Content-Type", "")
            authorization = self.headers.get("Authorization", "")
            state.received.append(
                Received(self.command, self.path, content_type, body, authorization)
            )
            self._answer(f"{self.command} {self.path}")

        do_POST = do_PUT = do_DELETE = _record

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://{host}:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Under ``@pytest.mark.loopback_allowed`` the loopback server may play the marketplaces,
    repositories and stores, on a network an admin allowed."""
    if request.node.get_closest_marker("loopback_allowed") is None:
        return settings
    return allowing_loopback(settings)
