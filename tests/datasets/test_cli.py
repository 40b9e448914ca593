"""`mercato load` and `mercato dump`, the real commands in their own processes."""

import json
import sqlite3
from pathlib import Path

from tests.datasets.test_catalogue import records
from tests.test_cli import environment, run


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps({"format": "mercato-dataset", "version": 1, **data}))
    return path


def count_rows(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "mercato.db") as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_load_then_dump_writes_the_same_data_set_a_second_database_dumps(tmp_path: Path) -> None:
    first, second = environment(tmp_path / "first"), environment(tmp_path / "second")
    source = write(tmp_path / "source.json", records())

    loaded = run(first, "load", str(source))
    dumped = run(first, "dump", str(tmp_path / "one" / "dump.json"))
    reloaded = run(second, "load", str(tmp_path / "one" / "dump.json"))
    run(second, "dump", str(tmp_path / "two" / "dump.json"))

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[-1] == (
        f"Loaded 2 users, 1 providers, 1 services, 2 omses, 3 offers from {source}."
    )
    assert dumped.returncode == 0 and reloaded.returncode == 0, dumped.stderr + reloaded.stderr
    one, two = (tmp_path / name / "dump.json" for name in ("one", "two"))
    assert json.loads(one.read_text()) == json.loads(two.read_text())
    assert [user["email"] for user in json.loads(two.read_text())["users"]] == [
        "ann@example.org",
        "bob@example.org",
    ]


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


def test_a_file_that_breaks_the_format_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    env = environment(tmp_path / "data")
    source = tmp_path / "old.json"
    source.write_text(json.dumps({"format": "mercato-dataset", "version": 2, "users": []}))

    result = run(env, "load", str(source))

    assert result.returncode == 1
    assert result.stderr == "Error: the data set, field 'version': Input should be 1\n"


def test_load_names_a_missing_file(tmp_path: Path) -> None:
    result = run(environment(tmp_path / "data"), "load", str(tmp_path / "nothing.json"))

    assert (result.returncode, result.stderr) == (1, f"Error: no file {tmp_path}/nothing.json\n")
