"""The EOSC Ordering API's shapes, errors, order of checks, obfuscation and event feed (§3)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from mercato.catalogue.models import TriggerMethod
from mercato.ordering.models import (
    AuthorRole,
    Event,
    Message,
    MessageScope,
    Order,
    StatusChange,
    StatusType,
)
from tests.eosc_reference import assert_ordering_response
from tests.ordering.oms_world import build_world

FORBIDDEN = {"error": "You are not authorized to perform this action."}
ITEM = "/api/v1/oms/{oms_id}/projects/{p_id}/project_items/{pi_id}"
MESSAGES = "/api/v1/oms/{oms_id}/messages"
EVENTS = "/api/v1/oms/{oms_id}/events"
AUTHOR = {"uid": "desk-1", "email": "desk@example.org", "name": "Help desk", "role": "provider"}


@pytest.fixture
def world(make):
    return build_world(make)


def _item_path(world, order, oms=None) -> str:
    oms = oms or world.provider_oms
    return f"/api/v1/oms/{oms.id}/projects/{order.project_id}/project_items/{order.iid}"


def _counts(session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(Event.id))),
        session.scalar(select(func.count(Message.id))),
        session.scalar(select(func.count(StatusChange.id))),
    )


# --- shapes -------------------------------------------------------------------------


def test_an_oms_shows_its_custom_params_and_trigger(client, session, world):
    oms = world.provider_oms
    oms.custom_params = {"order_target": {"mandatory": False}}
    oms.trigger_url, oms.trigger_method = "https://oms.example.org/trigger", TriggerMethod.PUT
    oms.trigger_user, oms.trigger_password = "mp", "s3cret"
    session.commit()

    response = client.get(f"/api/v1/oms/{oms.id}", headers=world.provider.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": oms.id,
        "name": "Nordic OMS",
        "type": "provider_group",
        "default": False,
        "trigger": {
            "url": "https://oms.example.org/trigger",
            "method": "put",
            "authorization": {"user": "mp", "password": "s3cret"},
        },
        "custom_params": {"order_target": {"mandatory": False}},
    }
    # The EOSC serializer's key order; no `type` in `authorization`, though the EOSC
    # schema asks for one (reference §8.8), so the document cannot check this answer.
    assert list(response.json()) == ["id", "name", "type", "default", "trigger", "custom_params"]


def test_a_project_shows_its_owner_attributes_and_all_item_iids(client, world):
    response = client.get(
        f"/api/v1/oms/{world.provider_oms.id}/projects/{world.shared.id}/",
        headers=world.provider.headers,
    )

    owner = world.shared.owner
    assert response.status_code == 200
    assert response.json() == {
        "id": world.shared.id,
        "owner": {
            "uid": owner.uid,
            "email": "cleo@example.org",
            "name": "Cleo Customer",
            "first_name": "Cleo",
            "last_name": "Customer",
        },
        "project_items": [1, 2, 3],
        "attributes": {
            "name": "Dark matter",
            "customer_typology": "single_user",
            "organization": "",
            "department": "",
            "department_webpage": "",
            "scientific_domains": [],
            "country": "",
            "collaboration_countries": [],
            "user_group_name": "",
        },
    }
    assert_ordering_response(response, "/api/v1/oms/{oms_id}/projects/{p_id}")


def test_a_project_item_shows_its_offer_status_and_obfuscated_secrets(client, session, world):
    order = session.get(Order, world.default_order.id)
    order.user_secrets = {"password": "hunter2"}
    order.voucher_id = "V-1"
    world.default_offer.oms_params = {"order_target": "queue-7"}
    session.add(world.default_offer)
    session.commit()

    response = client.get(_item_path(world, order, world.default), headers=world.operator.headers)

    assert response.status_code == 200
    body = response.json()
    properties = body["attributes"].pop("offer_properties")
    assert body == {
        "id": 1,
        "project_id": world.shared.id,
        "status": {"value": "created", "type": "created"},
        "attributes": {
            "category": "",
            "service": "Cloud Compute",
            "offer": "Basic",
            "platforms": [],
            "request_voucher": False,
            "order_type": "order_required",
            "supplied_voucher_id": "V-1",
        },
        "oms_params": {"order_target": "queue-7"},
        "user_secrets": {"password": "<OBFUSCATED>"},
    }
    assert properties == order.offer_properties
    assert [p["id"] for p in properties] == ["0", "1", "2", "3", "4", "5", "6"]
    assert_ordering_response(response, ITEM)


def test_user_direct_messages_are_obfuscated_in_lists_and_reads(client, make, world):
    public = make.message(world.provider_order, content="Hello")
    direct = make.message(
        world.provider_order, scope=MessageScope.USER_DIRECT, role=AuthorRole.PROVIDER
    )
    internal = make.message(
        world.provider_order, scope=MessageScope.INTERNAL, role=AuthorRole.PROVIDER
    )
    oms_id = world.provider_oms.id

    listed = client.get(
        f"/api/v1/oms/{oms_id}/messages",
        params={"project_id": world.shared.id, "project_item_id": 2},
        headers=world.provider.headers,
    )
    single = client.get(
        f"/api/v1/oms/{oms_id}/messages/{direct.id}", headers=world.provider.headers
    )

    assert listed.status_code == 200
    assert [(m["id"], m["scope"], m["content"]) for m in listed.json()["messages"]] == [
        (public.id, "public", "Hello"),
        (direct.id, "user_direct", "<OBFUSCATED>"),
        (internal.id, "internal", "Hello"),
    ]
    assert single.json()["content"] == "<OBFUSCATED>"
    assert single.json()["author"] == {
        "uid": world.shared.owner.uid,
        "email": "cleo@example.org",
        "name": "Cleo Customer",
        "role": "provider",
    }
    assert_ordering_response(listed, MESSAGES)
    assert_ordering_response(single, MESSAGES + "/{m_id}")


def test_project_messages_exclude_item_messages_and_page_by_id(client, make, world):
    first = make.message(world.shared, content="one")
    make.message(world.provider_order, content="on the item")
    second = make.message(world.shared, content="two")
    third = make.message(world.shared, content="three")

    response = client.get(
        f"/api/v1/oms/{world.provider_oms.id}/messages",
        params={"project_id": world.shared.id, "from_id": first.id, "limit": 1},
        headers=world.provider.headers,
    )

    assert [m["content"] for m in response.json()["messages"]] == ["two"]
    assert second.id < third.id


# --- writes -------------------------------------------------------------------------


def test_patching_an_item_sets_status_merges_secrets_and_shows_only_sent_ones(
    client, session, world
):
    order = session.get(Order, world.provider_order.id)
    order.user_secrets = {"login": "cleo"}
    session.commit()

    response = client.patch(
        _item_path(world, order),
        json={
            "status": {"value": "Deploying", "type": "in_progress"},
            "user_secrets": {"password": "hunter2"},
        },
        headers=world.provider.headers,
    )

    assert response.status_code == 200
    assert response.json()["status"] == {"value": "Deploying", "type": "in_progress"}
    assert response.json()["user_secrets"] == {"login": "<OBFUSCATED>", "password": "hunter2"}
    session.refresh(order)
    assert order.user_secrets == {"login": "cleo", "password": "hunter2"}
    event = session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert event.changes == [
        {"field": "status.value", "before": "created", "after": "Deploying"},
        {"field": "status.type", "before": "created", "after": "in_progress"},
        {"field": "user_secrets", "before": "<OBFUSCATED>", "after": "<OBFUSCATED>"},
    ]
    assert_ordering_response(response, ITEM, "patch")


def test_granting_a_voucher_posts_a_private_message_to_the_customer(client, session, world):
    response = client.patch(
        _item_path(world, world.provider_order),
        json={"user_secrets": {"voucher_id": "V-42"}},
        headers=world.provider.headers,
    )

    assert response.status_code == 200
    message = session.scalars(select(Message)).one()
    assert (message.scope, message.author_role, message.content, message.order_id) == (
        MessageScope.USER_DIRECT,
        AuthorRole.PROVIDER,
        "Voucher has been granted to you, ID: V-42",
        world.provider_order.id,
    )


def test_empty_user_secrets_change_nothing(client, session, world):
    before = _counts(session)

    response = client.patch(
        _item_path(world, world.provider_order),
        json={"user_secrets": {}},
        headers=world.provider.headers,
    )

    assert response.status_code == 200
    assert _counts(session) == before


def test_posting_a_message_answers_201_with_content_in_clear(client, session, world):
    response = client.post(
        f"/api/v1/oms/{world.provider_oms.id}/messages",
        json={
            "project_id": world.shared.id,
            "project_item_id": 2,
            "author": AUTHOR,
            "content": "Your password is in the secrets",
            "scope": "user_direct",
        },
        headers=world.provider.headers,
    )

    message = session.scalars(select(Message)).one()
    stamp = message.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert response.status_code == 201
    assert response.json() == {
        "id": message.id,
        "author": AUTHOR,
        "content": "Your password is in the secrets",
        "scope": "user_direct",
        "created_at": stamp,
        "updated_at": stamp,
    }
    assert message.order_id == world.provider_order.id
    assert_ordering_response(response, MESSAGES, "post")


def test_a_null_item_id_posts_on_the_project(client, session, world):
    response = client.post(
        f"/api/v1/oms/{world.provider_oms.id}/messages",
        json={
            "project_id": world.shared.id,
            "project_item_id": None,
            "author": AUTHOR,
            "content": "For the whole project",
            "scope": "public",
        },
        headers=world.provider.headers,
    )

    assert response.status_code == 201
    assert session.scalars(select(Message.order_id)).one() is None


def test_editing_a_message_records_an_obfuscated_change_for_private_ones(
    client, session, make, world
):
    message = make.message(
        world.provider_order, scope=MessageScope.USER_DIRECT, role=AuthorRole.PROVIDER
    )

    response = client.patch(
        f"/api/v1/oms/{world.provider_oms.id}/messages/{message.id}/",
        json={"content": "Hello again"},
        headers=world.provider.headers,
    )

    assert response.status_code == 200
    assert response.json()["content"] == "Hello again"
    event = session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert event.changes == [
        {"field": "content", "before": "<OBFUSCATED>", "after": "<OBFUSCATED>"}
    ]
    assert_ordering_response(response, MESSAGES + "/{m_id}", "patch")


# --- 400s, in the reference's words, with nothing written -------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "The property '#/' of type object did not match one or more of the required schemas"),
        (
            {"status": {"value": "x", "type": "LOL"}},
            "The property '#/status/type' value \"LOL\" did not match one of the following "
            "values: rejected, waiting_for_response, registered, in_progress, ready, closed, "
            "approved",
        ),
        (
            {"status": {"value": "x", "type": "created"}},
            "The property '#/status/type' value \"created\" did not match one of the following "
            "values: rejected, waiting_for_response, registered, in_progress, ready, closed, "
            "approved",
        ),
        (
            {"status": {"type": "ready"}},
            "The property '#/status' did not contain a required property of 'value'",
        ),
        (
            {"user_secrets": "x"},
            "The property '#/user_secrets' of type string did not match the following type: object",
        ),
        (
            {"status": {"value": "x", "type": "ready"}, "status_type": "ready"},
            "The property '#/' contains additional properties [\"status_type\"] outside of the "
            "schema when none are allowed",
        ),
        (
            {"status": {"value": "Done", "type": "ready"}, "user_secrets": {"a": 1}},
            {"user_secrets": ["values must be strings"]},
        ),
    ],
)
def test_a_bad_item_update_is_400_and_writes_nothing(client, session, world, body, error):
    before = _counts(session)

    response = client.patch(
        _item_path(world, world.provider_order), json=body, headers=world.provider.headers
    )

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert _counts(session) == before
    session.refresh(world.provider_order)
    assert world.provider_order.status_type == StatusType.CREATED
    assert_ordering_response(response, ITEM, "patch")


def _message_body(**changes):
    body = {
        "project_id": 0,
        "project_item_id": 2,
        "author": AUTHOR,
        "content": "Hi",
        "scope": "public",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"content": ...},
            "The property '#/' did not contain a required property of 'content'",
        ),
        ({"content": ""}, "The property '#/' did not contain a required property of 'content'"),
        ({"author": None}, "The property '#/' did not contain a required property of 'author'"),
        (
            {"author": {**AUTHOR, "role": "user"}},
            "The property '#/author/role' value \"user\" did not match one of the following "
            "values: provider, mediator",
        ),
        (
            {"scope": "secret"},
            "The property '#/scope' value \"secret\" did not match one of the following "
            "values: public, internal, user_direct",
        ),
        (
            {"project_item_id": "2"},
            "The property '#/project_item_id' of type string did not match the following "
            "type: integer",
        ),
        ({"content": "   "}, "The property '#/' did not contain a required property of 'content'"),
        ({"content": "x" * 10_001}, {"content": ["is too long (10000 characters at most)"]}),
    ],
)
def test_a_bad_message_is_400_and_writes_nothing(client, session, world, changes, error):
    before = _counts(session)
    body = _message_body(**changes)
    if "project_id" in body:
        body["project_id"] = world.shared.id

    response = client.post(
        f"/api/v1/oms/{world.provider_oms.id}/messages", json=body, headers=world.provider.headers
    )

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert _counts(session) == before


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "The property '#/' did not contain a required property of 'content'"),
        (
            {"content": "x", "scope": "public"},
            "The property '#/' contains additional properties [\"scope\"] outside of the schema "
            "when none are allowed",
        ),
    ],
)
def test_a_bad_message_edit_is_400(client, session, make, world, body, error):
    message = make.message(world.provider_order, role=AuthorRole.PROVIDER, content="Kept")

    response = client.patch(
        f"/api/v1/oms/{world.provider_oms.id}/messages/{message.id}",
        json=body,
        headers=world.provider.headers,
    )

    assert response.status_code == 400
    assert response.json() == {"error": error}
    session.refresh(message)
    assert message.content == "Kept"


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"limit": "0"}, "'limit' must be a positive integer"),
        ({"limit": "abc"}, "'limit' must be a positive integer"),
        ({"from_id": "-1"}, "'from_id' must be a non-negative integer"),
    ],
)
@pytest.mark.parametrize("endpoint", ["projects", "project_items", "messages"])
def test_bad_paging_is_400(client, world, query, error, endpoint):
    oms_id, project_id = world.provider_oms.id, world.shared.id
    path = {
        "projects": f"/api/v1/oms/{oms_id}/projects",
        "project_items": f"/api/v1/oms/{oms_id}/projects/{project_id}/project_items",
        "messages": f"/api/v1/oms/{oms_id}/messages",
    }[endpoint]

    response = client.get(
        path, params={**query, "project_id": project_id}, headers=world.provider.headers
    )

    assert response.status_code == 400
    assert response.json() == {"error": error}


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({}, "param is missing or the value is empty: from_timestamp"),
        ({"from_timestamp": ""}, "param is missing or the value is empty: from_timestamp"),
        ({"from_timestamp": "2021-05-25T21:07:42+00:00"}, "invalid date"),
        ({"from_timestamp": "2021-05-25"}, "invalid date"),
        ({"from_timestamp": "1999-05-25T21:07:42Z"}, "invalid date"),
        ({"from_timestamp": "2021-13-25T21:07:42Z"}, "invalid date"),
        ({"from_timestamp": "2021-05-25T21:07:42.1234567Z"}, "invalid date"),
        (
            {"from_timestamp": "2021-05-25T21:07:42Z", "limit": "-3"},
            "'limit' must be a positive integer",
        ),
        ({"from_id": "-1"}, "'from_id' must be a non-negative integer"),
    ],
)
def test_bad_event_queries_are_400(client, world, query, error):
    response = client.get(
        f"/api/v1/oms/{world.provider_oms.id}/events", params=query, headers=world.provider.headers
    )

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert_ordering_response(response, EVENTS)


# --- order of checks ----------------------------------------------------------------


def test_oms_is_checked_before_the_caller_and_the_caller_before_the_record(client, world):
    unknown = client.get("/api/v1/oms/999/projects/999", headers=world.nobody.headers)
    malformed = client.get("/api/v1/oms/abc", headers=world.provider.headers)
    not_admin = client.get(
        f"/api/v1/oms/{world.provider_oms.id}/projects/999", headers=world.nobody.headers
    )

    assert (unknown.status_code, unknown.json()) == (404, {"error": "OMS not found"})
    assert (malformed.status_code, malformed.json()) == (404, {"error": "OMS not found"})
    assert (not_admin.status_code, not_admin.json()) == (403, FORBIDDEN)


def test_item_patch_checks_project_then_item_then_owner_then_body(client, world):
    oms_id, bad = world.default.id, {"status": "nope"}
    headers = world.operator.headers
    no_project = client.patch(
        f"/api/v1/oms/{oms_id}/projects/999/project_items/1", json=bad, headers=headers
    )
    no_item = client.patch(
        f"/api/v1/oms/{oms_id}/projects/{world.shared.id}/project_items/99",
        json=bad,
        headers=headers,
    )
    not_owner = client.patch(
        _item_path(world, world.provider_order, world.default), json=bad, headers=headers
    )

    assert (no_project.status_code, no_project.json()) == (404, {"error": "Project not found"})
    assert (no_item.status_code, no_item.json()) == (404, {"error": "Project item not found"})
    assert (not_owner.status_code, not_owner.json()) == (403, FORBIDDEN)


def test_message_post_checks_body_then_project_then_item_then_writer(client, world):
    path, headers = f"/api/v1/oms/{world.provider_oms.id}/messages", world.provider.headers
    bad_body = client.post(path, json={"project_id": 999}, headers=headers)
    no_project = client.post(path, json={**_message_body(), "project_id": 999}, headers=headers)
    no_item = client.post(
        path,
        json={**_message_body(), "project_id": world.shared.id, "project_item_id": 1},
        headers=headers,
    )
    not_writer = client.post(
        path,
        json={
            **_message_body(),
            "project_id": world.shared.id,
            "author": {**AUTHOR, "role": "mediator"},
        },
        headers=headers,
    )

    assert bad_body.status_code == 400
    assert (no_project.status_code, no_project.json()) == (404, {"error": "Project not found"})
    assert (no_item.status_code, no_item.json()) == (404, {"error": "Project item not found"})
    assert (not_writer.status_code, not_writer.json()) == (403, FORBIDDEN)


def test_message_list_checks_paging_before_the_project(client, world):
    response = client.get(
        f"/api/v1/oms/{world.provider_oms.id}/messages",
        params={"limit": "0"},
        headers=world.provider.headers,
    )
    missing = client.get(
        f"/api/v1/oms/{world.provider_oms.id}/messages", headers=world.provider.headers
    )

    assert response.json() == {"error": "'limit' must be a positive integer"}
    assert (missing.status_code, missing.json()) == (404, {"error": "Project not found"})


def test_message_patch_checks_writer_before_body(client, make, world):
    message = make.message(world.provider_order, role=AuthorRole.USER)

    response = client.patch(
        f"/api/v1/oms/{world.provider_oms.id}/messages/{message.id}",
        json={"nonsense": True},
        headers=world.provider.headers,
    )
    missing = client.patch(
        f"/api/v1/oms/{world.provider_oms.id}/messages/99999",
        json={"content": "x"},
        headers=world.provider.headers,
    )

    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert (missing.status_code, missing.json()) == (404, {"error": "Message not found"})


# --- the event feed -----------------------------------------------------------------

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _spread_events(session, world, make) -> list[int]:
    """25 order events for the provider OMS: 5 at T0 + 0.1..0.5 s, 20 in the next second."""
    for number in range(24):
        make.message(world.provider_order, content=f"note {number}")
    ids = list(
        session.scalars(
            select(Event.id).where(Event.order_id == world.provider_order.id).order_by(Event.id)
        )
    )
    assert len(ids) == 25
    for position, event_id in enumerate(ids):
        moment = T0 + timedelta(microseconds=100_000 * (position + 1))
        if position >= 5:
            moment = T0 + timedelta(seconds=1, microseconds=10_000 * position)
        session.execute(update(Event).where(Event.id == event_id).values(created_at=moment))
    # The project's own event, long before.
    session.execute(
        update(Event).where(Event.order_id.is_(None)).values(created_at=T0 - timedelta(days=1))
    )
    session.commit()
    return ids


def _events(client, world, **params) -> list[dict]:
    response = client.get(
        f"/api/v1/oms/{world.provider_oms.id}/events", params=params, headers=world.provider.headers
    )
    assert response.status_code == 200, response.json()
    assert_ordering_response(response, EVENTS)
    return response.json()["events"]


def test_events_page_by_id_without_duplicates_or_gaps(client, session, make, world):
    ids = _spread_events(session, world, make)

    pages, cursor = [], 0
    while page := _events(client, world, from_id=cursor, limit=10):
        pages.append([event["id"] for event in page])
        cursor = page[-1]["id"]

    seen = [event_id for page in pages for event_id in page]
    assert [len(page) for page in pages] == [10, 10, 6]
    assert seen[1:] == ids  # the project's create event comes first
    assert seen == sorted(seen)


def _without_ids(events: list[dict], ids: list[int]) -> list[dict]:
    """The events of `ids` as a request without `from_id` shows them: EOSC's shape, no id."""
    by_id = {event["id"]: {k: v for k, v in event.items() if k != "id"} for event in events}
    return [by_id[event_id] for event_id in ids]


