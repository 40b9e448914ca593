"""Request-scoped dependencies shared by the APIs and the web pages."""

from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CancelScope
from fastapi import Depends, Request
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


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session whose work commits when the route returns and rolls back if it raises.

    Making a session does no I/O (it connects at its first query), so it is made
    here on the event loop, which spares a trip to the threadpool; ending it talks
    to the database, so that runs in the threadpool, shielded from cancellation so
    that the connection always goes back to the pool.
    """
    state = request.app.state
    factory = (
        state.read_session_factory if request.method in SAFE_METHODS else state.session_factory
    )
    session = factory()
    try:
        yield session
    except BaseException:
        with CancelScope(shield=True):
            await run_in_threadpool(_roll_back, session)
        raise
    with CancelScope(shield=True):
        await run_in_threadpool(_commit, session)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


# scope="function": commit before the response is sent, so a client that reads
# right after a write always sees it.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]
