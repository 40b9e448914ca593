"""The adapter's HTTP side: the marketplace's trigger, JIRA's webhook and a status page.

- ``GET|POST|PUT /trigger``: the marketplace's trigger. With ``service.user`` set it
  needs that Basic auth (the header, or EOSC's legacy ``authorization`` query or form
  field); with ``service.signing_secret`` set, a valid Standard Webhooks signature.
  Answers 204 and wakes the adapter.
- ``POST /jira/webhook``: JIRA's webhook (``?secret=`` must match the ``[jira]``
  ``webhook_secret`` when one is set); wakes the adapter.
- ``GET /status``: queue counts, cursors and dead letters, each with a *Replay*
  button (``POST /dead/replay``); Basic auth as for the trigger.
"""

import base64
import hmac
import html
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from standardwebhooks import Webhook, WebhookVerificationError

from mercato_oms_adapter import queue
from mercato_oms_adapter.service import Adapter, describe


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _urlsafe_basic(user: str, password: str) -> str:
    return "Basic " + base64.urlsafe_b64encode(f"{user}:{password}".encode()).decode()


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def status_page(adapter: Adapter) -> str:
    state = describe(adapter.sessions)
    with adapter.sessions() as session:
        dead = queue.dead_tasks(session)
    rows = "".join(
        f"<tr><td>{task.id}</td><td>{html.escape(task.key)}</td><td>{task.attempts}</td>"
        f"<td><pre>{html.escape(last_line(task.last_error))}</pre></td>"
        f'<td><form method="post" action="/dead/replay"><input type="hidden" name="id" '
        f'value="{task.id}"><button>Replay</button></form></td></tr>'
        for task in dead
    )
    tasks = state.pop("tasks")
    shown = {f"{kind} tasks": count for kind, count in tasks.items()} | state  # type: ignore[union-attr]
    facts = "".join(
        f"<tr><th>{html.escape(name.replace('_', ' '))}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in shown.items()
    )
    replay_all = (
        '<form method="post" action="/dead/replay"><button>Replay all</button></form>'
        if dead
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OMS adapter</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}
pre{{margin:0;white-space:pre-wrap}}</style></head>
<body><h1>OMS adapter</h1><table>{facts}</table>
<h2>Dead letters ({len(dead)})</h2>{replay_all}
<table><tr><th>Task</th><th>Key</th><th>Attempts</th><th>Last error</th><th></th></tr>{rows}</table>
</body></html>"""


def make_handler(adapter: Adapter) -> type[BaseHTTPRequestHandler]:
    service = adapter.config.service
    jira = adapter.config.backends.get("jira", {})
    signer = Webhook(service.signing_secret) if service.signing_secret else None

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _answer(self, status: int, body: str = "", kind: str = "text/plain") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="oms-adapter"')
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self, body: bytes) -> bool:
            if not service.user:
                return True
            fields = parse_qs(urlsplit(self.path).query)
            if body and "form-urlencoded" in self.headers.get("Content-Type", ""):
                fields |= parse_qs(body.decode(errors="replace"))
            given = [self.headers.get("Authorization", ""), *fields.get("authorization", [])]
            wanted = (
                _basic(service.user, service.password),
                _urlsafe_basic(service.user, service.password),
            )
            return any(hmac.compare_digest(g, w) for g in given for w in wanted)

        def _signed(self, body: bytes) -> bool:
            if signer is None:
                return True
            try:
                headers = {name.lower(): value for name, value in self.headers.items()}
                signer.verify(body, headers, json_parse=False)  # triggers have no body
            except WebhookVerificationError:
                return False
            return True

        def _route(self, method: str) -> None:
            path = urlsplit(self.path).path.rstrip("/")
            body = self._body() if method != "GET" else b""
            action = ROUTES.get((method, path))
            if action is None:
                self._answer(404, "not found")
            else:
                action(self, body)

        def trigger(self, body: bytes) -> None:
            if not self._authorised(body) or not self._signed(body):
                self._answer(401, "unauthorised")
                return
            adapter.wake.set()
            self._answer(204)

        def jira_webhook(self, _body: bytes) -> None:
            secret = jira.get("webhook_secret", "")
            given = parse_qs(urlsplit(self.path).query).get("secret", [""])[0]
            if secret and not hmac.compare_digest(given, secret):
                self._answer(401, "unauthorised")
                return
            adapter.wake.set()
            self._answer(204)

        def status(self, body: bytes) -> None:
            if not self._authorised(body):
                self._answer(401, "unauthorised")
            else:
                self._answer(200, status_page(adapter), "text/html")

        def health(self, _body: bytes) -> None:
            self._answer(200, json.dumps(describe(adapter.sessions)), "application/json")

        def replay(self, body: bytes) -> None:
            if not self._authorised(b""):
                self._answer(401, "unauthorised")
                return
            ids = [int(value) for value in parse_qs(body.decode()).get("id", [])]
            with adapter.sessions.begin() as session:
                queue.replay(session, ids or None)
            adapter.wake.set()
            self.send_response(303)
            self.send_header("Location", "/status")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

    Route = Callable[[Handler, bytes], None]
    ROUTES: dict[tuple[str, str], Route] = {
        ("GET", "/trigger"): Handler.trigger,
        ("POST", "/trigger"): Handler.trigger,
        ("PUT", "/trigger"): Handler.trigger,
        ("POST", "/jira/webhook"): Handler.jira_webhook,
        ("GET", "/status"): Handler.status,
        ("GET", "/health"): Handler.health,
        ("POST", "/dead/replay"): Handler.replay,
    }
    return Handler


def serve(adapter: Adapter) -> ThreadingHTTPServer:
    """Start the HTTP side in a daemon thread; the caller shuts it down."""
    server = ThreadingHTTPServer(
        (adapter.config.service.host, adapter.config.service.port), make_handler(adapter)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
