"""The event-loop watch of tests/loop_watch.py tells a blocked loop from a busy one."""

import os

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from tests.live import blocked_loop_reports, running_app

pytestmark = pytest.mark.slow

# About half a second of SQLite work: a recursive count.
_SLOW_QUERY = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT count(*) FROM n"
)


def blocking_app() -> FastAPI:
    """An app with the mistake the watch exists for, beside the right way to do the same."""
    engine = create_engine(os.environ["MERCATO_DATABASE_URL"])
    app = FastAPI()

    @app.get("/on-the-loop")
    async def on_the_loop() -> int:
        with engine.connect() as connection:
            return connection.execute(_SLOW_QUERY).scalar_one()

    @app.get("/in-the-threadpool")
    def in_the_threadpool() -> int:
        with engine.connect() as connection:
            return connection.execute(_SLOW_QUERY).scalar_one()

    return app


def test_a_sync_route_doing_database_work_leaves_the_loop_free(tmp_path):
    url = f"sqlite:///{tmp_path / 'loop.db'}"
    with running_app(url, tmp_path, watch_loop=True, factory=f"{__name__}:blocking_app") as base:
        assert httpx.get(f"{base}/in-the-threadpool", timeout=30).json() == 3_000_000

    assert blocked_loop_reports(tmp_path / "server.log") == []


def test_an_async_route_doing_database_work_is_reported(tmp_path):
    url = f"sqlite:///{tmp_path / 'loop.db'}"
    with running_app(url, tmp_path, watch_loop=True, factory=f"{__name__}:blocking_app") as base:
        assert httpx.get(f"{base}/on-the-loop", timeout=30).json() == 3_000_000

    [report] = blocked_loop_reports(tmp_path / "server.log")
    assert report.startswith("EVENT LOOP BLOCKED: ")
