"""The WStore resources API (reference §4.2) and the Programmer Guide's examples (seed 004)."""

import json

from sqlalchemy import func, select

from mercato.catalogue.models import OfferStatus
from mercato.store.models import Asset
from tests.store.world import PNG, WIDGET, b64, bearer, stored_files
from tests.web.pages import log_in

RESOURCES = "/api/offering/resources"
MASHUP = "application/x-mashup+mashable-application-component"
SEED_BODY = {
    "name": "Smart City Lights Mashup",
    "version": "1.0",
    "description": "This resource contains a mashup for Smart City Lights",
    "content_type": MASHUP,
    "resource_type": "Downloadable",
}
MASHUP_URL = f"{RESOURCES}/conwet/Smart City Lights Mashup/1.0"


def asset_count(session):
    return session.scalar(select(func.count(Asset.id)))


def resource_info(**changes):
    shown = {
        "name": "Smart City Lights Mashup",
        "version": "1.0",
        "description": "This resource contains a mashup for Smart City Lights",
        "content_type": MASHUP,
        "state": "created",
        "open": False,
        # Absolute, unencoded, as WStore's stored name (store-wire.md §0.7, §1.4).
        "link": "http://127.0.0.1:8000/media/resources/"
        "CoNWeT__Smart City Lights Mashup__1.0__SmartCityLights.wgt",
        "resource_type": "Downloadable",
        "metadata": {},
    }
    return {**shown, **changes}


# --- the Programmer Guide's requests, as written ---------------------------------------


def test_seed_multipart_registration_stores_the_file(client, store, seller, session, settings):
    store.provider(seller)

    response = client.post(
        RESOURCES,
        data={"json": json.dumps(SEED_BODY)},
        files={"file": ("SmartCityLights.wgt", WIDGET, "application/octet-stream")},
        headers=bearer(seller),
    )

    assert response.status_code == 201
    assert response.json() == {"message": "Created", "result": "correct"}
    assert client.get(RESOURCES, headers=bearer(seller)).json() == [resource_info()]
    asset = session.scalar(select(Asset))
    assert stored_files(settings) == [asset.file_key]


def test_seed_base64_registration_stores_the_file(client, store, seller, settings):
    store.provider(seller)
    body = {**SEED_BODY, "content": {"name": "SmartCityLights.wgt", "data": b64(WIDGET)}}

    response = client.post(RESOURCES, json=body, headers=bearer(seller))

    assert response.status_code == 201
    assert client.get(RESOURCES, headers=bearer(seller)).json() == [resource_info()]
    download = client.get(resource_info()["link"], headers=bearer(seller))
    assert (download.status_code, download.content) == (200, WIDGET)
    assert download.headers["content-type"] == MASHUP


def test_seed_link_registration_reads_the_doubled_slash_as_one(client, store, seller, settings):
    store.provider(seller)
    body = {
        **SEED_BODY,
        "content_type": "application//x-mashup+mashable-application-component",
        "link": "https://downloadmashuplink.com/smartcity",
    }

    response = client.post(RESOURCES, json=body, headers=bearer(seller))

    assert response.status_code == 201
    assert client.get(RESOURCES, headers=bearer(seller)).json() == [
        resource_info(link="https://downloadmashuplink.com/smartcity")
    ]
    assert stored_files(settings) == []


# --- auth and the envelope ---------------------------------------------------------------


