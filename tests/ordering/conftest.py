"""Fixtures of the trigger tests: settings that let triggers call loopback, a session
factory for the worker's own transactions, and an HTTP client for its calls."""

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from mercato.db import make_session_factory
from mercato.settings import Settings


@pytest.fixture
def trigger_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"outgoing_allowed_networks": "127.0.0.0/8", "trigger_timeout": 2.0}
    )


@pytest.fixture
def factory(engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def http():
    with httpx.Client() as client:
        yield client
