"""WStore resources API (reference §4.2): a provider's assets, and their downloads."""

import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from mercato.accounts.rules import administered_provider_ids
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.store import assets as rules
from mercato.store.access import acting_provider, find_provider, providers_by_id
from mercato.store.assets import AssetContent
from mercato.store.http import FileStore, Limit, ManagedAsset, Start
from mercato.store.models import AssetKind
from mercato.store.uploads import Upload
from mercato.store.wstore.bodies import (
    as_object,
    asset_changes,
    asset_text,
    asset_version,
    changed_fields,
    optional_upload,
)
from mercato.store.wstore.shapes import asset_json
from mercato.store.wstore.wire import (
    JSON_CAPS,
    Caller,
    JsonBody,
    JsonOrMultipartBody,
    entity,
    envelope,
    read_body,
)

router = APIRouter(tags=["Store: resources (WStore)"])
PREFIX = "/api/offering/resources"
# The built-in resource types, as WStore lists them (store-wire.md §1.6); no plugins.
PLUGINS = [
    {
        "name": "Downloadable",
        "plugin_id": "downloadable",
        "author": "Wstore",
        "version": "1",
        "media_types": [],
        "formats": ["FILE", "URL"],
        "overrides": [],
    },
    {
        "name": "API",
        "plugin_id": "api",
        "author": "Wstore",
        "version": "1",
        "media_types": [],
        "formats": ["URL"],
        "overrides": [],
    },
]


def _content(document: dict[str, Any], upload: Upload | None) -> rules.AssetContent:
    link = document.get("link")
    if link is not None and not isinstance(link, str):
        raise Invalid.field("link", "must be a URL")
    return AssetContent(upload=upload or optional_upload(document, "content"), link=link)


def _kind(document: dict[str, Any]) -> AssetKind:
    try:
        return AssetKind(document.get("resource_type", AssetKind.DOWNLOADABLE.value))
    except ValueError:
        raise Invalid.field("resource_type", "must be Downloadable or API") from None


@router.get(PREFIX, summary="List the caller's resources")
def list_resources(
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    start: Start = 1,
    limit: Limit = None,
    open: bool | None = None,
    provider: str | None = None,
) -> list[dict[str, Any]]:
    if provider:
        providers = [acting_provider(session, user, provider)]
    else:
        ids = administered_provider_ids(session, user)
        if not ids:
            raise Forbidden("You are not a data administrator of any provider")
        providers = providers_by_id(session, ids)
    found = rules.provider_assets(session, providers, open)
    end = None if limit is None else start - 1 + limit
    return [asset_json(asset, settings.base_url) for asset in found[start - 1 : end]]


@router.post(PREFIX, status_code=201, summary="Register a resource (JSON or multipart)")
def register_resource(
    received: JsonOrMultipartBody,
    user: Caller,
    request: Request,
    session: DbSession,
    files: FileStore,
) -> Response:
    body = read_body(received, "file", files.settings.asset_max_bytes)
    document = as_object(body.document)
    provider = acting_provider(session, user, document.get("provider"))
    kind = _kind(document)
    content = _content(document, body.upload)
    text = asset_text(document, files)
    rules.register_asset(
        session,
        files,
        provider,
        name=text.name,
        version=text.version,
        description=text.description,
        content_type=text.content_type,
        kind=kind,
        is_open=document.get("open", False) is True,
        meta=document.get("metadata") if isinstance(document.get("metadata"), dict) else {},
        content=content,
    )
    return envelope(request, 201, "Created")


# WStore's route is `plugins?`: both spellings, no trailing slash.
@router.get(f"{PREFIX}/plugins", summary="Resource types")
@router.get(f"{PREFIX}/plugin", include_in_schema=False)
def list_plugins(user: Caller) -> Response:
    return entity(PLUGINS, JSON_CAPS)


@router.delete(f"{PREFIX}/{{provider}}/{{name}}/{{version}}", summary="Delete a resource")
def delete_resource(asset: ManagedAsset, session: DbSession, files: FileStore) -> Response:
    rules.delete_asset(session, files, asset)
    return Response(status_code=204)


@router.post(f"{PREFIX}/{{provider}}/{{name}}/{{version}}", summary="Upgrade a resource")
def upgrade_resource(
    received: JsonOrMultipartBody,
    asset: ManagedAsset,
    request: Request,
    session: DbSession,
    files: FileStore,
) -> Response:
    body = read_body(received, "file", files.settings.asset_max_bytes)
    document = as_object(body.document)
    content = _content(document, body.upload)
    rules.check_can_upgrade(asset)
    rules.upgrade_asset(session, files, asset, asset_version(document), content)
    return envelope(request, 200, "OK")


@router.put(f"{PREFIX}/{{provider}}/{{name}}/{{version}}", summary="Edit a resource")
def update_resource(
    received: JsonBody,
    asset: ManagedAsset,
    request: Request,
    session: DbSession,
    files: FileStore,
) -> Response:
    document = as_object(read_body(received).document)
    rules.check_can_change_asset(asset, changed_fields(document))
    rules.update_asset(session, files, asset, asset_changes(document, files))
    return envelope(request, 200, "OK")


@router.get(f"{PREFIX}/{{provider}}/{{name}}/{{version}}", summary="Get a resource")
def get_resource(asset: ManagedAsset, settings: AppSettings) -> dict[str, Any]:
    return asset_json(asset, settings.base_url)


def _chunks(handle: Any) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(64 * 1024):
            yield chunk


def _download(
    session: DbSession, user: Caller, files: FileStore, path: tuple[str, str, str, str]
) -> StreamingResponse:
    provider, name, version, file_name = path
    asset = rules.find_asset(session, find_provider(session, provider), name, version)
    if asset.file_key is None or asset.file_name != file_name:
        raise NotFound("Resource")
    # Not found rather than forbidden, as WStore answers: the file's existence stays private.
    if not rules.can_download(session, user, asset):
        raise NotFound("Resource")
    return StreamingResponse(
        _chunks(files.storage.open(asset.file_key)),
        media_type=asset.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{asset.file_name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


# WStore's stored name: <Org>__<Name>__<Version>__<file name> (store-wire.md §0.7).
STORED_RESOURCE = re.compile(r"^(.+?)__(.+)__(\d[\d.]*(?:(?:a|b|rc)\d+)?)__(.+)$")


@router.get("/media/resources/{stored}", summary="Download a resource (WStore's link)")
def download_stored_resource(
    stored: str, session: DbSession, user: Caller, files: FileStore
) -> StreamingResponse:
    match = STORED_RESOURCE.match(stored)
    if match is None:
        raise NotFound("Resource")
    provider, name, version, file_name = match.groups()
    return _download(session, user, files, (provider, name, version, file_name))


@router.get(
    "/media/resources/{provider}/{name}/{version}/{file_name}", summary="Download a resource"
)
def download_resource(
    provider: str,
    name: str,
    version: str,
    file_name: str,
    session: DbSession,
    user: Caller,
    files: FileStore,
) -> StreamingResponse:
    return _download(session, user, files, (provider, name, version, file_name))
