"""Answers kept until what they show changes: catalogue pages for visitors, API reads
per caller. Served again without a query, until a commit anywhere changes them."""

import socket
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from mercato.accounts import rules as accounts
from mercato.app import create_app
from mercato.catalogue.models import Offer
from mercato.db import transaction
from mercato.kept_answers import stamp_of, watch_writes, written_table
from mercato.stamps import CATALOGUE_CHANGES, ORDERING_CHANGES
from tests.ordering.oms_world import World, build_world
from tests.web.pages import log_in

RESOURCES = "/api/v1/resources"
UNAUTHENTICATED = {"error": "You need to sign in or sign up before continuing."}


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


@pytest.mark.parametrize(
    ("table", "stamp"),
    [
        ("offers", CATALOGUE_CHANGES),
        ("users", CATALOGUE_CHANGES),
        ("orders", ORDERING_CHANGES),
        ("events", ORDERING_CHANGES),
        ("deliveries", None),
        ("api_tokens", None),
    ],
)
def test_the_stamp_a_write_changes(table: str, stamp: str | None) -> None:
    assert stamp_of(table) == stamp


# --- API reads, kept per caller --------------------------------------------------------


@pytest.fixture
def world(make) -> World:
    return build_world(make)


def offers_path(world: World) -> str:
    return f"{RESOURCES}/{world.default_offer.service.slug}/offers"


def events_path(world: World) -> str:
    return f"/api/v1/oms/{world.default.id}/events?from_id=0"


def test_a_callers_read_is_answered_again_without_a_query(client, world, count_queries):
    first = client.get(events_path(world), headers=world.operator.headers)
    with count_queries() as queries:
        again = client.get(events_path(world), headers=world.operator.headers)
    assert again.status_code == 200
    assert again.content == first.content
    assert queries.count == 0


def test_each_caller_gets_their_own_answer(client, world):
    assert client.get(events_path(world), headers=world.operator.headers).status_code == 200
    refused = client.get(events_path(world), headers=world.nobody.headers)
    assert (refused.status_code, refused.json()) == (
        403,
        {"error": "You are not authorized to perform this action."},
    )


def test_the_same_token_as_a_bearer_is_a_caller_of_its_own(client, world):
    assert client.get(RESOURCES, headers=world.operator.headers).status_code == 200
    anonymous = client.get(RESOURCES)
    assert (anonymous.status_code, anonymous.json()) == (401, UNAUTHENTICATED)


def test_a_revoked_token_is_refused_at_once(client, world):
    assert client.get(events_path(world), headers=world.operator.headers).status_code == 200
    with transaction(client.app.state.session_factory) as session:
        accounts.revoke_all_tokens(session, session.merge(world.operator.user))
    refused = client.get(events_path(world), headers=world.operator.headers)
    assert (refused.status_code, refused.json()) == (401, UNAUTHENTICATED)


def test_a_new_order_shows_in_the_events_at_once(client, make, world):
    before = client.get(events_path(world), headers=world.operator.headers).json()["events"]
    make.order(world.default_offer, world.shared)
    after = client.get(events_path(world), headers=world.operator.headers).json()["events"]
    assert len(after) == len(before) + 1


def test_orders_leave_kept_catalogue_reads_alone(client, make, world, count_queries):
    client.get(offers_path(world), headers=world.operator.headers)
    make.order(world.default_offer, world.shared)
    with count_queries() as queries:
        assert client.get(offers_path(world), headers=world.operator.headers).status_code == 200
    assert queries.count == 0


def test_a_changed_offer_shows_at_once(client, make):
    steward = make.token_user()
    service = make.service(make.provider(steward.user), name="Storage")
    make.offer(service, name="Small", internal=True)
    path = f"{RESOURCES}/{service.slug}/offers"

    def names() -> list[str]:
        return [
            offer["name"] for offer in client.get(path, headers=steward.headers).json()["offers"]
        ]

    assert names() == ["Small"]
    make.offer(service, name="Large", internal=True)
    assert names() == ["Small", "Large"]


def test_no_cache_asks_for_a_fresh_answer(client, world, count_queries):
    client.get(events_path(world), headers=world.operator.headers)
    with count_queries() as queries:
        fresh = client.get(
            events_path(world), headers={**world.operator.headers, "Cache-Control": "no-cache"}
        )
    assert fresh.status_code == 200
    assert queries.count > 0


def test_answers_name_the_host_they_were_asked_on(client, world):
    path = "/api/offering/offerings?filter=published"
    bearer = {"Authorization": f"Bearer {world.operator.token}"}
    client.get(path, headers={**bearer, "Host": "one.example"})
    with_other_host = client.get(path, headers={**bearer, "Host": "two.example"})
    assert with_other_host.status_code == 200
    assert "one.example" not in with_other_host.text


def test_without_a_token_cache_no_callers_answer_is_kept(settings, world):
    application = create_app(settings.model_copy(update={"token_cache_seconds": 0}))
    statements: list[str] = []
    try:
        with TestClient(application) as client:
            client.get(events_path(world), headers=world.operator.headers)
            event.listen(
                application.state.engine,
                "before_cursor_execute",
                lambda *args: statements.append(args[2]),
            )
            client.get(events_path(world), headers=world.operator.headers)
    finally:
        application.state.engine.dispose()
    assert any("FROM events" in statement for statement in statements)
