"""Catalogue pages for visitors who are not logged in, kept until the catalogue changes.

A catalogue page costs 15-20 ms of CPU to render, and every visitor who is not
logged in sees the same one. A route opts in with the ``for_visitors`` dependency;
``VisitorPages`` keeps its answer per path and query and serves it again, without
routing, a session or a query, while the *catalogue stamp* (see mercato.stamps) is
the one it was rendered under. ``watch_writes`` changes the stamp after every
commit that wrote a table such pages read, so a change shows at once, in every
process. Orders, events and deliveries, the busy tables, leave the pages alone.
"""

import weakref
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Connection, Engine, event
from sqlalchemy.pool import ConnectionPoolEntry, Pool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.settings import Settings
from mercato.stamps import ChangeStamp

CATALOGUE_STAMP = "catalogue-changes"

# What no page kept for visitors shows: writing these changes no such page.
PRIVATE_TABLES = frozenset(
    {
        "api_tokens",
        "deliveries",
        "delivery_attempts",
        "events",
        "idempotency_keys",
        "messages",
        "orders",
        "projects",
        "status_changes",
        "store_publication_attempts",
    }
)

# Bounds the memory: a page is 5-15 kB.
KEPT_PAGES = 500

# The router hands routes a copy of the scope: what they tell the middleware goes
# through an object that both copies hold.
_RENDERING = "mercato.visitor_page"


def for_visitors(request: Request) -> None:
    """A route dependency: this page, when shown to a visitor, may be kept."""
    rendering = request.scope.get(_RENDERING)
    if rendering is not None:
        rendering.opted_in = True


@dataclass(frozen=True)
class _Page:
    stamp: bytes
    start: Message
    body: bytes


class VisitorPages:
    """Serves kept pages to visitors; keeps those that routes opted in.

    It sits inside the session middleware (a visitor is a request with an empty
    session) and inside asgi_csrf, which still hands each visitor a cookie of their own.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.stamp = ChangeStamp(settings, CATALOGUE_STAMP)
        self._pages: dict[str, _Page] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("session"):
            await self.app(scope, receive, send)
            return
        key = f"{scope['path']}?{scope['query_string'].decode('latin-1')}"
        stamp = await self.stamp.read_on_loop()
        page = self._pages.get(key)
        if page is not None and page.stamp == stamp:
            await send(page.start)
            await send({"type": "http.response.body", "body": page.body})
            return
        await self._render(scope, receive, send, key, stamp)

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: str, stamp: bytes
    ) -> None:
        sent: list[Message] = []

        async def keeping(message: Message) -> None:
            sent.append(message)
            await send(message)

        rendering = _Rendering(scope.get("csrftoken"))
        await self.app(
            {**scope, _RENDERING: rendering, "csrftoken": rendering.token}, receive, keeping
        )
        if not rendering.opted_in or rendering.token_used or scope.get("session"):
            return
        page = _page(sent, stamp)
        if page is not None:
            if len(self._pages) >= KEPT_PAGES:
                self._pages.clear()
            self._pages[key] = page


class _Rendering:
    """What a page's rendering told: whether its route opted in, whether it showed the
    visitor's CSRF token (a page that holds it is theirs alone)."""

    def __init__(self, token: Callable[[], str] | None) -> None:
        self._token = token
        self.opted_in = False
        self.token_used = False

    def token(self) -> str:
        self.token_used = True
        return self._token() if self._token is not None else ""


_ANSWER = ("http.response.start", "http.response.body")


def _page(sent: list[Message], stamp: bytes) -> _Page | None:
    """The answer as a page to keep: a whole 200 that sets no cookie, else None."""
    # Without what test clients are sent besides (the template, as http.response.debug).
    sent = [message for message in sent if message["type"] in _ANSWER]
    if not sent or sent[0]["type"] != "http.response.start" or sent[0]["status"] != 200:
        return None
    if any(name.lower() == b"set-cookie" for name, _ in sent[0].get("headers", [])):
        return None
    bodies = sent[1:]
    if not bodies or bodies[-1].get("more_body", False):
        return None
    return _Page(stamp, sent[0], b"".join(message.get("body", b"") for message in bodies))


# --- the stamp's writers -------------------------------------------------------------

# Per pool: the engine and its read-only variant (mercato.db.read_only) share one.
_STAMPS: "weakref.WeakKeyDictionary[Pool, ChangeStamp]" = weakref.WeakKeyDictionary()
_WROTE = "mercato.wrote_catalogue"
_COMMITTED = "mercato.committed_catalogue"


def watch_writes(engine: Engine, settings: Settings) -> None:
    """Change the catalogue stamp of ``settings`` after each commit on ``engine`` that
    wrote a table that pages for visitors read (a later call points it elsewhere)."""
    _STAMPS[engine.pool] = ChangeStamp(settings, CATALOGUE_STAMP)
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "commit", _note_commit)
        event.listen(engine, "rollback", _forget_write)
        # After the commit, when the connection goes back to the pool: changed before,
        # a visitor's page could be rendered from the rows the commit is replacing.
        event.listen(engine, "checkin", _announce)


def written_table(statement: str) -> str | None:
    """The table an INSERT, UPDATE or DELETE statement writes, else None."""
    words = statement.split(None, 3)
    verb = words[0].upper() if words else ""
    if verb == "UPDATE" and len(words) > 1:
        return words[1].strip('"')
    if verb in ("INSERT", "DELETE") and len(words) > 2:
        return words[2].strip('"')
    return None


def _note_write(connection: Connection, cursor: object, statement: str, *args: object) -> None:
    table = written_table(statement)
    if table is not None and table not in PRIVATE_TABLES:
        connection.info[_WROTE] = True


def _note_commit(connection: Connection) -> None:
    if connection.info.pop(_WROTE, False):
        connection.info[_COMMITTED] = _STAMPS.get(connection.engine.pool)


def _forget_write(connection: Connection) -> None:
    connection.info.pop(_WROTE, None)


def _announce(dbapi_connection: object, record: ConnectionPoolEntry) -> None:
    stamp = record.info.pop(_COMMITTED, None)
    if stamp is not None:
        stamp.change()
