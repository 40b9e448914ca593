"""Two real Mercato servers on loopback ports, each with its own SQLite database."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from mercato.accounts import rules as accounts
from mercato.db import make_engine, make_session_factory, migrate, transaction
from tests.factories import PASSWORD
from tests.live import running_app


@contextmanager
def mercato(folder: Path, admin_email: str) -> Iterator[tuple[str, str]]:
    """A migrated Mercato with one admin; yields its address and the admin's API token."""
    folder.mkdir()
    url = f"sqlite:///{folder / 'mercato.db'}"
    engine = make_engine(url)
    migrate(engine)
    with transaction(make_session_factory(engine)) as session:
        admin = accounts.create_user(
            session,
            email=admin_email,
            first_name="A",
            last_name="Admin",
            password=PASSWORD,
            is_admin=True,
        )
        _, token = accounts.issue_token(session, admin)
    engine.dispose()
    with running_app(url, folder) as base_url:
        yield base_url, token


def test_one_mercato_registers_on_another_as_a_store_and_leaves_it(tmp_path):
    with (
        mercato(tmp_path / "a", "admin@a.example") as (a_url, a_token),
        mercato(tmp_path / "b", "admin@b.example") as (b_url, _),
    ):
        body = {
            "name": "Peer",
            "host": b_url,
            "api_version": "2",
            "credentials": {"username": "admin@b.example", "passwd": PASSWORD},
        }
        headers = {"Authorization": f"Bearer {a_token}"}

        registered = httpx.post(
            f"{a_url}/api/administration/marketplaces", json=body, headers=headers, timeout=30
        )
        stores = httpx.get(f"{b_url}/api/v2/store", timeout=10).json()
        listed = httpx.get(f"{a_url}/api/administration/marketplaces", headers=headers, timeout=10)
        left = httpx.delete(
            f"{a_url}/api/administration/marketplaces/Peer", headers=headers, timeout=30
        )

        assert registered.status_code == 201
        slug = "mercato-http-127-0-0-1-" + a_url.rsplit(":", 1)[1]
        assert stores == [
            {
                "name": slug,
                "displayName": f"Mercato {a_url}",
                "url": f"{a_url}/",
                "comment": f"Mercato instance deployed in {a_url}",
            }
        ]
        assert listed.json() == [{"name": "Peer", "host": f"{b_url}/", "api_version": 2}]
        assert left.status_code == 204
        assert httpx.get(f"{b_url}/api/v2/store", timeout=10).json() == []
