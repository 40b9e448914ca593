"""WStore resources API (store-wire.md §2): a provider's assets, and their downloads."""

import re
from collections.abc import Iterator
from operator import attrgetter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.rules import administered_provider_ids
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import NotFound
from mercato.store import assets as rules
from mercato.store.access import (
    acting_provider,
    check_can_manage_provider,
    find_provider,
    providers_by_id,
)
from mercato.store.assets import check_content_type
from mercato.store.http import FileStore, ManagedAsset
from mercato.store.wstore import resource_checks as checks
from mercato.store.wstore.bodies import asset_changes
from mercato.store.wstore.shapes import asset_json
from mercato.store.wstore.wire import (
    INVALID_CONTENT,
    JSON_CAPS,
    JSON_CHARSET,
    Caller,
    JsonBody,
    JsonOrMultipartBody,
    WStoreError,
    entity,
    envelope,
    errors,
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


def _check_provider_role(session: Session, user: User) -> None:
    if not user.is_admin and not administered_provider_ids(session, user):
        raise WStoreError(403, "You don't have the provider role")


def _open_filter(value: str | None) -> bool | None:
    if value is None:
        return None
    if value not in ("true", "false"):
        raise WStoreError(400, "Invalid open param")
    return value == "true"


def _page(start: str | None, limit: str | None) -> slice:
    """Items ``start``..``start+limit-1`` (from 1), only when both are given."""
    if start is None or limit is None:
        return slice(None)
    try:
        first, size = int(start), int(limit)
    except ValueError:
        raise WStoreError(400, "Invalid pagination limits") from None
    if first < 1 or size < 1:
        raise WStoreError(400, "Invalid pagination limits")
    return slice(first - 1, first - 1 + size)


@router.get(PREFIX, responses=errors(400, 401, 403, 404), summary="List the caller's resources")
def list_resources(
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    start: str | None = None,
    limit: str | None = None,
    open: str | None = None,
    provider: str | None = None,
) -> Response:
    is_open = _open_filter(open)
    ids = administered_provider_ids(session, user)
    if not user.is_admin and not ids:
        raise WStoreError(403, "Forbidden")
    page = _page(start, limit)
    if provider:
        providers = [acting_provider(session, user, provider)]
    else:
        providers = providers_by_id(session, ids)
    found = rules.provider_assets(session, providers, is_open, with_deleted=True)
    # WStore lists them in the order they were registered (an upgrade keeps the row).
    found.sort(key=attrgetter("id"))
    shown = [asset_json(asset, settings.base_url) for asset in found[page]]
    return entity(shown, JSON_CHARSET)


@router.post(
    PREFIX,
    responses=errors(400, 401, 403, 404, 409, 415),
    status_code=201,
    summary="Register a resource (JSON or multipart)",
)
def register_resource(
    received: JsonOrMultipartBody,
    user: Caller,
    request: Request,
    session: DbSession,
    files: FileStore,
) -> Response:
    _check_provider_role(session, user)
    body = read_body(received, "file", files.settings.asset_max_bytes)
    document = body.document if isinstance(body.document, dict) else {}
    provider = acting_provider(session, user, document.get("provider"))
    kind, content = checks.new_resource(session, provider, document, body.upload)
    description = document["description"]
    rules.register_asset(
        session,
        files,
        provider,
        name=document["name"],
        version=document["version"],
        description=description if isinstance(description, str) else str(description),
        content_type=check_content_type(files, document["content_type"]),
        kind=kind,
        is_open=document.get("open", False) is True,
        meta=document.get("metadata") if isinstance(document.get("metadata"), dict) else {},
        content=content,
    )
    return envelope(request, 201, "Created")


# WStore's route is `plugins?`: both spellings, no trailing slash.
@router.get(f"{PREFIX}/plugins", responses=errors(401), summary="Resource types")
@router.get(f"{PREFIX}/plugin", include_in_schema=False)
def list_plugins(user: Caller) -> Response:
    return entity(PLUGINS, JSON_CAPS)


@router.delete(
    f"{PREFIX}/{{provider}}/{{name}}/{{version}}",
    status_code=204,
    responses=errors(400, 401, 403, 404),
    summary="Delete a resource",
)
def delete_resource(asset: ManagedAsset, session: DbSession, files: FileStore) -> Response:
    if asset.is_deleted:
        raise WStoreError(400, "The resource is already deleted")
    rules.delete_asset(session, files, asset)
    return Response(status_code=204)


@router.post(
    f"{PREFIX}/{{provider}}/{{name}}/{{version}}",
    responses=errors(400, 401, 403, 404, 415),
    summary="Upgrade a resource",
)
def upgrade_resource(
    received: JsonOrMultipartBody,
    user: Caller,
    provider: str,
    name: str,
    version: str,
    request: Request,
    session: DbSession,
    files: FileStore,
) -> Response:
    body = read_body(received, "file", files.settings.asset_max_bytes, invalid=INVALID_CONTENT)
    asset = checks.found_resource(session, provider, name, version)
    check_can_manage_provider(session, user, asset.provider_id)
    document = body.document if isinstance(body.document, dict) else {}
    content = checks.upgrade(asset, document, body.upload)
    rules.upgrade_asset(session, files, asset, document["version"], content)
    return envelope(request, 200, "OK")


@router.put(
    f"{PREFIX}/{{provider}}/{{name}}/{{version}}",
    responses=errors(400, 401, 403, 404, 415),
    summary="Edit a resource",
)
def update_resource(
    received: JsonBody,
    user: Caller,
    provider: str,
    name: str,
    version: str,
    request: Request,
    session: DbSession,
    files: FileStore,
) -> Response:
    body = read_body(received, invalid=INVALID_CONTENT)
    asset = checks.found_resource(session, provider, name, version)
    check_can_manage_provider(session, user, asset.provider_id)
    document = body.document if isinstance(body.document, dict) else {}
    checks.update(asset, document)
    rules.update_asset(session, files, asset, asset_changes(document, files))
    return envelope(request, 200, "OK")


@router.get(
    f"{PREFIX}/{{provider}}/{{name}}/{{version}}",
    responses=errors(401, 403, 404),
    summary="Get a resource",
)
def get_resource(asset: ManagedAsset, settings: AppSettings) -> Response:
    return entity(asset_json(asset, settings.base_url), JSON_CHARSET)


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


@router.get(
    "/media/resources/{stored}",
    responses=errors(401, 404),
    summary="Download a resource (WStore's link)",
)
def download_stored_resource(
    stored: str, session: DbSession, user: Caller, files: FileStore
) -> StreamingResponse:
    match = STORED_RESOURCE.match(stored)
    if match is None:
        raise NotFound("Resource")
    provider, name, version, file_name = match.groups()
    return _download(session, user, files, (provider, name, version, file_name))


@router.get(
    "/media/resources/{provider}/{name}/{version}/{file_name}",
    responses=errors(401, 404),
    summary="Download a resource",
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
