"""Two real Mercato servers on loopback ports, each with its own SQLite database and a
worker that sends its outbox (here in the test's process, on the server's queue file)."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from mercato.accounts import rules as accounts
from mercato.db import make_engine, make_session_factory, migrate, transaction
from mercato.queue import TaskQueue, Worker
from mercato.settings import Settings
from tests.factories import PASSWORD
from tests.live import running_app
from tests.store.loopback import LOOPBACK
from tests.store.world import PNG, b64

pytestmark = pytest.mark.slow

TIMEOUT = 30
T = TypeVar("T")


@dataclass(frozen=True)
class Site:
    url: str
    admin: dict[str, str]
    provider: dict[str, str]


def _token_user(session, email: str, is_admin: bool = False) -> dict[str, str]:
    user = accounts.create_user(
        session,
        email=email,
        first_name="A",
        last_name="User",
        password=PASSWORD,
        is_admin=is_admin,
    )
    _, token = accounts.issue_token(session, user)
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def mercato(folder: Path, domain: str) -> Iterator[Site]:
    """A migrated Mercato with an admin and a provider's data administrator."""
    folder.mkdir()
    url = f"sqlite:///{folder / 'mercato.db'}"
    engine = make_engine(url)
    migrate(engine)
    with transaction(make_session_factory(engine)) as session:
        admin = _token_user(session, f"admin@{domain}", is_admin=True)
        provider = _token_user(session, f"provider@{domain}")
        accounts.create_provider(
            session, name="CoNWeT", data_administrator_emails=[f"provider@{domain}"]
        )
    # Each server calls the other on loopback, a network the admins allowed.
    with running_app(url, folder, outgoing_allowed_networks=LOOPBACK) as base_url:
        settings = Settings(
            database_url=url,
            data_dir=folder,
            secret_key="x",
            base_url=base_url,
            outgoing_allowed_networks=LOOPBACK,
        )
        worker = Worker(TaskQueue(settings, make_session_factory(engine)))
        worker.start()
        try:
            yield Site(base_url, admin, provider)
        finally:
            worker.stop()
            engine.dispose()


def eventually(read: Callable[[], T], wanted: Callable[[T], bool], timeout: float = 20) -> T:
    """What ``read`` gives once ``wanted`` holds: the outbox delivers after the answer."""
    deadline = time.monotonic() + timeout
    while not wanted(value := read()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def join(a: Site, b: Site, name: str = "Peer") -> httpx.Response:
    """A registers itself on B as a store, with B's admin credentials."""
    body = {
        "name": name,
        "host": b.url,
        "api_version": "2",
        "credentials": {"username": "admin@b.example", "passwd": PASSWORD},
    }
    return httpx.post(
        f"{a.url}/api/administration/marketplaces", json=body, headers=a.admin, timeout=TIMEOUT
    )


def add_repository(site: Site, host: str) -> httpx.Response:
    body = {
        "name": "main",
        "host": host,
        "api_version": 2,
        "offering_collection": "offerings",
        "resource_collection": "resources",
    }
    return httpx.post(
        f"{site.url}/api/administration/repositories",
        json=body,
        headers=site.admin,
        timeout=TIMEOUT,
    )


def test_one_mercato_registers_on_another_as_a_store_and_leaves_it(tmp_path):
    with (
        mercato(tmp_path / "a", "a.example") as a,
        mercato(tmp_path / "b", "b.example") as b,
    ):
        registered = join(a, b)
        stores = httpx.get(f"{b.url}/api/v2/store", timeout=10).json()
        listed = httpx.get(f"{a.url}/api/administration/marketplaces", headers=a.admin, timeout=10)
        left = httpx.delete(
            f"{a.url}/api/administration/marketplaces/Peer", headers=a.admin, timeout=TIMEOUT
        )

        assert registered.status_code == 201
        slug = "mercato-http-127-0-0-1-" + a.url.rsplit(":", 1)[1]
        assert stores == [
            {
                "name": slug,
                "displayName": f"Mercato {a.url}",
                "url": f"{a.url}/",
                "comment": f"Mercato instance deployed in {a.url}",
            }
        ]
        assert listed.json() == [{"name": "Peer", "host": f"{b.url}/", "api_version": 2}]
        assert left.status_code == 204
        assert httpx.get(f"{b.url}/api/v2/store", timeout=10).json() == []


OFFERING = {
    "name": "City Lights",
    "version": "1.0",
    "image": {"name": "logo.png", "data": b64(PNG)},
    "offering_info": {
        "description": "Street lights that dim when nobody is around",
        "abstract": "Smart lights",
        "pricing": {"price_model": "free"},
    },
}


# Where B's web UI lists what other stores published there.
B_PAGES = ["/store", "/search?q=dim", "/store/from-other-stores"]


def test_an_offering_published_in_one_mercato_is_listed_in_another_until_deleted(tmp_path):
    with (
        mercato(tmp_path / "a", "a.example") as a,
        mercato(tmp_path / "b", "b.example") as b,
    ):
        offerings = f"{a.url}/api/offering/offerings"
        one = f"{offerings}/conwet/City%20Lights/1.0"
        assert join(a, b).status_code == 201
        # WStore publishes on marketplaces only once a repository is registered (§3.8).
        # B is none: that upload fails, and the marketplace does not need it.
        assert add_repository(a, b.url).status_code == 201
        created = httpx.post(offerings, json=OFFERING, headers=a.provider, timeout=TIMEOUT)
        published = httpx.post(
            f"{one}/publish", json={"marketplaces": ["Peer"]}, headers=a.provider, timeout=TIMEOUT
        )
        received = eventually(
            lambda: httpx.get(f"{b.url}/api/v2/offering", timeout=10).json(), bool
        )
        pages = [httpx.get(f"{b.url}{path}", timeout=10).text for path in B_PAGES]
        home_page = httpx.get(f"{a.url}/store/offerings/conwet/City%20Lights/1.0", timeout=10)
        deleted = httpx.delete(one, headers=a.provider, timeout=TIMEOUT)
        after = eventually(
            lambda: httpx.get(f"{b.url}/api/v2/offering", timeout=10).json(), lambda v: not v
        )

        assert created.status_code == 201
        assert published.status_code == 200, published.text
        store = "mercato-http-127-0-0-1-" + a.url.rsplit(":", 1)[1]
        assert received == [
            {
                "name": "conwet-city-lights-1-0",
                "displayName": "CoNWeT City Lights 1.0",
                "store": store,
                "url": f"{one}/usdl",
                "link": f"{a.url}/store/offerings/conwet/City%20Lights/1.0",
                "title": "City Lights",
                "version": "1.0",
                "description": "Street lights that dim when nobody is around",
                "abstract": "Smart lights",
                "provider": "CoNWeT",
                "imageUrl": received[0]["imageUrl"],
                "tags": [],
            }
        ]
        assert received[0]["imageUrl"].startswith(f"{a.url}/media/offerings/")
        link = f'<a href="{a.url}/store/offerings/conwet/City%20Lights/1.0" rel="external">'
        assert [f"{link}City Lights</a>" in page for page in pages] == [True] * len(B_PAGES)
        assert home_page.status_code == 200
        assert "<h1>City Lights" in home_page.text
        assert deleted.status_code == 204
        assert after == []
