"""The running adapter: Mercato's signed triggers and JIRA's webhooks wake it long before
its poll; failures end as dead letters an operator sees and replays."""

import base64
import signal
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mercato.catalogue.models import TriggerMethod
from mercato.catalogue.omses import rotate_signing_secret
from mercato.ordering.models import Message
from mercato_oms_adapter.cli import app
from mercato_oms_adapter.config import parse
from mercato_oms_adapter.service import Adapter
from mercato_oms_adapter.web import serve
from tests.adapter.conftest import adapter_settings, jira_options, write_config
from tests.live import free_port

pytestmark = pytest.mark.slow

POLL_SECONDS = 600  # far longer than any wait below: only a trigger can explain a result


def _wait_for(check, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"nothing after {seconds} s")


@pytest.fixture
def running_adapter(tmp_path, mercato, mercato_worker, shop, jira, session):
    port = free_port()
    secret = rotate_signing_secret(session, shop.oms)
    shop.oms.trigger_url = f"http://127.0.0.1:{port}/trigger"
    shop.oms.trigger_method = TriggerMethod.PUT
    shop.oms.trigger_user, shop.oms.trigger_password = "mercato", "trigger-pw"
    session.commit()
    settings = adapter_settings(
        tmp_path,
        mercato,
        shop,
        "jira",
        jira_options(jira) | {"webhook_secret": "hook"},
        service={
            "port": port,
            "poll_seconds": POLL_SECONDS,
            "user": "mercato",
            "password": "trigger-pw",
            "signing_secret": secret,
        },
    )
    config = write_config(tmp_path, settings)
    log = (tmp_path / "adapter.log").open("w")
    command = [sys.executable, "-m", "mercato_oms_adapter", "run", "--config", str(config)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_for(lambda: _answers(base))
    jira.webhook_url = f"{base}/jira/webhook?secret=hook"
    yield base
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, (tmp_path / "adapter.log").read_text()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_signed_triggers_and_webhooks_wake_the_adapter(running_adapter, jira, shop, session):
    order = shop.order()
    # Mercato's worker sends the trigger (signed, with Basic auth) within its sweep.
    _wait_for(lambda: "OPS-2" in jira.issues)
    jira.comment("OPS-2", "On it.")
    _wait_for(lambda: session.scalar(select(Message.id).where(Message.order_id == order.id)))
    session.expire_all()
    assert session.scalars(select(Message.content)).all() == ["On it."]


def test_triggers_without_credentials_or_signature_are_refused(running_adapter):
    assert httpx.post(f"{running_adapter}/trigger").status_code == 401
    auth = ("mercato", "trigger-pw")
    assert httpx.post(f"{running_adapter}/trigger", auth=auth).status_code == 401
    wrong = {"webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"}
    assert httpx.put(f"{running_adapter}/trigger", auth=auth, headers=wrong).status_code == 401
    assert httpx.post(f"{running_adapter}/jira/webhook?secret=no").status_code == 401
    assert httpx.get(f"{running_adapter}/status").status_code == 401


def test_failures_become_dead_letters_that_can_be_replayed(tmp_path, mercato, shop, jira):
    options = jira_options(jira) | {"project": "NOPE"}  # JIRA refuses issues there
    settings = adapter_settings(tmp_path, mercato, shop, "jira", options)
    adapter = Adapter(parse(settings))
    shop.order()
    for _ in range(3):
        adapter.step()
        time.sleep(0.5)  # past the retry delays (0.2 s, 0.4 s)
    adapter.step()
    config = write_config(tmp_path, settings)

    listed = CliRunner().invoke(app, ["dead", "--config", str(config)])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert [line.split("\t")[1:3] for line in lines] == [
        ["event:1", "3 attempts"],
        ["event:2", "3 attempts"],
    ]
    assert "answered 400" in lines[0]

    server = serve(adapter)
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        page = httpx.get(f"{base}/status").text
        assert "Dead letters (2)" in page
        assert '<input type="hidden" name="id" value="1">' in page
        adapter.backend.project = "OPS"  # the operator fixed the cause
        replayed = httpx.post(f"{base}/dead/replay", data={"id": "1"})
        assert (replayed.status_code, replayed.headers["location"]) == (303, "/status")
    finally:
        server.shutdown()
        server.server_close()
    adapter.step()
    assert sorted(jira.issues) == ["OPS-1"]  # the project's ticket; the order's is still dead

    replayed = CliRunner().invoke(app, ["replay", "--all", "--config", str(config)])
    assert replayed.output == "1 tasks queued again\n"
    adapter.step()
    assert sorted(jira.issues) == ["OPS-1", "OPS-2"]


def test_a_trigger_may_carry_basic_auth_as_the_eosc_marketplace_does(tmp_path, adapter_database):
    """The header, or EOSC's legacy `authorization` query or form field (URL-safe base64)."""
    settings = {
        "backend": "jira",
        "marketplace": {"url": "http://127.0.0.1:9", "token": "t", "oms_id": 1},
        "service": {"database": adapter_database, "port": 0, "user": "mp", "password": "p?w>"},
        "jira": {"url": "http://127.0.0.1:9", "user": "a", "token": "b", "project": "OPS"},
    }
    adapter = Adapter(parse(settings))
    server = serve(adapter)
    base = f"http://127.0.0.1:{server.server_port}/trigger"
    legacy = "Basic " + base64.urlsafe_b64encode(b"mp:p?w>").decode()
    try:
        answers = [
            httpx.get(base, auth=("mp", "p?w>")).status_code,
            httpx.get(base, params={"authorization": legacy}).status_code,
            httpx.post(base, data={"authorization": legacy}).status_code,
            httpx.put(base, data={"authorization": "Basic bm8="}).status_code,
            httpx.put(base, auth=("mp", "wrong")).status_code,
        ]
    finally:
        server.shutdown()
        server.server_close()
    assert answers == [204, 204, 204, 401, 401]
    assert adapter.wake.is_set()
