"""`mercato load` and `mercato dump`, the real commands in their own processes."""

import base64
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

import mercato.demo
from mercato.datasets.loading import STEPS
from mercato.datasets.schema import KINDS
from tests.cli.test_server import MERCATO, environment, run
from tests.datasets.test_catalogue import records
from tests.ordering.test_triggers_queue import _stop
from tests.ordering.trigger_receiver import receiving

DEMO = Path(mercato.demo.__file__).parent / "demo.json"


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps({"format": "mercato-dataset", "version": 1, **data}))
    return path


def count_rows(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "mercato.db") as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.slow
def test_load_then_dump_writes_the_same_data_set_a_second_database_dumps(tmp_path: Path) -> None:
    first, second = environment(tmp_path / "first"), environment(tmp_path / "second")
    one, two = tmp_path / "one" / "dump.json", tmp_path / "two" / "dump.json"

    loaded = run(first, "load", str(DEMO))
    dumped = run(first, "dump", str(one))
    reloaded = run(second, "load", str(one))
    run(second, "dump", str(two))

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[-1] == (
        "Loaded 2 currencies, 1 units, 2 tax rates, 9 users, 6 providers, 33 services, 3 omses, "
        "69 offers, 2 bundles, 2 projects, "
        f"4 orders, 5 messages, 4 assets, 4 offerings from {DEMO}."
    )
    assert dumped.returncode == 0 and reloaded.returncode == 0, dumped.stderr + reloaded.stderr
    assert dumped.stdout.splitlines()[-1] == (
        "Wrote 2 currencies, 7 units, 2 tax rates, 9 users, 6 providers, 33 services, 3 omses, "
        "69 offers, 2 bundles, 2 projects, "
        f"4 orders, 5 messages, 4 assets, 4 offerings to {one} (no passwords, no API tokens)."
    )
    assert json.loads(one.read_text()) == json.loads(two.read_text())
    assert files_under(one.parent / "files") == files_under(two.parent / "files")
    assert files_under(one.parent / "files")[
        "assets/helix-life-science-data-centre/variant-annotator/annotate.py"
    ] == ((DEMO.parent / "files" / "annotate.py").read_bytes())


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_steps_load_the_kinds_in_the_order_of_the_format() -> None:
    assert tuple(kind for kind, _ in STEPS) == KINDS


@pytest.mark.slow
def test_a_broken_record_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    env = environment(tmp_path / "data")
    broken = records()
    broken["offers"][2]["service"] = "nowhere"
    source = write(tmp_path / "broken.json", broken)

    result = run(env, "load", str(source))

    assert result.returncode == 1
    assert result.stderr == (
        "Error: offers[2] (ref 'next'), field 'service': "
        "names no services record 'nowhere' of this data set\n"
    )
    assert [count_rows(tmp_path / "data", table) for table in ("users", "services", "offers")] == [
        0,
        0,
        0,
    ]


@pytest.mark.slow
def test_a_file_that_breaks_the_format_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    env = environment(tmp_path / "data")
    source = tmp_path / "old.json"
    source.write_text(json.dumps({"format": "mercato-dataset", "version": 2, "users": []}))

    result = run(env, "load", str(source))

    assert result.returncode == 1
    assert result.stderr == "Error: the data set, field 'version': Input should be 1\n"


@pytest.mark.slow
def test_load_names_a_missing_file(tmp_path: Path) -> None:
    result = run(environment(tmp_path / "data"), "load", str(tmp_path / "nothing.json"))

    assert (result.returncode, result.stderr) == (1, f"Error: no file {tmp_path}/nothing.json\n")


@pytest.mark.slow
def test_loading_orders_rings_their_oms_trigger_through_a_worker(tmp_path: Path) -> None:
    env = {
        **environment(tmp_path / "data"),
        "MERCATO_OUTGOING_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    with receiving() as receiver:
        source = write(tmp_path / "orders.json", with_an_order(receiver.url))
        # Migrated first, so the worker and the load don't both migrate at once.
        assert run(env, "migrate").returncode == 0
        worker = subprocess.Popen(
            [str(MERCATO), "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            loaded = run(env, "load", str(source))
            calls = receiver.wait_for(2, timeout=20)
        finally:
            _stop(worker)

    assert loaded.returncode == 0, loaded.stderr
    # The order's creation and the message on it; the project had no order when it was made.
    assert [(call.method, call.path) for call in calls] == [("PUT", "/hook"), ("PUT", "/hook")]
    assert calls[0].authorization == "Basic " + base64.b64encode(b"desk:s3cret").decode()


def with_an_order(trigger_url: str) -> dict[str, Any]:
    data = records()
    data["omses"][1]["trigger"] = {
        "url": trigger_url,
        "method": "put",
        "user": "desk",
        "password": "s3cret",
    }
    data["projects"] = [{"ref": "p", "owner": "ann", "name": "Climate"}]
    data["orders"] = [
        {"ref": "o", "project": "p", "offer": "small", "offer_properties": []},
    ]
    data["messages"] = [{"order": "o", "author_role": "user", "author": "ann", "content": "Hi"}]
    return data
