"""WStore resources on the wire (store-wire.md §1.4, §2): texts and order of checks.

Every expected body here is written from the reference, not from Mercato's answers.
"""

import json

import pytest
from sqlalchemy import func, select

from mercato.store.models import Asset, AssetKind
from tests.store.world import WIDGET, b64, bearer, stored_files

RESOURCES = "/api/offering/resources"
ENTRY = f"{RESOURCES}/CoNWeT/Map Viewer/1.0"
OK = {"message": "OK", "result": "correct"}
BODY = {
    "name": "Map Viewer",
    "version": "1.0",
    "description": "A map widget",
    "content_type": "application/zip",
    "resource_type": "Downloadable",
    "content": {"name": "map.wgt", "data": b64(WIDGET)},
}


def error(message):
    return {"message": message, "result": "error"}


def body(**changes):
    return {k: v for k, v in {**BODY, **changes}.items() if v is not None}


def asset_rows(session):
    return session.scalar(select(func.count(Asset.id)))


@pytest.fixture
def provider(store, seller):
    return store.provider(seller)


# --- §2.2 register -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"resource_type": None}, 400, "Invalid request: Missing required field resource_type"),
        (
            {"resource_type": "Widget"},
            400,
            "Invalid request: The specified resource type is not registered",
        ),
        ({"description": None}, 400, "Invalid request: Missing required field"),
        ({"name": None, "version": "x"}, 400, "Invalid request: Missing required field"),
        ({"version": "1.0-beta"}, 400, "Invalid version number '1.0-beta'"),
        ({"version": "01.0"}, 400, "Invalid version number '01.0'"),
        ({"name": "Map/Viewer"}, 400, "Invalid name format"),
        ({"content": {"name": "map.wgt", "data": "abcde"}}, 400, "Incorrect padding"),
        (
            {"content": {"name": "../map.wgt", "data": b64(WIDGET)}},
            400,
            "Invalid file name format: Unsupported character",
        ),
        (
            {"content": None, "link": "ftp://maps.example.org/viewer"},
            400,
            "Invalid resource link format",
        ),
        (
            {"content": None, "link": "https://maps.technology/viewer"},
            400,
            "Invalid resource link format",
        ),
        ({"content": None}, 400, "Invalid request: Missing resource content"),
        (
            {"resource_type": "API"},
            400,
            "Invalid plugin format: File not allowed for the resource type",
        ),
    ],
)
def test_register_refusals(client, provider, seller, session, settings, changes, status, message):
    response = client.post(RESOURCES, json=body(**changes), headers=bearer(seller))

    assert (response.status_code, response.json()) == (status, error(message))
    assert (asset_rows(session), stored_files(settings)) == (0, [])


def test_register_conflict_comes_before_the_other_field_checks(client, store, provider, seller):
    store.asset(provider, "Map Viewer", version="2.0")

    response = client.post(
        RESOURCES, json=body(version="bad", description=None), headers=bearer(seller)
    )

    assert (response.status_code, response.json()) == (
        409,
        error(
            "The resource Map Viewer already exists. Please upgrade the resource if you want "
            "to provide new content"
        ),
    )


@pytest.mark.parametrize(
    ("content", "headers", "status", "message"),
    [
        (b"{a:1}", {"Content-Type": "application/json"}, 400, None),
        (b"{}", {"Content-Type": "text/plain"}, 415, "Unsupported request media type"),
    ],
)
def test_register_order_of_the_first_checks(
    client, provider, seller, content, headers, status, message
):
    response = client.post(RESOURCES, content=content, headers={**bearer(seller), **headers})

    expected = message or "Expecting property name: line 1 column 2 (char 1)"
    assert (response.status_code, response.json()) == (status, error(expected))


def test_register_needs_the_provider_role_before_the_body(client, buyer):
    response = client.post(
        RESOURCES, content=b"{a:1}", headers={**bearer(buyer), "Content-Type": "application/json"}
    )

    assert (response.status_code, response.json()) == (
        403,
        error("You don't have the provider role"),
    )


def test_multipart_without_the_file_part_is_invalid_content(client, provider, seller):
    response = client.post(
        RESOURCES,
        data={"json": json.dumps(body(content=None))},
        files={"other": ("map.wgt", WIDGET, "application/octet-stream")},
        headers=bearer(seller),
    )

    assert (response.status_code, response.json()) == (400, error("Invalid content"))


