"""WStore resources API (reference §4.2): a provider's assets, and their downloads."""

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
from mercato.store.wstore.wire import Caller, ReceivedBody, envelope, read_body

router = APIRouter(tags=["Store: resources (WStore)"])
PREFIX = "/api/offering/resources"
# The built-in resource types; plugins (reference §11) are not supported.
PLUGINS = [
    {
        "name": "Downloadable",
        "plugin_id": "downloadable",
        "author": "Mercato",
        "version": "1.0",
        "media_types": [],
        "formats": ["FILE", "URL"],
        "overrides": [],
    },
    {
        "name": "API",
        "plugin_id": "api",
        "author": "Mercato",
        "version": "1.0",
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
    request: Request, received: ReceivedBody, session: DbSession, user: Caller, files: FileStore
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


@router.get(f"{PREFIX}/plugins", summary="Resource types")
def list_plugins(user: Caller) -> list[dict[str, Any]]:
    return PLUGINS


@router.get(f"{PREFIX}/{{provider}}/{{name}}/{{version}}", summary="Get a resource")
def get_resource(asset: ManagedAsset, settings: AppSettings) -> dict[str, Any]:
    return asset_json(asset, settings.base_url)


@router.post(f"{PREFIX}/{{provider}}/{{name}}/{{version}}", summary="Upgrade a resource")
def upgrade_resource(
    asset: ManagedAsset,
    request: Request,
    received: ReceivedBody,
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
    asset: ManagedAsset,
    request: Request,
    received: ReceivedBody,
    session: DbSession,
    files: FileStore,
) -> Response:
    document = as_object(read_body(received).document)
    rules.check_can_change_asset(asset, changed_fields(document))
    rules.update_asset(session, files, asset, asset_changes(document, files))
    return envelope(request, 200, "OK")


@router.delete(
    f"{PREFIX}/{{provider}}/{{name}}/{{version}}",
    summary="Delete a resource",
    responses={204: {"description": "Deleted; the body is empty"}},
)
def delete_resource(asset: ManagedAsset, session: DbSession, files: FileStore) -> Response:
    rules.delete_asset(session, files, asset)
    return Response(status_code=204)


def _chunks(handle: Any) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(64 * 1024):
            yield chunk


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
