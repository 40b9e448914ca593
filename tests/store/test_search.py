"""Search rules: keyword, tag and asset search, their filters, sorts, pages and highlights."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from mercato.catalogue.models import Offer, OfferStatus
from mercato.db import utcnow
from mercato.errors import Invalid, NotFound
from mercato.store import offerings, search, tags
from mercato.store.listing import Scope, Sort
from mercato.store.models import OfferingState, StoreOffering
from mercato.store.offerings import Description, Media
from tests.factories import Factory, TokenUser
from tests.store.world import Store


def names(found: list[StoreOffering]) -> list[str]:
    return [offering.service.name for offering in found]


def indexed_ids(session: Session) -> list[int]:
    """The offerings in the full-text index (FTS5 keeps them as rowids; the catalogue's
    services and offers have negative keys)."""
    key = "rowid" if session.get_bind().dialect.name == "sqlite" else "offer_id"
    return sorted(session.scalars(text(f"SELECT {key} FROM store_search WHERE {key} > 0")))


@pytest.fixture
def lights(store: Store, seller: TokenUser) -> StoreOffering:
    provider = store.provider(seller)
    return store.offering(
        provider,
        seller,
        "Smart City Lights",
        publish=True,
        description="Street lamps that dim themselves at night",
        abstract="Lighting for towns",
        usdl_text="Orion context broker widget",
    )


@pytest.mark.parametrize(
    "keyword",
    ["smart", "LAMPS", "dim", "towns", "Orion broker", "city lights night", "lighting"],
)
def test_keyword_finds_words_of_the_name_description_abstract_and_usdl(
    session: Session, lights: StoreOffering, keyword: str
) -> None:
    assert names(search.find_by_keyword(session, None, keyword)) == ["Smart City Lights"]


def test_keyword_finds_tags(session: Session, store: Store, lights: StoreOffering) -> None:
    tags.set_tags(session, lights, ["iot", "big data"])
    session.commit()

    assert names(search.find_by_keyword(session, None, "data")) == ["Smart City Lights"]


@pytest.mark.parametrize("keyword", ["smart water", "parking", "", "!!! ???", 'lamp" OR "x'])
def test_keyword_needs_every_word(session: Session, lights: StoreOffering, keyword: str) -> None:
    assert search.find_by_keyword(session, None, keyword) == []
    assert search.count_by_keyword(session, None, keyword) == 0


def test_keyword_syntax_of_the_index_is_plain_text(session: Session, lights: StoreOffering) -> None:
    assert names(search.find_by_keyword(session, None, "smart* (lamps) -dim")) == [
        "Smart City Lights"
    ]


def test_uploaded_offerings_are_found_only_by_their_provider(
    session: Session, store: Store, seller: TokenUser, lights: StoreOffering
) -> None:
    store.offering(lights.service.provider, seller, "Smart Parking", description="Smart spots")

    published = search.find_by_keyword(session, seller.user, "smart")
    provided = search.find_by_keyword(
        session,
        seller.user,
        "smart",
        scope=Scope.PROVIDED,
        states=[OfferingState.UPLOADED],
    )

    assert names(published) == ["Smart City Lights"]
    assert names(provided) == ["Smart Parking"]


def test_provided_is_only_the_callers_providers(
    session: Session, make: Factory, lights: StoreOffering, buyer: TokenUser
) -> None:
    found = search.find_by_keyword(
        session, buyer.user, "smart", scope=Scope.PROVIDED, states=list(OfferingState)
    )

    assert found == []


def test_purchased_is_what_the_caller_ordered(
    session: Session,
    make: Factory,
    store: Store,
    seller: TokenUser,
    buyer: TokenUser,
    lights: StoreOffering,
) -> None:
    other = store.offering(lights.service.provider, seller, "Smart Meter", publish=True)
    make.order(lights.offer, make.project(buyer.user))

    assert names(search.find_by_keyword(session, buyer.user, "smart")) == [
        "Smart Meter",
        "Smart City Lights",
    ]
    assert names(search.find_by_keyword(session, buyer.user, "smart", scope=Scope.PURCHASED)) == [
        "Smart City Lights"
    ]
    assert other.offer_id not in {
        o.offer_id for o in search.find_by_keyword(session, None, "lights")
    }


def test_provided_and_purchased_need_a_caller(session: Session, lights: StoreOffering) -> None:
    with pytest.raises(Invalid) as raised:
        search.find_by_keyword(session, None, "smart", scope=Scope.PURCHASED)

    assert raised.value.errors == {"filter": ["purchased needs a signed-in caller"]}


@pytest.fixture
def three(session: Session, store: Store, seller: TokenUser) -> list[StoreOffering]:
    """Three published "weather" offerings: names, dates and ratings in different orders."""
    provider = store.provider(seller)
    made = []
    for days_ago, name, rating, description in [
        (3, "Beta Forecast", 2.0, "weather weather weather maps"),
        (1, "Alpha Radar", 4.5, "rain radar with weather alerts"),
        (2, "Gamma Weather", 3.0, "stations"),
    ]:
        offering = store.offering(provider, seller, name, description=description, publish=True)
        offering.rating = rating
        offering.published_at = utcnow() - timedelta(days=days_ago)
        made.append(offering)
    session.commit()
    return made


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (Sort.NAME, ["Alpha Radar", "Beta Forecast", "Gamma Weather"]),
        (Sort.DATE, ["Alpha Radar", "Gamma Weather", "Beta Forecast"]),
        (Sort.POPULARITY, ["Alpha Radar", "Gamma Weather", "Beta Forecast"]),
        # Best match first: the name weighs most, then how often the word comes.
        (None, ["Gamma Weather", "Beta Forecast", "Alpha Radar"]),
    ],
)
def test_sorts(
    session: Session, three: list[StoreOffering], sort: Sort | None, expected: list[str]
) -> None:
    assert names(search.find_by_keyword(session, None, "weather", sort=sort)) == expected


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        (1, 2, ["Alpha Radar", "Beta Forecast"]),
        (2, 2, ["Beta Forecast", "Gamma Weather"]),
        (3, 5, ["Gamma Weather"]),
        (4, 1, []),
        (2, None, ["Beta Forecast", "Gamma Weather"]),
    ],
)
def test_pages_count_from_one(
    session: Session,
    three: list[StoreOffering],
    start: int,
    limit: int | None,
    expected: list[str],
) -> None:
    found = search.find_by_keyword(
        session, None, "weather", sort=Sort.NAME, start=start, limit=limit
    )

    assert names(found) == expected


@pytest.fixture
def rainy(session: Session, store: Store, seller: TokenUser) -> list[str]:
    """Twelve "rain" offerings, best matches unpublished, some equally good; the published
    ones, best first (ties: newest offer first)."""
    provider = store.provider(seller)
    published = [False] * 7 + [True, True, True, False, True]
    for number, times in enumerate([5, 5, 4, 4, 4, 3, 3, 3, 2, 2, 1, 1]):
        description = " ".join(["rain"] * times + ["dry"] * (5 - times))
        store.offering(
            provider, seller, f"Offer {number}", description=description, publish=published[number]
        )
    return ["Offer 7", "Offer 9", "Offer 8", "Offer 11"]


@pytest.mark.parametrize(
    ("start", "limit"), [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2), (4, 1), (4, 5), (5, 1), (9, 3)]
)
def test_best_first_pages_are_pages_of_every_match_ranked(
    session: Session, rainy: list[str], start: int, limit: int
) -> None:
    """A page is ranked from the index's best few matches: the filter may leave out all of them."""
    found = search.find_by_keyword(session, None, "rain", start=start, limit=limit)

    assert names(search.find_by_keyword(session, None, "rain")) == rainy
    assert names(found) == rainy[start - 1 : start - 1 + limit]