def test_content_wins_over_a_link(client, provider, seller, session):
    response = client.post(
        RESOURCES, json=body(link="https://maps.example.org/viewer"), headers=bearer(seller)
    )

    assert response.status_code == 201
    assert session.scalar(select(Asset)).link is None


# --- §1.4, §2.1 list -----------------------------------------------------------------------------


def test_resource_info_shape_and_content_type(client, store, provider, seller):
    store.asset(provider, "Map Viewer", link="https://maps.example.org/viewer")

    response = client.get(RESOURCES, headers=bearer(seller))

    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == [
        {
            "name": "Map Viewer",
            "version": "1.0",
            "description": "Map Viewer for tests",
            "content_type": "application/zip",
            "state": "created",
            "open": False,
            "link": "https://maps.example.org/viewer",
            "resource_type": "Downloadable",
            "metadata": {},
        }
    ]


@pytest.mark.parametrize(
    ("query", "who", "status", "message"),
    [
        ("?open=yes", "seller", 400, "Invalid open param"),
        ("?open=True", "buyer", 400, "Invalid open param"),
        ("", "buyer", 403, "Forbidden"),
        ("?start=a&limit=1", "seller", 400, "Invalid pagination limits"),
        ("?start=0&limit=1", "seller", 400, "Invalid pagination limits"),
        ("?start=1&limit=0", "seller", 400, "Invalid pagination limits"),
    ],
)
def test_list_refusals(client, provider, seller, buyer, query, who, status, message):
    caller = {"seller": seller, "buyer": buyer}[who]

    response = client.get(f"{RESOURCES}{query}", headers=bearer(caller))

    assert (response.status_code, response.json()) == (status, error(message))


def test_one_paging_parameter_alone_is_ignored(client, store, provider, seller):
    for name in ("A", "B", "C"):
        store.asset(provider, name)

    alone = client.get(f"{RESOURCES}?start=3", headers=bearer(seller)).json()
    page = client.get(f"{RESOURCES}?start=2&limit=5", headers=bearer(seller)).json()

    assert ([r["name"] for r in alone], [r["name"] for r in page]) == (["A", "B", "C"], ["B", "C"])


@pytest.mark.parametrize(
    ("query", "names"),
    [
        # §2.1: in insertion order, not by name; an upgraded resource keeps its place.
        ("", ["Zeta", "Alpha", "Mid"]),
        ("?start=2&limit=1", ["Alpha"]),
        ("?start=2&limit=5", ["Alpha", "Mid"]),
        ("?open=false", ["Zeta", "Alpha", "Mid"]),
    ],
)
def test_list_is_in_registration_order(client, store, seller, query, names):
    provider = store.provider(seller)
    for name in ("Zeta", "Alpha", "Mid"):
        store.asset(provider, name)
    upgraded = client.post(
        f"{RESOURCES}/CoNWeT/Alpha/1.0",
        json={"version": "2.0", "link": "https://files.example.org/alpha"},
        headers=bearer(seller),
    )

    response = client.get(f"{RESOURCES}{query}", headers=bearer(seller))

    assert upgraded.status_code == 200
    assert [resource["name"] for resource in response.json()] == names


# --- §2.3 upgrade, §2.4 update, §2.5 delete ---------------------------------------------------


@pytest.fixture
def used(store, provider, seller):
    """Map Viewer 1.0 included in an uploaded offering; an API resource beside it."""
    asset = store.asset(provider, "Map Viewer")
    store.asset(provider, "Maps API", kind=AssetKind.API, link="https://api.example.org/maps")
    store.offering(provider, seller, bound=[asset])
    return asset


