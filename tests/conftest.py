"""Test set-up: a real, migrated database (SQLite, or PostgreSQL when
MERCATO_TEST_DATABASE_URL is set), emptied after every test, and the real app."""

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts_rules
from mercato.app import create_app
from mercato.db import Base, make_engine, make_session_factory, migrate, read_only
from mercato.settings import Settings
from tests.factories import Factory

with warnings.catch_warnings():
    # Starlette asks for httpx2 in its TestClient; httpx is what FastAPI documents today.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

# The live server and the browser page, for every area's browser tests.
pytest_plugins = ["tests.browser"]

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2 with the cost argon2-cffi provides for tests.

    The suite creates thousands of users; at the production cost each hash
    takes a fifth of a second. Hashes still are real argon2id hashes, checked
    the same way; servers started in a subprocess keep the production cost.
    """
    with pytest.MonkeyPatch.context() as patch:
        hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
        patch.setattr(accounts_rules, "_password_hasher", hasher)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("MERCATO_TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mercato.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def settings(database_url: str, tmp_path: Path, engine: Engine) -> Iterator[Settings]:
    yield Settings(database_url=database_url, data_dir=tmp_path, secret_key="test-secret")
    empty_tables(engine)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def session(engine: Engine, settings: Settings) -> Iterator[Session]:
    """A session for arranging and checking rows; each factory call commits.

    It begins deferred, as the app's reads do: a test that reads through it while
    the app writes must not hold SQLite's write lock.
    """
    with make_session_factory(read_only(engine))() as db_session:
        yield db_session


@pytest.fixture
def make(session: Session) -> Factory:
    return Factory(session)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        # SQLite's BEGIN is sent as a statement (see mercato.db); it is not a query.
        if not statement.startswith("BEGIN"):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries:`` collects the SQL the app runs meanwhile."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(app.state.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(app.state.engine, "before_cursor_execute", counter)

    return counting
