"""The WStore offerings API (reference §4.3) and the Programmer Guide's requests (seed 004)."""

import pytest
from sqlalchemy import func, select

from mercato.catalogue.models import Offer, OfferStatus, Service, ServiceStatus
from mercato.store.models import Asset, Review, StoreOffering
from mercato.store.offerings import set_provider_notification_url
from mercato.store.usdl import Legal, OfferingDescription, export_usdl, parse_usdl
from tests.store.loopback import serving
from tests.store.world import PNG, b64, bearer, stored_files

OFFERINGS = "/api/offering/offerings"
ONE = f"{OFFERINGS}/app-provider/SmartCityLigths/1.0"
CREATED = {"message": "Created", "result": "correct"}
OK = {"message": "OK", "result": "correct"}
APPLICATIONS = [
    {
        "id": 18,
        "name": "Context broker",
        "url": "https://orion.lab.fi-ware.eu",
        "description": "Context broker",
    }
]
SEED_RESOURCES = [{"provider": "app_provider", "name": "Smart City Management", "version": "1.0"}]
OFFERING_INFO = {
    "description": "Description of the offering",
    "pricing": {"price_model": "free"},
    "legal": {"title": "Terms and conditions", "text": "Text of terms and conditions"},
}
USDL = OfferingDescription(
    name="SmartCityLigths",
    version="1.0",
    description="Lights that follow the city",
    abstract="Smart lights",
    legal=Legal(title="Terms", text="Use them well"),
)


@pytest.fixture
def provider(store, seller):
    provider = store.provider(seller, name="app_provider")
    store.asset(provider, "Smart City Management")
    store.asset(provider, "HistoryMod")
    return provider


def offering_rows(session):
    return session.scalar(select(func.count()).select_from(StoreOffering))


def seed_create(**changes):
    body = {
        "name": "SmartCityLigths",
        "version": "1.0",
        "image": {"name": "catalogue.png", "data": b64(PNG)},
        "related_images": [],
        "resources": SEED_RESOURCES,
        "offering_info": OFFERING_INFO,
    }
    return {**body, **changes}


# --- the Programmer Guide's three ways of creating --------------------------------------


def test_seed_create_with_basic_info(client, provider, seller, session, settings):
    response = client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))

    assert (response.status_code, response.json()) == (201, CREATED)
    shown = client.get(ONE, headers=bearer(seller)).json()
    offering = session.scalar(select(StoreOffering))
    assert shown == {
        "name": "SmartCityLigths",
        "owner_organization": "app_provider",
        "owner_admin_user_id": "app_provider",
        "version": "1.0",
        "state": "uploaded",
        "description_url": "",
        "rating": "0.00",
        "comments": [],
        "tags": [],
        "image_url": "/media/app_provider__SmartCityLigths__1.0/catalogue.png",
        "related_images": [],
        "creation_date": str(offering.offer.created_at.replace(tzinfo=None)),
        "publication_date": "None",
        "open": False,
        "offering_description": {
            "abstract": "",
            "description": "Description of the offering",
            "legal": {"title": "Terms and conditions", "text": "Text of terms and conditions"},
            "pricing": {"price_plans": []},
            "modified": str(offering.offer.updated_at.replace(tzinfo=None)),
            "base_id": str(offering.offer_id),
        },
        "resources": [
            {
                # No link: the provider did not acquire its own (non-open) offering.
                "name": "Smart City Management",
                "version": "1.0",
                "description": "Smart City Management for tests",
                "content_type": "application/zip",
                "open": False,
                "resource_type": "Downloadable",
                "metadata": {},
            }
        ],
        "applications": [],
    }
    image = client.get(shown["image_url"])
    assert (image.status_code, image.headers["content-type"], image.content) == (
        200,
        "image/png",
        PNG,
    )
    asset_keys = [asset.file_key for asset in session.scalars(select(Asset))]
    assert stored_files(settings) == sorted([offering.image_key, *asset_keys])


