"""WStore offerings API (reference §4.3): list, create, get, update, delete, publish, bind."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mercato.catalogue.models import OfferStatus
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid, NotFound
from mercato.settings import Settings
from mercato.store import listing
from mercato.store import offerings as rules
from mercato.store.access import acting_provider
from mercato.store.descriptions import description_from_usdl, usdl_of
from mercato.store.http import (
    FileStore,
    FoundOffering,
    Limit,
    ManagedOffering,
    Start,
    VisibleOffering,
)
from mercato.store.listing import Scope, Sort
from mercato.store.marketplaces.publishing import publish
from mercato.store.naming import check_name
from mercato.store.offerings import Description, Media, NewOffering
from mercato.store.usdl import UsdlFormat, export_usdl, fetch_usdl, parse_usdl, usdl_format
from mercato.store.wstore.bodies import as_object, asset_refs, optional_upload, optional_uploads
from mercato.store.wstore.shapes import Viewer, offering_json
from mercato.store.wstore.wire import (
    Caller,
    JsonBody,
    JsonOrXmlBody,
    OptionalCaller,
    envelope,
    read_body,
)

router = APIRouter(tags=["Store: offerings (WStore)"])
PREFIX = "/api/offering/offerings"
ONE = f"{PREFIX}/{{provider}}/{{name}}/{{version}}"
FORM_KEYS = ("offering_info", "offering_description")


def _text(value: Any, field: str, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid.field(field, "must be text")
    return value


def _version(value: Any) -> str:
    """A version as text; the rules check its form once they have found the resources."""
    if not isinstance(value, str):
        raise Invalid.field("version", "must be a version string such as 1.0")
    return value


def _price_plans(pricing: Any) -> list[dict[str, Any]]:
    """``{"price_plans": [...]}``, or the Programmer Guide's ``{"price_model": "free"}``."""
    if pricing is None or pricing == {"price_model": "free"}:
        return []
    plans = pricing.get("price_plans") if isinstance(pricing, dict) else None
    if not isinstance(plans, list) or not all(
        isinstance(plan, dict) and isinstance(plan.get("title"), str) for plan in plans
    ):
        raise Invalid.field("pricing", 'must be {"price_plans": [{"title", ...}]} or free')
    return plans


def _form_description(form: Any, field: str) -> Description:
    if not isinstance(form, dict):
        raise Invalid.field(field, "must be an object")
    legal = form.get("legal")
    if legal is not None and not isinstance(legal, dict):
        raise Invalid.field("legal", "must be {title, text}")
    return Description(
        description=_text(form.get("description"), "description", required=True),
        abstract=_text(form.get("abstract"), "abstract"),
        legal=legal,
        price_plans=_price_plans(form.get("pricing")),
    )


def _usdl_document(value: dict[str, Any], field: str) -> Description:
    if not isinstance(value["data"], str) or not isinstance(value["content_type"], str):
        raise Invalid.field(field, 'must be {"content_type": <USDL syntax>, "data": <document>}')
    return description_from_usdl(parse_usdl(value["data"], value["content_type"]))


def _description(document: dict[str, Any], settings: Settings) -> Description | None:
    """The description given one of WStore's three ways; None when the body gives none.

    A simple form (``offering_info``, or ``offering_description`` as WStore's
    own code names it), a Linked USDL document (``offering_description``
    holding ``content_type`` and ``data``), or the URL of one (``description_url``).
    """
    for key in FORM_KEYS:
        value = document.get(key)
        if value is None:
            continue
        if isinstance(value, dict) and {"content_type", "data"} <= set(value):
            return _usdl_document(value, key)
        return _form_description(value, key)
    url = document.get("description_url")
    if url is None:
        return None
    if not isinstance(url, str):
        raise Invalid.field("description_url", "must be a URL")
    return description_from_usdl(fetch_usdl(url, settings), url)


def _media(document: dict[str, Any]) -> Media:
    return Media(
        image=optional_upload(document, "image"),
        screenshots=optional_uploads(document, "related_images"),
    )


@router.get(PREFIX, summary="List offerings", response_model=None)
def list_offerings(
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    filter: Scope = Scope.PUBLISHED,
    state: str | None = None,
    sort: Sort = Sort.DATE,
    start: Start = 1,
    limit: Limit = None,
    action: Annotated[str | None, Query(pattern="^count$")] = None,
) -> list[dict[str, Any]] | dict[str, int]:
    if state is not None and filter != Scope.PROVIDED:
        raise Invalid.field("state", "is only allowed with filter=provided")
    states = listing.parse_states(state)
    if action == "count":
        return {"number": listing.count_offerings(session, user, scope=filter, states=states)}
    found = listing.list_offerings(
        session, user, scope=filter, states=states, sort=sort, start=start, limit=limit
    )
    viewer = Viewer.of(session, user)
    return [offering_json(offering, viewer, settings.base_url) for offering in found]


