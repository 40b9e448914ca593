"""Asset pages: register (file or link), list, view, edit per state, upgrade, delete."""

import pytest
from sqlalchemy import select

from mercato.catalogue.models import OfferStatus
from mercato.store.models import Asset, AssetKind
from tests.store.world import PNG, WIDGET, buyer, seller, store, stored_files
from tests.web.pages import csrf_token, field_error, log_in

__all__ = ["buyer", "seller", "store"]

ASSET_PAGE = "/store/assets/conwet/Map%20Viewer"


def _register(client, fields: dict[str, str], file: tuple[str, bytes, str] | None = None):
    data = {"csrftoken": csrf_token(client, "/store/assets/new"), **fields}
    files = {"file": file} if file else {"file": ("", b"", "application/octet-stream")}
    return client.post("/store/assets/new", data=data, files=files, follow_redirects=False)


DOWNLOADABLE = {
    "name": "Map Viewer",
    "version": "1.0",
    "description": "Shows maps",
    "content_type": "application/zip",
    "kind": "Downloadable",
}


def test_provider_registers_a_downloadable_asset_with_its_file(client, store, seller, settings):
    store.provider(seller)
    log_in(client, seller.user)

    response = _register(client, DOWNLOADABLE, ("widget.zip", WIDGET, "application/zip"))

    assert response.status_code == 303
    assert response.headers["location"] == ASSET_PAGE
    [asset] = store.session.scalars(select(Asset)).all()
    assert (asset.name, asset.version, asset.description, asset.content_type) == (
        "Map Viewer",
        "1.0",
        "Shows maps",
        "application/zip",
    )
    assert (asset.kind, asset.is_open, asset.link, asset.file_name, asset.size) == (
        AssetKind.DOWNLOADABLE,
        False,
        None,
        "widget.zip",
        len(WIDGET),
    )
    assert stored_files(settings) == [asset.file_key]
    assert (settings.data_dir / "media" / asset.file_key).read_bytes() == WIDGET
    page = client.get(ASSET_PAGE).text
    assert "Asset “Map Viewer” version 1.0 has been registered." in page
    assert (
        '<a class="button small" href="/media/resources/conwet/Map%20Viewer/1.0/widget.zip"'
        " download>Download widget.zip</a>"
    ) in page
    download = client.get("/media/resources/conwet/Map%20Viewer/1.0/widget.zip")
    assert download.content == WIDGET


def test_provider_registers_an_open_api_asset_as_a_link(client, store, seller, settings):
    store.provider(seller)
    log_in(client, seller.user)
    fields = {
        **DOWNLOADABLE,
        "name": "Weather API",
        "content_type": "application/json",
        "kind": "API",
        "link": "https://api.example.org/weather",
        "open": "on",
    }

    response = _register(client, fields)

    assert response.status_code == 303
    [asset] = store.session.scalars(select(Asset)).all()
    assert (asset.kind, asset.is_open, asset.link, asset.file_key) == (
        AssetKind.API,
        True,
        "https://api.example.org/weather",
        None,
    )
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("fields", "file", "field", "message"),
    [
        ({"version": "01.0"}, True, "version", "must be numbers separated by dots"),
        ({"name": "Map/Viewer"}, True, "name", "may hold only letters, digits"),
        ({"content_type": "zip"}, True, "content_type", "'zip' is not a media type"),
        ({"content_type": "image/png"}, True, "file", "does not hold image/png content"),
        ({}, False, "file", "give either a file (content or file) or a link"),
        ({"link": "https://example.org/x"}, True, "file", "give either a file"),
        ({"link": "ftp://example.org/x"}, False, "link", "must be an http:// or https:// URL"),
    ],
)
def test_a_refused_asset_leaves_no_row_and_no_file(
    client, store, seller, settings, fields, file, field, message
):
    store.provider(seller)
    log_in(client, seller.user)

    upload = ("widget.zip", WIDGET, "application/zip") if file else None
    response = _register(client, {**DOWNLOADABLE, **fields}, upload)

    assert response.status_code == 400
    assert message in field_error(response.text, field)
    assert store.session.scalars(select(Asset)).all() == []
    assert stored_files(settings) == []


def test_a_second_asset_of_the_same_name_is_refused_and_its_file_removed(
    client, store, seller, settings
):
    first = store.asset(store.provider(seller))
    log_in(client, seller.user)

    response = _register(client, DOWNLOADABLE, ("other.zip", WIDGET, "application/zip"))

    assert response.status_code == 400
    assert field_error(response.text, "name") == (
        "the provider already has a resource named 'Map Viewer'"
    )
    assert stored_files(settings) == [first.file_key]


def test_a_multipart_form_without_the_csrf_token_is_refused(client, store, seller):
    store.provider(seller)
    log_in(client, seller.user)
    csrf_token(client, "/store/assets/new")

    response = client.post(
        "/store/assets/new",
        data={"csrftoken": "forged", **DOWNLOADABLE},
        files={"file": ("widget.zip", WIDGET, "application/zip")},
    )

    assert response.status_code == 403
    assert store.session.scalars(select(Asset)).all() == []


def test_asset_pages_are_only_for_providers(client, store, seller, buyer):
    store.asset(store.provider(seller))
    log_in(client, buyer.user)

    assert client.get("/store/assets").status_code == 403
    assert client.get("/store/assets/new").status_code == 403
    assert client.get(ASSET_PAGE).status_code == 403
    assert client.get(f"{ASSET_PAGE}/edit").status_code == 403