def test_count_counts_every_match(session: Session, three: list[StoreOffering]) -> None:
    assert search.count_by_keyword(session, None, "weather") == 3
    assert search.count_by_keyword(session, None, "radar") == 1


def test_highlights_mark_the_matched_words(session: Session, lights: StoreOffering) -> None:
    tags.set_tags(session, lights, ["street lighting", "iot"])
    session.commit()

    shown = search.highlights(session, "lights street", [lights])

    assert shown == {
        lights.offer_id: search.Highlight(
            name=(("Smart City ", False), ("Lights", True)),
            tags=(("street", True), (" ", False), ("lighting", True), (", iot", False)),
            excerpt=(
                ("Street", True),
                (" lamps that dim themselves at night", False),
            ),
        )
    }
    assert str(shown[lights.offer_id].name_html) == "Smart City <mark>Lights</mark>"


def test_highlights_take_the_usdl_text_when_the_description_has_no_match(
    session: Session, lights: StoreOffering
) -> None:
    shown = search.highlights(session, "broker", [lights])

    assert shown[lights.offer_id].excerpt == (
        ("Lighting for towns Orion context ", False),
        ("broker", True),
        (" widget", False),
    )


def test_highlights_escape_what_offerings_say(
    session: Session, store: Store, seller: TokenUser
) -> None:
    provider = store.provider(seller)
    offering = store.offering(
        provider, seller, "Widget", description='Tom & Jerry\'s "widget" costs < 5 > 3'
    )

    shown = search.highlights(session, "widget", [offering])

    assert str(shown[offering.offer_id].excerpt_html) == (
        "Tom &amp; Jerry&#39;s &#34;<mark>widget</mark>&#34; costs &lt; 5 &gt; 3"
    )


