"""The real `mercato` console script, run as a subprocess on its own SQLite file."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text

import mercato.models  # noqa: F401  (every table on the metadata)
from mercato.accounts.rules import user_for_token
from mercato.catalogue.rules import managed_services
from mercato.db import Base, _migration_lock, alembic_config, make_engine, make_session_factory
from mercato.store.search_index import is_modelled
from tests.test_demo import DEMO_USERS

pytestmark = pytest.mark.slow

MERCATO = Path(sys.executable).with_name("mercato")
COMMAND_TIMEOUT = 60
SERVER_START_TIMEOUT = 60  # a liveness bound, not a speed goal: CI machines are shared
NOT_EMPTY = "Error: the database is not empty; demo data needs an empty one.\n"
ADA = "ada@example.org"
NAME = ("--first-name", "Ada", "--last-name", "Lovelace")


def environment(data_dir: Path) -> dict[str, str]:
    # Drop inherited MERCATO_* settings so nothing points at another database.
    env = {key: value for key, value in os.environ.items() if not key.startswith("MERCATO_")}
    return {**env, "MERCATO_DATA_DIR": str(data_dir)}


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return environment(tmp_path / "data")


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MERCATO), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def create_ada(env: dict[str, str]) -> None:
    result = run(env, "user", "create", "--email", ADA, *NAME, "--password", "analytical-engine")
    assert result.returncode == 0, result.stderr


def table_rows(output: str) -> list[list[str]]:
    """The cells of each body row of a Rich table (rows that wrap are not joined)."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_migrate_creates_the_database_in_the_data_folder(cli_env, tmp_path):
    result = run(cli_env, "migrate")

    assert (result.returncode, result.stdout) == (0, "Database schema is up to date.\n")
    assert (tmp_path / "data" / "mercato.db").is_file()


def test_user_create_prints_the_new_account(cli_env):
    result = run(
        cli_env, "user", "create", "--email", "Ada@Example.org", *NAME, "--password", "difference"
    )

    assert result.returncode == 0
    assert result.stdout.startswith("Created user ada@example.org (uid ")


def test_user_create_refuses_a_short_password(cli_env):
    result = run(cli_env, "user", "create", "--email", ADA, *NAME, "--password", "short")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "Error: password must have at least 8 characters\n"


def test_token_create_prints_a_token_that_token_list_shows(cli_env):
    create_ada(cli_env)

    created = run(cli_env, "token", "create", "--user", ADA, "--label", "laptop")
    listed = run(cli_env, "token", "list", "--user", ADA)

    token = created.stdout.strip()
    assert (created.returncode, len(token)) == (0, 32)
    assert listed.returncode == 0
    assert [row[:3] for row in table_rows(listed.stdout)] == [["1", f"{token[:6]}…", "laptop"]]


def test_token_create_for_an_unknown_user_fails(cli_env):
    result = run(cli_env, "token", "create", "--user", "nobody@example.org")

    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "Error: User not found\n",
    )


def test_token_revoke_removes_every_token_of_the_user(cli_env):
    create_ada(cli_env)
    run(cli_env, "token", "create", "--user", ADA)
    run(cli_env, "token", "create", "--user", ADA)

    revoked = run(cli_env, "token", "revoke", "--user", ADA)
    listed = run(cli_env, "token", "list", "--user", ADA)

    assert (revoked.returncode, revoked.stdout) == (0, "Revoked 2 token(s) of ada@example.org.\n")
    assert table_rows(listed.stdout) == []


def test_token_revoke_by_id_keeps_the_other_tokens(cli_env):
    create_ada(cli_env)
    run(cli_env, "token", "create", "--user", ADA, "--label", "old")
    kept = run(cli_env, "token", "create", "--user", ADA, "--label", "new")

    revoked = run(cli_env, "token", "revoke", "--user", ADA, "--id", "1")
    listed = run(cli_env, "token", "list", "--user", ADA)

    assert (revoked.returncode, revoked.stdout) == (0, "Revoked 1 token(s) of ada@example.org.\n")
    assert [row[:3] for row in table_rows(listed.stdout)] == [
        ["2", f"{kept.stdout.strip()[:6]}…", "new"]
    ]


