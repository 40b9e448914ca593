"""Store assets and offerings loaded from a data set through the store's rules, and dumped again."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import Offer, OfferStatus, OrderType
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.loading import read_dataset
from mercato.datasets.names import offer_ref
from mercato.datasets.schema import AssetRecord, OfferingRecord
from mercato.datasets.store import dump_assets, dump_offerings, load_assets, load_offerings
from mercato.settings import Settings
from mercato.store.descriptions import usdl_of
from mercato.store.models import Asset, AssetKind, NotificationTarget, StoreOffering
from mercato.store.offerings import find_offering
from mercato.store.reviews import rating_after_create
from mercato.store.search import find_by_keyword
from tests.factories import Factory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
GIF = b"GIF89a" + b"\x00" * 16
ZIP = b"PK\x03\x04 a widget archive"
FILES = {
    "files/viewer.zip": ZIP,
    "files/logo.png": PNG,
    "files/shots/one.png": PNG,
    "files/shots/two.gif": GIF,
    "files/readme.txt": b"not an image",
}
PLAN = {
    "title": "Monthly",
    "description": "Billed every month",
    "currency": "EUR",
    "price_components": [{"label": "Fee", "value": "10", "unit": "per month"}],
}


@dataclass
class World:
    ann: User
    cat: User
    dan: User


@pytest.fixture
def world(make: Factory, loading: Loading, dataset_folder: Path) -> World:
    """Helix (run by Ann) with a closed, an open and a draft service; Other with one; files."""
    ann, cat, dan = (make.user(f"{name}@example.org") for name in ("ann", "cat", "dan"))
    for user in (ann, cat, dan):
        loading.keep("users", user.email, user)
    helix = make.provider(ann, name="Helix")
    other = make.provider(name="Other")
    for provider in (helix, other):
        loading.keep("providers", provider.slug, provider)
    offers = [
        make.offer(make.service(helix, name="Annotator")),
        make.offer(
            make.service(helix, name="Viewer", order_type=OrderType.OPEN_ACCESS),
            order_type=OrderType.OPEN_ACCESS,
        ),
        make.offer(make.service(helix, name="Sketch"), status=OfferStatus.DRAFT),
        make.offer(make.service(other, name="Atlas")),
        make.offer(make.service(helix, name="Odd (beta)")),
    ]
    offers.append(make.offer(offers[0].service, description="Annotator, second offer"))
    for offer in offers:
        loading.keep("offers", offer_ref(offer.service.slug, offer.iid), offer.id)
    for path, data in FILES.items():
        (dataset_folder / path).parent.mkdir(parents=True, exist_ok=True)
        (dataset_folder / path).write_bytes(data)
    return World(ann, cat, dan)


def asset_records(**changes: Any) -> list[AssetRecord]:
    """A file asset and a link asset of Helix, a link asset of Other; ``changes`` to the first."""
    records = [
        {
            "ref": "helix/Map Viewer",
            "provider": "helix",
            "name": "Map Viewer",
            "version": "1.0",
            "description": "The widget",
            "content_type": "application/zip",
            "is_open": True,
            "file": "files/viewer.zip",
            "meta": {"tier": "small"},
        },
        {
            "ref": "helix/Feed",
            "provider": "helix",
            "name": "Feed",
            "version": "2.0rc1",
            "content_type": "application/json",
            "is_deleted": True,
            "link": "https://feed.example.org/v2",
        },
        {
            "ref": "other/Atlas",
            "provider": "other",
            "name": "Atlas",
            "version": "1.0",
            "content_type": "text/plain",
            "kind": "Downloadable",
            "link": "https://atlas.example.org/atlas.txt",
        },
    ]
    records[0] = {key: value for key, value in {**records[0], **changes}.items() if value != ...}
    return [AssetRecord.model_validate(record) for record in records]


def offering_record(offer: str = "annotator/1", **changes: Any) -> dict[str, Any]:
    record = {
        "offer": offer,
        "version": "1.0",
        "owner": "ann@example.org",
        "abstract": "Genes for every variant",
        "legal": {"title": "Licence", "text": "Apache 2.0, cite the provider"},
        "notification": "own",
        "notification_url": "https://hooks.example.org/helix",
        "price_plans": [PLAN],
        "description_url": "https://usdl.example.org/annotator.ttl",
        "image": "files/logo.png",
        "screenshots": ["files/shots/one.png", "files/shots/two.gif"],
        # By name, as the offering lists them: a set, whose order a dump does not keep.
        "assets": ["helix/Feed", "helix/Map Viewer"],
        "reviews": [
            {
                "author": "cat@example.org",
                "rating": 5,
                "title": "Saved us days",
                "comment": "24 exomes in minutes",
                "created_at": "2026-03-20T16:10:00Z",
                "reply": {
                    "author": "ann@example.org",
                    "title": "Thanks",
                    "text": "2.0 adds structural variants",
                    "at": "2026-03-23T08:45:00Z",
                },
            },
            {
                "author": "dan@example.org",
                "rating": 4,
                "title": "Fast",
                "created_at": "2026-03-24T11:30:00Z",
            },
        ],
        "published_at": "2026-03-16T09:00:00Z",
    }
    return {key: value for key, value in {**record, **changes}.items() if value != ...}


def offerings(*records: dict[str, Any]) -> list[OfferingRecord]:
    return [OfferingRecord.model_validate(record) for record in records]


def stored(settings: Settings) -> dict[str, bytes]:
    root = settings.data_dir / "media"
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- assets ----------------------------------------------------------------------------


def test_assets_load_with_their_file_stored_or_their_link_and_are_kept_by_ref(
    world: World, loading: Loading, session: Session, settings: Settings
) -> None:
    load_assets(loading, asset_records())
    session.commit()

    assets = session.scalars(select(Asset).order_by(Asset.id)).all()
    assert [
        (
            a.provider.slug,
            a.name,
            a.version,
            a.description,
            a.content_type,
            a.kind,
            a.is_open,
            a.is_deleted,
            a.file_name,
            a.size,
            a.link,
            a.meta,
        )
        for a in assets
    ] == [
        (
            "helix",
            "Map Viewer",
            "1.0",
            "The widget",
            "application/zip",
            AssetKind.DOWNLOADABLE,
            True,
            False,
            "viewer.zip",
            len(ZIP),
            None,
            {"tier": "small"},
        ),
        (
            "helix",
            "Feed",
            "2.0rc1",
            "",
            "application/json",
            AssetKind.API,
            False,
            True,
            None,
            None,
            "https://feed.example.org/v2",
            {},
        ),
        (
            "other",
            "Atlas",
            "1.0",
            "",
            "text/plain",
            AssetKind.DOWNLOADABLE,
            False,
            False,
            None,
            None,
            "https://atlas.example.org/atlas.txt",
            {},
        ),
    ]
    assert stored(settings) == {assets[0].file_key: ZIP}
    assert loading.rows["assets"] == {
        "helix/Map Viewer": assets[0],
        "helix/Feed": assets[1],
        "other/Atlas": assets[2],
    }


def test_asset_files_of_a_load_that_rolls_back_are_removed(
    world: World, loading: Loading, session: Session, settings: Settings
) -> None:
    load_assets(loading, asset_records())
    written = stored(settings)

    session.rollback()

    assert (list(written.values()), stored(settings)) == ([ZIP], {})


def test_loading_assets_reports_progress_per_record(world: World, loading: Loading) -> None:
    steps: list[tuple[str, int, int]] = []
    loading.progress = lambda kind, done, total: steps.append((kind, done, total))

    load_assets(loading, asset_records())

    assert steps == [("assets", 1, 3), ("assets", 2, 3), ("assets", 3, 3)]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param(
            {"provider": "nope"},
            "field 'provider': names no providers record 'nope' of this data set",
            id="unknown provider",
        ),
        pytest.param(
            {"file": "files/missing.zip"},
            "field 'file': names no file beside the data set: files/missing.zip",
            id="missing file",
        ),
        pytest.param(
            {"file": "/etc/passwd"},
            "field 'file': must be a path relative to the data set's folder",
            id="absolute path",
        ),
        pytest.param(
            {"file": "files/../../outside.zip"},
            "field 'file': must not leave the data set's folder",
            id="path outside the folder",
        ),
        pytest.param(
            {"file": "files/readme.txt"},
            "field 'file': does not hold application/zip content",
            id="contents not of the content type",
        ),
        pytest.param(
            {"link": "https://example.org/viewer.zip"},
            "field 'file': give either a file (content or file) or a link",
            id="file and link",
        ),
        pytest.param(
            {"file": ...},
            "field 'file': give either a file (content or file) or a link",
            id="neither file nor link",
        ),
        pytest.param(
            {"kind": "API"},
            "field 'file': an API resource is given as a link, not a file",
            id="API asset with a file",
        ),
        pytest.param(
            {"file": ..., "link": "ftp://example.org/viewer.zip"},
            "field 'link': must be an http:// or https:// URL",
            id="link not http",
        ),
        pytest.param(
            {"name": "Feed"},
            "field 'name': the provider already has a resource named 'Feed'",
            id="name taken",
        ),
        pytest.param(
            {"version": "1.0beta"},
            "field 'version': "
            "must be numbers separated by dots, optionally ending in a1, b1 or rc1",
            id="bad version",
        ),
        pytest.param(
            {"content_type": "zip"},
            "field 'content_type': 'zip' is not a media type (type/subtype)",
            id="bad content type",
        ),
    ],
)
def test_broken_asset_names_the_record_and_field(
    world: World, loading: Loading, changes: dict[str, Any], error: str
) -> None:
    records = asset_records(**changes)

    with pytest.raises(LoadError) as raised:
        load_assets(loading, records[1:] + records[:1])

    assert str(raised.value) == f"assets[2] (ref 'helix/Map Viewer'), {error}"


def test_asset_file_outside_the_folder_by_a_link_inside_it_is_refused(
    world: World, loading: Loading, dataset_folder: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret.zip").write_bytes(ZIP)
    (dataset_folder / "files" / "secret.zip").symlink_to(tmp_path / "secret.zip")

    with pytest.raises(LoadError) as raised:
        load_assets(loading, asset_records(file="files/secret.zip"))

    assert str(raised.value) == (
        "assets[0] (ref 'helix/Map Viewer'), field 'file': must not leave the data set's folder"
    )


# --- offerings -------------------------------------------------------------------------


def load_store(loading: Loading, *records: dict[str, Any]) -> None:
    load_assets(loading, asset_records())
    load_offerings(loading, offerings(*records))


def test_offering_loads_onto_its_offer_with_description_media_assets_and_reviews(
    world: World, loading: Loading, session: Session, settings: Settings
) -> None:
    load_store(loading, offering_record())
    session.commit()

    offering = find_offering(session, "helix", "Annotator", "1.0")
    assert (
        offering.offer.iid,
        offering.owner,
        offering.abstract,
        offering.legal,
        offering.notification,
        offering.notification_url,
        offering.price_plans,
        offering.description_url,
        [asset.name for asset in offering.assets],
        offering.published_at,
        offering.state.value,
    ) == (
        1,
        world.ann,
        "Genes for every variant",
        {"title": "Licence", "text": "Apache 2.0, cite the provider"},
        NotificationTarget.OWN,
        "https://hooks.example.org/helix",
        [PLAN],
        "https://usdl.example.org/annotator.ttl",
        ["Feed", "Map Viewer"],
        at("2026-03-16T09:00:00Z"),
        "published",
    )
    media = stored(settings)
    assert [media[key] for key in [offering.image_key, *offering.screenshot_keys]] == [
        PNG,
        PNG,
        GIF,
    ]
    assert [key.rsplit("/", 1)[1] for key in offering.screenshot_keys] == ["one.png", "two.gif"]
    assert [
        (
            r.user,
            r.rating,
            r.title,
            r.comment,
            r.created_at,
            r.reply_user,
            r.reply_title,
            r.reply_text,
            r.replied_at,
        )
        for r in offering.reviews
    ] == [
        (world.dan, 4, "Fast", "", at("2026-03-24T11:30:00Z"), None, "", "", None),
        (
            world.cat,
            5,
            "Saved us days",
            "24 exomes in minutes",
            at("2026-03-20T16:10:00Z"),
            world.ann,
            "Thanks",
            "2.0 adds structural variants",
            at("2026-03-23T08:45:00Z"),
        ),
    ]
    assert offering.rating == 4.5


@pytest.mark.parametrize(
    ("extra", "kept"),
    [
        ({}, {}),
        ({"region": "eu", "notes": {"tier": 2}}, {"region": "eu", "notes": {"tier": 2}}),
        # base_id names the offering (store-wire.md §1.2): the loaded one's id.
        ({"base_id": "5f1e2d3c4b5a697887766554", "region": "eu"}, {"base_id": ..., "region": "eu"}),
    ],
)
def test_offering_keeps_the_other_keys_of_its_wstore_description(
    world: World, loading: Loading, session: Session, extra: dict[str, Any], kept: dict[str, Any]
) -> None:
    load_store(loading, offering_record(description_extra=extra))
    session.commit()

    offering = find_offering(session, "helix", "Annotator", "1.0")
    if "base_id" in kept:
        kept = {**kept, "base_id": str(offering.offer_id)}
    assert offering.description_extra == kept


def test_offering_rating_follows_the_stores_running_average_review_by_review(
    world: World, loading: Loading, session: Session
) -> None:
    ratings = [5, 4, 2]
    reviews = [
        {"author": f"{name}@example.org", "rating": rating, "title": "Review"}
        for name, rating in zip(("ann", "cat", "dan"), ratings, strict=True)
    ]

    load_store(loading, offering_record(reviews=reviews))

    expected = 0.0
    for count, rating in enumerate(ratings, 1):
        expected = rating_after_create(expected, count, rating)
    offering = session.scalars(select(StoreOffering)).one()
    assert (offering.rating, expected) == (11 / 3, 11 / 3)


def test_loaded_offering_is_found_by_keyword_in_its_abstract_legal_terms_and_plans(
    world: World, loading: Loading, session: Session
) -> None:
    load_store(loading, offering_record())
    session.commit()

    found = {
        words: [o.service.name for o in find_by_keyword(session, None, words)]
        for words in ("annotator", "variant genes", "apache cite", "monthly billed", "nowhere")
    }

    assert found == {
        "annotator": ["Annotator"],
        "variant genes": ["Annotator"],
        "apache cite": ["Annotator"],
        "monthly billed": ["Annotator"],
        "nowhere": [],
    }


def test_loaded_offering_shows_as_linked_usdl_with_its_plans(
    world: World, loading: Loading, session: Session
) -> None:
    load_store(loading, offering_record())
    session.commit()

    usdl = usdl_of(find_offering(session, "helix", "Annotator", "1.0"), "http://store")

    assert (usdl.name, usdl.version, usdl.legal, [p.title for p in usdl.price_plans]) == (
        "Annotator",
        "1.0",
        usdl.legal.model_validate({"title": "Licence", "text": "Apache 2.0, cite the provider"}),
        ["Monthly"],
    )


def test_draft_offer_gives_an_uploaded_offering_and_a_published_one_without_a_date_gets_now(
    world: World, loading: Loading, session: Session
) -> None:
    before = datetime.now(UTC)
    draft = offering_record("sketch/1", assets=[], reviews=[], published_at=...)
    published = offering_record("viewer/1", assets=["helix/Map Viewer"], published_at=...)

    load_store(loading, draft, published)

    viewer, sketch = session.scalars(select(StoreOffering).order_by(StoreOffering.offer_id))
    assert (sketch.state.value, sketch.published_at, viewer.state.value) == (
        "uploaded",
        None,
        "published",
    )
    assert viewer.published_at is not None
    assert before <= viewer.published_at <= datetime.now(UTC)


def test_versions_of_one_service_load_in_rising_order_as_offers_of_that_service(
    world: World, loading: Loading, session: Session
) -> None:
    load_store(
        loading,
        offering_record(reviews=[]),
        offering_record("annotator/2", version="1.1", reviews=[]),
    )

    rows = session.execute(
        select(StoreOffering.version, Offer.iid, Offer.description)
        .join(StoreOffering.offer)
        .order_by(StoreOffering.version)
    ).all()
    assert [tuple(row) for row in rows] == [
        ("1.0", 1, "An offer for tests"),
        ("1.1", 2, "Annotator, second offer"),
    ]


def test_loaded_offering_files_are_removed_when_the_load_rolls_back(
    world: World, loading: Loading, session: Session, settings: Settings
) -> None:
    load_store(loading, offering_record())
    written = len(stored(settings))

    session.rollback()

    assert (written, stored(settings)) == (4, {})


@pytest.mark.parametrize(
    ("records", "error"),
    [
        pytest.param(
            [offering_record("annotator/9")],
            "offerings[0] (ref 'annotator/9'), field 'offer': "
            "names no offers record 'annotator/9' of this data set",
            id="unknown offer",
        ),
        pytest.param(
            [offering_record("odd-beta/1")],
            "offerings[0] (ref 'odd-beta/1'), field 'offer': "
            "may hold only letters, digits, spaces, '_' and '-'",
            id="service name not a store name",
        ),
        pytest.param(
            [offering_record(), offering_record(version="2.0")],
            "offerings[1] (ref 'annotator/1'), field 'offer': already has an offering",
            id="offer with two offerings",
        ),
        pytest.param(
            [offering_record(reviews=[]), offering_record("annotator/2", reviews=[])],
            "offerings[1] (ref 'annotator/2'), field 'version': "
            "the offering already has version 1.0",
            id="duplicate version",
        ),
        pytest.param(
            [offering_record(version="2.0"), offering_record("annotator/2", version="1.5")],
            "offerings[1] (ref 'annotator/2'), field 'version': "
            "A bigger version of the current offering exists",
            id="lower version after a higher one",
        ),
        pytest.param(
            [offering_record(version="1.01")],
            "offerings[0] (ref 'annotator/1'), field 'version': "
            "must be numbers separated by dots, without leading zeros",
            id="bad version",
        ),
        pytest.param(
            [offering_record(owner="eve@example.org")],
            "offerings[0] (ref 'annotator/1'), field 'owner': "
            "names no users record 'eve@example.org' of this data set",
            id="unknown owner",
        ),
        pytest.param(
            [offering_record(legal={"title": " ", "text": "Apache"})],
            "offerings[0] (ref 'annotator/1'), field 'legal': needs a non-empty title and text",
            id="blank legal title",
        ),
        pytest.param(
            [offering_record(price_plans=[{"description": "no title"}])],
            "offerings[0] (ref 'annotator/1'), field 'price_plans[0]': title: Field required",
            id="price plan without a title",
        ),
        pytest.param(
            [offering_record(notification_url="")],
            "offerings[0] (ref 'annotator/1'), field 'notification_url': must be an http(s) URL",
            id="own notification without a URL",
        ),
        pytest.param(
            [offering_record(notification="none")],
            "offerings[0] (ref 'annotator/1'), field 'notification_url': "
            "is only kept for notification 'own'",
            id="URL without own notification",
        ),
        pytest.param(
            [offering_record(description_url="usdl.ttl")],
            "offerings[0] (ref 'annotator/1'), field 'description_url': must be an http(s) URL",
            id="description URL not a URL",
        ),
        pytest.param(
            [offering_record(image="files/missing.png")],
            "offerings[0] (ref 'annotator/1'), field 'image': "
            "names no file beside the data set: files/missing.png",
            id="missing image",
        ),
        pytest.param(
            [offering_record(image="../logo.png")],
            "offerings[0] (ref 'annotator/1'), field 'image': must not leave the data set's folder",
            id="image outside the folder",
        ),
        pytest.param(
            [offering_record(image="files/readme.txt")],
            "offerings[0] (ref 'annotator/1'), field 'image': "
            "must be a PNG, JPEG, GIF or WebP image",
            id="image not an image",
        ),
        pytest.param(
            [offering_record(screenshots=["files/logo.png", "files/viewer.zip"])],
            "offerings[0] (ref 'annotator/1'), field 'screenshots[1]': "
            "must be a PNG, JPEG, GIF or WebP image",
            id="screenshot not an image",
        ),
        pytest.param(
            [offering_record(screenshots=["files/logo.png"] * 11)],
            "offerings[0] (ref 'annotator/1'), field 'screenshots': at most 10 images",
            id="too many screenshots",
        ),
        pytest.param(
            [offering_record(assets=["helix/Map Viewer", "helix/Nope"])],
            "offerings[0] (ref 'annotator/1'), field 'assets[1]': "
            "names no assets record 'helix/Nope' of this data set",
            id="unknown asset",
        ),
        pytest.param(
            [offering_record(assets=["other/Atlas"])],
            "offerings[0] (ref 'annotator/1'), field 'assets[0]': "
            "'other/Atlas' is not an asset of helix",
            id="asset of another provider",
        ),
        pytest.param(
            [offering_record(assets=["helix/Feed", "helix/Feed"])],
            "offerings[0] (ref 'annotator/1'), field 'assets[1]': 'helix/Feed' is named twice",
            id="asset named twice",
        ),
        pytest.param(
            [offering_record("viewer/1", assets=["helix/Map Viewer", "helix/Feed"])],
            "offerings[0] (ref 'viewer/1'), field 'assets[1]': "
            "an open offering takes only open resources: 'Feed'",
            id="closed asset in an open offering",
        ),
        pytest.param(
            [offering_record("viewer/1", assets=[])],
            "offerings[0] (ref 'viewer/1'), field 'assets': "
            "an open offering needs at least one resource",
            id="published open offering without assets",
        ),
        pytest.param(
            [offering_record("sketch/1", published_at="2026-03-16T09:00:00Z", reviews=[])],
            "offerings[0] (ref 'sketch/1'), field 'published_at': "
            "is for published offerings; the offer is a draft",
            id="draft with a publication date",
        ),
        pytest.param(
            [offering_record("sketch/1", published_at=...)],
            "offerings[0] (ref 'sketch/1'), field 'reviews': "
            "only published offerings can be reviewed",
            id="reviews of a draft",
        ),
        pytest.param(
            [offering_record(reviews=[{"author": "eve", "rating": 3, "title": "Hm"}])],
            "offerings[0] (ref 'annotator/1'), field 'reviews[0].author': "
            "names no users record 'eve' of this data set",
            id="unknown reviewer",
        ),
        pytest.param(
            [
                offering_record(
                    reviews=[
                        {"author": "cat@example.org", "rating": 3, "title": "One"},
                        {"author": "cat@example.org", "rating": 4, "title": "Two"},
                    ]
                )
            ],
            "offerings[0] (ref 'annotator/1'), field 'reviews[1].author': "
            "has already reviewed this offering",
            id="second review by one user",
        ),
        pytest.param(
            [offering_record(reviews=[{"author": "cat@example.org", "rating": 3, "title": " "}])],
            "offerings[0] (ref 'annotator/1'), field 'reviews[0].title': is missing",
            id="blank review title",
        ),
        pytest.param(
            [
                offering_record(
                    reviews=[
                        {
                            "author": "cat@example.org",
                            "rating": 3,
                            "title": "Long",
                            "comment": "x" * 1001,
                        }
                    ]
                )
            ],
            "offerings[0] (ref 'annotator/1'), field 'reviews[0].comment': "
            "is longer than 1000 characters",
            id="review comment too long",
        ),
        pytest.param(
            [
                offering_record(
                    reviews=[
                        {
                            "author": "cat@example.org",
                            "rating": 3,
                            "title": "Fine",
                            "reply": {"author": "ann@example.org", "title": "Thanks"},
                        }
                    ]
                )
            ],
            "offerings[0] (ref 'annotator/1'), field 'reviews[0].reply.text': is missing",
            id="reply without text",
        ),
        pytest.param(
            [
                offering_record(
                    reviews=[
                        {
                            "author": "cat@example.org",
                            "rating": 3,
                            "title": "Fine",
                            "reply": {"author": "bob", "title": "Thanks", "text": "You too"},
                        }
                    ]
                )
            ],
            "offerings[0] (ref 'annotator/1'), field 'reviews[0].reply.author': "
            "names no users record 'bob' of this data set",
            id="unknown replier",
        ),
    ],
)
def test_broken_offering_names_the_record_and_field(
    world: World, loading: Loading, records: list[dict[str, Any]], error: str
) -> None:
    with pytest.raises(LoadError) as raised:
        load_store(loading, *records)

    assert str(raised.value) == error


def test_rating_outside_one_to_five_is_refused_when_the_file_is_read(tmp_path: Path) -> None:
    review = {"author": "cat", "rating": 6, "title": "Too good"}
    document = {
        "format": "mercato-dataset",
        "version": 1,
        "offerings": [{"offer": "annotator/1", "version": "1.0", "reviews": [review]}],
    }
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(document))

    with pytest.raises(LoadError) as raised:
        read_dataset(path)

    assert str(raised.value) == (
        "offerings[0], field 'reviews[0].rating': Input should be less than or equal to 5"
    )


# --- dumping ---------------------------------------------------------------------------


def with_contents(records: list[Any], folder: Path) -> list[dict[str, Any]]:
    """Records as dicts with each file path replaced by the file's bytes."""

    def contents(path: str | None) -> bytes | None:
        return None if path is None else (folder / path).read_bytes()

    dumped = []
    for record in records:
        data = record.model_dump()
        for field in ("file", "image"):
            if field in data:
                data[field] = contents(data[field])
        if "screenshots" in data:
            data["screenshots"] = [contents(path) for path in data["screenshots"]]
        dumped.append(data)
    return dumped


