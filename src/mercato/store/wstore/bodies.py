"""Reading WStore JSON bodies into the store rules' typed values.

A reader checks a body's fields in the order WStore does and answers with its
texts. Routes call the caller's access checks before the readers that need them,
as WStore answers 403 before it reads the fields.
"""

from typing import Any

from mercato.errors import Invalid
from mercato.store import reviews
from mercato.store.assets import EDITABLE_FIELDS, AssetChanges, Files, check_content_type
from mercato.store.offerings import AssetRef
from mercato.store.reviews import ReplyText, ReviewText
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


def review_text(document: dict[str, Any]) -> ReviewText:
    """``{"title", "comment"?, "rating"}``."""
    return ReviewText(
        title=reviews.check_title(document.get("title")),
        comment=reviews.check_comment(document.get("comment", ""), required=False),
        rating=reviews.check_rating(document.get("rating")),
    )


def reply_text(document: dict[str, Any]) -> ReplyText:
    """``{"title", "comment"}``: WStore names the reply's text ``comment``."""
    return ReplyText(
        title=reviews.check_title(document.get("title")),
        comment=reviews.check_comment(document.get("comment"), required=True),
    )


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
