"""The federation pages: site admins' marketplaces, stores and repositories, and the
offerings received from other stores on the store's pages."""

import json
import re

import pytest
from sqlalchemy import select

from mercato.store.marketplaces.models import (
    Marketplace,
    RemoteOffering,
    RemoteStore,
    Repository,
)
from mercato.store.usdl import OfferingDescription
from tests.store.loopback import Received
from tests.web.pages import csrf_token, field_error, log_in, submit

# The loopback server plays the marketplaces, on a network an admin allowed.
pytestmark = pytest.mark.loopback_allowed


@pytest.fixture
def admin(client, make):
    user = make.user("root@example.org", is_admin=True)
    log_in(client, user)
    return user


def _rows(session, model, *columns) -> list[tuple]:
    session.expire_all()
    return [
        tuple(getattr(row, c) for c in columns)
        for row in session.scalars(select(model).order_by(model.id))
    ]


def _table_rows(page: str) -> list[list[str]]:
    """The text of each body row's cells, tags and surrounding space removed."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in row] for row in cells if row]


def _flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash [a-z]+" role="status">([^<]*)</p>', page)


ADMIN_PAGES = ["/admin/marketplaces", "/admin/repositories"]
ADMIN_FORMS = [
    "/admin/marketplaces",
    "/admin/marketplaces/Peer/delete",
    "/admin/stores/peer/delete",
    "/admin/repositories",
    "/admin/repositories/main/default",
    "/admin/repositories/main/delete",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_log_in(client, path):
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_forbidden_to_other_users(client, make, path):
    log_in(client, make.user())

    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_FORMS)
def test_admin_forms_are_forbidden_to_other_users_and_change_nothing(
    client, make, store, session, path
):
    store.repository("http://r.example")
    log_in(client, make.user())

    response = client.post(
        path,
        data={"csrftoken": csrf_token(client, "/account"), "name": "x"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert _rows(session, Repository, "name") == [("main",)]
    assert _rows(session, Marketplace, "name") == []


def test_admin_forms_without_the_csrf_token_are_refused(client, admin, session):
    response = client.post("/admin/repositories", data={"name": "main"}, follow_redirects=False)

    assert response.status_code == 403
    assert _rows(session, Repository, "name") == []


def test_the_omses_page_links_to_the_federation_pages(client, admin):
    assert (
        'href="/admin/marketplaces">Marketplaces and repositories</a>' in client.get("/omses").text
    )


def test_an_empty_marketplaces_page_says_so(client, admin):
    page = client.get("/admin/marketplaces").text

    assert "This store is registered on no marketplace." in page
    assert "No store is registered here." in page


def test_admin_registers_this_store_on_a_marketplace(client, admin, session, server):
    server.answers["POST /api/v2/store"] = (201, {"Location": "/api/v2/store/mercato-1"}, b"")

    response = submit(
        client,
        "/admin/marketplaces",
        "/admin/marketplaces",
        {"name": "Peer", "host": server.url, "username": "store@peer", "passwd": "pw"},
    )

    assert (response.status_code, response.headers["location"]) == (303, "/admin/marketplaces")
    assert _rows(
        session, Marketplace, "name", "host", "api_version", "store_id", "username", "password"
    ) == [("Peer", f"{server.url}/", 2, "mercato-1", "store@peer", "pw")]
    [call] = server.received
    assert (call.method, call.path) == ("POST", "/api/v2/store")
    assert json.loads(call.body) == {
        "displayName": "Mercato http://127.0.0.1:8000",
        "url": "http://127.0.0.1:8000",
        "comment": "Mercato instance deployed in http://127.0.0.1:8000",
    }
    page = client.get("/admin/marketplaces").text
    assert _flashes(page) == ["This store is registered on the marketplace “Peer”."]
    assert _table_rows(page) == [["Peer", f"{server.url}/", "2", "mercato-1", "Leave"]]


def test_a_marketplace_that_fails_is_shown_under_the_host_and_not_kept(
    client, admin, session, server
):
    server.answers["POST /api/v2/store"] = (500, "text/plain", b"down")

    response = submit(
        client,
        "/admin/marketplaces",
        "/admin/marketplaces",
        {"name": "Peer", "host": server.url, "username": "u", "passwd": "pw"},
    )

    assert response.status_code == 400
    assert field_error(response.text, "host") == (
        f"The marketplace at {server.url}/ answered 500 to POST {server.url}/api/v2/store. "
        "The marketplace was not registered."
    )
    assert 'value="Peer"' in response.text
    assert _rows(session, Marketplace, "name") == []


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"name": ""}, "name", "is missing"),
        ({"name": "Peer/1"}, "name", "may hold only letters, digits, spaces, '_' and '-'"),
        ({"host": "ftp://peer.example"}, "host", "must be an http or https address"),
        ({"username": ""}, "username", "is missing"),
        ({"passwd": ""}, "passwd", "is missing"),
    ],
)
def test_a_bad_marketplace_form_names_the_field_and_calls_nobody(
    client, admin, session, server, fields, name, message
):
    form = {"name": "Peer", "host": server.url, "username": "u", "passwd": "pw", **fields}

    response = submit(client, "/admin/marketplaces", "/admin/marketplaces", form)

    assert response.status_code == 400
    assert field_error(response.text, name) == message
    assert server.received == []
    assert _rows(session, Marketplace, "name") == []


def test_admin_leaves_a_marketplace(client, admin, store, session, server):
    store.marketplace("Peer", server.url, store_id="mercato-1")
    server.answers["DELETE /api/v2/store/mercato-1"] = (204, "text/plain", b"")

    response = submit(client, "/admin/marketplaces", "/admin/marketplaces/Peer/delete")

    assert response.status_code == 303
    assert server.received == [Received("DELETE", "/api/v2/store/mercato-1", "", b"")]
    assert _rows(session, Marketplace, "name") == []
    assert _flashes(client.get("/admin/marketplaces").text) == [
        "This store left the marketplace “Peer”."
    ]


def test_a_marketplace_that_fails_to_let_the_store_leave_is_kept(
    client, admin, store, session, server
):
    store.marketplace("Peer", server.url, store_id="mercato-1")

    response = submit(client, "/admin/marketplaces", "/admin/marketplaces/Peer/delete")

    assert response.status_code == 303
    assert _rows(session, Marketplace, "name") == [("Peer",)]
    assert _flashes(client.get("/admin/marketplaces").text) == [
        f"The marketplace at {server.url}/ answered 404 to DELETE "
        f"{server.url}/api/v2/store/mercato-1. The marketplace “Peer” is still registered."
    ]


WEATHER = OfferingDescription(
    uri="http://peer.example/api/offering/offerings/acme/Weather/1.2",
    page="http://peer.example/store/offerings/acme/Weather/1.2",
    name="Weather",
    version="1.2",
    description="Forecasts for every town.",
    abstract="Forecasts",
    provider="Acme",
    tags=["forecast", "weather"],
)
MAPS = OfferingDescription(
    name="Maps", version="2", description="Street maps & <b>tiles</b>.", provider="Atlas"
)


def _received(session) -> RemoteStore:
    store = RemoteStore(name="peer", display_name="Peer Store", url="http://peer.example/")
    for name, description in (("acme-weather-1-2", WEATHER), ("atlas-maps-2", MAPS)):
        store.offerings.append(
            RemoteOffering(
                name=name,
                display_name=name,
                url=f"http://peer.example/usdl/{name}",
                description=description.model_dump(mode="json"),
            )
        )
    session.add(store)
    session.commit()
    return store


def test_admin_sees_the_stores_registered_here_and_removes_one(client, admin, session):
    _received(session)

    page = client.get("/admin/marketplaces").text
    response = submit(client, "/admin/marketplaces", "/admin/stores/peer/delete")

    [row] = _table_rows(page)
    assert row[:3] == ["Peer Store peer", "http://peer.example/", "2"]
    assert response.status_code == 303
    assert _rows(session, RemoteStore, "name") == []
    assert _rows(session, RemoteOffering, "name") == []
    assert _flashes(client.get("/admin/marketplaces").text) == [
        "The store “peer” and the offerings it published here are removed."
    ]


def _cards(page: str) -> list[tuple[str, str, str, str]]:
    """(link, name, store line, text) of each offering received from another store."""
    found = re.findall(
        r'<li class="card offering-card remote-offering">.*?<h3><a href="([^"]+)" rel="external">'
        r'([^<]+)</a>.*?<p class="meta">(.*?)</p>\s*<p class="abstract">(.*?)</p>',
        page,
        re.S,
    )
    return [(link, name, re.sub(r"<[^>]+>", "", meta), text) for link, name, meta, text in found]


def test_the_store_home_shows_offerings_from_other_stores_with_links_back(client, session):
    _received(session)

    page = client.get("/store").text

    assert 'id="remote-offerings-title" class="section-title">From other stores</h2>' in page
    assert _cards(page) == [
        (
            "http://peer.example/usdl/atlas-maps-2",
            "Maps",
            "by Atlas · on Peer Store",
            "Street maps &amp; &lt;b&gt;tiles&lt;/b&gt;.",
        ),
        (
            "http://peer.example/store/offerings/acme/Weather/1.2",
            "Weather",
            "by Acme · on Peer Store",
            "Forecasts",
        ),
    ]


def test_the_store_home_has_no_section_when_nothing_was_received(client):
    assert "From other stores" not in client.get("/store").text


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("", ["Maps", "Weather"]),
        ("FORECAST", ["Weather"]),
        ("peer store", ["Maps", "Weather"]),
        ("atlas tiles", ["Maps"]),
        ("nothing", []),
    ],
)
def test_anyone_searches_the_offerings_from_other_stores(client, session, q, names):
    _received(session)

    page = client.get("/store/from-other-stores", params={"q": q}).text

    assert [card[1] for card in _cards(page)] == names
    count = f"{len(names)} {'offering' if len(names) == 1 else 'offerings'}"
    assert f'<p class="result-count">{count}' in page


def test_admin_registers_repositories_makes_one_default_and_removes_it(client, admin, session):
    form = {
        "host": "http://repo.example",
        "api_version": "2",
        "offering_collection": "offerings",
        "resource_collection": "resources",
    }

    first = submit(client, "/admin/repositories", "/admin/repositories", {**form, "name": "main"})
    second = submit(
        client,
        "/admin/repositories",
        "/admin/repositories",
        {**form, "name": "backup", "host": "http://backup.example", "api_version": "1"},
    )
    listed = client.get("/admin/repositories").text
    made = submit(client, "/admin/repositories", "/admin/repositories/backup/default")
    removed = submit(client, "/admin/repositories", "/admin/repositories/backup/delete")

    assert [r.status_code for r in (first, second, made, removed)] == [303] * 4
    # In the order they were registered, as WStore lists them.
    assert _table_rows(listed) == [
        ["main default", "http://repo.example/", "2", "offerings", "resources", "Remove"],
        ["backup", "http://backup.example/", "1", "offerings", "resources", "Make default Remove"],
    ]
    assert _rows(session, Repository, "name", "is_default") == [("main", True)]
    assert _flashes(client.get("/admin/repositories").text) == ["Repository “backup” is removed."]


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"name": ""}, "name", "is missing"),
        ({"host": "repo.example"}, "host", "must be an http or https address"),
        ({"api_version": "3"}, "api_version", "must be 1 or 2"),
        ({"offering_collection": "my offerings"}, "offering_collection", "may not contain spaces"),
        ({"resource_collection": ""}, "resource_collection", "is missing"),
    ],
)
def test_a_bad_repository_form_names_the_field(client, admin, session, fields, name, message):
    form = {
        "name": "main",
        "host": "http://repo.example",
        "api_version": "2",
        "offering_collection": "o",
        "resource_collection": "r",
        **fields,
    }

    response = submit(client, "/admin/repositories", "/admin/repositories", form)

    assert response.status_code == 400
    assert field_error(response.text, name) == message
    assert _rows(session, Repository, "name") == []


def test_the_search_page_shows_matching_offerings_from_other_stores(client, session):
    _received(session)

    matching = client.get("/search", params={"q": "forecast"}).text
    other = client.get("/search", params={"q": "lights"}).text

    assert [card[1] for card in _cards(matching)] == ["Weather"]
    assert (
        '<a href="/store/from-other-stores?q=forecast">'
        "All offerings from other stores matching “forecast” →</a>"
    ) in matching
    assert "From other stores" not in other
