"""The Ordering API's access matrix (reference §5): every endpoint against every kind of caller."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from mercato.ordering.models import AuthorRole, Event, Message, MessageScope, StatusType
from tests.eosc_reference import assert_ordering_response
from tests.ordering.oms_world import build_world

UNAUTHENTICATED = {"error": "You need to sign in or sign up before continuing."}
FORBIDDEN = {"error": "You are not authorized to perform this action."}
CALLERS = ["operator", "provider", "other", "nobody", None]


@pytest.fixture
def world(make):
    return build_world(make)


@dataclass
class Endpoint:
    method: str
    template: str  # the reference document's path
    path: str  # with {oms}, {project}, {iid} and {message} to fill in
    body: dict | None = None
    ok: int = 200


def _endpoints(role: str) -> list[Endpoint]:
    author = {"email": "desk@example.org", "name": "Help desk", "role": role}
    oms, items = "/api/v1/oms/{oms_id}", "/api/v1/oms/{oms_id}/projects/{p_id}/project_items"
    return [
        Endpoint("get", oms, "/api/v1/oms/{oms}"),
        Endpoint(
            "get", f"{oms}/events", "/api/v1/oms/{oms}/events?from_timestamp=2000-01-01T00:00:00Z"
        ),
        Endpoint("get", f"{oms}/projects", "/api/v1/oms/{oms}/projects"),
        Endpoint("get", f"{oms}/projects/{{p_id}}", "/api/v1/oms/{oms}/projects/{project}"),
        Endpoint("get", items, "/api/v1/oms/{oms}/projects/{project}/project_items"),
        Endpoint(
            "get", f"{items}/{{pi_id}}", "/api/v1/oms/{oms}/projects/{project}/project_items/{iid}"
        ),
        Endpoint(
            "patch",
            f"{items}/{{pi_id}}",
            "/api/v1/oms/{oms}/projects/{project}/project_items/{iid}",
            {"status": {"value": "Working on it", "type": "in_progress"}},
        ),
        Endpoint("get", f"{oms}/messages", "/api/v1/oms/{oms}/messages?project_id={project}"),
        Endpoint(
            "post",
            f"{oms}/messages",
            "/api/v1/oms/{oms}/messages",
            {
                "project_id": "{project}",
                "project_item_id": "{iid}",
                "author": author,
                "content": "We are on it",
                "scope": "public",
            },
            ok=201,
        ),
        Endpoint("get", f"{oms}/messages/{{m_id}}", "/api/v1/oms/{oms}/messages/{message}"),
        Endpoint(
            "patch",
            f"{oms}/messages/{{m_id}}",
            "/api/v1/oms/{oms}/messages/{message}",
            {"content": "We are still on it"},
        ),
    ]


def _filled(value, names: dict[str, int]):
    if isinstance(value, dict):
        return {key: _filled(item, names) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.strip("{}") in names:
        return names[value.strip("{}")]
    return value


# Path OMS, the caller who administers it, the order it owns there and the role it writes as.
SIDES = {
    "default": ("operator", "default_order", AuthorRole.MEDIATOR),
    "provider_oms": ("provider", "provider_order", AuthorRole.PROVIDER),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("side", list(SIDES))
@pytest.mark.parametrize("index", range(len(_endpoints("provider"))))
def test_access_matrix(client, session, make, world, side, index, caller):
    owner, order_name, role = SIDES[side]
    order = getattr(world, order_name)
    message = make.message(order, scope=MessageScope.PUBLIC, role=role, author=None)
    endpoint = _endpoints(role.value)[index]
    names = {
        "oms": world.oms(side).id,
        "project": world.shared.id,
        "iid": order.iid,
        "message": message.id,
    }
    headers = world.caller(caller).headers if caller else {}
    events_before = session.scalar(select(func.count(Event.id)))

    response = client.request(
        endpoint.method,
        endpoint.path.format(**names),
        json=_filled(endpoint.body, names),
        headers=headers,
    )

    expected = 401 if caller is None else endpoint.ok if caller == owner else 403
    assert response.status_code == expected, response.json()
    if expected == 401:
        assert response.json() == UNAUTHENTICATED
    elif expected == 403:
        assert response.json() == FORBIDDEN
    if expected != endpoint.ok:
        assert session.scalar(select(func.count(Event.id))) == events_before
    assert_ordering_response(response, endpoint.template, endpoint.method)


@pytest.mark.parametrize(
    ("caller", "omses"),
    [
        ("operator", ["default"]),
        ("provider", ["provider_oms"]),
        ("other", ["other_oms"]),
        ("nobody", []),
    ],
)
def test_oms_list_shows_the_omses_the_caller_administers(client, world, caller, omses):
    response = client.get("/api/v1/oms", headers=world.caller(caller).headers)

    assert response.status_code == 200
    assert [oms["id"] for oms in response.json()["omses"]] == [world.oms(name).id for name in omses]
    assert_ordering_response(response, "/api/v1/oms")


def test_oms_list_needs_a_token(client, world):
    response = client.get("/api/v1/oms")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


# --- what each path OMS can address (§5.2) ------------------------------------------


@pytest.mark.parametrize(
    ("side", "order_name", "status"),
    [
        ("default", "default_order", 200),
        ("default", "provider_order", 200),
        ("default", "other_order", 200),
        ("provider_oms", "provider_order", 200),
        ("provider_oms", "default_order", 404),
        ("provider_oms", "other_order", 404),
    ],
)
def test_an_item_is_read_only_through_an_oms_that_addresses_it(
    client, world, side, order_name, status
):
    caller = world.caller(SIDES[side][0])
    order = getattr(world, order_name)

    response = client.get(
        f"/api/v1/oms/{world.oms(side).id}/projects/{world.shared.id}/project_items/{order.iid}",
        headers=caller.headers,
    )

    assert response.status_code == status
    if status == 404:
        assert response.json() == {"error": "Project item not found"}


def test_a_project_without_the_omss_orders_is_not_found_through_it(client, world):
    path = f"/api/v1/oms/{world.provider_oms.id}/projects/{world.default_only.id}"

    response = client.get(path, headers=world.provider.headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Project not found"}


@pytest.mark.parametrize(
    ("order_name", "status"),
    [("default_order", 200), ("provider_order", 403), ("other_order", 403)],
)
def test_the_default_oms_updates_only_the_orders_it_handles(
    client, session, world, order_name, status
):
    order = getattr(world, order_name)
    path = f"/api/v1/oms/{world.default.id}/projects/{world.shared.id}/project_items/{order.iid}"

    response = client.patch(
        path, json={"status": {"value": "Done", "type": "ready"}}, headers=world.operator.headers
    )

    assert response.status_code == status
    session.refresh(order)
    assert order.status_type == (StatusType.READY if status == 200 else StatusType.CREATED)


# --- who may write messages through the API (§5.4) ----------------------------------


@pytest.mark.parametrize(
    ("side", "target", "scope", "role", "status"),
    [
        ("provider_oms", "shared", "public", "provider", 201),
        ("provider_oms", "shared", "internal", "provider", 201),
        ("provider_oms", "shared", "user_direct", "provider", 403),
        ("provider_oms", "shared", "public", "mediator", 403),
        ("provider_oms", "provider_order", "user_direct", "provider", 201),
        ("provider_oms", "provider_order", "public", "mediator", 403),
        ("default", "shared", "user_direct", "mediator", 201),
        ("default", "provider_order", "internal", "mediator", 201),
        ("default", "provider_order", "user_direct", "mediator", 403),
        ("default", "provider_order", "public", "provider", 403),
        ("default", "default_order", "user_direct", "provider", 201),
        ("default", "default_only", "public", "provider", 201),
    ],
)
def test_message_writes_follow_the_scope_and_role_tables(
    client, session, world, side, target, scope, role, status
):
    caller = world.caller(SIDES[side][0])
    body = {
        "project_id": world.shared.id,
        "author": {"email": "desk@example.org", "name": "Help desk", "role": role},
        "content": "Noted",
        "scope": scope,
    }
    if target == "default_only":
        body["project_id"] = world.default_only.id
    elif target != "shared":
        body["project_item_id"] = getattr(world, target).iid

    response = client.post(
        f"/api/v1/oms/{world.oms(side).id}/messages", json=body, headers=caller.headers
    )

    assert response.status_code == status, response.json()
    assert session.scalar(select(func.count(Message.id))) == (1 if status == 201 else 0)
