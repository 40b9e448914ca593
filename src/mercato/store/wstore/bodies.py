"""Reading WStore JSON bodies into the store rules' typed values.

A reader checks a body's fields in the order WStore does and answers with its
texts. Routes call the caller's access checks before the readers that need them,
as WStore answers 403 before it reads the fields.
"""

from typing import Any

from mercato.errors import Invalid
from mercato.store.assets import AssetChanges, Files, check_content_type
from mercato.store.marketplaces import rules as marketplaces
from mercato.store.marketplaces.receiving import DescriptionData, StoreData


def as_object(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise Invalid.field("body", "must be a JSON object")
    return document


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


# --- the stores registered here and what they publish ------------------------


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