def test_seed_create_with_a_usdl_document(client, provider, seller, session):
    body = seed_create(
        applications=APPLICATIONS,
        repository="testbed_repository",
        offering_description={
            "content_type": "text/turtle",
            "data": export_usdl(USDL, "text/turtle").decode(),
        },
    )
    del body["offering_info"]

    response = client.post(OFFERINGS, json=body, headers=bearer(seller))

    assert response.status_code == 201
    described = client.get(ONE, headers=bearer(seller)).json()["offering_description"]
    assert (described["description"], described["abstract"], described["legal"]) == (
        "Lights that follow the city",
        "Smart lights",
        {"title": "Terms", "text": "Use them well"},
    )


def test_seed_create_with_a_usdl_url(client, provider, seller, settings):
    settings.outgoing_allowed_networks = "127.0.0.0/8"
    with serving() as server:
        server.answers["/collection/SmartCity.rdf"] = (
            200,
            "application/rdf+xml",
            export_usdl(USDL, "application/rdf+xml"),
        )
        url = f"{server.url}/collection/SmartCity.rdf"
        body = seed_create(applications=APPLICATIONS, description_url=url)
        del body["offering_info"]

        response = client.post(OFFERINGS, json=body, headers=bearer(seller))

    assert response.status_code == 201
    shown = client.get(ONE, headers=bearer(seller)).json()
    assert (shown["description_url"], shown["offering_description"]["description"]) == (
        url,
        "Lights that follow the city",
    )


def test_a_usdl_url_on_a_private_network_is_refused_unless_allowed(client, provider, seller):
    with serving() as server:
        server.answers["/SmartCity.rdf"] = (200, "application/rdf+xml", b"")
        body = seed_create(description_url=f"{server.url}/SmartCity.rdf")
        del body["offering_info"]

        response = client.post(OFFERINGS, json=body, headers=bearer(seller))

    assert (response.status_code, server.requested) == (400, [])
    assert response.json() == {
        "message": "description_url is refused: 127.0.0.1 resolves to 127.0.0.1, which is not"
        " a public address; an admin can allow its network in"
        " MERCATO_OUTGOING_ALLOWED_NETWORKS",
        "result": "error",
    }


def test_a_usdl_url_redirecting_outside_the_allowed_networks_is_refused(
    client, provider, seller, settings
):
    settings.outgoing_allowed_networks = "127.0.0.1/32"
    with serving() as server:
        elsewhere = server.url.replace("127.0.0.1", "127.0.0.2") + "/inside"
        server.answers["/SmartCity.rdf"] = (302, {"Location": elsewhere}, b"")
        body = seed_create(description_url=f"{server.url}/SmartCity.rdf")
        del body["offering_info"]

        response = client.post(OFFERINGS, json=body, headers=bearer(seller))

    assert (response.status_code, server.requested) == (400, ["/SmartCity.rdf"])
    assert response.json()["message"].startswith(
        "description_url is refused: 127.0.0.2 resolves to 127.0.0.2"
    )


def test_hostile_usdl_is_refused_and_nothing_is_kept(client, provider, seller, session, settings):
    files_before = stored_files(settings)
    xml = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    body = seed_create(
        offering_description={"content_type": "application/rdf+xml", "data": xml.decode()}
    )
    del body["offering_info"]

    response = client.post(OFFERINGS, json=body, headers=bearer(seller))

    assert response.status_code == 400
    assert response.json()["message"].startswith("usdl ")
    assert (offering_rows(session), stored_files(settings)) == (0, files_before)


def test_usdl_export_round_trips(client, provider, seller, store, session):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))
    client.put(f"{ONE}/tag", json={"tags": ["city", "lights"]}, headers=bearer(seller))
    exported = {}
    for media_type in ("text/turtle", "application/rdf+xml", "text/n3", "application/ld+json"):
        response = client.get(f"{ONE}/usdl", headers={**bearer(seller), "Accept": media_type})
        assert response.headers["content-type"].startswith(media_type)
        exported[media_type] = parse_usdl(response.content, media_type)

    assert len({d.model_dump_json() for d in exported.values()}) == 1
    description = exported["text/turtle"]
    assert (description.name, description.version, description.tags, description.legal) == (
        "SmartCityLigths",
        "1.0",
        ["city", "lights"],
        Legal(title="Terms and conditions", text="Text of terms and conditions"),
    )
    again = seed_create(
        version="2.0",
        offering_description={
            "content_type": "text/turtle",
            "data": export_usdl(description, "text/turtle").decode(),
        },
    )
    del again["offering_info"]
    assert client.post(OFFERINGS, json=again, headers=bearer(seller)).status_code == 201
    second = client.get(
        f"{OFFERINGS}/app-provider/SmartCityLigths/2.0/usdl?format=turtle", headers=bearer(seller)
    )
    reparsed = parse_usdl(second.content, "text/turtle")
    fields = ("name", "description", "abstract", "legal", "price_plans", "includes")
    assert {f: getattr(reparsed, f) for f in fields if f != "includes"} == {
        f: getattr(description, f) for f in fields if f != "includes"
    }