def test_events_after_a_timestamp_are_strictly_later_and_oldest_first(client, session, make, world):
    ids = _spread_events(session, world, make)
    every = _events(client, world, from_id=0, limit=100)

    first = _events(client, world, from_timestamp="2026-03-01T12:00:00.25Z", limit=10)
    naive = _events(client, world, from_timestamp="2026-03-01T12:00:00.25", limit=10)
    next_second = _events(client, world, from_timestamp="2026-03-01T12:00:01Z", limit=30)

    assert first == _without_ids(every, ids[2:12])
    assert naive == first
    assert [event["timestamp"] for event in first] == ["2026-03-01T12:00:00Z"] * 3 + [
        "2026-03-01T12:00:01Z"
    ] * 7
    assert next_second == _without_ids(every, ids[5:])


def test_an_event_shows_the_item_iid_and_the_message(client, session, make, world):
    message = make.message(world.provider_order, content="Hi")

    events = _events(client, world, from_timestamp="2000-01-01T00:00:00Z")

    created = session.scalar(select(Event.created_at).where(Event.message_id == message.id))
    assert events[-1] == {
        "timestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "type": "create",
        "resource": "message",
        "project_id": world.shared.id,
        "project_item_id": 2,
        "message_id": message.id,
    }
    assert [(e["resource"], e.get("project_item_id")) for e in events] == [
        ("project", None),
        ("project_item", 2),
        ("message", 2),
    ]


