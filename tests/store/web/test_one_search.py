"""The one search: catalogue services and offers and store offerings on one results page,
from the store's index, with facets, sorts and marked words."""

import html
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import OfferStatus, OrderType, Service, ServiceStatus
from mercato.store import search
from mercato.store.models import Review, StoreOffering
from tests.factories import Factory, TokenUser
from tests.store.world import Store
from tests.web.pages import log_in

_ENTRY = re.compile(
    r'<li class="card search-entry kind-(\w+)">.*?<h2 class="h3"><a href="([^"]+)">(.*?)</a>',
    re.DOTALL,
)
_FACET = re.compile(
    r'<input type="checkbox" id="f-(\w+)-\d+" name="\w+" value="([^"]*)"( checked)?>\s*'
    r'<span class="facet-name">[^<]*</span>\s*<span class="facet-count">(\d+)</span>'
)


def entries(page: str) -> list[tuple[str, str]]:
    """(kind, title without marks) of each result, in order."""
    return [
        (kind, html.unescape(re.sub(r"<[^>]+>", "", title)))
        for kind, _, title in _ENTRY.findall(page)
    ]


def facet(page: str, name: str) -> dict[str, int]:
    return {value: int(count) for f, value, _, count in _FACET.findall(page) if f == name}


@dataclass
class World:
    cluster: Service
    archive: Service
    hidden: Service
    maps: StoreOffering
    manager: User


@pytest.fixture
def world(session: Session, make: Factory, store: Store, seller: TokenUser) -> World:
    manager = make.user("manager@example.org")
    nordic = make.provider(manager, name="Nordic Compute")
    sky = make.provider(name="Sky Data")
    cluster = make.service(
        nordic,
        name="Aurora Cluster",
        tagline="Batch computing near the pole",
        categories=["Compute"],
        scientific_domains=["Physics"],
    )
    make.offer(cluster, name="GPU nodes", description="Aurora GPU hours, by the thousand")
    make.offer(cluster, name="Secret plan", description="aurora", status=OfferStatus.DRAFT)
    archive = make.service(
        sky,
        name="Borealis Archive",
        description="Keeps aurora observations",
        categories=["Storage"],
        scientific_domains=["Earth sciences"],
        order_type=OrderType.OPEN_ACCESS,
    )
    make.offer(archive, name="Cold tier", order_type=OrderType.OPEN_ACCESS)
    hidden = make.service(nordic, name="Hidden Aurora", status=ServiceStatus.DRAFT)
    make.offer(hidden, name="Hidden offer", description="aurora")
    shop = store.provider(seller)
    maps = store.offering(shop, seller, "Aurora Maps", description="Maps of auroras", publish=True)
    store.offering(shop, seller, "Aurora Draft Maps")
    session.add(Review(offer_id=maps.offer_id, user=seller.user, rating=4, title="Good"))
    maps.rating = 4.0
    session.commit()
    return World(cluster, archive, hidden, maps, manager)


def test_a_visible_service_is_found_by_its_name(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "aurora cluster"})

    assert page.status_code == 200
    assert entries(page.text) == [("service", "Aurora Cluster")]
    assert '<a href="/services/aurora-cluster"><mark>Aurora</mark> <mark>Cluster</mark></a>' in (
        page.text
    )
    assert "1 result for “aurora cluster”" in page.text


def test_an_offer_is_found_by_its_description(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "gpu hours"})

    assert entries(page.text) == [("offer", "GPU nodes")]
    assert '<a href="/services/aurora-cluster#offer-1"><mark>GPU</mark> nodes</a>' in page.text
    assert "offer of Aurora Cluster · by Nordic Compute · Order required" in page.text


def test_a_store_offering_is_found_as_one(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "maps", "kind": "offering"})

    assert entries(page.text) == [("offering", "Aurora Maps")]
    assert '<span class="version">v1.0</span>' in page.text


def test_every_kind_is_found_by_the_same_words_best_first(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "aurora"})

    assert sorted(entries(page.text)) == [
        ("offer", "GPU nodes"),
        ("offering", "Aurora Maps"),
        ("service", "Aurora Cluster"),
        ("service", "Aurora Maps"),
        ("service", "Borealis Archive"),
    ]
    # Names weigh most: the entries named Aurora come before those that only mention it.
    assert {title for _, title in entries(page.text)[:3]} == {"Aurora Cluster", "Aurora Maps"}


