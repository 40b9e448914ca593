"""Answers kept until what they show changes: catalogue pages for visitors, API reads
for each caller.

A catalogue page costs 15-20 ms of CPU to render and every visitor who is not
logged in sees the same one; an API read costs 1.5-2.5 ms and a client asks the same
one again and again (an OMS polls its events, a portal its offers). A route opts in
with a dependency naming the *stamps* (see mercato.stamps) its answer depends on;
``KeptAnswers`` keeps the answer and serves it again, without routing, a session or
a query, while those stamps are the ones it was made under. ``watch_writes`` changes
a stamp after every commit that wrote a table it covers, so a change shows at once,
in every process.

Visitors (no session, no credential) share one answer per path and query. A caller
with a credential (`X-User-Token` or `Authorization`) gets answers of their own,
kept at most ``MERCATO_TOKEN_CACHE_SECONDS`` (as long as the token → user cache
trusts a token) and dropped at once when a token is revoked.

A request with `Cache-Control: no-cache` is answered anew (and that answer kept), as
HTTP asks of a cache.
"""

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Connection, Engine, event
from sqlalchemy.pool import ConnectionPoolEntry, Pool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.settings import Settings
from mercato.stamps import CATALOGUE_CHANGES, ORDERING_CHANGES, TOKEN_REVOCATIONS, ChangeStamp

# The busy tables of ordering: writing them changes the ordering stamp only, so an
# order leaves the kept catalogue pages alone.
ORDERING_TABLES = frozenset({"events", "messages", "orders", "projects", "status_changes"})

# What no kept answer shows: writing these changes no stamp. (Revoking a token changes
# its own stamp, through the token cache.)
UNSHOWN_TABLES = frozenset(
    {
        "api_tokens",
        "deliveries",
        "delivery_attempts",
        "expenditure_limits",
        "idempotency_keys",
        "stopped_charges",
        "store_publication_attempts",
        # Meters write usage all the time; no kept answer shows it (a charge made of it
        # writes contract_charges, which does change the stamp).
        "usage_records",
    }
)

# Bound the memory: a page is 5-15 kB, an events page up to 60 kB.
KEPT_ANSWERS = 500
KEPT_BYTES = 32 * 1024 * 1024
LARGEST_KEPT = 1024 * 1024

CREDENTIAL_HEADERS = (b"x-user-token", b"authorization")

# The router hands routes a copy of the scope: what they tell the middleware goes
# through an object that both copies hold.
_RENDERING = "mercato.kept_answer"


def kept_until_changed(*stamps: str) -> Callable[[Request], None]:
    """A route dependency: this answer may be kept until one of ``stamps`` changes."""

    async def keep(request: Request) -> None:  # async: no trip to the threadpool
        rendering = request.scope.get(_RENDERING)
        if rendering is not None:
            rendering.stamps = stamps

    return keep


# Catalogue pages and reads; reads of orders, projects and events.
until_catalogue_changes = kept_until_changed(CATALOGUE_CHANGES)
until_orders_change = kept_until_changed(CATALOGUE_CHANGES, ORDERING_CHANGES)


@dataclass(frozen=True)
class _Answer:
    stamps: tuple[tuple[ChangeStamp, bytes], ...]
    until: float  # time.monotonic(); infinite for visitors' pages
    start: Message
    body: bytes


class KeptAnswers:
    """Serves kept answers; keeps those that routes opted in.

    It sits inside the session middleware (a visitor is a request with an empty
    session) and inside asgi_csrf, which still hands each visitor a cookie of their own.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.caller_seconds = settings.token_cache_seconds
        self.stamps = {
            name: ChangeStamp(settings, name)
            for name in (CATALOGUE_CHANGES, ORDERING_CHANGES, TOKEN_REVOCATIONS)
        }
        self._answers: dict[tuple[bytes, ...], _Answer] = {}
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("session"):
            await self.app(scope, receive, send)
            return
        key, caller = _key(scope)
        if caller and self.caller_seconds <= 0:
            await self.app(scope, receive, send)
            return
        answer = self._answers.get(key)
        if answer is not None and not _asks_anew(scope) and await _fresh(answer):
            await send(answer.start)
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self._render(scope, receive, send, key, caller)

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[bytes, ...], caller: bool
    ) -> None:
        # Read before the answer is made: a change committed meanwhile makes it stale.
        read = {name: await stamp.read_on_loop() for name, stamp in self.stamps.items()}
        sent: list[Message] = []

        async def keeping(message: Message) -> None:
            sent.append(message)
            await send(message)

        rendering = _Rendering(scope.get("csrftoken"))
        await self.app(
            {**scope, _RENDERING: rendering, "csrftoken": rendering.token}, receive, keeping
        )
        if not rendering.stamps or rendering.token_used or scope.get("session"):
            return
        names = (*rendering.stamps, TOKEN_REVOCATIONS) if caller else rendering.stamps
        stamps = tuple((self.stamps[name], read[name]) for name in names)
        until = time.monotonic() + self.caller_seconds if caller else float("inf")
        answer = _answer(sent, stamps, until)
        if answer is not None:
            self._keep(key, answer)

    def _keep(self, key: tuple[bytes, ...], answer: _Answer) -> None:
        if len(self._answers) >= KEPT_ANSWERS or self._bytes + len(answer.body) > KEPT_BYTES:
            self._answers.clear()
            self._bytes = 0
        previous = self._answers.get(key)
        self._bytes += len(answer.body) - (len(previous.body) if previous else 0)
        self._answers[key] = answer


def _key(scope: Scope) -> tuple[tuple[bytes, ...], bool]:
    """What an answer is kept under, and whether it is a caller's own."""
    target = (scope["path"].encode(), scope["query_string"])
    headers = dict(scope["headers"])
    credential = next((headers[name] for name in CREDENTIAL_HEADERS if name in headers), None)
    if credential is None:
        return target, False
    # An API answer can name the host it was asked on, and differ by what is accepted.
    return (*target, credential, headers.get(b"host", b""), headers.get(b"accept", b"")), True