# --- query counts, documents --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/api/v1/oms/{oms}/projects", 5),
        ("/api/v1/oms/{oms}/projects/{project}/project_items", 6),
        ("/api/v1/oms/{oms}/messages?project_id={project}", 5),
        ("/api/v1/oms/{oms}/events?from_timestamp=2000-01-01T00:00:00Z", 4),
        ("/api/v1/oms/{oms}/events?from_id=0&limit=1000", 4),
    ],
)
def test_lists_take_a_fixed_number_of_queries(client, make, world, count_queries, path, queries):
    for _ in range(3):
        project = make.project(world.shared.owner)
        order = make.order(world.default_offer, project)
        make.message(project)
        make.message(order)
    url = path.format(oms=world.default.id, project=world.shared.id)

    with count_queries() as counter:
        response = client.get(url, headers=world.operator.headers)

    assert response.status_code == 200
    assert counter.count == queries, counter.statements


def test_the_ordering_openapi_document_is_served_where_eosc_clients_look(client):
    response = client.get("/api_docs/swagger/v1/ordering_swagger.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert sorted(paths) == [
        "/api/v1/oms",
        "/api/v1/oms/{oms_id}",
        "/api/v1/oms/{oms_id}/events",
        "/api/v1/oms/{oms_id}/messages",
        "/api/v1/oms/{oms_id}/messages/{m_id}",
        "/api/v1/oms/{oms_id}/projects",
        "/api/v1/oms/{oms_id}/projects/{p_id}",
        "/api/v1/oms/{oms_id}/projects/{p_id}/project_items",
        "/api/v1/oms/{oms_id}/projects/{p_id}/project_items/{pi_id}",
    ]
    events = paths["/api/v1/oms/{oms_id}/events"]
    assert {p["name"] for p in events["parameters"] + events["get"]["parameters"]} == {
        "oms_id",
        "from_timestamp",
        "from_id",
        "limit",
    }


