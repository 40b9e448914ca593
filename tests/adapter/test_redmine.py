"""Marketplace <-> a real Redmine (Debian's package, started by `.ci/redmine`) through a
live Mercato. Each test has its own Redmine project, so runs and workers never meet."""

import os
import uuid

import httpx
import pytest
from sqlalchemy import select

from mercato.ordering.models import Message
from mercato_oms_adapter.config import parse
from mercato_oms_adapter.service import Adapter
from tests.adapter.conftest import adapter_settings, settle

pytestmark = pytest.mark.slow

REDMINE_URL = os.environ.get("REDMINE_URL", "http://127.0.0.1:3300")
ADMIN_KEY = os.environ.get("REDMINE_API_KEY", "0123456789abcdef0123456789abcdef01234567")
DESK_KEY = os.environ.get("REDMINE_DESK_KEY", "fedcba9876543210fedcba9876543210fedcba98")
WORKFLOW = {
    "to_marketplace": {
        "New": {"type": "registered", "value": "Registered"},
        "In Progress": {"type": "in_progress", "value": "In progress"},
        "Feedback": {"type": "waiting_for_response", "value": "Waiting for you"},
        "Resolved": {"type": "ready", "value": "Ready"},
        "Closed": {"type": "closed", "value": "Closed"},
        "Rejected": {"type": "rejected", "value": "Rejected"},
    },
    "to_ticket": {
        "registered": "New",
        "in_progress": "In Progress",
        "waiting_for_response": "Feedback",
        "ready": "Resolved",
        "closed": "Closed",
        "rejected": "Rejected",
    },
}


def _client(key: str) -> httpx.Client:
    return httpx.Client(base_url=REDMINE_URL, headers={"X-Redmine-API-Key": key}, timeout=30)


@pytest.fixture
def redmine_project() -> str:
    try:
        answer = _client(ADMIN_KEY).get("/users/current.json")
    except httpx.TransportError:
        pytest.skip(f"Redmine does not answer at {REDMINE_URL} (start it with .ci/redmine)")
    if answer.status_code != 200:
        pytest.skip(f"Redmine at {REDMINE_URL} refuses the API key (run .ci/redmine)")
    identifier = f"t-{uuid.uuid4().hex[:12]}"
    project = {
        "name": identifier,
        "identifier": identifier,
        "tracker_ids": [1],
        "enabled_module_names": ["issue_tracking"],
    }
    _client(ADMIN_KEY).post("/projects.json", json={"project": project}).raise_for_status()
    return identifier


@pytest.fixture
def adapter(tmp_path, mercato, shop, redmine_project):
    options = {"url": REDMINE_URL, "key": ADMIN_KEY, "project": redmine_project}
    settings = adapter_settings(
        tmp_path,
        mercato,
        shop,
        "redmine",
        options,
        status_field="Marketplace status",
        secrets_field="User secrets",
    )
    settings["workflow"] = WORKFLOW
    return Adapter(parse(settings))


def _issues(project: str) -> list[dict]:
    params = {"project_id": project, "status_id": "*", "sort": "id", "include": "relations"}
    return _client(ADMIN_KEY).get("/issues.json", params=params).json()["issues"]


def _journals(issue_id: int) -> list[dict]:
    answer = _client(ADMIN_KEY).get(f"/issues/{issue_id}.json", params={"include": "journals"})
    return answer.json()["issue"]["journals"]


def _desk_update(issue_id: int, **issue) -> None:
    _client(DESK_KEY).put(f"/issues/{issue_id}.json", json={"issue": issue}).raise_for_status()


def _field(issue: dict, name: str) -> str | None:
    return next(field["value"] for field in issue["custom_fields"] if field["name"] == name)


def _statuses() -> dict[str, int]:
    found = _client(ADMIN_KEY).get("/issue_statuses.json").json()["issue_statuses"]
    return {status["name"]: status["id"] for status in found}


def test_orders_become_redmine_issues_and_desk_work_reaches_the_order(
    adapter, redmine_project, shop, session
):
    order = shop.order()
    shop.make.message(order, content="When will it be ready?")
    settle(adapter)

    parent, ticket = _issues(redmine_project)
    assert parent["subject"] == f"[mp-{shop.project.id}] Project: Dark matter"
    assert ticket["subject"] == f"[mp-{shop.project.id}-1] Order: Cloud Compute - Basic"
    assert ticket["parent"] == {"id": parent["id"]}
    assert "* Storage: 100 GB" in ticket["description"]
    assert _field(ticket, "Marketplace status") == "registered: Registered"
    assert ticket["status"]["name"] == "New"
    notes = [journal["notes"] for journal in _journals(ticket["id"]) if journal["notes"]]
    assert notes == ["Cleo Customer (user, public):\nWhen will it be ready?\n\n[MP message 1]"]

    statuses = _statuses()
    _desk_update(ticket["id"], notes="Building it now.")
    _desk_update(ticket["id"], notes="Quota checked.", private_notes=True)
    _desk_update(ticket["id"], status_id=statuses["In Progress"])
    settle(adapter)
    session.refresh(order)
    assert (order.status_type.value, order.status_value) == ("in_progress", "In progress")
    rows = session.scalars(select(Message).where(Message.order_id == order.id).order_by(Message.id))
    assert [(m.scope.value, m.author_role.value, m.author_name, m.content) for m in rows] == [
        ("public", "user", "Cleo Customer", "When will it be ready?"),
        ("public", "provider", "Dana Desk", "Building it now."),
        ("internal", "provider", "Dana Desk", "Quota checked."),
    ]
    (_, ticket) = _issues(redmine_project)
    assert _field(ticket, "Marketplace status") == "in_progress: In progress"
    assert ticket["status"]["name"] == "In Progress"

    _desk_update(
        ticket["id"],
        status_id=statuses["Resolved"],
        custom_fields=[{"id": _field_id("User secrets"), "value": "login: cleo\npassword: pw"}],
    )
    settle(adapter)
    session.refresh(order)
    assert (order.status_type.value, order.status_value) == ("ready", "Ready")
    assert order.user_secrets == {"login": "cleo", "password": "pw"}
    # Nothing the adapter posted came back: three notes by people, one copied message.
    notes = [journal["notes"] for journal in _journals(ticket["id"]) if journal["notes"]]
    assert len(notes) == 3
    assert len(_issues(redmine_project)) == 2


def test_a_status_set_in_the_marketplace_moves_the_issue(adapter, redmine_project, shop, session):
    shop.order()
    settle(adapter)
    body = {"status": {"type": "waiting_for_response", "value": "Need your quota"}}
    adapter.api.update_item(shop.project.id, 1, body)
    settle(adapter)
    (_, ticket) = _issues(redmine_project)
    assert ticket["status"]["name"] == "Feedback"
    assert _field(ticket, "Marketplace status") == "waiting_for_response: Need your quota"


def _field_id(name: str) -> int:
    fields = _client(ADMIN_KEY).get("/custom_fields.json").json()["custom_fields"]
    return next(field["id"] for field in fields if field["name"] == name)
