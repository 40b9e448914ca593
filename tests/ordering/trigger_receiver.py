"""An OMS's trigger endpoint for tests: a real HTTP server on a loopback port.

Given a signing secret, it checks each call's signature as an OMS would, with the
Standard Webhooks library's own verifier.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

VERIFIED = "verified"


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    authorization: str | None
    body: bytes
    headers: dict[str, str] = field(default_factory=dict, compare=False)
    # VERIFIED, or why the verifier refused the call; empty without a secret.
    verdict: str = field(default="", compare=False)


class Receiver:
    """Counts the calls it gets and answers them with the statuses it was given, then 200."""

    def __init__(
        self, statuses: list[int] | None = None, delay: float = 0.0, signing_secret: str = ""
    ) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        self.signing_secret = signing_secret
        self.calls: list[Received] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                time.sleep(receiver.delay)
                headers = {name.lower(): value for name, value in self.headers.items()}
                received = Received(
                    self.command,
                    self.path,
                    self.headers.get("Authorization"),
                    body,
                    headers,
                    receiver.verdict(body, headers),
                )
                with receiver._changed:
                    receiver.calls.append(received)
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver._changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def verdict(self, body: bytes, headers: dict[str, str]) -> str:
        if not self.signing_secret:
            return ""
        try:
            Webhook(self.signing_secret).verify(body, headers, json_parse=False)
        except WebhookVerificationError as refused:
            return str(refused)
        return VERIFIED

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The calls once there are ``count`` of them; fails after ``timeout`` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.calls) >= count, timeout):
                raise AssertionError(f"{len(self.calls)} calls after {timeout}s, not {count}")
            return list(self.calls)


@contextmanager
def receiving(
    statuses: list[int] | None = None, delay: float = 0.0, signing_secret: str = ""
) -> Iterator[Receiver]:
    receiver = Receiver(statuses, delay, signing_secret)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(timeout=5)
