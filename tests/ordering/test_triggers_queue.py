"""Triggers through the task queue (SQLite file and Redis): hand-over after commit, workers,
a worker killed with SIGKILL mid-delivery, and a trigger endpoint that is down."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mercato.app import create_app
from mercato.db import make_session_factory
from mercato.ordering.models import Delivery, DeliveryStatus, Project
from mercato.ordering.projects import ProjectData, create_project
from mercato.queue import TaskQueue, Worker, hand_over_deliveries
from mercato.settings import Settings
from tests.ordering.trigger_receiver import receiving
from tests.web.pages import log_in, submit

REDIS = ("127.0.0.1", 6379)
REDIS_DB = os.environ.get("MERCATO_TEST_REDIS_DB", "15")
PROJECT_FORM = {
    "name": "Urgent",
    "customer_typology": "single_user",
    "organization": "Cyfronet",
    "department": "HPC",
    "department_webpage": "https://hpc.example.org",
    "country": "Poland",
}


def redis_answers() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(request, settings: Settings) -> Settings:
    """Settings whose queue is a SQLite file or (when it answers) Redis, under a fresh name."""
    if request.param == "redis" and not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    url = f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}" if request.param == "redis" else ""
    return settings.model_copy(
        update={
            "queue_url": url,
            "queue_name": f"test-{uuid.uuid4().hex}",
            "outgoing_allowed_networks": "127.0.0.0/8",
            "trigger_timeout": 2.0,
        }
    )


@pytest.fixture
def queue(queue_settings: Settings, engine) -> Iterator[TaskQueue]:
    task_queue = TaskQueue(queue_settings, make_session_factory(engine))
    yield task_queue
    task_queue.huey.flush()


@pytest.fixture
def committing(engine, queue: TaskQueue) -> sessionmaker[Session]:
    """Sessions that hand their deliveries to the queue on commit, as the app's do."""
    factory = make_session_factory(engine)
    hand_over_deliveries(factory, queue)
    return factory


@pytest.fixture
def worker(queue: TaskQueue) -> Iterator[Worker]:
    running = Worker(queue, workers=2)
    running.start()
    yield running
    running.stop()


def statuses(session: Session) -> list[DeliveryStatus]:
    session.expire_all()
    return list(session.scalars(select(Delivery.status).order_by(Delivery.id)))


def test_committed_changes_ring_the_trigger_through_the_workers(committing, make, worker):
    with receiving() as receiver, committing() as session:
        make.session = session
        make.oms(is_default=True, trigger_url=receiver.url, trigger_method="put")
        for _ in range(3):
            make.project()
        calls = receiver.wait_for(3)
        assert [call.method for call in calls] == ["PUT"] * 3
        time.sleep(0.2)
        assert len(receiver.calls) == 3, "each delivery is sent once"


def test_rolled_back_change_enqueues_nothing(committing, make, queue):
    with committing() as session:
        make.session = session
        make.oms(is_default=True, trigger_url="http://127.0.0.1:9/hook")
        owner = make.user()
        create_project(session, owner, ProjectData(name="Never saved"))
        session.rollback()
        assert queue.huey.pending_count() == 0
        create_project(session, owner, ProjectData(name="Saved"))
        session.commit()
    assert queue.huey.pending_count() == 1


def test_failed_hand_over_keeps_the_change_and_the_sweep_sends_it(
    engine, queue_settings, queue, make, session, worker
):
    broken = TaskQueue(
        queue_settings.model_copy(update={"queue_url": "redis://127.0.0.1:1/0"}),
        make_session_factory(engine),
    )
    factory = make_session_factory(engine)
    hand_over_deliveries(factory, broken)
    with receiving() as receiver:
        make.oms(is_default=True, trigger_url=receiver.url)
        with factory() as other:
            make.session = other
            make.project()
        make.session = session
        assert session.scalar(select(func.count(Project.id))) == 1
        assert statuses(session) == [DeliveryStatus.PENDING]

        assert queue.sweep() == 1
        receiver.wait_for(1)


def test_down_trigger_endpoint_never_blocks_or_fails_the_change(make, session, queue_settings):
    # A route that waited for the call would take at least the whole timeout; the timeout is
    # long enough that a page on a loaded CI machine (2.3 s seen) stays well below it.
    queue_settings = queue_settings.model_copy(update={"trigger_timeout": 5.0})
    application = create_app(queue_settings)
    in_process = Worker(application.state.queue, workers=1)
    with receiving(delay=6.0) as receiver, TestClient(application) as client:
        make.oms(is_default=True, trigger_url=receiver.url)
        log_in(client, make.user())
        in_process.start()
        try:
            began = time.monotonic()
            response = submit(client, "/projects/new", "/projects/new", PROJECT_FORM)
            took = time.monotonic() - began
            receiver.wait_for(1)
        finally:
            in_process.stop()
            application.state.engine.dispose()
    assert response.status_code == 303
    assert took < queue_settings.trigger_timeout
    assert session.scalar(select(Project.name)) == "Urgent"
    assert statuses(session) == [DeliveryStatus.PENDING], "timed out: retried later"


def _worker_process(settings: Settings, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(settings.data_dir),
        "MERCATO_SECRET_KEY": "test-secret",
        "MERCATO_QUEUE_URL": settings.queue_url,
        "MERCATO_QUEUE_NAME": settings.queue_name,
        "MERCATO_OUTGOING_ALLOWED_NETWORKS": settings.outgoing_allowed_networks,
        # A short timeout makes a short lease: the killed worker's call is retried sooner.
        "MERCATO_TRIGGER_TIMEOUT": "1",
    }
    command = shutil.which("mercato", path=str(Path(sys.executable).parent))
    assert command, "the mercato command is installed next to this Python"
    with log.open("ab") as output:
        return subprocess.Popen(
            [command, "worker", "--workers", "2"], env=env, stdout=output, stderr=output
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.mark.slow
def test_worker_killed_mid_delivery_loses_nothing(
    committing, make, session, queue_settings, database_url, tmp_path
):
    deliveries = 8
    log = tmp_path / "worker.log"
    with receiving(delay=0.5) as receiver:
        with committing() as writer:
            make.session = writer
            make.oms(is_default=True, trigger_url=receiver.url)
            for _ in range(deliveries):
                make.project()

        first = _worker_process(queue_settings, database_url, log)
        try:
            receiver.wait_for(1, timeout=30)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert statuses(session).count(DeliveryStatus.DELIVERED) < deliveries

        second = _worker_process(queue_settings, database_url, log)
        try:
            deadline = time.monotonic() + 60
            while set(statuses(session)) != {DeliveryStatus.DELIVERED}:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        finally:
            _stop(second)
    assert len(receiver.calls) >= deliveries
