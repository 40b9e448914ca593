"""Request-scoped dependencies shared by the APIs and the web pages."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from mercato.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    """A session whose work commits when the route returns and rolls back if it raises."""
    with request.app.state.session_factory() as session:
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
