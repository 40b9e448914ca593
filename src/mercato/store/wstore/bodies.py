"""Reading WStore JSON bodies into the store rules' typed values.

A reader checks a body's fields in the order WStore does and answers with its
texts. Routes call the caller's access checks before the readers that need them,
as WStore answers 403 before it reads the fields.
"""

from dataclasses import dataclass
from typing import Any

from mercato.errors import Invalid
from mercato.store.assets import EDITABLE_FIELDS, AssetChanges, Files, check_content_type
from mercato.store.marketplaces import rules as marketplaces
from mercato.store.marketplaces.receiving import DescriptionData, StoreData
from mercato.store.naming import check_asset_version, check_name
from mercato.store.offerings import AssetRef
from mercato.store.uploads import Upload, decode_upload


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


def changed_fields(document: dict[str, Any]) -> list[str]:
    """The asset fields an edit names, each one an asset lets change."""
    fixed = sorted(set(document) - set(EDITABLE_FIELDS))
    if fixed:
        raise Invalid.field(fixed[0], "cannot be changed; only description, content_type and open")
    return list(document)


def asset_changes(document: dict[str, Any], files: Files) -> AssetChanges:
    """``{"description"?, "content_type"?, "open"?}``; a field left out stays as it is."""
    description = document.get("description")
    if "description" in document and not isinstance(description, str):
        raise Invalid.field("description", "must be text")
    content_type = None
    if "content_type" in document:
        content_type = check_content_type(files, document["content_type"])
    is_open = document.get("open")
    if "open" in document and not isinstance(is_open, bool):
        raise Invalid.field("open", "must be true or false")
    return AssetChanges(description=description, content_type=content_type, is_open=is_open)


# --- assets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetText:
    """The text fields of a new asset, checked."""

    name: str
    version: str
    description: str
    content_type: str


def asset_text(document: dict[str, Any], files: Files) -> AssetText:
    """``{"name", "version", "content_type", "description"?}``, in register_asset's order."""
    name = check_name(document.get("name"))
    version = check_asset_version(document.get("version"))
    content_type = check_content_type(files, document.get("content_type"))
    description = document.get("description", "")
    if not isinstance(description, str):
        raise Invalid.field("description", "must be text")
    return AssetText(name, version, description, content_type)


def asset_version(document: dict[str, Any]) -> str:
    """An upgrade's ``{"version"}``."""
    return check_asset_version(document.get("version"))


# --- the stores registered here and what they publish --------------------------------


def _stripped_text(document: object, field: str) -> str:
    # A body that is not an object misses every field, as WStore's receiving side says.
    value = document.get(field) if isinstance(document, dict) else None
    return marketplaces.check_text(value, field).strip()


def store_data(document: object) -> StoreData:
    """``{displayName, url, comment?}``: a store registering here."""
    display_name = _stripped_text(document, "displayName")
    url = marketplaces.check_web_address(_stripped_text(document, "url"), "url")
    comment = document.get("comment") if isinstance(document, dict) else None
    return StoreData(display_name, url, comment if isinstance(comment, str) else "")


def description_data(document: object) -> DescriptionData:
    """``{displayName, url}``: an offering a store publishes here."""
    return DescriptionData(_stripped_text(document, "displayName"), _stripped_text(document, "url"))
