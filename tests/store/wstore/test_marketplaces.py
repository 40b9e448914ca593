"""Marketplace and repository administration (WStore §4.1) and the receiving side of the
v2 marketplace contract, through the real app."""

import base64
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from mercato.errors import Invalid
from mercato.settings import Settings
from mercato.store.marketplaces.models import Marketplace, RemoteOffering, Repository
from mercato.store.marketplaces.rules import check_marketplaces
from tests.factories import PASSWORD
from tests.store.loopback import Server, allowing_loopback, serving
from tests.store.test_usdl import TURTLE, WEATHER


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The loopback server plays the marketplaces, on a network an admin allowed."""
    return allowing_loopback(settings)


def bearer(make, **fields) -> dict[str, str]:
    return {"Authorization": f"Bearer {make.token_user(**fields).token}"}


def basic(user) -> dict[str, str]:
    credentials = base64.b64encode(f"{user.email}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


CREATED = {"message": "Created", "result": "correct"}
REPOSITORY = {
    "name": "testbed repository",
    "host": "http://repository.example/",
    "api_version": "2",
    "offering_collection": "offerings",
    "resource_collection": "resources",
}


def test_admins_register_repositories_and_choose_the_default(client, make):
    admin = bearer(make, is_admin=True)
    second = {**REPOSITORY, "name": "second", "host": "http://second.example", "is_default": True}

    assert (
        client.post("/api/administration/repositories", json=REPOSITORY, headers=admin).json()
        == CREATED
    )
    assert (
        client.post("/api/administration/repositories", json=second, headers=admin).status_code
        == 201
    )
    listed = client.get("/api/administration/repositories", headers=admin)

    assert listed.json() == [
        {
            "name": "second",
            "host": "http://second.example/",
            "api_version": 2,
            "offering_collection": "offerings",
            "resource_collection": "resources",
            "is_default": True,
        },
        {**REPOSITORY, "api_version": 2, "is_default": False},
    ]


def test_making_a_repository_default_and_removing_it_moves_the_default(client, make, session):
    admin = bearer(make, is_admin=True)
    for name in ("alpha", "beta"):
        client.post(
            "/api/administration/repositories", json={**REPOSITORY, "name": name}, headers=admin
        )

    made = client.post("/api/administration/repositories/beta/default", headers=admin)
    assert made.json() == {"message": "OK", "result": "correct"}
    assert client.delete("/api/administration/repositories/beta", headers=admin).status_code == 204

    rows = session.scalars(select(Repository)).all()
    assert [(r.name, r.is_default) for r in rows] == [("alpha", True)]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"name": "bad/name"}, 400, "name may hold only letters, digits, spaces, '_' and '-'"),
        ({"host": "ftp://x"}, 400, "host must be an http or https address"),
        ({"api_version": "3"}, 400, "api_version must be 1 or 2"),
        (
            {"offering_collection": "my offerings"},
            400,
            "offering_collection may not contain spaces",
        ),
        ({"resource_collection": None}, 400, "resource_collection is missing"),
    ],
)
def test_bad_repositories_are_refused_naming_the_field(
    client, make, session, change, status, message
):
    response = client.post(
        "/api/administration/repositories",
        json={**REPOSITORY, **change},
        headers=bearer(make, is_admin=True),
    )

    assert (response.status_code, response.json()) == (
        status,
        {"message": message, "result": "error"},
    )
    assert session.scalars(select(Repository)).all() == []


def test_a_repository_name_is_registered_once(client, make):
    admin = bearer(make, is_admin=True)
    client.post("/api/administration/repositories", json=REPOSITORY, headers=admin)

    again = client.post("/api/administration/repositories", json=REPOSITORY, headers=admin)

    assert (again.status_code, again.json()) == (
        409,
        {"message": "name is already registered", "result": "error"},
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/administration/repositories"),
        ("post", "/api/administration/repositories/any/default"),
        ("delete", "/api/administration/repositories/any"),
        ("post", "/api/administration/marketplaces"),
        ("delete", "/api/administration/marketplaces/any"),
        ("post", "/api/v2/store"),
    ],
)
def test_only_admins_administer(client, make, method, path):
    anonymous = client.request(method, path, json={})
    customer = client.request(method, path, json={}, headers=bearer(make))

    assert anonymous.status_code == 401
    assert (customer.status_code, customer.json()) == (
        403,
        {"message": "Forbidden", "result": "error"},
    )


def test_marketplace_contract_version_1_is_refused(client, make, session):
    body = {
        "name": "old",
        "host": "http://old.example",
        "api_version": "1",
        "credentials": {"username": "u", "passwd": "p"},
    }

    response = client.post(
        "/api/administration/marketplaces", json=body, headers=bearer(make, is_admin=True)
    )

    assert response.json() == {"message": "api_version must be 2", "result": "error"}
    assert session.scalars(select(Marketplace)).all() == []


def test_a_marketplace_that_does_not_answer_is_502_and_not_kept(client, make, session, server):
    body = {
        "name": "down",
        "host": f"{server.url}/market",
        "api_version": "2",
        "credentials": {"username": "u", "passwd": "p"},
    }

    response = client.post(
        "/api/administration/marketplaces", json=body, headers=bearer(make, is_admin=True)
    )

    assert response.status_code == 502
    assert response.json()["message"] == (
        f"The marketplace at {server.url}/market/ answered 404 to POST "
        f"{server.url}/market/api/v2/store"
    )
    assert session.scalars(select(Marketplace)).all() == []


def test_publishing_to_an_unknown_marketplace_is_refused(session):
    with pytest.raises(Invalid) as raised:
        check_marketplaces(session, ["nowhere"])

    assert raised.value.errors == {"marketplaces": ["not registered: nowhere"]}


# --- receiving ---------------------------------------------------------------------------


def register_store(client, admin, url: str) -> None:
    body = {"displayName": "Partner Store", "url": url, "comment": "a partner"}
    response = client.post("/api/v2/store", json=body, headers=basic(admin))
    assert response.status_code == 201
    assert response.headers["location"] == "http://testserver/api/v2/store/partner-store"


def test_a_store_publishes_a_description_and_it_is_listed_with_a_link_back(
    client, make, session, server
):
    admin = make.user(is_admin=True)
    server.answers["/usdl/weather.ttl"] = (200, "text/turtle", TURTLE)
    register_store(client, admin, server.url)

    published = client.post(
        "/api/v2/store/partner-store/description",
        json={"displayName": "Acme Weather 1.2", "url": f"{server.url}/usdl/weather.ttl"},
        headers=basic(admin),
    )

    assert published.status_code == 201
    assert published.headers["location"] == (
        "http://testserver/api/v2/store/partner-store/description/acme-weather-1-2"
    )
    assert client.get("/api/v2/offering").json() == [
        {
            "name": "acme-weather-1-2",
            "displayName": "Acme Weather 1.2",
            "store": "partner-store",
            "url": f"{server.url}/usdl/weather.ttl",
            "link": WEATHER.uri,
            "title": "Weather",
            "version": "1.2",
            "description": "Forecasts for every town.",
            "abstract": "Forecasts",
            "provider": None,
            "imageUrl": "http://store.example/media/weather.png",
            "tags": ["forecast", "weather"],
        }
    ]


def test_a_description_off_the_stores_address_is_refused_and_not_fetched(
    client, make, session, server
):
    admin = make.user(is_admin=True)
    register_store(client, admin, "http://partner.example/")

    response = client.post(
        "/api/v2/store/partner-store/description",
        json={"displayName": "Sneaky", "url": f"{server.url}/internal"},
        headers=basic(admin),
    )

    assert response.json() == {
        "message": "url must be on the store's address http://partner.example/",
        "result": "error",
    }
    assert server.requested == []
    assert session.scalars(select(RemoteOffering)).all() == []


def test_a_broken_description_is_refused_with_the_usdl_problem(client, make, session, server):
    admin = make.user(is_admin=True)
    server.answers["/bad.ttl"] = (200, "text/turtle", b"<a> <b> <c> .")
    register_store(client, admin, server.url)

    response = client.post(
        "/api/v2/store/partner-store/description",
        json={"displayName": "Bad", "url": f"{server.url}/bad.ttl"},
        headers=basic(admin),
    )

    assert (response.status_code, response.json()) == (
        400,
        {
            "message": "usdl must describe exactly one usdl:ServiceOffering, found 0",
            "result": "error",
        },
    )


def test_a_store_withdraws_a_description_and_leaves(client, make, session, server):
    admin = make.user(is_admin=True)
    server.answers["/w.ttl"] = (200, "text/turtle", TURTLE)
    register_store(client, admin, server.url)
    client.post(
        "/api/v2/store/partner-store/description",
        json={"displayName": "W", "url": f"{server.url}/w.ttl"},
        headers=basic(admin),
    )

    withdrawn = client.delete("/api/v2/store/partner-store/description/w", headers=basic(admin))
    left = client.delete("/api/v2/store/partner-store", headers=basic(admin))

    assert (withdrawn.status_code, left.status_code) == (204, 204)
    assert client.get("/api/v2/store").json() == []
    assert session.scalars(select(RemoteOffering)).all() == []


def test_wrong_basic_credentials_are_401(client, make):
    admin = make.user(is_admin=True)
    wrong = base64.b64encode(f"{admin.email}:nope".encode()).decode()

    response = client.post("/api/v2/store", json={}, headers={"Authorization": f"Basic {wrong}"})

    assert response.status_code == 401