def _asks_anew(scope: Scope) -> bool:
    return any(
        name == b"cache-control" and b"no-cache" in value.lower()
        for name, value in scope["headers"]
    )


async def _fresh(answer: _Answer) -> bool:
    if answer.until <= time.monotonic():
        return False
    for stamp, value in answer.stamps:
        if await stamp.read_on_loop() != value:
            return False
    return True


class _Rendering:
    """What an answer's making told: the stamps its route named (none: not to keep),
    whether it showed the visitor's CSRF token (a page that holds it is theirs alone)."""

    def __init__(self, token: Callable[[], str] | None) -> None:
        self._token = token
        self.stamps: tuple[str, ...] = ()
        self.token_used = False

    def token(self) -> str:
        self.token_used = True
        return self._token() if self._token is not None else ""


_ANSWER = ("http.response.start", "http.response.body")


def _answer(
    sent: list[Message], stamps: tuple[tuple[ChangeStamp, bytes], ...], until: float
) -> _Answer | None:
    """The answer to keep: a whole 200 that sets no cookie and is not too large, else None."""
    # Without what test clients are sent besides (the template, as http.response.debug).
    sent = [message for message in sent if message["type"] in _ANSWER]
    if not sent or sent[0]["type"] != "http.response.start" or sent[0]["status"] != 200:
        return None
    if any(name.lower() == b"set-cookie" for name, _ in sent[0].get("headers", [])):
        return None
    bodies = sent[1:]
    if not bodies or bodies[-1].get("more_body", False):
        return None
    body = b"".join(message.get("body", b"") for message in bodies)
    return _Answer(stamps, until, sent[0], body) if len(body) <= LARGEST_KEPT else None


# --- the stamps' writers -------------------------------------------------------------

# Per pool: the engine and its read-only variant (mercato.db.read_only) share one.
_STAMPS: "weakref.WeakKeyDictionary[Pool, dict[str, ChangeStamp]]" = weakref.WeakKeyDictionary()
_WROTE = "mercato.wrote_stamped"
_COMMITTED = "mercato.committed_stamped"


def watch_writes(engine: Engine, settings: Settings) -> None:
    """Change the stamps of ``settings`` after each commit on ``engine`` that wrote a
    table they cover (a later call points them elsewhere)."""
    _STAMPS[engine.pool] = {
        name: ChangeStamp(settings, name) for name in (CATALOGUE_CHANGES, ORDERING_CHANGES)
    }
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "commit", _note_commit)
        event.listen(engine, "rollback", _forget_write)
        # After the commit, when the connection goes back to the pool: changed before,
        # an answer could be made from the rows the commit is replacing, and kept.
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


def stamp_of(table: str) -> str | None:
    """The stamp a write to ``table`` changes, if any."""
    if table in UNSHOWN_TABLES:
        return None
    return ORDERING_CHANGES if table in ORDERING_TABLES else CATALOGUE_CHANGES


def _note_write(connection: Connection, cursor: object, statement: str, *args: object) -> None:
    table = written_table(statement)
    name = stamp_of(table) if table is not None else None
    if name is not None:
        connection.info.setdefault(_WROTE, set()).add(name)


def _note_commit(connection: Connection) -> None:
    names = connection.info.pop(_WROTE, None)
    stamps = _STAMPS.get(connection.engine.pool)
    if names and stamps:
        connection.info.setdefault(_COMMITTED, set()).update(stamps[name] for name in names)


def _forget_write(connection: Connection) -> None:
    connection.info.pop(_WROTE, None)


def _announce(dbapi_connection: object, record: ConnectionPoolEntry) -> None:
    for stamp in record.info.pop(_COMMITTED, ()):
        stamp.change()