@pytest.mark.parametrize(
    ("method", "path", "payload", "who", "status", "message"),
    [
        ("POST", f"{RESOURCES}/CoNWeT/Map Viewer/0.9", {}, "seller", 404, "Resource not found"),
        ("POST", f"{RESOURCES}/Nobody/Map Viewer/1.0", {}, "seller", 404, "Resource not found"),
        ("POST", ENTRY, {}, "buyer", 403, "Forbidden"),
        (
            "POST",
            ENTRY,
            {"link": "https://x.example.org"},
            "seller",
            400,
            "Missing a required field: Version",
        ),
        ("POST", ENTRY, {"version": "2.x"}, "seller", 400, "Invalid version number '2.x'"),
        (
            "POST",
            ENTRY,
            {"version": "1.0"},
            "seller",
            400,
            "The new version cannot be lower that the current version: 1.0 - 1.0",
        ),
        (
            "POST",
            ENTRY,
            {"version": "1.0rc1"},
            "seller",
            400,
            "The new version cannot be lower that the current version: 1.0rc1 - 1.0",
        ),
        ("POST", ENTRY, {"version": "2.0", "link": "nope"}, "seller", 400, "Invalid URL format"),
        (
            "POST",
            ENTRY,
            {"version": "2.0", "content": {"name": "m.wgt", "data": "a"}},
            "seller",
            400,
            "Incorrect padding",
        ),
        ("POST", ENTRY, {"version": "2.0"}, "seller", 400, "No resource has been provided"),
        (
            "POST",
            f"{RESOURCES}/CoNWeT/Maps API/1.0",
            {"version": "2.0", "content": {"name": "m.wgt", "data": b64(WIDGET)}},
            "seller",
            400,
            "Invalid plugin format: File not allowed for the resource type",
        ),
        ("POST", ENTRY, {"version": "2.0", "link": "https://x.example.org/m"}, "seller", 200, "OK"),
        ("PUT", f"{RESOURCES}/CoNWeT/Nope/1.0", {}, "seller", 404, "Resource not found"),
        ("PUT", ENTRY, {}, "buyer", 403, "Forbidden"),
        (
            "PUT",
            ENTRY,
            {"open": True},
            "seller",
            400,
            "The resource is being used, only description can be modified",
        ),
        ("PUT", ENTRY, {}, "seller", 200, "OK"),
        ("PUT", ENTRY, {"description": "Better maps"}, "seller", 200, "OK"),
        (
            "PUT",
            f"{RESOURCES}/CoNWeT/Maps API/1.0",
            {"link": "https://x.example.org"},
            "seller",
            400,
            "Resource contents cannot be updated. Please upgrade the resource to provide new "
            "contents",
        ),
        (
            "PUT",
            f"{RESOURCES}/CoNWeT/Maps API/1.0",
            {"name": "Other"},
            "seller",
            400,
            "Name field cannot be updated since is used to identify the resource",
        ),
        (
            "PUT",
            f"{RESOURCES}/CoNWeT/Maps API/1.0",
            {"version": "2.0"},
            "seller",
            400,
            "Version field cannot be updated since is used to identify the resource",
        ),
        (
            "PUT",
            f"{RESOURCES}/CoNWeT/Maps API/1.0",
            {"content_type": 1},
            "seller",
            400,
            "Invalid type for content_type field",
        ),
        (
            "PUT",
            f"{RESOURCES}/CoNWeT/Maps API/1.0",
            {"open": "yes"},
            "seller",
            400,
            "Invalid type for open field",
        ),
        (
            "PUT",
            f"{RESOURCES}/CoNWeT/Maps API/1.0",
            {"description": 5},
            "seller",
            400,
            "Invalid type for description field",
        ),
        ("PUT", f"{RESOURCES}/CoNWeT/Maps API/1.0", {"colour": "red"}, "seller", 200, "OK"),
        ("DELETE", f"{RESOURCES}/CoNWeT/Nope/1.0", None, "seller", 404, "Resource not found"),
        ("DELETE", ENTRY, None, "buyer", 403, "Forbidden"),
    ],
)
def test_entry_answers(client, used, seller, buyer, method, path, payload, who, status, message):
    caller = {"seller": seller, "buyer": buyer}[who]

    response = client.request(method, path, json=payload, headers=bearer(caller))

    result = "error" if status >= 400 else "correct"
    assert (response.status_code, response.json()) == (
        status,
        {"message": message, "result": result},
    )


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_bad_json_is_invalid_content_before_the_lookup(client, seller, method):
    response = client.request(
        method,
        f"{RESOURCES}/Nobody/Nothing/1.0",
        content=b"{a:1}",
        headers={**bearer(seller), "Content-Type": "application/json"},
    )

    assert (response.status_code, response.json()) == (400, error("Invalid content"))


def test_deleted_resource_answers(client, store, provider, seller, session):
    asset = store.asset(provider, "Map Viewer")
    asset.is_deleted = True
    session.commit()

    upgrade = client.post(ENTRY, json={"version": "2.0"}, headers=bearer(seller))
    update = client.put(ENTRY, json={"description": "x"}, headers=bearer(seller))
    delete = client.delete(ENTRY, headers=bearer(seller))

    assert [upgrade.json(), update.json(), delete.json()] == [
        error("Deleted resources cannot be upgraded"),
        error("Deleted resources cannot be updated"),
        error("The resource is already deleted"),
    ]