def test_token_regenerate_replaces_every_token_with_one(cli_env):
    create_ada(cli_env)
    run(cli_env, "token", "create", "--user", ADA)
    run(cli_env, "token", "create", "--user", ADA)

    regenerated = run(cli_env, "token", "regenerate", "--user", ADA)
    listed = run(cli_env, "token", "list", "--user", ADA)

    token = regenerated.stdout.strip()
    assert (regenerated.returncode, len(token)) == (0, 32)
    assert [row[:2] for row in table_rows(listed.stdout)] == [["3", f"{token[:6]}…"]]


def test_provider_and_service_create_fill_an_empty_catalogue(cli_env, tmp_path):
    create_ada(cli_env)

    provider = run(cli_env, "provider", "create", "--name", "Data Hub", "--admin", ADA)
    service = run(
        cli_env,
        "service",
        "create",
        "--provider",
        "data-hub",
        "--name",
        "Notebooks",
        "--description",
        "Hosted Jupyter",
        "--order-type",
        "open_access",
        "--pid",
        "21.T/nb",
        "--category",
        "Analytics",
    )
    token = run(cli_env, "token", "create", "--user", ADA).stdout.strip()

    assert (provider.returncode, provider.stdout) == (0, "Created provider Data Hub (data-hub).\n")
    assert (service.returncode, service.stdout) == (0, "Created service Notebooks (notebooks).\n")
    with make_session_factory(make_engine(f"sqlite:///{tmp_path / 'data' / 'mercato.db'}"))() as db:
        user = user_for_token(db, token)
        assert [(s.slug, s.pid, s.order_type.value) for s in managed_services(db, user)] == [
            ("notebooks", "21.T/nb", "open_access")
        ]


def test_service_create_for_an_unknown_provider_fails(cli_env):
    result = run(
        cli_env,
        "service",
        "create",
        "--provider",
        "nope",
        "--name",
        "X",
        "--description",
        "Y",
        "--order-type",
        "other",
    )

    assert (result.returncode, result.stderr) == (1, "Error: Provider not found\n")


def test_demo_prints_every_demo_user_with_password_and_token(cli_env, tmp_path):
    result = run(cli_env, "demo")

    rows = table_rows(result.stdout)
    assert result.returncode == 0, result.stderr
    assert [tuple(row[:4]) for row in rows] == DEMO_USERS
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'mercato.db'}")
    with make_session_factory(engine)() as session:
        owners = [getattr(user_for_token(session, row[4]), "email", None) for row in rows]
    engine.dispose()
    assert owners == [row[0] for row in DEMO_USERS]


def test_demo_refuses_a_second_run(cli_env):
    run(cli_env, "demo")

    again = run(cli_env, "demo")

    assert (again.returncode, again.stdout, again.stderr) == (1, "", NOT_EMPTY)


# --- serve ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(
    base_url: str, process: subprocess.Popen[bytes], timeout: float = SERVER_START_TIMEOUT
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mercato serve exited with {process.returncode}")
        try:
            httpx.get(f"{base_url}/docs", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"mercato serve did not answer within {timeout} s")


