"""Marketplace and repository administration (WStore §4.1) and the receiving side of the
v2 marketplace contract, through the real app."""

import base64

import pytest
from sqlalchemy import select

from mercato.errors import Invalid
from mercato.store.marketplaces.models import Marketplace, RemoteOffering, Repository
from mercato.store.marketplaces.rules import check_marketplaces
from tests.factories import PASSWORD
from tests.store.test_usdl import TURTLE, WEATHER

# The loopback server plays the marketplaces, on a network an admin allowed.
pytestmark = pytest.mark.loopback_allowed


JSON = {"Content-Type": "application/json"}


def bearer(make, **fields) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {make.token_user(**fields).token}",
        "Accept": "application/json",
    }


def basic(user) -> dict[str, str]:
    credentials = base64.b64encode(f"{user.email}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


CREATED = {"message": "Created", "result": "correct"}
ADMIN = "/api/administration"
REPOSITORY = {
    "name": "testbed repository",
    "host": "http://repository.example.org/",
    "api_version": "2",
    "offering_collection": "offerings",
    "resource_collection": "resources",
}
MARKETPLACE = {
    "name": "testbed",
    "host": "http://market.example.org",
    "api_version": "2",
    "credentials": {"username": "u", "passwd": "p"},
}


def error(message: str) -> dict[str, str]:
    return {"message": message, "result": "error"}


def answer(response) -> tuple[int, object]:
    return response.status_code, response.json()


# --- repositories (§9.4-§9.6) --------------------------------------------------------------


def test_admins_register_repositories_and_choose_the_default(client, make):
    admin = bearer(make, is_admin=True)
    second = {
        **REPOSITORY,
        "name": "second",
        "host": "http://second.example.org",
        "is_default": True,
    }
    third = {**REPOSITORY, "name": "third", "host": "http://third.example.org", "api_version": 1}

    registered = [
        answer(client.post(f"{ADMIN}/repositories", json=body, headers=admin))
        for body in (REPOSITORY, second, third)
    ]
    listed = client.get(f"{ADMIN}/repositories", headers=bearer(make))

    assert registered == [(201, CREATED)] * 3
    assert listed.headers["content-type"] == "application/JSON; charset=UTF-8"
    assert listed.json() == [
        {**REPOSITORY, "api_version": 2, "is_default": False},
        {
            "name": "second",
            "host": "http://second.example.org/",
            "is_default": True,
            "offering_collection": "offerings",
            "resource_collection": "resources",
            "api_version": 2,
        },
        {
            "name": "third",
            "host": "http://third.example.org/",
            "is_default": False,
            "offering_collection": "offerings",
            "resource_collection": "resources",
            "api_version": 1,
        },
    ]


def test_removing_the_default_repository_passes_it_to_the_first_registered(client, make, session):
    admin = bearer(make, is_admin=True)
    for name in ("gamma", "beta", "alpha"):
        body = {**REPOSITORY, "name": name, "host": f"http://{name}.example.org"}
        client.post(f"{ADMIN}/repositories", json=body, headers=admin)

    made = client.post(f"{ADMIN}/repositories/alpha/default", headers=admin)
    removed = client.delete(f"{ADMIN}/repositories/alpha", headers=admin)

    assert answer(made) == (200, {"message": "OK", "result": "correct"})
    assert (removed.status_code, removed.content) == (204, b"")
    rows = session.scalars(select(Repository).order_by(Repository.id)).all()
    assert [(r.name, r.is_default) for r in rows] == [("gamma", True), ("beta", False)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([REPOSITORY], "Request body is not valid JSON data"),
        ({k: v for k, v in REPOSITORY.items() if k != "name"}, "Missing required field: name"),
        (
            {k: v for k, v in REPOSITORY.items() if k not in ("host", "resource_collection")},
            "Missing required field: host",
        ),
        (
            {k: v for k, v in REPOSITORY.items() if k != "resource_collection"},
            "Missing required field: resource_collection",
        ),
        ({**REPOSITORY, "name": "bad/name", "host": "ftp://x"}, "Invalid name format"),
        (
            {**REPOSITORY, "offering_collection": "my offerings", "host": "ftp://x"},
            "Invalid offering_collection format: Invalid character found",
        ),
        (
            {**REPOSITORY, "resource_collection": "a.b", "host": "ftp://x"},
            "Invalid resource_collection format: Invalid character found",
        ),
        ({**REPOSITORY, "host": "ftp://x", "api_version": "x"}, "Invalid URL format"),
        ({**REPOSITORY, "host": "http://example.technology"}, "Invalid URL format"),
        ({**REPOSITORY, "api_version": "two"}, "Invalid api_version format: must be an integer"),
        ({**REPOSITORY, "api_version": 2.0}, "Invalid api_version format: must be an integer"),
        (
            {**REPOSITORY, "api_version": "3"},
            "Invalid api_version: Only versions 1 and 2 are supported",
        ),
    ],
)
def test_bad_repositories_are_refused_with_wstores_texts(client, make, session, body, message):
    response = client.post(f"{ADMIN}/repositories", json=body, headers=bearer(make, is_admin=True))

    assert answer(response) == (400, error(message))
    assert session.scalars(select(Repository)).all() == []


