"""WStore JSON bodies read into the store rules' typed values.

Each reader checks a body's fields in the order WStore does and answers with its
texts; the routes call the caller's access checks first, as WStore answers 403
before it reads the body.
"""

from typing import Any

from mercato.errors import Invalid
from mercato.store import reviews
from mercato.store.assets import EDITABLE_FIELDS, AssetChanges, Files, check_content_type
from mercato.store.reviews import ReplyText, ReviewText


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