def test_asset_list_shows_the_providers_live_assets(client, store, seller):
    provider = store.provider(seller)
    store.asset(provider)
    store.asset(provider, "Weather API", link="https://api.example.org", kind=AssetKind.API)
    log_in(client, seller.user)

    page = client.get("/store/assets").text

    assert '<td><a href="/store/assets/conwet/Map%20Viewer">Map Viewer</a></td>' in page
    assert '<td><a href="/store/assets/conwet/Weather%20API">Weather API</a></td>' in page
    assert page.count('<span class="badge store-state state-created">created</span>') == 2


def test_editing_a_created_asset_changes_its_type_and_open_flag(client, store, seller):
    asset = store.asset(store.provider(seller))
    log_in(client, seller.user)
    token = csrf_token(client, f"{ASSET_PAGE}/edit")

    response = client.post(
        f"{ASSET_PAGE}/edit",
        data={
            "csrftoken": token,
            "description": "New words",
            "content_type": "application/x-widget",
            "open": "on",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    store.session.refresh(asset)
    assert (asset.description, asset.content_type, asset.is_open) == (
        "New words",
        "application/x-widget",
        True,
    )


def test_a_used_asset_offers_and_changes_only_its_description(client, store, seller):
    provider = store.provider(seller)
    asset = store.asset(provider)
    store.offering(provider, seller, bound=[asset])
    log_in(client, seller.user)

    page = client.get(f"{ASSET_PAGE}/edit").text
    response = client.post(
        f"{ASSET_PAGE}/edit",
        data={
            "csrftoken": csrf_token(client, f"{ASSET_PAGE}/edit"),
            "description": "Patched",
            "content_type": "text/plain",
            "open": "on",
        },
        follow_redirects=False,
    )

    assert "Offerings include this asset, so only its description can change." in page
    assert 'name="content_type"' not in page
    assert response.status_code == 303
    store.session.refresh(asset)
    assert (asset.description, asset.content_type, asset.is_open) == (
        "Patched",
        "application/zip",
        False,
    )


def test_upgrading_an_asset_replaces_its_file_and_version(client, store, seller, settings):
    asset = store.asset(store.provider(seller))
    old_key = asset.file_key
    log_in(client, seller.user)

    response = client.post(
        f"{ASSET_PAGE}/upgrade",
        data={"csrftoken": csrf_token(client, f"{ASSET_PAGE}/upgrade"), "version": "1.1"},
        files={"file": ("widget-1.1.zip", WIDGET + b" patched", "application/zip")},
        follow_redirects=False,
    )

    assert response.status_code == 303
    store.session.refresh(asset)
    assert (asset.version, asset.file_name) == ("1.1", "widget-1.1.zip")
    assert stored_files(settings) == [asset.file_key]
    assert asset.file_key != old_key


def test_upgrading_to_a_lower_version_is_refused(client, store, seller, settings):
    asset = store.asset(store.provider(seller), version="2.0")
    log_in(client, seller.user)

    response = client.post(
        f"{ASSET_PAGE}/upgrade",
        data={"csrftoken": csrf_token(client, f"{ASSET_PAGE}/upgrade"), "version": "1.5"},
        files={"file": ("widget.zip", PNG, "application/zip")},
    )

    assert response.status_code == 400
    assert field_error(response.text, "version") == "must be higher than the current 2.0"
    store.session.refresh(asset)
    assert asset.version == "2.0"
    assert stored_files(settings) == [asset.file_key]


def test_deleting_an_unused_asset_removes_it_and_its_file(client, store, seller, settings):
    store.asset(store.provider(seller))
    log_in(client, seller.user)

    confirm = client.get(f"{ASSET_PAGE}/delete").text
    response = client.post(
        f"{ASSET_PAGE}/delete",
        data={"csrftoken": csrf_token(client, f"{ASSET_PAGE}/delete")},
        follow_redirects=False,
    )

    assert "No offering includes it: the asset and its file are removed for good." in confirm
    assert (response.status_code, response.headers["location"]) == (303, "/store/assets")
    assert store.session.scalars(select(Asset)).all() == []
    assert stored_files(settings) == []


def test_deleting_an_asset_of_a_published_offering_keeps_it_and_deletes_the_offering(
    client, store, seller, settings
):
    provider = store.provider(seller)
    asset = store.asset(provider)
    offering = store.offering(provider, seller, bound=[asset], publish=True)
    log_in(client, seller.user)

    response = client.post(
        f"{ASSET_PAGE}/delete",
        data={"csrftoken": csrf_token(client, f"{ASSET_PAGE}/delete")},
        follow_redirects=False,
    )

    assert response.status_code == 303
    store.session.expire_all()
    assert asset.is_deleted is True
    assert offering.offer.status == OfferStatus.DELETED
    assert stored_files(settings) == [asset.file_key]
    assert "Edit</a>" not in client.get(ASSET_PAGE).text


def test_a_data_administrator_of_several_providers_chooses_one(client, store, seller):
    store.provider(seller)
    other = store.provider(seller, name="Other Labs")
    log_in(client, seller.user)

    refused = _register(client, DOWNLOADABLE, ("widget.zip", WIDGET, "application/zip"))
    chosen = _register(
        client, {**DOWNLOADABLE, "provider": other.slug}, ("widget.zip", WIDGET, "application/zip")
    )

    assert refused.status_code == 400
    assert field_error(refused.text, "provider") == "choose one of your providers"
    assert chosen.status_code == 303
    [asset] = store.session.scalars(select(Asset)).all()
    assert asset.provider_id == other.id