@router.post(PREFIX, status_code=201, summary="Create an offering")
def create_offering(
    user: Caller, received: JsonOrXmlBody, request: Request, session: DbSession, files: FileStore
) -> Response:
    document = as_object(read_body(received).document)
    provider = acting_provider(session, user, document.get("provider"))
    # In a worker thread: a USDL URL is fetched over the network.
    description = _description(document, files.settings)
    if description is None:
        raise Invalid.field("offering_info", "is missing: describe the offering")
    notification = document.get("notification_url")
    if notification is not None and not isinstance(notification, str):
        raise Invalid.field("notification_url", 'must be a URL or "default"')
    media = _media(document)
    assets = asset_refs(document.get("resources", []))
    new = NewOffering(
        name=check_name(document.get("name")),
        version=_version(document.get("version")),
        description=description,
        media=media,
        notification_url=notification,
        is_open=document.get("open", False) is True,
        assets=assets,
    )
    rules.create_offering(session, files, user, provider, new)
    return envelope(request, 201, "Created")


@router.get(f"{PREFIX}/latest", summary="The newest published offerings")
def latest(session: DbSession, user: Caller, settings: AppSettings) -> list[dict[str, Any]]:
    viewer = Viewer.of(session, user)
    return [offering_json(o, viewer, settings.base_url) for o in listing.latest_offerings(session)]


@router.get(f"{PREFIX}/toprated", summary="The best rated published offerings")
def top_rated(session: DbSession, user: Caller, settings: AppSettings) -> list[dict[str, Any]]:
    viewer = Viewer.of(session, user)
    found = listing.top_rated_offerings(session)
    return [offering_json(offering, viewer, settings.base_url) for offering in found]


@router.get(ONE, summary="Get an offering")
def get_offering(
    offering: VisibleOffering, session: DbSession, user: Caller, settings: AppSettings
) -> dict[str, Any]:
    return offering_json(offering, Viewer.of(session, user), settings.base_url)


@router.put(ONE, summary="Update an uploaded offering")
def update_offering(
    user: Caller,
    received: JsonOrXmlBody,
    offering: ManagedOffering,
    request: Request,
    session: DbSession,
    files: FileStore,
) -> Response:
    document = as_object(read_body(received).document)
    description = _description(document, files.settings)
    rules.update_offering(session, files, offering, description=description, media=_media(document))
    return envelope(request, 200, "OK")


@router.delete(ONE, status_code=204, summary="Delete an offering")
def delete_offering(offering: ManagedOffering, session: DbSession, files: FileStore) -> Response:
    rules.delete_offering(session, files, offering)
    return Response(status_code=204)


@router.post(f"{ONE}/publish", summary="Publish an offering")
def publish_offering(
    user: Caller,
    received: JsonBody,
    offering: ManagedOffering,
    request: Request,
    session: DbSession,
) -> Response:
    document = as_object(read_body(received).document)
    marketplaces = document.get("marketplaces", [])
    if not isinstance(marketplaces, list) or not all(isinstance(m, str) for m in marketplaces):
        raise Invalid.field("marketplaces", "must be a list of marketplace names")
    # The repository and the marketplaces are called by the outbox, after the commit.
    publish(session, offering, marketplaces)
    return envelope(request, 200, "OK")


@router.post(f"{ONE}/bind", summary="Set the offering's resources (absolute update)")
def bind_resources(
    user: Caller,
    received: JsonBody,
    offering: ManagedOffering,
    request: Request,
    session: DbSession,
) -> Response:
    document = read_body(received).document
    # WStore's code takes the bare list; the Programmer Guide wraps it in "resources".
    refs = document.get("resources") if isinstance(document, dict) else document
    rules.bind_assets(session, offering, asset_refs(refs))
    return envelope(request, 200, "OK")


def _export_format(request: Request, format: str | None) -> UsdlFormat:
    if format:
        return usdl_format(format)
    for item in request.headers.get("accept", "").split(","):
        try:
            return usdl_format(item)
        except Invalid:
            continue
    return UsdlFormat.RDF_XML


@router.get(f"{ONE}/usdl", summary="The offering's Linked USDL (format= or Accept)")
def get_usdl(
    offering: FoundOffering,
    request: Request,
    session: DbSession,
    user: OptionalCaller,
    settings: AppSettings,
    format: str | None = None,
) -> Response:
    """Public once published, as marketplaces fetch it without credentials."""
    if offering.offer.status == OfferStatus.DRAFT and not (
        user is not None and rules.can_manage(session, user, offering)
    ):
        raise NotFound("Offering")
    chosen = _export_format(request, format)
    document = export_usdl(usdl_of(offering, settings.base_url), chosen)
    return Response(document, media_type=chosen.value)