# --- reference §8.8 and §8.2: exact shapes, PUT ------------------------------------


def test_an_update_event_has_eosc_keys_in_eosc_order_and_no_id(client, session, world):
    path = _item_path(world, world.provider_order)
    body = {"status": {"value": "ready", "type": "ready"}}
    assert client.patch(path, json=body, headers=world.provider.headers).status_code == 200

    event = _events(client, world, from_timestamp="2000-01-01T00:00:00Z")[-1]

    assert list(event) == [
        "timestamp",
        "type",
        "resource",
        "changes",
        "project_id",
        "project_item_id",
    ]
    assert event["changes"] == [
        {"field": "status.value", "before": "created", "after": "ready"},
        {"field": "status.type", "before": "created", "after": "ready"},
    ]


def test_a_request_with_from_id_gets_each_events_id_first(client, session, make, world):
    message = make.message(world.provider_order, content="Hi")

    events = _events(client, world, from_id=0)

    ids = list(session.scalars(select(Event.id).order_by(Event.id)))
    assert [event["id"] for event in events] == [
        event_id
        for event_id in ids
        if session.get(Event, event_id).project_id == world.shared.id
        and session.get(Event, event_id).order_id in (None, world.provider_order.id)
    ]
    assert list(events[-1]) == [
        "id",
        "timestamp",
        "type",
        "resource",
        "project_id",
        "project_item_id",
        "message_id",
    ]
    assert events[-1]["message_id"] == message.id


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_put_changes_a_project_item_like_patch(client, session, world, method):
    path = _item_path(world, world.provider_order)
    body = {"status": {"value": "Being set up", "type": "in_progress"}}

    response = client.request(method, path, json=body, headers=world.provider.headers)

    assert response.status_code == 200
    assert response.json()["status"] == {"value": "Being set up", "type": "in_progress"}


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_put_answers_a_bad_project_item_body_like_patch(client, world, method):
    path = _item_path(world, world.provider_order)

    response = client.request(
        method, path, json={"status": {"value": "x"}}, headers=world.provider.headers
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "The property '#/status' did not contain a required property of 'type'"
    }


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_put_changes_a_message_like_patch(client, make, world, method):
    message = make.message(world.provider_order, role=AuthorRole.PROVIDER, content="Old")
    path = f"/api/v1/oms/{world.provider_oms.id}/messages/{message.id}"

    changed = client.request(method, path, json={"content": "New"}, headers=world.provider.headers)
    refused = client.request(
        method, path, json={"content": "x", "scope": "public"}, headers=world.provider.headers
    )

    assert (changed.status_code, changed.json()["content"]) == (200, "New")
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "error": "The property '#/' contains additional properties [\"scope\"] "
            "outside of the schema when none are allowed"
        },
    )


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize("path", ["/api/v1/oms/{oms}", "/api/v1/oms/{oms}/projects/{project}"])
@pytest.mark.parametrize("token", [True, False])
def test_an_oms_or_a_project_cannot_be_changed(client, world, method, path, token):
    url = path.format(oms=world.provider_oms.id, project=world.shared.id)
    headers = world.provider.headers if token else {}

    response = client.request(method, url, json={"name": "x"}, headers=headers)

    # EOSC answers 404 (the route has no action, even without a token); 405 is acceptable.
    assert response.status_code in (404, 405)
