"""The OMS adapter against a real Mercato (a live server on loopback) and a ticket system."""

import importlib.util
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

from mercato.catalogue.models import Offer, Oms
from mercato.ordering.models import Project
from tests.conftest import worker_database, xdist_worker
from tests.factories import ALL_PARAMETERS, Factory, TokenUser
from tests.live import running_app

if importlib.util.find_spec("mercato_oms_adapter") is None:
    # Without the adapter package these tests cannot even be imported: leave them out
    # and say so in the warnings summary.
    collect_ignore_glob = ["test_*.py"]
    warnings.warn(
        "tests/adapter left out: the OMS adapter is not installed (pip install -e ./adapter)",
        stacklevel=1,
    )

WORKFLOW: dict[str, Any] = {
    "to_marketplace": {
        "To Do": {"type": "registered", "value": "Registered"},
        "In Progress": {"type": "in_progress", "value": "In progress"},
        "Waiting for customer": {"type": "waiting_for_response", "value": "Waiting for you"},
        "Done": {"type": "ready", "value": "Ready"},
        "Rejected": {"type": "rejected", "value": "Rejected"},
    },
    "to_ticket": {
        "registered": "To Do",
        "in_progress": "In Progress",
        "waiting_for_response": "Waiting for customer",
        "ready": "Done",
        "rejected": "Rejected",
        "closed": "Done",
    },
}


@dataclass
class Shop:
    """A provider's OMS (administered by ``desk``), an offer it handles, a customer's project."""

    oms: Oms
    desk: TokenUser
    offer: Offer
    project: Project
    make: Factory

    def order(self, **fields: Any):
        return self.make.order(self.offer, self.project, **fields)


ADAPTER_DATABASE = "OMS_ADAPTER_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def adapter_database(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The adapter's own database: a SQLite file, or a fresh PostgreSQL database when the
    tests run on PostgreSQL (the adapter supports both)."""
    if make_url(database_url).get_backend_name() == "sqlite":
        url = f"sqlite:///{tmp_path / 'adapter.db'}"
    else:
        url = worker_database(database_url, f"adapter_{xdist_worker() or 'main'}")
    monkeypatch.setenv(ADAPTER_DATABASE, url)
    return url


@pytest.fixture
def shop(make: Factory) -> Shop:
    desk = make.token_user(first_name="Dora", last_name="Desk")
    customer = make.user(first_name="Cleo", last_name="Customer", email="cleo@example.org")
    service = make.service(make.provider(name="Nordic Cloud"), name="Cloud Compute")
    oms = make.oms("Nordic desk", administrators=[desk.user])
    offer = make.offer(
        service, name="Basic", internal=True, primary_oms_id=oms.id, parameters=ALL_PARAMETERS
    )
    return Shop(oms, desk, offer, make.project(customer, name="Dark matter"), make)


@pytest.fixture
def mercato(database_url: str, tmp_path: Path) -> Iterator[str]:
    folder = tmp_path / "mercato"
    folder.mkdir()
    with running_app(database_url, folder, outgoing_allowed_networks="127.0.0.0/8") as base:
        yield base


@pytest.fixture
def mercato_worker(database_url: str, tmp_path: Path, mercato: str) -> Iterator[None]:
    """`mercato worker` beside the server: it sends the triggers."""
    env = {
        **os.environ,
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(tmp_path / "mercato"),
        "MERCATO_SECRET_KEY": "x",
        "MERCATO_BASE_URL": mercato,
        "MERCATO_OUTGOING_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "mercato.cli", "worker"], env=env, stdout=log, stderr=log
        )
    yield
    worker.terminate()
    worker.wait(timeout=30)


@pytest.fixture
def jira() -> Iterator[Any]:
    from mercato_oms_adapter.fake_jira import FakeJira, running_jira

    with running_jira(FakeJira()) as fake:
        yield fake


def adapter_settings(
    tmp_path: Path, mercato: str, shop: Shop, backend: str, options: dict[str, Any], **more: Any
) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "backend": backend,
        "status_field": more.pop("status_field", ""),
        "secrets_field": more.pop("secrets_field", ""),
        "marketplace": {
            "url": mercato,
            "token": shop.desk.token,
            "oms_id": shop.oms.id,
            "cursor": more.pop("cursor", "auto"),
        },
        "service": {
            "database": os.environ[ADAPTER_DATABASE],
            "port": 0,
            "retry_seconds": 0.2,
            "max_attempts": 3,
        }
        | more.pop("service", {}),
        "workflow": WORKFLOW,
        "fields": more.pop("fields", {}),
        backend: options,
    }
    assert not more, more
    return settings


def write_config(tmp_path: Path, settings: dict[str, Any]) -> Path:
    path = tmp_path / "oms-adapter.toml"
    from mercato_oms_adapter.config import to_toml

    path.write_text(to_toml(settings))
    return path


def settle(adapter: Any, seconds: float = 90) -> None:
    """Step the adapter until a step runs nothing and nothing waits for a retry (a
    ticket system under load may fail a call: the retry is part of the story)."""

    from mercato_oms_adapter.queue import counts

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ran = adapter.step()
        with adapter.sessions() as session:
            pending = counts(session)["pending"]
        if not ran and not pending:
            return
        if not ran:
            time.sleep(0.2)
    pytest.fail(f"the adapter still had work after {seconds} s")


def jira_options(jira: Any) -> dict[str, Any]:
    return {"url": jira.base_url, "user": "adapter", "token": "secret", "project": "OPS"}