def test_dumped_assets_and_offerings_are_the_loaded_records_with_their_files_copied(
    world: World, loading: Loading, session: Session, settings: Settings, tmp_path: Path
) -> None:
    assets = asset_records()
    # In the order of their offers, as a dump lists them.
    records = offerings(
        offering_record(),
        offering_record(
            "sketch/1",
            assets=[],
            reviews=[],
            published_at=None,
            image=None,
            screenshots=[],
            description_extra={"region": "eu", "notes": {"tier": 2}},
        ),
        offering_record("annotator/2", version="1.1", reviews=[], notification="none")
        | {"notification_url": "", "legal": None, "price_plans": [], "description_url": ""},
    )
    load_assets(loading, assets)
    load_offerings(loading, records)
    session.commit()
    folder = tmp_path / "dump"

    dumped_assets = list(dump_assets(session, loading.files, folder))
    dumped_offerings = list(dump_offerings(session, loading.files, folder))

    assert with_contents(dumped_assets, folder) == with_contents(assets, loading.folder)
    assert with_contents(dumped_offerings, folder) == with_contents(records, loading.folder)
    assert [dumped_assets[0].file, dumped_offerings[0].image, *dumped_offerings[0].screenshots] == [
        "files/assets/helix/Map Viewer/viewer.zip",
        "files/offerings/annotator/1.0/image/logo.png",
        "files/offerings/annotator/1.0/screenshots/0/one.png",
        "files/offerings/annotator/1.0/screenshots/1/two.gif",
    ]


def test_dump_names_a_kind_only_where_file_or_link_does_not_imply_it(
    world: World, loading: Loading, session: Session, tmp_path: Path
) -> None:
    load_assets(loading, asset_records())

    dumped = list(dump_assets(session, loading.files, tmp_path / "dump"))

    assert [(record.name, record.kind) for record in dumped] == [
        ("Map Viewer", None),
        ("Feed", None),
        ("Atlas", AssetKind.DOWNLOADABLE),
    ]