def test_usdl_of_an_uploaded_offering_is_its_providers_only(client, provider, seller, buyer):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))

    # Never in a repository: WStore answers 502 Bad Gateway.
    assert client.get(f"{ONE}/usdl", headers=bearer(buyer)).json() == {
        "message": "Bad Gateway",
        "result": "error",
    }
    assert client.get(f"{ONE}/usdl", headers=bearer(seller)).status_code == 200
    client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))
    assert client.get(f"{ONE}/usdl").status_code == 200


# --- create: rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        # Mercato's own check: WStore kept any bytes as the logo.
        (
            {"image": {"name": "a.png", "data": b64(b"nope")}},
            400,
            "image must be a PNG, JPEG, GIF or WebP image",
        ),
    ],
)
def test_bad_offering_is_refused_and_leaves_nothing(
    client, provider, seller, session, settings, changes, status, message
):
    files_before = stored_files(settings)

    response = client.post(
        OFFERINGS,
        json={k: v for k, v in seed_create(**changes).items() if v is not None},
        headers=bearer(seller),
    )

    assert (response.status_code, response.json()) == (
        status,
        {"message": message, "result": "error"},
    )
    assert offering_rows(session) == 0
    assert session.scalar(select(func.count()).select_from(Service)) == 0
    assert stored_files(settings) == files_before


def test_same_version_is_409_and_lower_version_400(client, provider, seller):
    client.post(OFFERINGS, json=seed_create(version="2.0"), headers=bearer(seller))

    same = client.post(OFFERINGS, json=seed_create(version="2.0"), headers=bearer(seller))
    lower = client.post(OFFERINGS, json=seed_create(version="1.5"), headers=bearer(seller))
    higher = client.post(OFFERINGS, json=seed_create(version="2.0.1"), headers=bearer(seller))

    assert (same.status_code, same.json()["message"]) == (
        409,
        "The offering SmartCityLigths version 2.0 already exists",
    )
    assert lower.json() == {
        "message": "A bigger version of the current offering exists",
        "result": "error",
    }
    assert higher.status_code == 201


def test_versions_share_one_service(client, provider, seller, session):
    client.post(OFFERINGS, json=seed_create(version="1.0"), headers=bearer(seller))
    client.post(OFFERINGS, json=seed_create(version="1.1"), headers=bearer(seller))

    services = session.scalars(select(Service)).all()
    assert [(s.name, s.status, len(s.offers)) for s in services] == [
        ("SmartCityLigths", ServiceStatus.DRAFT, 2)
    ]


def test_default_notification_url_is_the_providers(client, provider, seller, session):
    set_provider_notification_url(session, provider, "https://prov.example/notify")
    session.commit()

    client.post(OFFERINGS, json=seed_create(notification_url="default"), headers=bearer(seller))
    client.post(
        OFFERINGS,
        json=seed_create(version="2.0", notification_url="https://own.example.org/n"),
        headers=bearer(seller),
    )

    # WStore never shows the notification URL, not even to the owner.
    rows = session.scalars(select(StoreOffering).order_by(StoreOffering.version)).all()
    assert [(o.notification.value, o.notification_url) for o in rows] == [
        ("default", ""),
        ("own", "https://own.example.org/n"),
    ]


def test_only_data_administrators_create(client, provider, buyer):
    response = client.post(
        OFFERINGS, json=seed_create(provider="app-provider"), headers=bearer(buyer)
    )

    assert (response.status_code, response.json()) == (
        403,
        {"message": "Forbidden", "result": "error"},
    )


# --- update, bind, publish, delete -----------------------------------------------------------


