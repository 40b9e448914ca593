"""Which status codes the app sends that its OpenAPI document does not list.

`record_statuses` wraps an app so it notes, for every answer of a documented
route, the route, the method and the status; `undocumented` lists those whose
status the operation's `responses` leave out. The `client` fixture checks every
test's answers this way, so a route's own tests fail when it sends a status it
does not document.
"""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Sent = set[tuple[str, str, int]]


class _StatusRecorder:
    def __init__(self, app: ASGIApp, sent: Sent) -> None:
        self.app = app
        self.sent = sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def noting(message: Message) -> None:
            # The router has put the matched route in the scope by the time it answers.
            route = scope.get("route")
            if (
                message["type"] == "http.response.start"
                and isinstance(route, APIRoute)
                and route.include_in_schema
                # Another method on the route's path is the router's 405, not the route's.
                and scope["method"] in route.methods
            ):
                self.sent.add((route.path_format, scope["method"], message["status"]))
            await send(message)

        await self.app(scope, receive, noting)


def record_statuses(app: FastAPI) -> Sent:
    """Note every status the app's documented routes send, from now on."""
    sent: Sent = set()
    # Innermost, where the scope is the one the router writes the matched route into
    # (asgi_csrf, further out, passes a copy on).
    app.user_middleware.append(Middleware(_StatusRecorder, sent=sent))
    return sent


# Every test makes its own app, and building the document takes 0.2-0.4 s: over two
# thousand tests that was a quarter of the suite. Apps with the same routes share one.
_DOCUMENTED: dict[tuple[tuple[str, str], ...], dict] = {}


def _paths(app: FastAPI) -> dict:
    routes = tuple(
        sorted(
            (route.path_format, ",".join(sorted(route.methods)))
            for route in app.routes
            if isinstance(route, APIRoute)
        )
    )
    if routes not in _DOCUMENTED:
        _DOCUMENTED[routes] = app.openapi()["paths"]
    return _DOCUMENTED[routes]


def undocumented(app: FastAPI, sent: Sent) -> list[str]:
    if not sent:
        return []
    paths = _paths(app)
    return sorted(
        f"{method} {path} sent {status}"
        for path, method, status in sent
        if str(status) not in paths[path][method.lower()]["responses"]
    )
