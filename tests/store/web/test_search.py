"""The search page and the store home's showcase of top-rated and latest offerings."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mercato.settings import Settings
from mercato.store import tags
from mercato.store.models import Review, StoreOffering
from tests.factories import Factory, TokenUser
from tests.store.world import Store
from tests.web.pages import log_in

_TITLES = re.compile(r'<h2 class="h3"><a href="[^"]+">(.*?)</a>')


def titles(page: str) -> list[str]:
    """Result titles as the page shows them, marks included."""
    return _TITLES.findall(page)


def plain_titles(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", title) for title in titles(page)]


@pytest.fixture
def shop(session: Session, store: Store, seller: TokenUser) -> list[StoreOffering]:
    provider = store.provider(seller)
    made = [
        store.offering(
            provider,
            seller,
            f"Weather {name}",
            description=f"{name} forecasts for farms & fields",
            publish=True,
        )
        for name in ("Alpha", "Beta", "Gamma")
    ]
    store.offering(provider, seller, "Weather Draft", description="not yet")
    made[1].rating = 4.0
    tags.set_tags(session, made[2], ["agriculture"])
    session.commit()
    return made


def test_keyword_results_mark_the_matched_words(
    client: TestClient, shop: list[StoreOffering]
) -> None:
    page = client.get("/search", params={"q": "beta forecast", "kind": "offering"})

    assert page.status_code == 200
    assert titles(page.text) == ["Weather <mark>Beta</mark>"]
    assert (
        '<p class="excerpt"><mark>Beta</mark> <mark>forecasts</mark> for farms &amp; fields'
        in page.text
    )
    assert "1 result for “beta forecast” with the filters chosen" in page.text


def test_without_words_the_page_lists_every_published_offering_newest_first(
    client: TestClient, shop: list[StoreOffering]
) -> None:
    page = client.get("/search", params={"kind": "offering"})

    assert titles(page.text) == ["Weather Gamma", "Weather Beta", "Weather Alpha"]
    assert "3 results" in page.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"q": "weather", "sort": "name", "kind": "offering"},
            ["Weather Alpha", "Weather Beta", "Weather Gamma"],
        ),
        (
            {"q": "farms", "sort": "popularity", "kind": "offering"},
            ["Weather Beta", "Weather Gamma", "Weather Alpha"],
        ),
        ({"tag": "Agriculture"}, ["Weather Gamma"]),
        ({"q": "snow"}, []),
    ],
)
def test_sorts_and_tags(
    client: TestClient, shop: list[StoreOffering], params: dict[str, str], expected: list[str]
) -> None:
    page = client.get("/search", params=params)

    assert plain_titles(page.text) == expected


def test_results_come_in_pages(
    client: TestClient, settings: Settings, shop: list[StoreOffering]
) -> None:
    settings.page_size = 2

    query = {"q": "weather", "sort": "name", "kind": "offering"}

    first = client.get("/search", params=query)
    second = client.get("/search", params={**query, "page": "2"})

    assert plain_titles(first.text) == ["Weather Alpha", "Weather Beta"]
    assert plain_titles(second.text) == ["Weather Gamma"]
    assert (
        '<a class="page" href="?q=weather&amp;sort=name&amp;kind=offering&amp;page=2">2</a>'
        in first.text
    )


def test_signed_in_users_see_what_they_acquired(
    client: TestClient, make: Factory, buyer: TokenUser, shop: list[StoreOffering]
) -> None:
    make.order(shop[0].offer, make.project(buyer.user))
    log_in(client, buyer.user)

    page = client.get("/search", params={"q": "weather", "filter": "purchased"})

    assert plain_titles(page.text) == ["Weather Alpha"]
    assert '<option value="purchased" selected>Acquired by me</option>' in page.text


def test_the_store_home_shows_top_rated_and_latest(
    client: TestClient, shop: list[StoreOffering], session: Session, buyer: TokenUser
) -> None:
    # Top rated are the reviewed offerings, best first (store-wire.md §3.2).
    for offering, rating in ((shop[0], 0), (shop[1], 4)):
        session.add(Review(offer_id=offering.offer_id, user=buyer.user, rating=rating, title="t"))
    session.commit()

    page = client.get("/store")

    assert page.status_code == 200
    top, latest = page.text.split('id="latest-title"')
    assert top.index("Weather Beta") < top.index("Weather Alpha")
    assert latest.index("Weather Gamma") < latest.index("Weather Alpha")
    assert '<a href="/search?kind=offering&amp;sort=rating">' in page.text
    assert "Weather Draft" not in page.text
