"""WStore's order of checks for offering writes, with its texts (store-wire.md §3, §4).

Each function raises ``WStoreError`` at the first failure, in the order the
WStore view meets it; the store rules then run their own checks (image
contents, sizes), which a body that passed these rarely trips.
"""

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider
from mercato.errors import Invalid
from mercato.store.models import Asset, ProviderStoreSettings, StoreOffering
from mercato.store.naming import FILE_NAME, NAME, OFFERING_VERSION, compare_versions
from mercato.store.offerings import AssetRef, offering_service
from mercato.store.pricing import PricingTerms, check_price_plans, pricing_message
from mercato.store.uploads import Upload
from mercato.store.usdl.description import check_price_plan
from mercato.store.wstore.wire import WStoreError

REQUIRED = ("name", "version", "offering_description", "image")
# The Programmer Guide's ways of describing an offering, kept beside WStore's own key.
DESCRIPTION_KEYS = ("offering_description", "offering_info", "description_url")
APPLICATION_KEYS = ("name", "url", "id", "description")
# WStore's URL syntax (store-wire.md §2.7); `\w` is ASCII there.
URL = re.compile(
    r"^https?://(?:(?:[\w0-9](?:[\w0-9-]{0,61}[\w0-9])?\.)+[\w]{2,6}\.?|localhost|"
    r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?::\d+)?(?:/?|[/?]\S+)$",
    re.IGNORECASE | re.ASCII,
)
INFO = "Invalid offering info: "


def bad(message: str) -> WStoreError:
    return WStoreError(400, message)


def is_url(value: object) -> bool:
    return isinstance(value, str) and bool(URL.match(value))


def decode_base64(data: object) -> bytes:
    """Python 2's lenient decoding: other characters dropped, any bad length one text."""
    if not isinstance(data, str):
        raise bad("Incorrect padding")
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        raise bad("Incorrect padding") from None


def image_upload(value: Mapping[str, Any]) -> Upload:
    """``{name, data}``; WStore never checked the name, Mercato holds it to the file rule."""
    if "name" not in value or "data" not in value:
        raise bad("Missing required field in image")
    data = decode_base64(value["data"])
    if not isinstance(value["name"], str) or not FILE_NAME.match(value["name"]):
        raise bad("Invalid file name format: Unsupported character")
    return Upload(value["name"], data)


def check_required(document: Mapping[str, Any]) -> None:
    missing = [
        key
        for key in REQUIRED
        if key not in document
        and not (key == "offering_description" and any(k in document for k in DESCRIPTION_KEYS))
    ]
    if missing:
        raise bad("Missing required fields:" + "".join(f" {key}" for key in missing))


def check_identity(document: Mapping[str, Any]) -> tuple[str, str]:
    version, name = document["version"], document["name"]
    if not isinstance(version, str) or not OFFERING_VERSION.match(version):
        raise bad("Invalid version format")
    if not isinstance(name, str) or not NAME.match(name) or not name.isascii():
        raise bad("Invalid name format")
    return name, version


def check_new_version(session: Session, provider: Provider, name: str, version: str) -> bool:
    """409 for an existing version, 400 under a higher one; whether earlier versions exist."""
    service = offering_service(session, provider, name)
    if service is None:
        return False
    versions = session.scalars(
        select(StoreOffering.version).where(StoreOffering.service_id == service.id)
    ).all()
    if version in versions:
        raise WStoreError(409, f"The offering {name} version {version} already exists")
    if any(compare_versions(other, version) > 0 for other in versions):
        raise bad("A bigger version of the current offering exists")
    return bool(versions)


def check_applications(document: Mapping[str, Any]) -> None:
    for application in document.get("applications") or []:
        if not isinstance(application, Mapping) or not all(
            key in application for key in APPLICATION_KEYS
        ):
            raise bad("Missing a required field in application definition")


def check_notification(session: Session, provider: Provider, document: Mapping[str, Any]) -> None:
    if "notification_url" not in document:
        return
    url = document["notification_url"]
    if url == "default":
        settings = session.get(ProviderStoreSettings, provider.id)
        if settings is None or not settings.notification_url:
            raise bad(
                "There is not a default notification URL defined for the organization "
                f"{provider.name}. To configure a default notification URL provide it in "
                "the settings menu"
            )
        return
    if not is_url(url):
        raise bad("Invalid notification URL format: It doesn't seem to be an URL")


def media_uploads(document: Mapping[str, Any]) -> tuple[Upload | None, list[Upload] | None]:
    """The logo (``None`` when the body has none) and screenshots, steps 13-15."""
    image = None
    if "image" in document:
        if not isinstance(document["image"], Mapping):
            raise bad("Invalid image type")
        image = image_upload(document["image"])
    screenshots = None
    if "related_images" in document:
        related = document["related_images"]
        items = related if isinstance(related, list) else []
        screenshots = [image_upload(item if isinstance(item, Mapping) else {}) for item in items]
    return image, screenshots


def check_description_form(
    form: object, terms: PricingTerms, *, is_open: bool, has_previous_version: bool
) -> list[dict[str, Any]]:
    """Steps 16-20 on ``offering_description``; the checked price plans."""
    if not isinstance(form, Mapping) or not all(
        key in form for key in ("description", "abstract", "pricing")
    ):
        raise bad(INFO + "Missing a required field")
    if not form["description"]:
        raise bad(INFO + "Description field cannot be empty")
    if "legal" in form:
        legal = form["legal"] if isinstance(form["legal"], Mapping) else {}
        if "title" not in legal or "text" not in legal:
            raise bad(INFO + "Title and text fields are required if providing legal info")
        if not legal["title"] or not legal["text"]:
            raise bad(INFO + "Title and text fields cannot be empty in legal info")
    try:
        plans = check_price_plans(
            form["pricing"], terms, is_open=is_open, has_previous_version=has_previous_version
        )
    except Invalid as error:
        raise bad(pricing_message(error)) from None
    for number, plan in enumerate(plans):
        # What WStore lets through must still be a plan Linked USDL can show.
        try:
            check_price_plan(plan, f"price_plans.{number}")
        except Invalid as error:
            raise bad(f"Invalid pricing info: {error}") from None
    return plans


def asset_refs(value: object) -> list[AssetRef]:
    """``[{name, version}, ...]``; a missing key is named bare (store-wire.md §0.5)."""
    if not isinstance(value, list):
        raise bad("Invalid JSON content")
    refs = []
    for item in value:
        entry = item if isinstance(item, Mapping) else {}
        for key in ("name", "version"):
            if key not in entry:
                raise bad(key)
        refs.append(AssetRef(str(entry["name"]), str(entry["version"])))
    return refs


def check_assets(session: Session, provider: Provider, refs: list[AssetRef], is_open: bool) -> None:
    """Steps 21-23: each in the provider's resources at its current version, live, open."""
    for ref in refs:
        asset = session.scalar(
            select(Asset).where(
                Asset.provider_id == provider.id,
                Asset.name == ref.name,
                Asset.version == ref.version,
            )
        )
        if asset is None:
            raise bad(f"Resource not found: {ref.name} {ref.version}")
        if asset.is_deleted:
            raise bad(f"Invalid resource, the resource {ref.name} {ref.version} is deleted")
        if is_open and not asset.is_open:
            raise bad("It is not allowed to include not open resources in an open offering")
