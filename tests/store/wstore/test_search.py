"""The WStore search API (/api/search/...): paths, queries, answers and errors."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mercato.store import tags
from mercato.store.models import StoreOffering
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
    tags.set_tags(session, made["alpha"], tags.check_tags(["Meteo", "maps"]))
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
        ("?sort=name&start=2&limit=1", ["Beta Weather"]),
        ("?sort=name&start=3&limit=1", []),
        ("?filter=provided&sort=name", ["Alpha Radar", "Beta Weather", "Weather Draft"]),
        ("?filter=provided&state=uploaded", ["Weather Draft"]),
        ("?filter=provided&state=ALL&sort=name&start=1&limit=2", ["Alpha Radar", "Beta Weather"]),
        ("?filter=purchased", []),
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
        ("/api/search/keyword/weather?action=count&filter=provided&state=ALL", 3),
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
        "tags": "meteo, maps",
        "excerpt": "weather <mark>radar</mark>",
    }


def test_tag_search(client: TestClient, seller: TokenUser, shop: dict[str, StoreOffering]) -> None:
    response = client.get("/api/search/tag/METEO", headers=bearer(seller))

    assert response.status_code == 200
    assert names(response) == ["Alpha Radar"]
    assert response.json()[0]["tags"] == ["meteo", "maps"]


def test_resource_search(
    client: TestClient, seller: TokenUser, shop: dict[str, StoreOffering]
) -> None:
    response = client.get("/api/search/resource/conwet/Radar Feed/1.0", headers=bearer(seller))

    assert response.status_code == 200
    assert names(response) == ["Beta Weather"]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (
            "/api/search/keyword/weather?start=1",
            400,
            "start start and limit must be given together",
        ),
        (
            "/api/search/keyword/weather?limit=1",
            400,
            "start start and limit must be given together",
        ),
        (
            "/api/search/keyword/weather?state=ALL",
            400,
            "state is only allowed with filter=provided",
        ),
        (
            "/api/search/keyword/weather?filter=provided&state=sold",
            400,
            "state must be uploaded, published, deleted (comma-separated) or ALL",
        ),
        (
            "/api/search/keyword/weather?sort=price",
            400,
            "sort Input should be 'date', 'popularity' or 'name'",
        ),
        (
            "/api/search/keyword/weather?start=0&limit=1",
            400,
            "start Input should be greater than or equal to 1",
        ),
        (
            "/api/search/keyword/weather?action=all",
            400,
            "action String should match pattern '^count$'",
        ),
        ("/api/search/tag/meteo?filter=provided", 400, "filter must be published or purchased"),
        (
            "/api/search/tag/meteo?action=count&sort=name",
            400,
            "action count takes no start, limit or sort",
        ),
        ("/api/search/resource/conwet/Radar Feed/2.0", 404, "Resource not found"),
        ("/api/search/resource/nobody/Radar Feed/1.0", 404, "Provider not found"),
    ],
)
def test_bad_queries_are_refused_with_the_wstore_envelope(
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


@pytest.mark.parametrize(
    "path",
    [
        "/api/search/keyword/weather",
        "/api/search/weather",
        "/api/search/tag/meteo",
        "/api/search/resource/conwet/Radar Feed/1.0",
    ],
)
def test_search_needs_a_caller(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert (response.status_code, response.json()) == (
        401,
        {"message": "Authentication required", "result": "error"},
    )
