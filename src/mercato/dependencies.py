"""Request-scoped dependencies shared by the APIs and the web pages."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from mercato.settings import Settings

# Requests that by HTTP's rules change nothing; their sessions take no write lock.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """A session whose work commits when the route returns and rolls back if it raises."""
    state = request.app.state
    factory = (
        state.read_session_factory if request.method in SAFE_METHODS else state.session_factory
    )
    with factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


# scope="function": commit before the response is sent, so a client that reads
# right after a write always sees it.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]