def test_seed_update_with_basic_info_replaces_description_and_logo(
    client, provider, seller, session, settings
):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))
    old_logo = session.scalar(select(StoreOffering)).image_key
    gif = b"GIF89a" + b"\x00" * 10
    body = {
        "image": {"name": "catalogue.gif", "data": b64(gif)},
        "related_images": [],
        "repository": "example_repository",
        "offering_info": {**OFFERING_INFO, "description": "Changed"},
    }

    response = client.put(ONE, json=body, headers=bearer(seller))

    assert (response.status_code, response.json()) == (200, OK)
    session.expire_all()
    offering = session.scalar(select(StoreOffering))
    assert offering.offer.description == "Changed"
    assert offering.image_key != old_logo
    assert old_logo not in stored_files(settings)
    assert offering.image_key in stored_files(settings)


def test_seed_bind_is_an_absolute_update(client, provider, seller, session):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))
    both = {
        "resources": [
            *SEED_RESOURCES,
            {"provider": "app_provider", "name": "HistoryMod", "version": "1.0"},
        ]
    }

    first = client.post(f"{ONE}/bind", json=both, headers=bearer(seller))
    names = [r["name"] for r in client.get(ONE, headers=bearer(seller)).json()["resources"]]
    second = client.post(
        f"{ONE}/bind", json=[{"name": "HistoryMod", "version": "1.0"}], headers=bearer(seller)
    )

    assert (first.json(), second.json()) == (OK, OK)
    # Binding order (store-wire.md §1.1): the one kept first, the new one after it.
    assert names == ["Smart City Management", "HistoryMod"]
    assert [r["name"] for r in client.get(ONE, headers=bearer(seller)).json()["resources"]] == [
        "HistoryMod"
    ]


def test_seed_publish_and_delete(client, provider, seller, session, buyer):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))

    published = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))
    frozen = [
        client.put(ONE, json={"offering_info": OFFERING_INFO}, headers=bearer(seller)).json(),
        client.post(f"{ONE}/bind", json=[], headers=bearer(seller)).json(),
        client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller)).json(),
    ]
    deleted = client.delete(ONE, headers=bearer(seller))

    assert published.json() == OK
    assert [f["message"] for f in frozen] == [
        "The offering cannot be edited",
        "This offering cannot be modified",
        "Publication error: The offering SmartCityLigths 1.0 cannot be published",
    ]
    assert (deleted.status_code, deleted.content) == (204, b"")
    offering = session.scalar(select(StoreOffering))
    session.refresh(offering.offer)
    assert offering.offer.status == OfferStatus.DELETED
    assert client.get(ONE, headers=bearer(buyer)).json()["state"] == "deleted"
    assert (
        client.delete(ONE, headers=bearer(seller)).json()["message"]
        == "The offering is already deleted"
    )


def test_deleted_offering_stays_visible_to_those_who_acquired_it(
    client, provider, seller, buyer, make, session
):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))
    client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))
    make.order(session.scalar(select(Offer)), make.project(buyer.user))
    client.delete(ONE, headers=bearer(seller))

    shown = client.get(ONE, headers=bearer(buyer)).json()

    assert (shown["state"], shown["resources"][0]["link"].endswith("widget.zip")) == (
        "purchased",
        True,
    )
    assert (
        client.get(f"{OFFERINGS}?filter=purchased", headers=bearer(buyer)).json()[0]["name"]
        == "SmartCityLigths"
    )


def test_deleting_an_uploaded_offering_removes_it_its_images_and_its_service(
    client, provider, seller, session, settings
):
    files_before = stored_files(settings)
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))

    response = client.delete(ONE, headers=bearer(seller))

    assert response.status_code == 204
    assert (offering_rows(session), session.scalar(select(func.count()).select_from(Service))) == (
        0,
        0,
    )
    assert stored_files(settings) == files_before


def test_open_offering_needs_a_resource_to_publish(client, store, seller, provider):
    store.asset(provider, "Open data", is_open=True)
    client.post(OFFERINGS, json=seed_create(open=True, resources=[]), headers=bearer(seller))

    refused = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))
    client.post(
        f"{ONE}/bind", json=[{"name": "Open data", "version": "1.0"}], headers=bearer(seller)
    )
    accepted = client.post(f"{ONE}/publish", json={"marketplaces": []}, headers=bearer(seller))

    assert refused.json()["message"] == (
        "Publication error: Open offerings cannot be published if they do not contain at "
        "least a digital asset (resource or application)"
    )
    assert accepted.json() == OK