def test_updates_to_an_offering_show_in_the_index(
    session: Session, store: Store, seller: TokenUser
) -> None:
    provider = store.provider(seller)
    offering = store.offering(provider, seller, "Parking", description="Find a free spot")

    offerings.update_offering(
        session,
        store.files,
        offering,
        description=Description(description="Charge your electric car", usdl_text="kilowatt"),
        media=Media(),
    )
    tags.set_tags(session, offering, ["mobility"])
    offerings.publish_offering(session, offering, [])
    session.commit()

    assert search.find_by_keyword(session, None, "spot") == []
    for keyword in ("electric", "kilowatt", "mobility", "parking"):
        assert names(search.find_by_keyword(session, None, keyword)) == ["Parking"]


def test_renaming_the_service_renames_the_offering_in_the_index(
    session: Session, lights: StoreOffering
) -> None:
    lights.service.name = "Smart Street Lamps"
    session.commit()

    assert search.find_by_keyword(session, None, "city") == []
    assert names(search.find_by_keyword(session, None, "street")) == ["Smart Street Lamps"]


def test_offer_changes_outside_the_store_show_in_the_index(
    session: Session, lights: StoreOffering
) -> None:
    offer = session.get_one(Offer, lights.offer_id)
    offer.description = "Bulbs"
    session.commit()

    assert names(search.find_by_keyword(session, None, "bulbs")) == ["Smart City Lights"]
    assert search.find_by_keyword(session, None, "lamps") == []


def test_deleted_offerings_leave_the_index(
    session: Session, store: Store, seller: TokenUser, lights: StoreOffering
) -> None:
    draft = store.offering(lights.service.provider, seller, "Smart Draft")
    assert indexed_ids(session) == sorted([lights.offer_id, draft.offer_id])

    offerings.delete_offering(session, store.files, draft)
    offerings.delete_offering(session, store.files, lights)
    session.commit()

    # The published one stays for those who acquired it, but is no longer found.
    assert indexed_ids(session) == [lights.offer_id]
    assert lights.offer.status == OfferStatus.DELETED
    assert search.find_by_keyword(session, None, "smart") == []


def test_tag_search_matches_whole_tags_in_any_case(
    session: Session, store: Store, seller: TokenUser, lights: StoreOffering
) -> None:
    other = store.offering(lights.service.provider, seller, "Data Lake", publish=True)
    tags.set_tags(session, lights, ["big data", "iot"])
    tags.set_tags(session, other, ["Data"])
    session.commit()

    assert names(search.find_by_tag(session, None, " Big Data ")) == ["Smart City Lights"]
    assert names(search.find_by_tag(session, None, "data")) == ["Data Lake"]
    assert search.find_by_tag(session, None, "big") == []
    assert search.find_by_tag(session, None, "data big") == []
    assert search.count_by_tag(session, None, "iot") == 1


@pytest.mark.parametrize("tag", ["it", "-", "über_cloud"])
def test_tag_search_finds_tags_the_index_cannot_narrow(
    session: Session, lights: StoreOffering, tag: str
) -> None:
    tags.set_tags(session, lights, [tag])
    session.commit()

    assert names(search.find_by_tag(session, None, tag.upper())) == ["Smart City Lights"]


def test_tag_search_has_no_provided_filter(session: Session, seller: TokenUser) -> None:
    with pytest.raises(Invalid) as raised:
        search.find_by_tag(session, seller.user, "iot", scope=Scope.PROVIDED)

    assert raised.value.errors == {"filter": ["must be published or purchased"]}


def test_asset_search_lists_the_published_offerings_that_include_it(
    session: Session, store: Store, seller: TokenUser
) -> None:
    provider = store.provider(seller)
    viewer = store.asset(provider, "Map Viewer")
    other = store.asset(provider, "Chart")
    store.offering(provider, seller, "Maps", bound=[viewer], publish=True)
    store.offering(provider, seller, "Maps Draft", bound=[viewer])
    store.offering(provider, seller, "Charts", bound=[other], publish=True)

    assert names(search.find_by_asset(session, provider.slug, "Map Viewer", "1.0")) == ["Maps"]
    assert names(search.find_by_asset(session, provider.name, "Chart", "1.0")) == ["Charts"]


@pytest.mark.parametrize(
    ("provider", "name", "version"),
    [
        ("conwet", "Map Viewer", "2.0"),
        ("conwet", "Nothing", "1.0"),
        ("nobody", "Map Viewer", "1.0"),
    ],
)
def test_asset_search_of_an_unknown_asset_is_not_found(
    session: Session, store: Store, seller: TokenUser, provider: str, name: str, version: str
) -> None:
    store.asset(store.provider(seller), "Map Viewer")

    with pytest.raises(NotFound):
        search.find_by_asset(session, provider, name, version)
