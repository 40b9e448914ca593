"""What the store's routes share: the file store, the viewer, body and paging helpers."""

from typing import Annotated, Any

from fastapi import Depends, Query

from mercato.dependencies import AppSettings
from mercato.errors import Invalid
from mercato.store.assets import Files
from mercato.store.offerings import AssetRef
from mercato.store.storage import LocalStorage
from mercato.store.uploads import Upload, decode_upload


def file_store(settings: AppSettings) -> Files:
    return Files(LocalStorage(settings.data_dir / "media"), settings)


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