def test_others_cannot_change_an_offering(client, provider, seller, buyer):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))
    client.post(f"{ONE}/publish", json={}, headers=bearer(seller))

    answers = [
        client.put(ONE, json={}, headers=bearer(buyer)).status_code,
        client.delete(ONE, headers=bearer(buyer)).status_code,
        client.post(f"{ONE}/bind", json=[], headers=bearer(buyer)).status_code,
        client.post(f"{ONE}/publish", json={}, headers=bearer(buyer)).status_code,
        client.put(f"{ONE}/tag", json={"tags": []}, headers=bearer(buyer)).status_code,
    ]

    assert answers == [403] * 5


def test_any_signed_in_user_reads_an_uploaded_offering(client, provider, seller, buyer):
    client.post(OFFERINGS, json=seed_create(), headers=bearer(seller))

    shown = client.get(ONE, headers=bearer(buyer))

    assert (shown.status_code, shown.json()["state"]) == (200, "uploaded")


# --- listing ------------------------------------------------------------------------------


@pytest.fixture
def catalogue(store, seller, provider, buyer, make):
    """Three published offerings rated 2, 5, 4 and an uploaded one; the buyer ordered B."""
    offerings = {}
    for name, rating in (("Alpha", 2.0), ("Bravo", 5.0), ("Charlie", 4.0)):
        offerings[name] = store.offering(provider, seller, name, publish=True)
        offerings[name].rating = rating
    store.offering(provider, seller, "Delta")
    store.session.commit()
    make.order(offerings["Bravo"].offer, make.project(buyer.user))
    return offerings


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["Charlie", "Bravo", "Alpha"]),
        ("?sort=name", ["Alpha", "Bravo", "Charlie"]),
        ("?sort=popularity", ["Bravo", "Charlie", "Alpha"]),
        ("?sort=name&start=2&limit=1", ["Bravo"]),
        ("?filter=provided&state=uploaded,published", ["Delta", "Charlie", "Bravo", "Alpha"]),
        # state is ignored outside filter=provided
        ("?state=uploaded&sort=name", ["Alpha", "Bravo", "Charlie"]),
        ("?filter=provided&state=uploaded", ["Delta"]),
        ("?filter=provided&state=ALL&sort=name", ["Alpha", "Bravo", "Charlie", "Delta"]),
    ],
)
def test_listing_filters_sorts_and_pages(client, catalogue, seller, query, names):
    response = client.get(f"{OFFERINGS}{query}", headers=bearer(seller))

    assert [o["name"] for o in response.json()] == names


def test_purchased_lists_what_the_caller_ordered(client, catalogue, buyer):
    shown = client.get(f"{OFFERINGS}?filter=purchased", headers=bearer(buyer)).json()

    assert [(o["name"], o["state"]) for o in shown] == [("Bravo", "purchased")]


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("?action=count", 3),
        ("?action=count&filter=provided&state=ALL", 4),
        ("?action=count&filter=purchased", 0),
    ],
)
def test_count(client, catalogue, seller, query, number):
    assert client.get(f"{OFFERINGS}{query}", headers=bearer(seller)).json() == {"number": number}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?filter=mine", "Invalid filter: mine"),
        ("?sort=rating", "Invalid query string: Invalid sorting"),
        ("?sort=rating&filter=mine", "Invalid query string: Invalid sorting"),
        ("?filter=provided&state=old", "Invalid state: old"),
        ("?filter=mine&state=old", "Invalid state: old"),
        ("?filter=provided", "The state is needed for provided filter"),
        ("?start=0&limit=1", "Invalid pagination limits"),
        ("?start=1&limit=0", "Invalid pagination limits"),
        ("?start=a&limit=1", "Invalid pagination limits"),
        (
            "?action=count&state=uploaded",
            "Invalid filter: states are not allowed for filter published",
        ),
        ("?action=count&filter=provided&state=x", "Invalid state: x"),
        ("?action=count&filter=provided", "The state is needed for provided filter"),
        ("?action=count&filter=mine", "Invalid filter: mine"),
    ],
)
def test_bad_listing_queries_are_400(client, catalogue, seller, query, message):
    response = client.get(f"{OFFERINGS}{query}", headers=bearer(seller))

    assert (response.status_code, response.json()) == (400, {"message": message, "result": "error"})