@pytest.mark.parametrize(
    "change",
    [{}, {"host": "http://other.example.org"}, {"name": "other", "host": REPOSITORY["host"]}],
)
def test_a_repository_name_or_host_is_registered_once(client, make, change):
    admin = bearer(make, is_admin=True)
    client.post(f"{ADMIN}/repositories", json=REPOSITORY, headers=admin)

    again = client.post(f"{ADMIN}/repositories", json={**REPOSITORY, **change}, headers=admin)

    assert answer(again) == (409, error("The given repository is already registered"))


def test_repository_checks_in_wstores_order(client, make):
    admin = bearer(make, is_admin=True)
    customer = bearer(make)
    text = {"Content-Type": "text/plain"}

    answers = [
        client.post(f"{ADMIN}/repositories", content=b"{}", headers=text),
        client.post(f"{ADMIN}/repositories", content=b"{}", headers={**customer, **text}),
        client.post(f"{ADMIN}/repositories", json=[], headers=customer),
        client.post(f"{ADMIN}/repositories", content=b"{a:1}", headers={**admin, **JSON}),
        client.post(f"{ADMIN}/repositories/any/default"),
        client.post(f"{ADMIN}/repositories/any/default", headers=customer),
        client.post(f"{ADMIN}/repositories/any/default", headers=admin),
        client.delete(f"{ADMIN}/repositories/any"),
        client.delete(f"{ADMIN}/repositories/any", headers=customer),
        client.delete(f"{ADMIN}/repositories/any", headers=admin),
        client.get(f"{ADMIN}/repositories"),
    ]

    assert [answer(r) for r in answers] == [
        (401, error("Authentication required")),
        (415, error("Unsupported request media type")),
        (403, error("You are not authorized to register a repository")),
        (400, error("Request body is not valid JSON data")),
        (401, error("Authentication required")),
        (403, error("Forbidden")),
        (404, error("The specified repository does not exist")),
        (401, error("Authentication required")),
        (403, error("Forbidden")),
        (404, error("The specified repository does not exist")),
        (401, error("Authentication required")),
    ]


# --- marketplaces (§9.1-§9.3) --------------------------------------------------------------


def test_admins_register_this_store_on_marketplaces(client, make, server):
    server.answers["POST /api/v2/store"] = (201, {"Location": "/api/v2/store/mercato"}, b"")
    admin = bearer(make, is_admin=True)
    bodies = [
        {**MARKETPLACE, "host": f"{server.url}/"},
        {**MARKETPLACE, "name": "second", "host": f"{server.url}/second", "api_version": 2},
    ]
    server.answers["POST /second/api/v2/store"] = server.answers["POST /api/v2/store"]

    registered = [
        answer(client.post(f"{ADMIN}/marketplaces", json=body, headers=admin)) for body in bodies
    ]
    listed = client.get(f"{ADMIN}/marketplaces", headers=bearer(make))

    assert registered == [(201, CREATED)] * 2
    assert listed.headers["content-type"] == "application/JSON; charset=UTF-8"
    assert listed.json() == [
        {"name": "testbed", "host": f"{server.url}/", "api_version": 2},
        {"name": "second", "host": f"{server.url}/second/", "api_version": 2},
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([MARKETPLACE], "Request body is not valid JSON data"),
        (
            {k: v for k, v in MARKETPLACE.items() if k != "host"},
            "Request body is not valid JSON data",
        ),
        (
            {k: v for k, v in MARKETPLACE.items() if k != "api_version"},
            "Request body is not valid JSON data",
        ),
        ({**MARKETPLACE, "name": "bad/name", "host": "x"}, "Invalid name format"),
        ({**MARKETPLACE, "host": "market", "api_version": "9"}, "Invalid URL format"),
        ({**MARKETPLACE, "api_version": "two", "credentials": None}, "Invalid API version"),
        ({**MARKETPLACE, "api_version": "3"}, "Invalid API version"),
        (
            {k: v for k, v in MARKETPLACE.items() if k != "credentials"},
            "Missing required field credentials",
        ),
        (
            {**MARKETPLACE, "credentials": {"passwd": "p"}},
            "Missing required field username in credentials",
        ),
        (
            {**MARKETPLACE, "credentials": {"username": "u"}},
            "Missing required field passwd in credentials",
        ),
    ],
)
def test_bad_marketplaces_are_refused_with_wstores_texts(client, make, session, body, message):
    response = client.post(f"{ADMIN}/marketplaces", json=body, headers=bearer(make, is_admin=True))

    assert answer(response) == (400, error(message))
    assert session.scalars(select(Marketplace)).all() == []


