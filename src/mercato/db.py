"""Database engine, sessions, the declarative base and schema migrations."""

import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from typing import TYPE_CHECKING, Any

from filelock import FileLock
from slugify import slugify
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    Enum,
    MetaData,
    create_engine,
    event,
    exc,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from mercato.errors import Invalid

if TYPE_CHECKING:
    from alembic.config import Config

# Writers queue for SQLite's single write lock rather than fail; 30 s covers any burst.
SQLITE_BUSY_TIMEOUT_MS = 30_000

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is expected")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_type: type[enum.StrEnum]) -> Enum:
    """Store an enum's value (not its name) in a plain string column."""
    return Enum(
        enum_type,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


# A connection option: this transaction only reads, so on SQLite it may begin deferred.
READ_ONLY = "mercato_read_only"


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; the busy timeout makes
    # concurrent writers wait instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A deferred transaction that reads, then writes, cannot wait for the lock: SQLite
    # answers "database is locked" at once when another writer committed meanwhile.
    # Writers therefore take the lock up front and queue for it (busy_timeout).
    # Readers keep the sqlite3 module's own way: no transaction until a statement
    # writes, so each read sees the latest commit and never holds the lock.
    dbapi_connection = connection.connection.dbapi_connection
    if connection.get_execution_options().get(READ_ONLY, False):
        dbapi_connection.isolation_level = "DEFERRED"
    else:
        dbapi_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url)
    event.listen(engine, "connect", _note_idle_since)
    event.listen(engine, "checkin", _note_idle_since)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


# A pooled connection idle for longer than this is tried (a ping) before use, so one
# the server dropped meanwhile is replaced. Pinging every checkout, as pool_pre_ping
# does, cost a round trip per transaction: a tenth of an order's time.
PING_AFTER_IDLE_S = 5.0
_IDLE_SINCE = "mercato_idle_since"


def _note_idle_since(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(
    dialect: Dialect, dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any
) -> None:
    if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < PING_AFTER_IDLE_S:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as error:
        # The pool then opens a new connection in its place.
        raise exc.DisconnectionError(str(error)) from error


def read_only(engine: Engine) -> Engine:
    """The engine for transactions that only read (on SQLite they take no write lock)."""
    return engine.execution_options(**{READ_ONLY: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll everything back on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(engine: Engine) -> "Config":
    # Imported here: web processes never migrate, and Alembic costs each 10 MB.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("mercato") / "migrations"))
    config.attributes["engine"] = engine
    return config


# Key of the PostgreSQL advisory lock that migrators take in turn (any fixed number
# that no other lock of Mercato's uses).
_MIGRATION_LOCK = 7_210_845_312


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Held by one migrator at a time, however long the migration takes.

    PostgreSQL: a session-level advisory lock on a connection of its own, released
    when the migration ends or, should the process die, when its connection does
    (without it, two migrators both create the tables and one fails).
    SQLite: a migration's transaction takes the write lock up front, but another
    migrator waits for that lock only as long as the busy timeout, which a long
    migration outlasts; a lock on a file beside the database (released by the
    operating system if the process dies) lets it wait its turn instead. An
    in-memory database has a single user.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK}
                )
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with FileLock(f"{database}.migrate.lock"):
            yield
        return
    yield


def migrate(engine: Engine) -> None:
    """Bring the schema up to the latest revision; concurrent migrators take turns.

    Whoever comes second finds the schema at head and has nothing left to do, so
    `mercato serve` and `mercato worker` may start together on a fresh database.
    """
    with _migration_lock(engine):
        from alembic import command

        command.upgrade(alembic_config(engine), "head")


# JSONB on PostgreSQL so documents can be indexed and compared; plain JSON elsewhere.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def _checked_slug(session: Session, column: InstrumentedAttribute[str], slug: str) -> str:
    if not slug or slugify(slug) != slug:
        raise Invalid.field("slug", "must be lowercase letters, digits and hyphens")
    if session.scalar(select(column).where(column == slug)) is not None:
        raise Invalid.field("slug", "is already taken")
    return slug


def unique_slug(
    session: Session, column: InstrumentedAttribute[str], text: str, given: str | None = None
) -> str:
    """A URL slug for ``text`` not yet used in ``column``, suffixed -2, -3... if needed.

    A ``given`` slug (a data set keeps its slugs) is checked and kept instead.
    """
    if given is not None:
        return _checked_slug(session, column, given)
    base = slugify(text) or "item"
    taken = set(session.scalars(select(column).where(column.like(f"{base}%"))))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