@pytest.mark.parametrize(
    ("reviewed", "top_rated"),
    [
        # store-wire.md §3.2: a store where no review was ever written has none.
        ((), []),
        # Published offerings with at least one review, by rating, descending.
        (("Alpha", "Bravo"), [("Bravo", "5.00"), ("Alpha", "2.00")]),
        (("Charlie",), [("Charlie", "4.00")]),
    ],
)
def test_latest_and_top_rated(client, catalogue, buyer, make, session, reviewed, top_rated):
    reviewer = make.user("reviewer@example.org")
    for name in reviewed:
        offering = catalogue[name]
        session.add(Review(offer_id=offering.offer_id, user_id=reviewer.id, rating=3, title="t"))
    session.commit()

    latest = client.get(f"{OFFERINGS}/latest", headers=bearer(buyer)).json()
    top = client.get(f"{OFFERINGS}/toprated", headers=bearer(buyer)).json()

    assert [o["name"] for o in latest] == ["Charlie", "Bravo", "Alpha"]
    assert [(o["name"], o["rating"]) for o in top] == top_rated


def test_listing_runs_a_fixed_number_of_queries(
    client, catalogue, seller, store, provider, count_queries
):
    client.get(OFFERINGS, headers=bearer(seller))  # the token known, as in both counts below
    # Counted as made, not as kept (mercato.kept_answers).
    fresh = {**bearer(seller), "Cache-Control": "no-cache"}
    with count_queries() as few:
        client.get(OFFERINGS, headers=fresh)
    for name in ("Echo", "Foxtrot", "Golf"):
        store.offering(provider, seller, name, publish=True, bound=[])
    with count_queries() as more:
        client.get(OFFERINGS, headers=fresh)

    assert more.count == few.count


def test_provider_sets_its_default_notification_url_for_offerings(client, provider, seller, buyer):
    url = "/api/administration/organizations/app-provider"

    refused = client.put(
        url, json={"notification_url": "https://p.example/n"}, headers=bearer(buyer)
    )
    bad = client.put(url, json={"notification_url": "mailto:x"}, headers=bearer(seller))
    saved = client.put(
        url, json={"notification_url": "https://p.example/n"}, headers=bearer(seller)
    )
    created = client.post(
        OFFERINGS, json=seed_create(notification_url="default"), headers=bearer(seller)
    )

    assert (refused.status_code, bad.json()["message"], saved.json()) == (
        403,
        "notification_url must be an http(s) URL",
        OK,
    )
    assert client.get(url, headers=bearer(seller)).json() == {
        "name": "app-provider",
        "notification_url": "https://p.example/n",
    }
    assert created.status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/offering/offerings/nobody/Nothing/1.0"),
        ("PUT", "/api/offering/offerings/nobody/Nothing/1.0"),
        ("POST", "/api/offering/offerings/nobody/Nothing/1.0/bind"),
        ("PUT", "/api/offering/offerings/nobody/Nothing/1.0/review/1"),
        ("PUT", "/api/offering/resources/nobody/Nothing/1.0"),
    ],
)
def test_authentication_is_checked_before_anything_else(client, method, path):
    response = client.request(method, path, json={})

    assert (response.status_code, response.json()["message"]) == (401, "Authentication required")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://0177.0.0.1/x", "0177.0.0.1"),  # octal
        ("http://0x7f.1/x", "0x7f.1"),  # hexadecimal, two parts
        ("http://2130706433/x", "2130706433"),  # one decimal number
        ("http://127.1/x", "127.1"),
    ],
)
def test_a_usdl_url_naming_loopback_in_another_notation_is_refused(
    client, provider, seller, url, host
):
    body = seed_create(description_url=url)
    del body["offering_info"]

    response = client.post(OFFERINGS, json=body, headers=bearer(seller))

    assert (response.status_code, response.json()) == (
        400,
        {
            "message": f"description_url is refused: {host} resolves to 127.0.0.1, which is"
            " not a public address; an admin can allow its network in"
            " MERCATO_OUTGOING_ALLOWED_NETWORKS",
            "result": "error",
        },
    )