@contextmanager
def serving(env: dict[str, str], log_dir: Path, *args: str) -> Iterator[tuple[str, Path]]:
    """Run `mercato serve` on a free loopback port; yields its URL and its stdout file."""
    port = free_port()
    stdout, stderr = log_dir / "serve.out", log_dir / "serve.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [str(MERCATO), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env,
            stdout=out,
            stderr=err,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_answering(base_url, process)
        yield base_url, stdout
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One `mercato serve --demo` for the read-only checks below; yields URL and output."""
    folder = tmp_path_factory.mktemp("serve-demo")
    with serving(environment(folder / "data"), folder, "--demo") as (base_url, stdout):
        yield base_url, stdout.read_text()


def test_serve_says_where_it_listens(demo_server):
    base_url, output = demo_server

    assert f"Mercato on {base_url} (API docs at /docs)" in output


def test_serve_demo_serves_the_home_page(demo_server):
    base_url, _ = demo_server

    response = httpx.get(f"{base_url}/", timeout=5)

    assert response.status_code == 200


def test_serve_demo_serves_the_api_docs(demo_server):
    base_url, _ = demo_server

    response = httpx.get(f"{base_url}/docs", timeout=5)

    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "text/html; charset=utf-8",
    )


def test_serve_demo_lists_a_data_administrators_services(demo_server):
    base_url, output = demo_server
    tokens = {row[0]: row[4] for row in table_rows(output)}

    response = httpx.get(
        f"{base_url}/api/v1/resources",
        headers={"X-User-Token": tokens["ingrid.larsen@mercato.example"]},
        timeout=5,
    )

    assert response.status_code == 200
    assert [resource["id"] for resource in response.json()["resources"]] == [
        "nrc-virtual-machines",
        "nrc-object-storage",
        "nrc-gpu-cloud",
        "nrc-managed-kubernetes",
        "nrc-backup-as-a-service",
        # The store offering "NRC Cloud API" is carried by a service of that name.
        "nrc-cloud-api",
    ]


def test_serve_demo_leaves_a_database_with_users_alone(cli_env, tmp_path):
    create_ada(cli_env)

    with serving(cli_env, tmp_path, "--demo") as (_, stdout):
        output = stdout.read_text()

    assert "The database already has data; demo data not loaded.\n" in output
    assert "Demo users" not in output


# --- starting together on a fresh database ------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new database beside the
    PostgreSQL one the suite runs on (skipped when it runs on SQLite)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    configured = os.environ.get("MERCATO_TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        pytest.skip("MERCATO_TEST_DATABASE_URL does not name a PostgreSQL database")
    server = make_url(configured)
    name = f"{server.database}_fresh_{os.getpid()}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def assert_schema_at_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": is_modelled}
            )
            heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
            assert context.get_current_heads() == tuple(heads) != ()
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def start(env: dict[str, str], log_dir: Path, name: str, *args: str) -> subprocess.Popen[bytes]:
    with (log_dir / f"{name}.out").open("w") as out, (log_dir / f"{name}.err").open("w") as err:
        return subprocess.Popen([str(MERCATO), *args], env=env, stdout=out, stderr=err)


def finished(process: subprocess.Popen[bytes], log_dir: Path, name: str) -> tuple[int, str, str]:
    code = process.wait(timeout=COMMAND_TIMEOUT)
    return code, (log_dir / f"{name}.out").read_text(), (log_dir / f"{name}.err").read_text()


@pytest.mark.slow
def test_migrators_started_together_on_a_fresh_database_all_succeed(
    fresh_database_url, cli_env, tmp_path
):
    env = {**cli_env, "MERCATO_DATABASE_URL": fresh_database_url}
    names = [f"migrate-{number}" for number in range(4)]

    processes = {name: start(env, tmp_path, name, "migrate") for name in names}

    outcomes = [finished(process, tmp_path, name) for name, process in processes.items()]
    assert outcomes == [(0, "Database schema is up to date.\n", "")] * len(names)
    assert_schema_at_head(fresh_database_url)


def asks_for_the_migration_lock(database_url: str, data_dir: Path) -> bool:
    """Whether `mercato migrate` has come to the migration lock.

    PostgreSQL shows the advisory lock it waits for; on SQLite, the command makes
    its data folder just before it migrates (filelock polls, so nothing else shows).
    """
    if not database_url.startswith("postgresql"):
        return data_dir.is_dir()
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            waiting = connection.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            )
    finally:
        engine.dispose()
    return bool(waiting)


@pytest.mark.slow
def test_a_migrator_waits_its_turn_while_another_holds_the_migration_lock(
    fresh_database_url, cli_env, tmp_path
):
    env = {**cli_env, "MERCATO_DATABASE_URL": fresh_database_url}
    engine = make_engine(fresh_database_url)

    with _migration_lock(engine):
        migrator = start(env, tmp_path, "migrate", "migrate")
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while not asks_for_the_migration_lock(fresh_database_url, tmp_path / "data"):
            assert migrator.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(2)
        waited = migrator.poll() is None
        with engine.connect() as connection:
            tables_meanwhile = inspect(connection).get_table_names()
    engine.dispose()

    assert (waited, tables_meanwhile) == (True, [])
    assert finished(migrator, tmp_path, "migrate") == (0, "Database schema is up to date.\n", "")
    assert_schema_at_head(fresh_database_url)


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, which `serve` and `worker` take as a graceful stop; its exit code."""
    process.terminate()
    try:
        return process.wait(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=10)


