"""The OMS adapter against a real Mercato (a live server on loopback) and a ticket system."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mercato.catalogue.models import Offer, Oms
from mercato.ordering.models import Project
from mercato_oms_adapter.config import to_toml
from mercato_oms_adapter.fake_jira import FakeJira, running_jira
from tests.factories import ALL_PARAMETERS, Factory, TokenUser
from tests.live import running_app

pytest.importorskip(
    "mercato_oms_adapter", reason="the adapter is not installed: pip install -e ./adapter"
)
from mercato_oms_adapter.queue import counts

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
def jira() -> Iterator[FakeJira]:
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
            "database": f"sqlite:///{tmp_path / 'adapter.db'}",
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
    path.write_text(to_toml(settings))
    return path


def settle(adapter: Any, seconds: float = 90) -> None:
    """Step the adapter until a step runs nothing and nothing waits for a retry (a
    ticket system under load may fail a call: the retry is part of the story)."""
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


def jira_options(jira: FakeJira) -> dict[str, Any]:
    return {"url": jira.base_url, "user": "adapter", "token": "secret", "project": "OPS"}