def test_marketplace_contract_version_1_is_refused(client, make, session):
    response = client.post(
        f"{ADMIN}/marketplaces",
        json={**MARKETPLACE, "api_version": "1"},
        headers=bearer(make, is_admin=True),
    )

    assert answer(response) == (400, error("Invalid API version"))
    assert session.scalars(select(Marketplace)).all() == []


@pytest.mark.parametrize("change", [{"host": "http://other.example.org"}, {"name": "other"}])
def test_a_marketplace_name_or_host_is_registered_once(client, make, session, server, change):
    server.answers["POST /api/v2/store"] = (201, {"Location": "/api/v2/store/mercato"}, b"")
    admin = bearer(make, is_admin=True)
    first = {**MARKETPLACE, "host": server.url}
    client.post(f"{ADMIN}/marketplaces", json=first, headers=admin)

    again = client.post(f"{ADMIN}/marketplaces", json={**first, **change}, headers=admin)

    assert answer(again) == (409, error("Marketplace already registered"))
    assert len(session.scalars(select(Marketplace)).all()) == 1


def test_a_marketplace_that_fails_is_502_and_not_kept(client, make, session, server):
    body = {**MARKETPLACE, "host": f"{server.url}/market"}

    response = client.post(f"{ADMIN}/marketplaces", json=body, headers=bearer(make, is_admin=True))

    assert answer(response) == (502, error("The Marketplace has failed registering the store"))
    assert session.scalars(select(Marketplace)).all() == []


def test_leaving_a_marketplace(client, make, session, server):
    server.answers["POST /api/v2/store"] = (201, {"Location": "/api/v2/store/mercato"}, b"")
    admin = bearer(make, is_admin=True)
    client.post(f"{ADMIN}/marketplaces", json={**MARKETPLACE, "host": server.url}, headers=admin)

    failed = client.delete(f"{ADMIN}/marketplaces/testbed", headers=admin)
    server.answers["DELETE /api/v2/store/mercato"] = (204, "text/plain", b"")
    left = client.delete(f"{ADMIN}/marketplaces/testbed", headers=admin)

    assert answer(failed) == (502, error("Bad Gateway"))
    assert (left.status_code, left.content) == (204, b"")
    assert session.scalars(select(Marketplace)).all() == []


def test_marketplace_checks_in_wstores_order(client, make):
    admin = bearer(make, is_admin=True)
    customer = bearer(make)
    text = {"Content-Type": "text/plain"}

    answers = [
        client.post(f"{ADMIN}/marketplaces", content=b"{}", headers=text),
        client.post(f"{ADMIN}/marketplaces", content=b"{}", headers={**customer, **text}),
        client.post(f"{ADMIN}/marketplaces", json=[], headers=customer),
        client.post(f"{ADMIN}/marketplaces", content=b"{a:1}", headers={**admin, **JSON}),
        client.delete(f"{ADMIN}/marketplaces/any"),
        client.delete(f"{ADMIN}/marketplaces/any", headers=customer),
        client.delete(f"{ADMIN}/marketplaces/any", headers=admin),
        client.get(f"{ADMIN}/marketplaces"),
    ]

    assert [answer(r) for r in answers] == [
        (401, error("Authentication required")),
        (415, error("Unsupported request media type")),
        (403, error("You are not allowed to register WStore in a Marketplace")),
        (400, error("Request body is not valid JSON data")),
        (401, error("Authentication required")),
        (403, error("Forbidden")),
        (404, error("Not found")),
        (401, error("Authentication required")),
    ]


def test_only_admins_register_stores_here(client, make):
    anonymous = client.post("/api/v2/store", json={})
    customer = client.post("/api/v2/store", json={}, headers=bearer(make))

    assert anonymous.status_code == 401
    assert answer(customer) == (403, error("Forbidden"))


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


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", f"{ADMIN}/marketplaces", "GET, POST"),
        ("PUT", f"{ADMIN}/marketplaces/any", "DELETE"),
        ("DELETE", f"{ADMIN}/repositories", "GET, POST"),
        ("GET", f"{ADMIN}/repositories/any", "DELETE"),
        ("GET", f"{ADMIN}/repositories/any/default", "POST"),
    ],
)
def test_other_method_is_405_with_allow(client, method, path, allow):
    response = client.request(method, path)

    assert (response.status_code, response.content, response.headers["allow"]) == (
        405,
        b"",
        allow,
    )