def test_unknown_bearer_token_is_401(client):
    response = client.get(RESOURCES, headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401


def test_web_session_cookie_authenticates(client, store, seller):
    store.asset(store.provider(seller))
    log_in(client, seller.user)

    response = client.get(RESOURCES)

    assert [r["name"] for r in response.json()] == ["Map Viewer"]


def test_other_content_types_get_415(client, store, seller):
    store.provider(seller)

    response = client.post(
        RESOURCES, content="name=x", headers={**bearer(seller), "Content-Type": "text/plain"}
    )

    assert response.status_code == 415
    assert response.json() == {"message": "Unsupported request media type", "result": "error"}


def test_unknown_route_answers_in_the_envelope(client, seller):
    response = client.get("/api/offering/nothing", headers=bearer(seller))

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found", "result": "error"}


# --- registering: bad input leaves nothing behind ---------------------------------------


def test_oversized_file_is_refused(client, store, seller, settings, session):
    settings.asset_max_bytes = 10
    store.provider(seller)

    response = client.post(
        RESOURCES,
        data={"json": json.dumps(SEED_BODY)},
        files={"file": ("SmartCityLights.wgt", WIDGET, "application/octet-stream")},
        headers=bearer(seller),
    )

    assert response.status_code == 400
    assert response.json()["message"] == "content is larger than 10 bytes"
    assert (asset_count(session), stored_files(settings)) == (0, [])


def test_media_types_outside_the_allowed_list_are_refused(client, store, seller, settings):
    settings.asset_media_types = "application/zip, image/*"
    store.provider(seller)

    response = client.post(
        RESOURCES, json={**SEED_BODY, "link": "https://x.example.org/a"}, headers=bearer(seller)
    )

    assert response.json()["message"] == f"content_type '{MASHUP}' is not accepted by this store"


def test_administrator_of_two_providers_names_the_provider(client, store, seller, make):
    store.provider(seller)
    store.provider(seller, name="Second")
    body = {**SEED_BODY, "link": "https://x.example.org/a"}

    ambiguous = client.post(RESOURCES, json=body, headers=bearer(seller))
    named = client.post(RESOURCES, json={**body, "provider": "second"}, headers=bearer(seller))

    assert ambiguous.json()["message"] == "provider must be given: you administer several providers"
    assert named.status_code == 201
    assert [
        r["name"] for r in client.get(f"{RESOURCES}?provider=second", headers=bearer(seller)).json()
    ] == ["Smart City Lights Mashup"]


def test_listing_filters_by_open_and_pages(client, store, seller):
    provider = store.provider(seller)
    for name, is_open in (("A", True), ("B", False), ("C", True)):
        store.asset(provider, name, is_open=is_open)

    open_ = client.get(f"{RESOURCES}?open=true", headers=bearer(seller)).json()
    page = client.get(f"{RESOURCES}?start=2&limit=1", headers=bearer(seller)).json()

    assert [r["name"] for r in open_] == ["A", "C"]
    assert [r["name"] for r in page] == ["B"]


def test_plugins_are_the_built_in_types(client, seller):
    response = client.get(f"{RESOURCES}/plugins", headers=bearer(seller))

    assert [(p["name"], p["formats"]) for p in response.json()] == [
        ("Downloadable", ["FILE", "URL"]),
        ("API", ["URL"]),
    ]


# --- one resource ---------------------------------------------------------------------


def test_others_cannot_read_change_or_delete_a_resource(client, store, seller, buyer):
    store.asset(store.provider(seller), "Smart City Lights Mashup")

    answers = [
        client.get(MASHUP_URL, headers=bearer(buyer)).status_code,
        client.put(MASHUP_URL, json={"description": "x"}, headers=bearer(buyer)).status_code,
        client.delete(MASHUP_URL, headers=bearer(buyer)).status_code,
        client.post(
            MASHUP_URL,
            json={"version": "2.0", "link": "https://x.example.org"},
            headers=bearer(buyer),
        ).status_code,
    ]

    assert answers == [403, 403, 403, 403]


def test_unknown_resource_or_old_version_is_404(client, store, seller):
    store.asset(store.provider(seller), "Smart City Lights Mashup")

    assert client.get(f"{RESOURCES}/conwet/Nothing/1.0", headers=bearer(seller)).status_code == 404
    assert client.get(
        f"{RESOURCES}/conwet/Smart City Lights Mashup/0.9", headers=bearer(seller)
    ).json() == {"message": "Resource not found", "result": "error"}


def test_upgrade_replaces_the_file_and_every_offering_follows(
    client, store, seller, settings, session
):
    provider = store.provider(seller)
    asset = store.asset(provider, "Smart City Lights Mashup")
    old_key = asset.file_key
    store.offering(provider, seller, bound=[asset], publish=True)
    body = {"version": "1.0.1", "content": {"name": "v2.wgt", "data": b64(b"PK\x03\x04 v2")}}

    response = client.post(MASHUP_URL, json=body, headers=bearer(seller))

    assert response.json() == {"message": "OK", "result": "correct"}
    session.refresh(asset)
    assert stored_files(settings) == [asset.file_key] != [old_key]
    offering = client.get(
        "/api/offering/offerings/conwet/Smart City Lights/1.0", headers=bearer(seller)
    ).json()
    assert [r["version"] for r in offering["resources"]] == ["1.0.1"]
    assert client.get(RESOURCES, headers=bearer(seller)).json()[0]["link"] == (
        "http://127.0.0.1:8000/media/resources/CoNWeT__Smart City Lights Mashup__1.0.1__v2.wgt"
    )


def test_created_resource_edits_description_type_and_open_flag(client, store, seller, session):
    asset = store.asset(store.provider(seller), "Smart City Lights Mashup")

    response = client.put(
        MASHUP_URL,
        json={"description": "New", "content_type": "application/x-widget", "open": True},
        headers=bearer(seller),
    )

    assert response.status_code == 200
    session.refresh(asset)
    assert (asset.description, asset.content_type, asset.is_open) == (
        "New",
        "application/x-widget",
        True,
    )


def test_deleting_a_created_resource_removes_row_and_file(client, store, seller, session, settings):
    store.asset(store.provider(seller), "Smart City Lights Mashup")

    response = client.delete(MASHUP_URL, headers=bearer(seller))

    assert (response.status_code, response.content) == (204, b"")
    assert (asset_count(session), stored_files(settings)) == (0, [])


def test_deleting_a_resource_of_uploaded_offerings_unbinds_it(
    client, store, seller, session, settings
):
    provider = store.provider(seller)
    offering = store.offering(
        provider, seller, bound=[store.asset(provider, "Smart City Lights Mashup")]
    )

    client.delete(MASHUP_URL, headers=bearer(seller))

    session.refresh(offering)
    assert (offering.assets, asset_count(session), stored_files(settings)) == ([], 0, [])


def test_deleting_a_resource_of_a_published_offering_keeps_it_and_deletes_the_offering(
    client, store, seller, session, settings
):
    provider = store.provider(seller)
    asset = store.asset(provider, "Smart City Lights Mashup")
    offering = store.offering(provider, seller, bound=[asset], publish=True)

    client.delete(MASHUP_URL, headers=bearer(seller))
    again = client.delete(MASHUP_URL, headers=bearer(seller))

    session.refresh(asset)
    session.refresh(offering.offer)
    assert (asset.state.value, offering.offer.status) == ("deleted", OfferStatus.DELETED)
    assert stored_files(settings) == [asset.file_key]
    assert again.json() == {"message": "The resource is already deleted", "result": "error"}
    # WStore lists deleted resources too (store-wire.md §2.1).
    listed = client.get(RESOURCES, headers=bearer(seller)).json()
    assert [(r["name"], r["state"]) for r in listed] == [("Smart City Lights Mashup", "deleted")]


# --- downloads ------------------------------------------------------------------------


def test_downloads_are_for_the_provider_buyers_and_open_resources(
    client, store, seller, buyer, make
):
    provider = store.provider(seller)
    closed = store.asset(provider, "Closed")
    bought = store.asset(provider, "Bought")
    free = store.asset(provider, "Free", is_open=True)
    offering = store.offering(provider, seller, bound=[bought], publish=True)
    make.order(offering.offer, make.project(buyer.user))
    link = "/media/resources/conwet/{}/1.0/widget.zip"

    assert [
        client.get(link.format(a.name), headers=bearer(buyer)).status_code
        for a in (closed, bought, free)
    ] == [404, 200, 200]
    assert client.get(link.format("Closed"), headers=bearer(seller)).content == WIDGET
    assert client.get(link.format("Free")).status_code == 401


def test_resources_of_open_published_offerings_download_for_anyone_signed_in(
    client, store, seller, buyer
):
    provider = store.provider(seller)
    asset = store.asset(provider, "Shared", is_open=True)
    store.offering(provider, seller, bound=[asset], is_open=True, publish=True)
    store.session.execute(Asset.__table__.update().values(is_open=False))
    store.session.commit()

    response = client.get("/media/resources/conwet/Shared/1.0/widget.zip", headers=bearer(buyer))

    assert response.status_code == 200


def test_logo_check_refuses_what_is_not_an_image(client, store, seller):
    store.provider(seller)
    body = {
        "name": "Logo",
        "version": "1.0",
        "offering_info": {"description": "d"},
        "image": {"name": "logo.png", "data": b64(b"GIF8 not really")},
    }

    response = client.post("/api/offering/offerings", json=body, headers=bearer(seller))

    assert response.json() == {
        "message": "image must be a PNG, JPEG, GIF or WebP image",
        "result": "error",
    }
    assert PNG.startswith(b"\x89PNG")
