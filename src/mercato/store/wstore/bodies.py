"""Reading WStore JSON bodies into the store rules' typed values.

A reader checks a body's fields in the order WStore does and answers with its
texts. Routes call the caller's access checks before the readers that need them,
as WStore answers 403 before it reads the fields.
"""

from typing import Any

from mercato.errors import Invalid
from mercato.store import reviews
from mercato.store.assets import AssetChanges, Files, check_content_type
from mercato.store.marketplaces import rules as marketplaces
from mercato.store.marketplaces.receiving import DescriptionData, StoreData
from mercato.store.marketplaces.rules import MarketplaceData, RepositoryData
from mercato.store.naming import check_name
from mercato.store.reviews import ReplyText, ReviewText


def as_object(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise Invalid.field("body", "must be a JSON object")
    return document


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


# --- marketplaces, repositories and the stores registered here ------------------------


def marketplace_data(document: object) -> MarketplaceData:
    """``{name, host, api_version, credentials: {username, passwd}}`` (§4.1)."""
    body = as_object(document)
    name = check_name(body.get("name"))
    host = marketplaces.check_web_address(body.get("host"), "host")
    version = marketplaces.check_api_version(
        body.get("api_version"), marketplaces.SUPPORTED_MARKETPLACE_VERSIONS
    )
    credentials = body.get("credentials")
    if not isinstance(credentials, dict):
        raise Invalid.field("credentials", "are missing: give username and passwd")
    username = marketplaces.check_text(credentials.get("username"), "username")
    password = marketplaces.check_text(credentials.get("passwd"), "passwd")
    return MarketplaceData(name, host, version, username, password)


def repository_data(document: object) -> RepositoryData:
    """``{name, host, api_version, offering_collection, resource_collection, is_default?}``."""
    body = as_object(document)
    name = check_name(body.get("name"))
    host = marketplaces.check_web_address(body.get("host"), "host")
    version = marketplaces.check_api_version(
        body.get("api_version"), marketplaces.REPOSITORY_VERSIONS
    )
    offering_collection = marketplaces.check_collection(
        body.get("offering_collection"), "offering_collection"
    )
    resource_collection = marketplaces.check_collection(
        body.get("resource_collection"), "resource_collection"
    )
    return RepositoryData(
        name=name,
        host=host,
        api_version=version,
        offering_collection=offering_collection,
        resource_collection=resource_collection,
        is_default=body.get("is_default") is True,
    )


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
