"""The adapter's configuration file and backend lookup: clear refusals, naming the key."""

import tomllib

import pytest

from mercato_oms_adapter.backends.base import backend_class
from mercato_oms_adapter.backends.redmine import Redmine
from mercato_oms_adapter.config import ConfigError, parse, to_toml, with_backend

MINIMAL = {"backend": "jira", "marketplace": {"url": "http://m", "token": "t", "oms_id": 1}}


def test_a_minimal_file_gets_the_defaults():
    config = parse(MINIMAL | {"redmine": {"url": "http://r"}})
    assert (config.marketplace.cursor, config.service.poll_seconds) == ("auto", 30.0)
    assert config.backends == {"redmine": {"url": "http://r"}}
    assert with_backend(config, "redmine").backend == "redmine"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"backend": "jira"}, "[marketplace] is missing"),
        (MINIMAL | {"service": {"pol_seconds": 3}}, "[service] has unknown keys: pol_seconds"),
        (MINIMAL | {"backend": ""}, "backend is missing (jira, redmine or package.module:Class)"),
        (
            {**MINIMAL, "marketplace": {**MINIMAL["marketplace"], "cursor": "time"}},
            "[marketplace] cursor must be one of auto, id, timestamp",
        ),
        (
            MINIMAL | {"workflow": {"to_marketplace": {"Done": {"type": "finished"}}}},
            "[workflow.to_marketplace] 'Done' needs a type (one of registered, in_progress,"
            " waiting_for_response, ready, rejected, closed, approved) and a value",
        ),
        (MINIMAL | {"poll": 3}, "unknown top-level keys: poll"),
    ],
)
def test_mistakes_are_refused_by_name(data, message):
    with pytest.raises(ConfigError) as refused:
        parse(data)
    assert str(refused.value) == message


def test_backends_by_name_or_by_class_path():
    assert backend_class("redmine") is Redmine
    assert backend_class("mercato_oms_adapter.backends.redmine:Redmine") is Redmine
    with pytest.raises(ValueError, match="json:dumps is not a Backend subclass"):
        backend_class("json:dumps")
    with pytest.raises(ValueError, match="unknown backend 'trac'"):
        backend_class("trac")


def test_to_toml_writes_what_load_reads_back():
    data = MINIMAL | {
        "workflow": {"to_marketplace": {"In Progress": {"type": "in_progress", "value": 'a "b"'}}},
        "service": {"poll_seconds": 2.5, "port": 0},
    }
    assert tomllib.loads(to_toml(data)) == data
