"""The adapter's own database: its cursors, its id mappings and its task queue.

SQLite by default, PostgreSQL supported. The schema is versioned by a short list
of steps (``MIGRATIONS``) recorded in ``adapter_schema``; a new version appends
a step and never edits an old one.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


def utcnow() -> datetime:
    # Naive UTC: SQLite keeps no time zone, and both databases then compare alike.
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class State(Base):
    """Named values: the event cursor and the ticket-side cursor."""

    __tablename__ = "adapter_state"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SeenEvent(Base):
    """Timestamp cursor only: how many events of one identity were taken in one second.

    EOSC events have no id and the feed re-delivers the cursor's second, so an
    event is new when its rank among equal events of its second is past this count.
    """

    __tablename__ = "adapter_seen_events"
    __table_args__ = (UniqueConstraint("second", "identity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    second: Mapped[str] = mapped_column(String(40))
    identity: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)


class Link(Base):
    """One mapping between a marketplace thing and a ticket-side thing.

    kinds: ``project`` (project id -> ticket), ``order`` ("project/iid" -> ticket),
    ``message`` (message id -> comment), ``change`` (a ticket-side change handled
    -> the marketplace message id or status it produced).
    """

    __tablename__ = "adapter_links"
    __table_args__ = (UniqueConstraint("kind", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Task(Base):
    """A queued action: pending until done, or dead after its last retry."""

    __tablename__ = "adapter_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def _create_first_tables(connection: Connection) -> None:
    for table in (State, SeenEvent, Link, Task):
        table.__table__.create(connection)


MIGRATIONS: list[Callable[[Connection], None]] = [_create_first_tables]


def migrate(engine: Engine) -> None:
    """Run the steps of MIGRATIONS this database has not had yet, each in its transaction."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS adapter_schema (version INTEGER)"))
        version = connection.scalar(text("SELECT max(version) FROM adapter_schema")) or 0
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with engine.begin() as connection:
            step(connection)
            connection.execute(text("INSERT INTO adapter_schema VALUES (:v)"), {"v": number})


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets the status page read while the worker writes; the timeout waits out a writer.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_database(url: str) -> sessionmaker[Session]:
    """A session factory on the migrated database at ``url``."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)


def get_state(session: Session, name: str, default: str = "") -> str:
    value = session.scalar(select(State.value).where(State.name == name))
    return default if value is None else value


def set_state(session: Session, name: str, value: str) -> None:
    row = session.get(State, name)
    if row is None:
        session.add(State(name=name, value=value))
    else:
        row.value = value


def find_link(session: Session, kind: str, key: str) -> str | None:
    return session.scalar(select(Link.ref).where(Link.kind == kind, Link.key == key))


def add_link(session: Session, kind: str, key: str, ref: str) -> None:
    session.add(Link(kind=kind, key=key, ref=ref))
    session.flush()


def set_link(session: Session, kind: str, key: str, ref: str) -> None:
    """Add the link or point it at ``ref``."""
    link = session.scalar(select(Link).where(Link.kind == kind, Link.key == key))
    if link is None:
        add_link(session, kind, key, ref)
    else:
        link.ref = ref
