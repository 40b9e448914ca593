"""Test set-up: a real, migrated database (SQLite, or PostgreSQL when
MERCATO_TEST_DATABASE_URL is set), emptied after every test, and the real app.

The suite runs on pytest-xdist workers by default (two per CPU, see
``pytest_cmdline_main``); each worker has its own database and queue name.
"""

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from psycopg import sql
from sqlalchemy import Engine, event, make_url, text
from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts_rules
from mercato.app import create_app
from mercato.db import Base, make_engine, make_session_factory, migrate, read_only
from mercato.kept_answers import watch_writes
from mercato.settings import Settings
from tests.documented_statuses import record_statuses, undocumented
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


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Spread the tests over two xdist workers per CPU unless ``-n`` says otherwise.

    Two, because on PostgreSQL the tests wait more than they compute: with one per
    CPU, CI's two CPUs were half idle there (about 23 minutes; 18 with two).

    Set here rather than in ``addopts`` so that ``-p no:xdist`` still works; ``-n 0``
    runs everything in this process, for debugging.
    """
    if not config.pluginmanager.has_plugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is None:
        config.option.numprocesses = 2 * (os.cpu_count() or 1)
        if config.option.dist == "no":
            # Idle workers take tests from busy ones. Measured on 2 cores, the three
            # modes took about the same (the machine's load decided), but worksteal
            # left 0.1 s of idle tail against 1.3 s for load and 4.9 s for loadfile.
            config.option.dist = "worksteal"


def xdist_worker() -> str | None:
    """This process's xdist worker name (``gw0``, ``gw1``...), or None outside xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_database(url: str, worker: str) -> str:
    """A database of its own for an xdist worker: ``url``'s name with ``_<worker>``.

    Workers sharing one would empty each other's tables. On PostgreSQL it is dropped
    and created anew on the same server, through the server's ``postgres`` database.
    """
    configured = make_url(url)
    if configured.get_backend_name() == "sqlite":
        # A file beside the configured one: x.db becomes x_gw0.db.
        path = Path(configured.database or "mercato.db")
        own = configured.set(database=str(path.with_stem(f"{path.stem}_{worker}")))
        return own.render_as_string(hide_password=False)
    name = f"{configured.database}_{worker}"
    server = configured.set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return configured.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("MERCATO_TEST_DATABASE_URL")
    if not configured:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mercato.db'}"
    worker = xdist_worker()
    return worker_database(configured, worker) if worker else configured


@pytest.fixture(scope="session", autouse=True)
def worker_queue_name() -> Iterator[None]:
    """With a configured queue (the ordering suite on Redis), each xdist worker's apps
    queue under their own name: one worker must not count or run another's tasks."""
    worker = xdist_worker()
    if not (worker and os.environ.get("MERCATO_QUEUE_URL")):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(
            "MERCATO_QUEUE_NAME", f"{os.environ.get('MERCATO_QUEUE_NAME', 'mercato')}-{worker}"
        )
        yield


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    _note_seeded_rows(engine)
    yield engine
    engine.dispose()


# The rows the migrations seed (WStore's shipped units and currency), per engine URL:
# every test starts from the database a fresh migration makes.
_SEEDED: dict[str, dict[str, list[dict]]] = {}


def _note_seeded_rows(engine: Engine) -> None:
    with engine.connect() as connection:
        _SEEDED[str(engine.url)] = {
            table.name: [
                {k: v for k, v in row._mapping.items() if k != "id"}
                for row in connection.execute(table.select().order_by(table.c.id))
            ]
            for table in Base.metadata.sorted_tables
            if "id" in table.c
        }


def empty_tables(engine: Engine) -> None:
    """Empty every table, then put back what the migrations seeded, with the same ids."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        # DELETE, not TRUNCATE, on PostgreSQL too: TRUNCATE makes new files for every
        # table, 100 ms a test where these few rows take a few.
        for table in tables:
            connection.execute(table.delete())
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(seqrelid::regclass, 1, false) FROM pg_sequence"))
        for table in Base.metadata.sorted_tables:
            rows = _SEEDED.get(str(engine.url), {}).get(table.name)
            if rows:
                # Without ids: a restarted identity (or SQLite's max + 1) numbers them again.
                connection.execute(table.insert(), rows)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, engine: Engine) -> Iterator[Settings]:
    settings = Settings(database_url=database_url, data_dir=tmp_path, secret_key="test-secret")
    # What the factories write shows at once on the pages the test's apps keep for visitors.
    watch_writes(engine, settings)
    yield settings
    empty_tables(engine)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    sent = record_statuses(app)
    with TestClient(app) as test_client:
        yield test_client
    # Every status a route sends is one its OpenAPI operation lists.
    missing = undocumented(app, sent)
    assert not missing, "statuses the OpenAPI document does not list:\n" + "\n".join(missing)


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
