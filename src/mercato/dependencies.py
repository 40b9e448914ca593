"""Request-scoped dependencies shared by the APIs and the web pages."""

import inspect
from collections.abc import AsyncIterator, Callable
from functools import wraps
from typing import Annotated, Any

from anyio import CancelScope
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from mercato.settings import Settings

# Requests that by HTTP's rules change nothing; their sessions take no write lock.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _commit(session: Session) -> None:
    with session:
        session.commit()


def _roll_back(session: Session) -> None:
    with session:
        session.rollback()


# A session.info flag: the route's own thread already ended this session.
_ENDED = "mercato.session_ended"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session whose work commits when the route returns and rolls back if it raises.

    Making a session does no I/O (it connects at its first query), so it is made
    here on the event loop, which spares a trip to the threadpool; ending it talks
    to the database, so that runs in the threadpool, shielded from cancellation so
    that the connection always goes back to the pool.
    """
    state = request.app.state
    reads = request.method in SAFE_METHODS and not _writes_on_get(request)
    factory = state.read_session_factory if reads else state.session_factory
    session = factory()
    try:
        yield session
    except BaseException:
        if not session.info.get(_ENDED):
            with CancelScope(shield=True):
                await run_in_threadpool(_roll_back, session)
        raise
    if not session.info.get(_ENDED):
        with CancelScope(shield=True):
            await run_in_threadpool(_commit, session)


def writes_on_get(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a route whose GET writes because another site sends the browser back with
    one (a payment gateway's return): its session writes whatever the method."""
    endpoint.writes_on_get = True  # type: ignore[attr-defined]
    return endpoint


def _writes_on_get(request: Request) -> bool:
    return getattr(request.scope.get("endpoint"), "writes_on_get", False)


def _ending_sessions(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The sync route, then the end of its sessions, in the one worker thread it runs in.

    Ending a session talks to the database, so `get_session` would take a second trip
    to the threadpool for it; done here, right after the route returns (or raises),
    it costs none, and what the client reads next still sees the commit.
    """

    @wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        sessions = [value for value in kwargs.values() if isinstance(value, Session)]
        try:
            result = endpoint(*args, **kwargs)
        except BaseException:
            for session in sessions:
                _roll_back(session)
                session.info[_ENDED] = True
            raise
        for session in sessions:
            session.info[_ENDED] = True  # set first: a failed commit is not retried
            _commit(session)
        return result

    return run


class SessionRoute(APIRoute):
    """A route whose sync endpoint also ends its database session (see `_ending_sessions`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _ending_sessions(endpoint)
        super().__init__(path, endpoint, **kwargs)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


# scope="function": commit before the response is sent, so a client that reads
# right after a write always sees it.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]
