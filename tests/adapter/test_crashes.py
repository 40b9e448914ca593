"""The adapter process killed between a call and its record loses nothing and duplicates
nothing: each test runs `mercato-oms-adapter once` with a crash point, checks it died
there, runs it again and checks the ticket system and Mercato."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from mercato.ordering.models import Event, Message
from mercato_oms_adapter.crash import ENVIRONMENT_KEY, EXIT_STATUS
from tests.adapter.conftest import adapter_settings, jira_options, write_config

pytestmark = pytest.mark.slow


@pytest.fixture
def config(tmp_path, mercato, shop, jira):
    settings = adapter_settings(
        tmp_path, mercato, shop, "jira", jira_options(jira), status_field="customfield_status"
    )
    return write_config(tmp_path, settings)


def run_once(config, crash_at: str = "") -> int:
    env = {**os.environ, ENVIRONMENT_KEY: crash_at}
    command = [sys.executable, "-m", "mercato_oms_adapter", "once", "--config", str(config)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, EXIT_STATUS), done.stderr
    return done.returncode


def _order_state(session, order):
    session.refresh(order)
    return order.status_type.value, order.status_value


@pytest.mark.parametrize("crash_at", ["created-ticket", "created-ticket#2", "registered-order"])
def test_a_crash_while_making_tickets(crash_at, config, jira, shop, session):
    order = shop.order()
    assert run_once(config, crash_at) == EXIT_STATUS
    assert run_once(config) == 0
    assert run_once(config) == 0

    assert sorted(issue.fields["labels"][0] for issue in jira.issues.values()) == [
        f"mp-{shop.project.id}",
        f"mp-{shop.project.id}-1",
    ]
    assert _order_state(session, order) == ("registered", "Registered")
    updates = select(func.count(Event.id)).where(Event.order_id == order.id)
    assert session.scalar(updates) == 2  # created, registered: once


def test_a_crash_after_a_comment(config, jira, shop):
    order = shop.order()
    assert run_once(config) == 0
    shop.make.message(order, content="Any news?")
    assert run_once(config, "added-comment") == EXIT_STATUS
    assert run_once(config) == 0
    assert [c["body"].splitlines()[1] for c in jira.issues["OPS-2"].comments] == ["Any news?"]


def test_a_crash_after_a_status_change(config, jira, shop, session):
    order = shop.order()
    assert run_once(config) == 0
    jira.transition("OPS-2", "In Progress")
    assert run_once(config, "updated-order") == EXIT_STATUS
    assert run_once(config) == 0
    assert run_once(config) == 0
    assert _order_state(session, order) == ("in_progress", "In progress")
    moves = [h["items"][0]["toString"] for h in jira.issues["OPS-2"].histories]
    assert moves == ["In Progress"]
    assert jira.issues["OPS-2"].fields["customfield_status"] == "in_progress: In progress"


def test_a_crash_after_a_message(config, jira, shop, session):
    order = shop.order()
    assert run_once(config) == 0
    jira.comment("OPS-2", "Your VM is being built.")
    assert run_once(config, "posted-message") == EXIT_STATUS
    assert run_once(config) == 0
    assert run_once(config) == 0
    contents = session.scalars(select(Message.content).where(Message.order_id == order.id)).all()
    assert contents == ["Your VM is being built."]
    assert len(jira.issues["OPS-2"].comments) == 1  # the message did not come back