@pytest.mark.slow
def test_serve_and_worker_started_together_on_a_fresh_database_both_run(
    fresh_database_url, cli_env, tmp_path
):
    env = {**cli_env, "MERCATO_DATABASE_URL": fresh_database_url}
    port = free_port()

    server = start(env, tmp_path, "serve", "serve", "--host", "127.0.0.1", "--port", str(port))
    worker = start(env, tmp_path, "worker", "worker", "--workers", "1")
    migrator = start(env, tmp_path, "migrate", "migrate")
    try:
        # Three processes start at once, each importing everything: give them time.
        wait_until_answering(f"http://127.0.0.1:{port}", server, timeout=COMMAND_TIMEOUT)
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=COMMAND_TIMEOUT)
        migrated = finished(migrator, tmp_path, "migrate")
        still_running = worker.poll() is None
    finally:
        stopped = [stop(process) for process in (server, worker, migrator)]

    assert (home.status_code, migrated[0], still_running) == (200, 0, True)
    assert stopped[1] == 0
    for name in ("serve", "worker", "migrate"):
        assert "Traceback" not in (tmp_path / f"{name}.err").read_text()
    worker_output = (tmp_path / "worker.out").read_text()
    assert "Mercato worker: 1 thread(s) on the SQLite queue" in worker_output
    assert_schema_at_head(fresh_database_url)


# --- serve --workers ------------------------------------------------------------------


def child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sorted(int(child) for child in children)


def has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` holds a file descriptor on ``path``."""
    fds = Path(f"/proc/{pid}/fd")
    for fd in os.listdir(fds):
        try:
            if Path(os.readlink(fds / fd)) == path:
                return True
        except FileNotFoundError:
            pass  # closed since the listing: it was not held
    return False


def serving_processes(pid: int) -> list[int]:
    """The processes that uvicorn's supervisor ``pid`` started to serve requests."""
    return [
        child
        for child in child_pids(pid)
        if b"multiprocessing.spawn" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads Linux's /proc")
def test_serve_with_two_workers_answers_from_two_processes_and_works_the_queue_once(
    cli_env, tmp_path
):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start(
        cli_env, tmp_path, "serve", "serve", "--demo", "--port", str(port), "--workers", "2"
    )
    try:
        wait_until_answering(base_url, server, timeout=COMMAND_TIMEOUT)
        with httpx.Client(base_url=base_url, timeout=10) as client:
            statuses = {client.get("/").status_code for _ in range(20)}
        # The queue's worker polls queue.db; a web process opens it only to hand over.
        queue_db = (tmp_path / "data" / "queue.db").resolve()
        web = serving_processes(server.pid)
        opened = [has_open(pid, queue_db) for pid in (server.pid, *web)]
    finally:
        stopped = stop(server)

    output = (tmp_path / "serve.out").read_text()
    assert statuses == {200}
    assert (len(web), opened) == (2, [True, False, False])
    assert output.count("Queue worker: in process") == 1
    assert f"Queue worker: in process {server.pid}\n" in output
    assert stopped == 0
    assert "Traceback" not in (tmp_path / "serve.err").read_text()