def test_facets_count_and_narrow(client: TestClient, world: World) -> None:
    everything = client.get("/search", params={"q": "aurora"}).text
    computing = client.get("/search", params={"q": "aurora", "category": "compute"}).text

    assert facet(everything, "kind") == {"service": 3, "offer": 1, "offering": 1}
    assert facet(everything, "category") == {"compute": 2, "storage": 1}
    assert facet(everything, "domain") == {"physics": 2, "earth-sciences": 1}
    assert facet(everything, "order_type") == {"open_access": 1, "order_required": 4}
    assert facet(everything, "rating") == {"4": 1}
    assert facet(everything, "provider")["sky-data"] == 1
    assert entries(computing) == [("service", "Aurora Cluster"), ("offer", "GPU nodes")]
    # The chosen facet keeps its other values' counts; the others count within it.
    assert facet(computing, "category") == {"compute": 2, "storage": 1}
    assert facet(computing, "kind") == {"service": 1, "offer": 1}
    assert 'value="compute" checked>' in computing


def test_facets_combine_across_and_within(client: TestClient, world: World) -> None:
    either = [("q", "aurora"), ("category", "compute"), ("category", "storage")]
    both = [*either, ("order_type", "open_access")]

    assert len(entries(client.get("/search", params=either).text)) == 3
    assert entries(client.get("/search", params=both).text) == [("service", "Borealis Archive")]


def test_rating_narrows_to_the_rated(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "aurora", "rating": "4"})

    assert entries(page.text) == [("offering", "Aurora Maps")]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "name",
            ["Aurora Cluster", "Aurora Maps", "Aurora Maps", "Borealis Archive", "GPU nodes"],
        ),
        ("rating", ["Aurora Maps"]),
    ],
)
def test_sorts(client: TestClient, world: World, sort: str, expected: list[str]) -> None:
    page = client.get("/search", params={"q": "aurora", "sort": sort})

    titles = [title for _, title in entries(page.text)]
    assert titles[: len(expected)] == expected


def test_newest_first_without_words(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"kind": "service", "sort": "newest"})

    # Not the draft offering's service, which the store keeps a draft until publishing.
    assert [title for _, title in entries(page.text)] == [
        "Aurora Maps",
        "Borealis Archive",
        "Aurora Cluster",
    ]


def test_names_are_escaped_before_words_are_marked(
    client: TestClient, make: Factory, world: World
) -> None:
    make.service(name="<script>alert(1)</script> Aurora", description="x")

    page = client.get("/search", params={"q": "aurora", "kind": "service"})

    assert "<script>alert" not in page.text
    marked = "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Aurora</mark>"
    assert f'<a href="/services/script-alert-1-script-aurora">{marked}</a>' in page.text


def test_hidden_things_are_not_found_by_visitors(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "hidden secret draft"})
    one_by_one = [client.get("/search", params={"q": w}).text for w in ("hidden", "secret")]

    assert entries(page.text) == []
    assert all(entries(text) == [] for text in one_by_one)
    assert ("offering", "Aurora Draft Maps") not in entries(
        client.get("/search", params={"q": "draft maps"}).text
    )


def test_managers_find_their_draft_services(client: TestClient, world: World) -> None:
    log_in(client, world.manager)

    page = client.get("/search", params={"q": "hidden"})

    # The draft service and its published offer, as its page shows them to them.
    assert sorted(entries(page.text)) == [("offer", "Hidden offer"), ("service", "Hidden Aurora")]


def test_no_hits_say_so_and_offer_to_drop_the_filters(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "gpu", "category": "storage"})

    assert entries(page.text) == []
    assert "Nothing matches “gpu” with these filters." in page.text
    assert '<a href="/search?q=gpu">Search again without the filters</a>' in page.text
    # The chosen value stays listed, so it can be unticked.
    assert facet(page.text, "category") == {"compute": 1, "storage": 0}


def test_the_catalogue_has_a_keyword_box_leading_to_the_search(
    client: TestClient, world: World
) -> None:
    page = client.get("/")

    assert '<form method="get" action="/search"' in page.text
    assert 'id="catalogue-q" name="q"' in page.text


def test_pages_keep_every_ticked_value(client: TestClient, settings: object, world: World) -> None:
    settings.page_size = 1  # type: ignore[attr-defined]
    query = [("q", "aurora"), ("category", "compute"), ("category", "storage"), ("sort", "name")]

    first = client.get("/search", params=query).text
    second = client.get("/search", params=[*query, ("page", "2")]).text

    assert entries(first) == [("service", "Aurora Cluster")]
    assert entries(second) == [("service", "Borealis Archive")]
    assert (
        'href="?q=aurora&amp;category=compute&amp;category=storage&amp;sort=name&amp;page=2"'
        in first
    )


def test_the_store_keyword_search_still_finds_only_offerings(
    session: Session, world: World
) -> None:
    found = search.find_by_keyword(session, None, "aurora")

    assert [offering.offer_id for offering in found] == [world.maps.offer_id]
    assert search.count_by_keyword(session, None, "aurora") == 1
