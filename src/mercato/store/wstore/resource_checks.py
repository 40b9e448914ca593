"""WStore's order of checks for resource writes, with its texts (store-wire.md §2).

Each function raises ``WStoreError`` at the first failure, in the order the
WStore view meets it; the asset rules then run their own checks (media type
syntax, file contents and size), which a body that passed these rarely trips.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider
from mercato.errors import NotFound
from mercato.store.access import find_provider
from mercato.store.assets import AssetContent, find_asset
from mercato.store.models import Asset, AssetKind, AssetState
from mercato.store.naming import ASSET_VERSION, FILE_NAME, NAME, compare_versions
from mercato.store.uploads import Upload
from mercato.store.wstore.offering_checks import bad, decode_base64, is_url
from mercato.store.wstore.wire import WStoreError

REQUIRED = ("name", "version", "description", "content_type", "resource_type")
FILE_NOT_ALLOWED = "Invalid plugin format: File not allowed for the resource type"


def _is_version(value: object) -> bool:
    return isinstance(value, str) and bool(ASSET_VERSION.match(value))


def _file(upload: Upload | None, content: object) -> Upload | None:
    """The multipart file, else the decoded ``content`` object; file name checked."""
    if upload is None and isinstance(content, Mapping):
        upload = Upload(str(content.get("name", "")), decode_base64(content.get("data")))
    if upload is not None and not FILE_NAME.match(upload.name):
        raise bad("Invalid file name format: Unsupported character")
    return upload


def new_resource(
    session: Session, provider: Provider, document: Mapping[str, Any], upload: Upload | None
) -> tuple[AssetKind, AssetContent]:
    """Steps 5-15 of a registration: its type and content, the rest of the body checked."""
    if "resource_type" not in document:
        raise bad("Invalid request: Missing required field resource_type")
    kinds = [kind.value for kind in AssetKind]
    if document["resource_type"] not in kinds:
        raise bad("Invalid request: The specified resource type is not registered")
    name = document.get("name")
    if isinstance(name, str) and session.scalar(
        select(exists().where(Asset.provider_id == provider.id, Asset.name == name))
    ):
        raise WStoreError(
            409,
            f"The resource {name} already exists. Please upgrade the resource if you want to "
            "provide new content",
        )
    if not all(key in document for key in REQUIRED):
        raise bad("Invalid request: Missing required field")
    if not _is_version(document["version"]):
        raise bad(f"Invalid version number '{document['version']}'")
    if not isinstance(name, str) or not NAME.match(name) or not name.isascii():
        raise bad("Invalid name format")
    kind = AssetKind(document["resource_type"])
    content = _content(document, upload, "Invalid resource link format")
    if content is None:
        raise bad("Invalid request: Missing resource content")
    if kind == AssetKind.API and content.upload is not None:
        raise bad(FILE_NOT_ALLOWED)
    return kind, content


def _content(
    document: Mapping[str, Any], upload: Upload | None, bad_link: str
) -> AssetContent | None:
    # The content wins over a link when both are sent.
    file = _file(upload, document.get("content"))
    if file is not None:
        return AssetContent(upload=file)
    if "link" not in document:
        return None
    if not is_url(document["link"]):
        raise bad(bad_link)
    return AssetContent(link=document["link"])


def found_resource(session: Session, provider: str, name: str, version: str) -> Asset:
    """The resource at its current version, or 404 ``Resource not found``."""
    try:
        return find_asset(session, find_provider(session, provider), name, version)
    except NotFound:
        raise WStoreError(404, "Resource not found") from None


def upgrade(asset: Asset, document: Mapping[str, Any], upload: Upload | None) -> AssetContent:
    """Steps 6-12 of an upgrade: the new version and content, checked."""
    if "version" not in document:
        raise bad("Missing a required field: Version")
    version = document["version"]
    if not _is_version(version):
        raise bad(f"Invalid version number '{version}'")
    if compare_versions(version, asset.version) <= 0:
        raise bad(
            f"The new version cannot be lower that the current version: {version} - {asset.version}"
        )
    if asset.is_deleted:
        raise bad("Deleted resources cannot be upgraded")
    content = _content(document, upload, "Invalid URL format")
    if content is None:
        raise bad("No resource has been provided")
    if asset.kind == AssetKind.API and content.upload is not None:
        raise bad(FILE_NOT_ALLOWED)
    return content


def update(asset: Asset, document: Mapping[str, Any]) -> None:
    """Steps 6-13 of an edit."""
    if asset.is_deleted:
        raise bad("Deleted resources cannot be updated")
    if asset.state == AssetState.USED and set(document) - {"description"}:
        raise bad("The resource is being used, only description can be modified")
    if "content" in document or "link" in document:
        raise bad(
            "Resource contents cannot be updated. Please upgrade the resource to provide new "
            "contents"
        )
    for key in ("name", "version"):
        if key in document:
            raise bad(
                f"{key.capitalize()} field cannot be updated since is used to identify the resource"
            )
    for key, kind in (("content_type", str), ("open", bool), ("description", str)):
        if key in document and not isinstance(document[key], kind):
            raise bad(f"Invalid type for {key} field")
