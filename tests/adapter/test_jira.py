"""Marketplace <-> JIRA (the fake) through a live Mercato, both directions, no duplicates."""

import pytest
from sqlalchemy import select

from mercato.ordering.models import AuthorRole, Message, MessageScope
from mercato_oms_adapter.config import parse
from mercato_oms_adapter.service import Adapter
from tests.adapter.conftest import adapter_settings, jira_options

pytestmark = pytest.mark.slow


@pytest.fixture
def adapter(tmp_path, mercato, shop, jira):
    options = jira_options(jira) | {"webhook_secret": "hook"}
    settings = adapter_settings(
        tmp_path,
        mercato,
        shop,
        "jira",
        options,
        status_field="customfield_status",
        secrets_field="customfield_secrets",
        fields={"0": "customfield_storage", "CPU cores": "customfield_cores"},
    )
    return Adapter(parse(settings))


def _messages(session, order):
    session.expire_all()
    rows = session.scalars(select(Message).where(Message.order_id == order.id).order_by(Message.id))
    return [(m.scope.value, m.author_role.value, m.content) for m in rows]


def _comments(jira, key):
    return [(c["body"], "visibility" in c) for c in jira.issues[key].comments]


def test_an_order_becomes_a_ticket_linked_to_its_project_ticket(adapter, jira, shop, session):
    order = shop.order()
    adapter.step()

    project, ticket = jira.issues["OPS-1"], jira.issues["OPS-2"]
    assert project.fields["labels"] == [f"mp-{shop.project.id}"]
    assert project.fields["summary"] == "Project: Dark matter"
    assert ticket.fields["labels"] == [f"mp-{shop.project.id}-1"]
    assert ticket.fields["summary"] == "Order: Cloud Compute - Basic"
    assert ticket.links == [{"type": {"name": "Relates"}, "outwardIssue": {"key": "OPS-1"}}]
    storage = next(p for p in order.offer_properties if p["id"] == "0")
    cores = next(p for p in order.offer_properties if p["id"] == "2")
    assert ticket.fields["customfield_storage"] == str(storage["value"])
    assert ticket.fields["customfield_cores"] == str(cores["value"])
    assert "* Storage: 100 GB" in ticket.fields["description"]
    # The adapter registered the order and shows its status on the ticket.
    session.refresh(order)
    assert (order.status_type.value, order.status_value) == ("registered", "Registered")
    assert ticket.fields["customfield_status"] == "registered: Registered"
    assert ticket.fields["status"]["name"] == "To Do"
    assert len(jira.issues) == 2

    adapter.step()  # the registration's own event changes nothing more
    assert len(jira.issues) == 2
    assert [h["author"]["name"] for h in ticket.histories] == []


def test_messages_and_comments_cross_once_each(adapter, jira, shop, session):
    order = shop.order()
    adapter.step()
    shop.make.message(order, content="When will it be ready?")
    shop.make.message(
        order,
        scope=MessageScope.INTERNAL,
        role=AuthorRole.MEDIATOR,
        author=shop.desk.user,
        content="Check the quota first",
    )
    adapter.step()
    assert _comments(jira, "OPS-2") == [
        ("Cleo Customer (user, public):\nWhen will it be ready?\n\n[MP message 1]", False),
        ("Dora Desk (mediator, internal):\nCheck the quota first\n\n[MP message 2]", True),
    ]

    jira.comment("OPS-2", "Tomorrow morning.")
    jira.comment("OPS-2", "Quota is fine.", private=True)
    for _ in range(3):
        adapter.step()

    assert _messages(session, order) == [
        ("public", "user", "When will it be ready?"),
        ("internal", "mediator", "Check the quota first"),
        ("public", "provider", "Tomorrow morning."),
        ("internal", "provider", "Quota is fine."),
    ]
    authors = session.scalars(select(Message.author_email).where(Message.id > 2)).all()
    assert authors == ["desk.agent@desk.example.org"] * 2
    assert len(jira.issues["OPS-2"].comments) == 4  # nothing came back as a comment


def test_ticket_statuses_and_secrets_reach_the_order(adapter, jira, shop, session):
    order = shop.order()
    adapter.step()
    jira.transition("OPS-2", "In Progress")
    adapter.step()
    adapter.step()  # the order's own event shows the new status on the ticket
    session.refresh(order)
    assert (order.status_type.value, order.status_value) == ("in_progress", "In progress")
    assert jira.issues["OPS-2"].fields["customfield_status"] == "in_progress: In progress"

    jira.set_field("OPS-2", "customfield_secrets", "login: cleo\npassword: s3cret")
    jira.transition("OPS-2", "Done")
    adapter.step()
    session.refresh(order)
    assert (order.status_type.value, order.status_value) == ("ready", "Ready")
    assert order.user_secrets == {"login": "cleo", "password": "s3cret"}
    # Only the desk's two moves are in the history: the adapter never moved it back.
    moves = [
        (h["author"]["name"], h["items"][0]["toString"]) for h in jira.issues["OPS-2"].histories
    ]
    assert moves == [("desk.agent", "In Progress"), ("desk.agent", "Done")]


def test_a_status_set_in_the_marketplace_moves_the_ticket(adapter, jira, shop, session, client):
    order = shop.order()
    adapter.step()
    answer = adapter.api.update_item(
        shop.project.id, 1, {"status": {"type": "waiting_for_response", "value": "Need info"}}
    )
    assert answer["status"] == {"value": "Need info", "type": "waiting_for_response"}
    adapter.step()
    ticket = jira.issues["OPS-2"]
    assert ticket.fields["status"]["name"] == "Waiting for customer"
    assert ticket.fields["customfield_status"] == "waiting_for_response: Need info"
    assert order.id
