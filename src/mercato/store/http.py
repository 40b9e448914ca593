"""What the store's routes share: the file store, the viewer, body and paging helpers."""

from typing import Annotated, Any

from fastapi import Depends, Query

from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid
from mercato.store.assets import Files, local_files, require_managed_asset
from mercato.store.models import Asset, StoreOffering
from mercato.store.offerings import (
    AssetRef,
    find_offering,
    require_managed_offering,
    require_visible_offering,
)
from mercato.store.uploads import Upload, decode_upload
from mercato.store.wstore.wire import Caller


def file_store(settings: AppSettings) -> Files:
    return local_files(settings)


FileStore = Annotated[Files, Depends(file_store)]
Start = Annotated[int, Query(ge=1, description="First item, counting from 1")]
Limit = Annotated[int | None, Query(ge=1, description="How many items at most")]


def as_object(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise Invalid.field("body", "must be a JSON object")
    return document


def optional_upload(document: dict[str, Any], field: str) -> Upload | None:
    value = document.get(field)
    return None if value in (None, {}, "") else decode_upload(value, field)


def optional_uploads(document: dict[str, Any], field: str) -> list[Upload] | None:
    value = document.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise Invalid.field(field, "must be a list of images")
    return [decode_upload(item, f"{field}.{number}") for number, item in enumerate(value)]


def asset_refs(value: Any, field: str = "resources") -> list[AssetRef]:
    """``[{"provider"?, "name", "version"}, ...]``, as offerings name their resources."""
    if not isinstance(value, list):
        raise Invalid.field(field, 'must be a list of {"name", "version"}')
    refs = []
    for item in value:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and isinstance(item.get("version"), str)
            and isinstance(item.get("provider", ""), str)
        ):
            raise Invalid.field(field, 'each item must be {"provider"?, "name", "version"}')
        refs.append(AssetRef(item["name"], item["version"], item.get("provider") or None))
    return refs


def found_offering(provider: str, name: str, version: str, session: DbSession) -> StoreOffering:
    return find_offering(session, provider, name, version)


# The caller comes first in these signatures: WStore answers 401 before anything else.
def visible_offering(
    user: Caller, provider: str, name: str, version: str, session: DbSession
) -> StoreOffering:
    return require_visible_offering(session, user, provider, name, version)


def managed_offering(
    user: Caller, provider: str, name: str, version: str, session: DbSession
) -> StoreOffering:
    return require_managed_offering(session, user, provider, name, version)


def managed_asset(
    user: Caller, provider: str, name: str, version: str, session: DbSession
) -> Asset:
    return require_managed_asset(session, user, provider, name, version)


# The offering (or asset) a `{provider}/{name}/{version}` path names: found (404),
# then checked against the caller (403, or 404 where existence stays private).
FoundOffering = Annotated[StoreOffering, Depends(found_offering)]
VisibleOffering = Annotated[StoreOffering, Depends(visible_offering)]
ManagedOffering = Annotated[StoreOffering, Depends(managed_offering)]
ManagedAsset = Annotated[Asset, Depends(managed_asset)]
