"""Catalogue pages kept for visitors: served again without a query, until a commit
anywhere changes what they show."""

import socket
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from mercato.app import create_app
from mercato.catalogue.models import Offer
from mercato.db import transaction
from mercato.web.visitor_pages import watch_writes, written_table
from tests.web.pages import log_in


@pytest.fixture
def offer(make) -> Offer:
    return make.offer(name="Small virtual machine", internal=True)


def service_path(offer: Offer) -> str:
    return f"/services/{offer.service.slug}"


def test_a_visitors_page_is_served_again_without_a_query(client, offer, count_queries):
    first = client.get(service_path(offer))
    with count_queries() as queries:
        again = client.get(service_path(offer))
    assert again.status_code == 200
    assert again.text == first.text
    assert queries.count == 0


def test_each_query_string_is_a_page_of_its_own(client, make):
    make.offer(make.service(make.provider(name="Alpha Cloud"), name="Alpha service"))
    make.offer(make.service(make.provider(name="Beta Grid"), name="Beta service"))
    alpha = client.get("/?provider=alpha-cloud").text
    beta = client.get("/?provider=beta-grid").text
    assert "Alpha service" in alpha and "Beta service" not in alpha
    assert "Beta service" in beta and "Alpha service" not in beta


def test_a_change_the_app_commits_shows_at_once(app, client, offer):
    assert "Small virtual machine" in client.get(service_path(offer)).text
    with transaction(app.state.session_factory) as session:
        session.execute(update(Offer).where(Offer.id == offer.id).values(name="Large machine"))
    page = client.get(service_path(offer)).text
    assert "Large machine" in page
    assert "Small virtual machine" not in page


def test_a_change_another_process_commits_shows_at_once(client, make, offer):
    # The factories write through another engine, watched as a command's is.
    assert "Second offer" not in client.get(service_path(offer)).text
    make.offer(offer.service, name="Second offer")
    assert "Second offer" in client.get(service_path(offer)).text


def test_orders_leave_the_kept_pages_alone(client, make, offer, count_queries):
    project = make.project()
    client.get(service_path(offer))
    make.order(offer, project)
    with count_queries() as queries:
        assert client.get(service_path(offer)).status_code == 200
    assert queries.count == 0


def test_logged_in_users_get_their_own_page_and_it_is_not_kept(client, make, offer):
    path = service_path(offer)
    assert "Log out" not in client.get(path).text
    log_in(client, make.user())
    assert "Log out" in client.get(path).text
    client.cookies.clear()
    assert "Log out" not in client.get(path).text


def test_pages_that_did_not_opt_in_are_rendered_each_time(client, count_queries):
    client.get("/store")
    with count_queries() as queries:
        assert client.get("/store").status_code == 200
    assert queries.count > 0


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_the_stamp_in_redis_shows_changes_of_every_process(settings, engine, make, offer):
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    on_redis = settings.model_copy(
        update={"queue_url": "redis://127.0.0.1:6379/15", "queue_name": uuid.uuid4().hex}
    )
    watch_writes(engine, on_redis)
    application = create_app(on_redis)
    try:
        with TestClient(application) as client:
            assert "Second offer" not in client.get(service_path(offer)).text
            make.offer(offer.service, name="Second offer")
            assert "Second offer" in client.get(service_path(offer)).text
    finally:
        application.state.engine.dispose()


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("INSERT INTO offers (name) VALUES (?)", "offers"),
        ('UPDATE "users" SET name=%(name)s', "users"),
        ("DELETE FROM orders WHERE orders.id = ?", "orders"),
        ("SELECT offers.id FROM offers", None),
        ("WITH locked AS (SELECT 1) INSERT INTO events", None),
    ],
)
def test_written_table(statement: str, table: str | None) -> None:
    assert written_table(statement) == table
