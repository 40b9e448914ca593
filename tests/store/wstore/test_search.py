"""The WStore search API (/api/search/...): paths, queries, answers and errors."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mercato.store import assets, offerings, tags
from mercato.store.models import StoreOffering
from mercato.store.offerings import AssetRef
from tests.factories import Factory, TokenUser
from tests.store.world import Store, bearer


def names(response: Any) -> list[str]:
    return [item["name"] for item in response.json()]


@pytest.fixture
def shop(session: Session, store: Store, seller: TokenUser) -> dict[str, StoreOffering]:
    """Published "weather" offerings (one tagged, one with an asset) and an uploaded one."""
    provider = store.provider(seller)
    radar = store.asset(provider, "Radar Feed")
    made = {
        "alpha": store.offering(
            provider, seller, "Alpha Radar", description="weather radar", publish=True
        ),
        "beta": store.offering(
            provider,
            seller,
            "Beta Weather",
            description="forecasts",
            bound=[radar],
            publish=True,
        ),
        "draft": store.offering(provider, seller, "Weather Draft", description="not yet"),
    }
    tags.set_tags(session, made["alpha"], ["Meteo", "maps"])
    session.commit()
    return made


def test_keyword_search_answers_the_offerings_as_the_offering_api_does(
    client: TestClient, seller: TokenUser, shop: dict[str, StoreOffering]
) -> None:
    found = client.get("/api/search/keyword/radar", headers=bearer(seller))
    one = client.get("/api/offering/offerings/conwet/Alpha Radar/1.0", headers=bearer(seller))

    assert found.status_code == 200
    assert found.json() == [one.json()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Beta Weather", "Alpha Radar"]),
        ("?sort=name", ["Alpha Radar", "Beta Weather"]),
        ("?sort=date", ["Beta Weather", "Alpha Radar"]),
        ("?sort=popularity", ["Beta Weather", "Alpha Radar"]),
        # `start` is a page number, `limit` the page size (§8.1).
        ("?sort=name&start=2&limit=1", ["Beta Weather"]),
        ("?sort=name&start=1&limit=1", ["Alpha Radar"]),
        ("?sort=name&start=3&limit=1", []),
        # A page past the last one, but within the hits: the last page.
        ("?sort=name&start=2&limit=2", ["Alpha Radar", "Beta Weather"]),
        # `provided` without `state` searches the published offerings.
        ("?filter=provided&sort=name", ["Alpha Radar", "Beta Weather"]),
        ("?filter=provided&state=uploaded", ["Weather Draft"]),
        (
            "?filter=provided&state=uploaded,published&sort=name",
            ["Alpha Radar", "Beta Weather", "Weather Draft"],
        ),
        ("?filter=published&sort=name", ["Alpha Radar", "Beta Weather"]),
        ("?filter=purchased", []),
        # With action=count, paging and sort are neither checked nor used.
    ],
)
def test_keyword_search_filters_sorts_and_pages(
    client: TestClient,
    seller: TokenUser,
    shop: dict[str, StoreOffering],
    query: str,
    expected: list[str],
) -> None:
    response = client.get(f"/api/search/keyword/weather{query}", headers=bearer(seller))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert names(response) == expected


def test_the_programmer_guides_path_searches_by_keyword(
    client: TestClient, seller: TokenUser, shop: dict[str, StoreOffering]
) -> None:
    response = client.get(
        "/api/search/forecasts", headers={**bearer(seller), "Accept": "application/json"}
    )

    assert response.status_code == 200
    assert names(response) == ["Beta Weather"]


def test_purchased_filter_lists_what_the_caller_ordered(
    client: TestClient, make: Factory, buyer: TokenUser, shop: dict[str, StoreOffering]
) -> None:
    make.order(shop["beta"].offer, make.project(buyer.user))

    response = client.get("/api/search/keyword/weather?filter=purchased", headers=bearer(buyer))

    assert names(response) == ["Beta Weather"]
    assert response.json()[0]["state"] == "purchased"


@pytest.mark.parametrize(
    ("path", "number"),
    [
        ("/api/search/keyword/weather?action=count", 2),
        ("/api/search/keyword/weather?action=count&filter=provided&state=uploaded", 1),
        ("/api/search/keyword/weather?action=count&start=x&sort=price", 2),
        ("/api/search/keyword/snow?action=count", 0),
        ("/api/search/tag/meteo?action=count", 1),
        ("/api/search/tag/snow?action=count", 0),
    ],
)
def test_count(
    client: TestClient,
    seller: TokenUser,
    shop: dict[str, StoreOffering],
    path: str,
    number: int,
) -> None:
    response = client.get(path, headers=bearer(seller))

    assert (response.status_code, response.json()) == (200, {"number": number})


def test_highlight_is_opt_in_html(
    client: TestClient, seller: TokenUser, shop: dict[str, StoreOffering]
) -> None:
    plain = client.get("/api/search/keyword/radar", headers=bearer(seller))
    marked = client.get("/api/search/keyword/radar?highlight=true", headers=bearer(seller))

    assert "highlight" not in plain.json()[0]
    assert marked.json()[0]["highlight"] == {
        "name": "Alpha <mark>Radar</mark>",
        "tags": "Meteo, maps",
        "excerpt": "weather <mark>radar</mark>",
    }


def test_tag_search(client: TestClient, seller: TokenUser, shop: dict[str, StoreOffering]) -> None:
    response = client.get("/api/search/tag/METEO", headers=bearer(seller))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert names(response) == ["Alpha Radar"]
    assert response.json()[0]["tags"] == ["Meteo", "maps"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?sort=name", ["Alpha Radar", "Beta Weather"]),
        ("?sort=name&start=2&limit=1", ["Beta Weather"]),
        ("?sort=name&start=1&limit=1", ["Alpha Radar"]),
        # WStore's quirk: a 0 means no paging at all.
        ("?sort=name&start=0&limit=1", ["Alpha Radar", "Beta Weather"]),
        ("?sort=name&start=2&limit=0", ["Alpha Radar", "Beta Weather"]),
        ("?sort=name&filter=published", ["Alpha Radar", "Beta Weather"]),
        ("?filter=purchased", []),
    ],
)
def test_tag_search_sorts_and_pages(
    client: TestClient,
    seller: TokenUser,
    session: Session,
    shop: dict[str, StoreOffering],
    query: str,
    expected: list[str],
) -> None:
    tags.set_tags(session, shop["beta"], ["weather"])
    tags.set_tags(session, shop["alpha"], ["weather"])
    tags.set_tags(session, shop["draft"], ["weather"])
    session.commit()

    response = client.get(f"/api/search/tag/weather{query}", headers=bearer(seller))

    assert (response.status_code, names(response)) == (200, expected)


def test_tag_search_shows_a_buyer_the_deleted_offerings_they_ordered(
    client: TestClient,
    make: Factory,
    store: Store,
    buyer: TokenUser,
    session: Session,
    shop: dict[str, StoreOffering],
) -> None:
    make.order(shop["alpha"].offer, make.project(buyer.user))
    offerings.delete_offering(session, store.files, shop["alpha"])
    session.commit()

    mine = client.get("/api/search/tag/meteo", headers=bearer(buyer))
    other = client.get("/api/search/tag/meteo", headers=bearer(make.token_user()))

    assert [(o["name"], o["state"]) for o in mine.json()] == [("Alpha Radar", "purchased")]
    assert other.json() == []


def test_resource_search(
    client: TestClient, seller: TokenUser, store: Store, shop: dict[str, StoreOffering]
) -> None:
    provider = shop["beta"].service.provider
    radar = shop["beta"].assets[0]
    store.offering(provider, seller, "Gamma Radar", bound=[radar], publish=True)
    store.offering(provider, seller, "Delta Radar", bound=[radar])

    response = client.get("/api/search/resource/CoNWeT/Radar Feed/1.0", headers=bearer(seller))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert names(response) == ["Beta Weather", "Gamma Radar"]


def test_resource_search_lists_offerings_in_binding_order(
    client: TestClient, seller: TokenUser, store: Store, shop: dict[str, StoreOffering]
) -> None:
    provider = shop["beta"].service.provider
    radar = shop["beta"].assets[0]
    # Zulu is created before Yankee but includes the resource after it (store-wire.md §8.3).
    zulu = store.offering(provider, seller, "Zulu Radar")
    store.offering(provider, seller, "Yankee Radar", bound=[radar], publish=True)
    offerings.bind_assets(store.session, zulu, [AssetRef(radar.name, radar.version)])
    offerings.publish_offering(store.session, zulu, [])
    store.session.commit()

    response = client.get("/api/search/resource/CoNWeT/Radar Feed/1.0", headers=bearer(seller))

    assert names(response) == ["Beta Weather", "Yankee Radar", "Zulu Radar"]


KEYWORD = "/api/search/keyword/weather"
TAG = "/api/search/tag/meteo"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        # §8.1, in the order of its checks.
        (f"{KEYWORD}?filter=all&state=x&action=x", 400, "Invalid filter"),
        (f"{KEYWORD}?state=uploaded&action=x", 400, "Invalid filters"),
        (f"{KEYWORD}?filter=published&state=uploaded", 400, "Invalid filters"),
        (f"{KEYWORD}?action=all&start=1", 400, "Invalid action"),
        (f"{KEYWORD}?start=1&sort=price", 400, "Missing pagination param"),
        (f"{KEYWORD}?limit=1", 400, "Missing pagination param"),
        (f"{KEYWORD}?start=a&limit=1&sort=price", 400, "Invalid pagination params"),
        (f"{KEYWORD}?sort=price&filter=provided&state=sold", 400, "Invalid sorting"),
        (f"{KEYWORD}?filter=provided&state=sold&start=0&limit=1", 400, "Invalid state"),
        (f"{KEYWORD}?start=0&limit=1", 400, "Start param must be higher than 0"),
        (f"{KEYWORD}?start=1&limit=-1", 400, "Limit param must be higher than 0"),
        # §8.2, in the order of its checks.
        (f"{TAG}?action=all&start=1", 400, "Invalid action"),
        (f"{TAG}?action=count&sort=name", 400, "Actions cannot be combined with pagination"),
        (f"{TAG}?action=count&start=1&limit=1", 400, "Actions cannot be combined with pagination"),
        (f"{TAG}?start=1&sort=price", 400, "Both pagination params are required"),
        (f"{TAG}?start=a&limit=1&sort=price", 400, "Invalid format in pagination parameters"),
        (
            f"{TAG}?start=-1&limit=1&sort=price",
            400,
            "Pagination params must be equal or greater that 1",
        ),
        (f"{TAG}?sort=price&filter=provided", 400, "Invalid sorting value"),
        (f"{TAG}?filter=provided", 400, "Invalid filter"),
        # §8.3
        ("/api/search/resource/CoNWeT/Radar Feed/2.0", 404, "Resource not found"),
        ("/api/search/resource/nobody/Radar Feed/1.0", 404, "Resource not found"),
        ("/api/search/resource/CoNWeT/Nothing/1.0", 404, "Resource not found"),
    ],
)
def test_bad_queries_are_refused_with_wstores_texts(
    client: TestClient,
    seller: TokenUser,
    shop: dict[str, StoreOffering],
    path: str,
    status: int,
    message: str,
) -> None:
    response = client.get(path, headers=bearer(seller))

    assert (response.status_code, response.json()) == (
        status,
        {"message": message, "result": "error"},
    )


def test_a_deleted_resource_is_not_found(
    client: TestClient, seller: TokenUser, store: Store, shop: dict[str, StoreOffering]
) -> None:
    asset = store.asset(shop["beta"].service.provider, "Unused")
    assets.delete_asset(store.session, store.files, asset)
    store.session.commit()

    response = client.get("/api/search/resource/CoNWeT/Unused/1.0", headers=bearer(seller))

    assert (response.status_code, response.json()) == (
        404,
        {"message": "Resource not found", "result": "error"},
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/search/keyword/weather",
        "/api/search/weather",
        "/api/search/tag/meteo",
        "/api/search/resource/CoNWeT/Radar Feed/1.0",
    ],
)
def test_search_needs_a_caller(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert (response.status_code, response.json()) == (
        401,
        {"message": "Authentication required", "result": "error"},
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/search/keyword/weather",
        "/api/search/tag/meteo",
        "/api/search/resource/CoNWeT/Radar Feed/1.0",
    ],
)
def test_other_method_is_405_with_allow(client: TestClient, path: str) -> None:
    response = client.post(path)

    assert (response.status_code, response.content, response.headers["allow"]) == (
        405,
        b"",
        "GET",
    )
