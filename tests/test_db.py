"""SQLite transactions: writers take the lock up front and wait; readers never take it.
PostgreSQL connections: pinged only after being idle."""

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from mercato import db
from mercato.db import make_engine, read_only


def _counter(path: Path):
    engine = make_engine(f"sqlite:///{path / 'counter.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    return engine


def test_writers_that_read_first_wait_for_each_other_instead_of_failing(tmp_path):
    engine = _counter(tmp_path)
    failures: list[Exception] = []

    def increment() -> None:
        try:
            with engine.begin() as connection:
                n = connection.execute(text("SELECT n FROM counter")).scalar_one()
                # Deferred transactions would both have read 0 by now; the second to
                # write would fail with "database is locked", or the first's update be lost.
                time.sleep(0.2)
                connection.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except Exception as error:
            failures.append(error)

    writers = [threading.Thread(target=increment) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()

    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 2
    assert failures == []


def test_a_reader_sees_each_commit_and_holds_no_lock(tmp_path):
    engine = _counter(tmp_path)
    with read_only(engine).connect() as reader, reader.begin():
        assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 0
        with engine.begin() as writer:
            writer.execute(text("UPDATE counter SET n = 1"))
        assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 1


def _postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("pooled server connections are PostgreSQL's")


def test_a_connection_in_steady_use_is_not_pinged_before_each_transaction(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql(database_url)
    engine = make_engine(database_url)
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi_connection: pings.append(1))

    for _ in range(5):
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    assert pings == []
    engine.dispose()


def test_a_connection_the_server_dropped_while_idle_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        dropped = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = make_engine(database_url)
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    killer.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)

    with engine.connect() as connection:
        replaced = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()

    assert replaced != dropped
    engine.dispose()
