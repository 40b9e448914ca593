"""The token → user cache: a few seconds of memory, revocations honoured at once everywhere."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from mercato.accounts import rules as accounts
from mercato.app import create_app
from mercato.db import transaction

RESOURCES = "/api/v1/resources"


@pytest.fixture
def other_process(settings) -> Iterator[TestClient]:
    """A second app on the same database and data folder: another web process."""
    application = create_app(settings)
    with TestClient(application) as client:
        yield client
    application.state.engine.dispose()


def test_a_known_token_is_looked_up_once_within_the_cache_time(client, make, count_queries):
    caller = make.token_user()
    client.get(RESOURCES, headers=caller.headers)

    with count_queries() as queries:
        response = client.get(RESOURCES, headers=caller.headers)

    assert response.status_code == 200
    assert not [sql for sql in queries.statements if "api_tokens" in sql]


def test_a_token_revoked_in_another_process_is_refused_at_once(client, other_process, make):
    caller = make.token_user()
    assert client.get(RESOURCES, headers=caller.headers).status_code == 200

    with transaction(other_process.app.state.session_factory) as session:
        accounts.revoke_all_tokens(session, session.merge(caller.user))
    response = client.get(RESOURCES, headers=caller.headers)

    assert (response.status_code, response.json()) == (
        401,
        {"error": "You need to sign in or sign up before continuing."},
    )


def test_a_token_revoked_on_the_account_page_is_refused_by_the_wstore_api_at_once(
    client, other_process, make
):
    caller = make.token_user()
    bearer = {"Authorization": f"Bearer {caller.token}"}
    assert other_process.get("/api/offering/offerings", headers=bearer).status_code == 200
    [token] = accounts.active_tokens(make.session, caller.user)

    with transaction(client.app.state.session_factory) as session:
        accounts.revoke_token(session, session.merge(caller.user), token.id)
    response = other_process.get("/api/offering/offerings", headers=bearer)

    assert response.status_code == 401


def test_a_rolled_back_revocation_changes_nothing(client, make, settings):
    caller = make.token_user()
    client.get(RESOURCES, headers=caller.headers)
    stamp = client.app.state.tokens.stamp.read()

    with client.app.state.session_factory() as session:
        accounts.revoke_all_tokens(session, session.merge(caller.user))
        session.rollback()

    assert client.app.state.tokens.stamp.read() == stamp
    assert client.get(RESOURCES, headers=caller.headers).status_code == 200


def test_no_cache_time_looks_the_token_up_every_time(settings, make):
    caller = make.token_user()
    application = create_app(settings.model_copy(update={"token_cache_seconds": 0}))
    seen: list[str] = []

    def note(connection, cursor, statement, *rest) -> None:
        seen.append(statement)

    with TestClient(application) as client:
        client.get(RESOURCES, headers=caller.headers)
        event.listen(application.state.engine, "before_cursor_execute", note)
        client.get(RESOURCES, headers=caller.headers)
    application.state.engine.dispose()

    assert len([statement for statement in seen if "api_tokens" in statement]) == 1
