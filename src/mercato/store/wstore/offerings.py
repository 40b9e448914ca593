"""WStore offerings API (reference §4.3): list, create, get, update, delete, publish, bind."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.rules import administered_provider_ids
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid, NotFound
from mercato.kept_answers import until_catalogue_changes
from mercato.settings import Settings
from mercato.store import listing
from mercato.store import offerings as rules
from mercato.store.access import acting_provider
from mercato.store.descriptions import description_from_usdl, usdl_of
from mercato.store.http import FileStore, FoundOffering, ManagedOffering, Terms
from mercato.store.listing import Scope, Sort
from mercato.store.marketplaces.publishing import publish
from mercato.store.marketplaces.rules import list_marketplaces, list_repositories
from mercato.store.models import OfferingState, StoreOffering
from mercato.store.offerings import Description, Media, NewOffering, find_offering
from mercato.store.pricing import PricingTerms, check_price_plans, pricing_message
from mercato.store.usdl import UsdlFormat, export_usdl, fetch_usdl, parse_usdl, usdl_format
from mercato.store.wstore import offering_checks as checks
from mercato.store.wstore.shapes import Viewer, offering_json
from mercato.store.wstore.wire import (
    JSON_BARE,
    JSON_CAPS,
    JSON_CHARSET_CAPS,
    JSON_CHARSET_TIGHT,
    Caller,
    JsonBody,
    JsonOrXmlBody,
    OptionalCaller,
    WStoreError,
    entity,
    envelope,
    errors,
    read_body,
)

router = APIRouter(tags=["Store: offerings (WStore)"])
PREFIX = "/api/offering/offerings"
ONE = f"{PREFIX}/{{provider}}/{{name}}/{{version}}"
FORM_KEYS = ("offering_info", "offering_description")
# Sic: WStore's text ("Markteplace", "has been").
NO_REPOSITORY = (
    "Publication error: It is not possible to publish an offering in a Markteplace if no "
    "Repositories has been registered"
)
DESCRIPTION_KEYS = ("abstract", "description", "pricing", "legal", "modified")


def _text(value: Any, field: str, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid.field(field, "must be text")
    return value


def _guide_plans(pricing: Any, terms: PricingTerms, is_open: bool) -> list[dict[str, Any]]:
    """``{"price_plans": [...]}`` checked as WStore does, or the Guide's ``price_model: free``."""
    if pricing is None or pricing == {"price_model": "free"}:
        return []
    try:
        return check_price_plans(pricing, terms, is_open=is_open, has_previous_version=False)
    except Invalid as error:
        raise WStoreError(400, pricing_message(error)) from None


def _guide_form(form: Any, terms: PricingTerms, is_open: bool) -> Description:
    """The Programmer Guide's ``offering_info``: ``abstract`` and ``pricing`` may be left out."""
    if not isinstance(form, dict):
        raise Invalid.field("offering_info", "must be an object")
    legal = form.get("legal")
    if legal is not None and not isinstance(legal, dict):
        raise Invalid.field("legal", "must be {title, text}")
    return Description(
        description=_text(form.get("description"), "description", required=True),
        abstract=_text(form.get("abstract"), "abstract"),
        legal=legal,
        price_plans=_guide_plans(form.get("pricing"), terms, is_open),
    )


def _wstore_form(
    form: Any, terms: PricingTerms, is_open: bool, has_previous_version: bool
) -> Description:
    plans = checks.check_description_form(
        form, terms, is_open=is_open, has_previous_version=has_previous_version
    )
    legal = form.get("legal")
    return Description(
        description=_text(form["description"], "description", required=True),
        abstract=_text(form["abstract"], "abstract"),
        legal={"title": legal["title"], "text": legal["text"]} if legal else None,
        price_plans=plans,
        # WStore keeps the whole object; it sets ``modified`` itself.
        extra={key: value for key, value in form.items() if key not in DESCRIPTION_KEYS},
    )


def _usdl_document(value: dict[str, Any], field: str) -> Description:
    if not isinstance(value["data"], str) or not isinstance(value["content_type"], str):
        raise Invalid.field(field, 'must be {"content_type": <USDL syntax>, "data": <document>}')
    return description_from_usdl(parse_usdl(value["data"], value["content_type"]))


def _is_usdl_document(value: Any) -> bool:
    return isinstance(value, dict) and {"content_type", "data"} <= set(value)


def _description(
    document: dict[str, Any],
    settings: Settings,
    terms: PricingTerms,
    is_open: bool,
    has_previous_version: bool,
) -> Description | None:
    """The description given one of the ways WStore and its Programmer Guide know.

    WStore's ``offering_description`` form; a Linked USDL document in it
    (``content_type`` and ``data``); the Guide's ``offering_info``; or the URL
    of a USDL document (``description_url``). None when the body gives none.
    """
    value = document.get("offering_description")
    if _is_usdl_document(value):
        return _usdl_document(value, "offering_description")
    if "offering_description" in document:
        return _wstore_form(value, terms, is_open, has_previous_version)
    value = document.get("offering_info")
    if _is_usdl_document(value):
        return _usdl_document(value, "offering_info")
    if value is not None:
        return _guide_form(value, terms, is_open)
    url = document.get("description_url")
    if url is None:
        return None
    if not isinstance(url, str):
        raise Invalid.field("description_url", "must be a URL")
    return description_from_usdl(fetch_usdl(url, settings), url)


def _page(start: str | None, limit: str | None) -> tuple[int, int | None]:
    """WStore pages only when both are given, from 1."""
    if start is None or limit is None:
        return 1, None
    try:
        first, size = int(start), int(limit)
    except ValueError:
        raise WStoreError(400, "Invalid pagination limits") from None
    if first < 1 or size < 1:
        raise WStoreError(400, "Invalid pagination limits")
    return first, size


def _states(text: str) -> list[OfferingState]:
    names = [state.value for state in OfferingState]
    entries = names if text == "ALL" else text.split(",")
    for entry in entries:
        if entry not in names:
            raise WStoreError(400, f"Invalid state: {entry}")
    return [OfferingState(entry) for entry in entries]


def _scope(text: str) -> Scope:
    try:
        return Scope(text)
    except ValueError:
        raise WStoreError(400, f"Invalid filter: {text}") from None


def _count(session: Session, user: User, filter: str, state: str | None) -> Response:
    if state is not None and filter != Scope.PROVIDED:
        raise WStoreError(400, f"Invalid filter: states are not allowed for filter {filter}")
    states = _states(state) if state is not None else []
    if filter == Scope.PROVIDED and state is None:
        raise WStoreError(400, "The state is needed for provided filter")
    scope = _scope(filter)
    number = listing.count_offerings(session, user, scope=scope, states=states)
    return entity({"number": number}, JSON_CAPS)


@router.get(
    PREFIX,
    responses=errors(400, 401),
    summary="List offerings",
    response_model=None,
    dependencies=[Depends(until_catalogue_changes)],
)
def list_offerings(
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    filter: str = Scope.PUBLISHED.value,
    state: str | None = None,
    sort: str | None = None,
    start: str | None = None,
    limit: str | None = None,
    action: str | None = None,
) -> Response:
    if sort is not None and sort not in list(Sort):
        raise WStoreError(400, "Invalid query string: Invalid sorting")
    if action == "count":
        return _count(session, user, filter, state)
    first, size = _page(start, limit)
    states = _states(state) if state is not None else []
    scope = _scope(filter)
    if scope == Scope.PROVIDED and state is None:
        raise WStoreError(400, "The state is needed for provided filter")
    found = listing.list_offerings(
        session,
        user,
        scope=scope,
        states=states,
        sort=Sort(sort or "date"),
        start=first,
        limit=size,
    )
    viewer = Viewer.of(session, user)
    return entity([offering_json(o, viewer, settings.base_url) for o in found], JSON_CAPS)


def _check_provider(session: Session, user: User) -> None:
    if not user.is_admin and not administered_provider_ids(session, user):
        raise WStoreError(403, "Forbidden")


@router.post(
    PREFIX,
    responses=errors(400, 401, 403, 404, 409, 415),
    status_code=201,
    summary="Create an offering",
)
def create_offering(
    user: Caller,
    received: JsonOrXmlBody,
    request: Request,
    session: DbSession,
    files: FileStore,
    terms: Terms,
) -> Response:
    _check_provider(session, user)
    body = read_body(received).document
    document = body if isinstance(body, dict) else {}
    checks.check_required(document)
    name, version = checks.check_identity(document)
    provider = acting_provider(session, user, document.get("provider"))
    has_previous_version = checks.check_new_version(session, provider, name, version)
    checks.check_applications(document)
    checks.check_notification(session, provider, document)
    image, screenshots = checks.media_uploads(document)
    is_open = document.get("open", False) is True
    # In a worker thread: a USDL URL is fetched over the network.
    description = _description(document, files.settings, terms, is_open, has_previous_version)
    if description is None:
        raise Invalid.field("offering_description", "is missing: describe the offering")
    refs = checks.asset_refs(document.get("resources", []))
    checks.check_assets(session, provider, refs, is_open)
    new = NewOffering(
        name=name,
        version=version,
        description=description,
        media=Media(image=image, screenshots=screenshots),
        notification_url=document.get("notification_url"),
        is_open=is_open,
        assets=refs,
    )
    rules.create_offering(session, files, user, provider, new)
    return envelope(request, 201, "Created")


def _shown(session: Session, user: User, settings: Settings, found: list[StoreOffering]) -> Any:
    viewer = Viewer.of(session, user)
    return [offering_json(offering, viewer, settings.base_url) for offering in found]


@router.get(f"{PREFIX}/latest", responses=errors(401), summary="The newest published offerings")
def latest(session: DbSession, user: Caller, settings: AppSettings) -> Response:
    found = listing.latest_offerings(session)
    return entity(_shown(session, user, settings, found), JSON_BARE)


@router.get(
    f"{PREFIX}/toprated", responses=errors(401), summary="The best rated published offerings"
)
def top_rated(session: DbSession, user: Caller, settings: AppSettings) -> Response:
    found = listing.top_rated_offerings(session)
    return entity(_shown(session, user, settings, found), JSON_CHARSET_TIGHT)


@router.get(
    ONE,
    responses=errors(401, 404),
    summary="Get an offering",
    dependencies=[Depends(until_catalogue_changes)],
)
def get_offering(
    user: Caller, offering: FoundOffering, session: DbSession, settings: AppSettings
) -> Response:
    """Any signed-in user reads any offering, in any state, as in WStore."""
    shown = offering_json(offering, Viewer.of(session, user), settings.base_url)
    return entity(shown, JSON_CHARSET_CAPS)


def _editable(offering: StoreOffering) -> bool:
    # Published offerings stay frozen even when open: a change needs a higher version.
    return offering.state == OfferingState.UPLOADED


@router.put(ONE, responses=errors(400, 401, 403, 404, 415), summary="Update an uploaded offering")
def update_offering(
    user: Caller,
    received: JsonOrXmlBody,
    offering: FoundOffering,
    request: Request,
    session: DbSession,
    files: FileStore,
    terms: Terms,
) -> Response:
    if not rules.can_manage(session, user, offering):
        raise WStoreError(403, "You are not allowed to edit the current offering")
    body = read_body(received).document
    document = body if isinstance(body, dict) else {}
    if not _editable(offering):
        raise WStoreError(400, "The offering cannot be edited")
    image, screenshots = checks.media_uploads(document)
    # WStore reads nothing else; the offering itself counts as a previous version.
    description = _description(
        {key: document[key] for key in FORM_KEYS if key in document},
        files.settings,
        terms,
        offering.is_open,
        has_previous_version=True,
    )
    media = Media(image=image, screenshots=screenshots)
    rules.update_offering(session, files, offering, description=description, media=media)
    return envelope(request, 200, "OK")


@router.delete(
    ONE, responses=errors(400, 401, 403, 404), status_code=204, summary="Delete an offering"
)
def delete_offering(offering: ManagedOffering, session: DbSession, files: FileStore) -> Response:
    if offering.state == OfferingState.DELETED:
        raise WStoreError(400, "The offering is already deleted")
    rules.delete_offering(session, files, offering)
    return Response(status_code=204)


def _check_publishable(session: Session, offering: StoreOffering, document: Any) -> list[str]:
    if not isinstance(document, dict) or "marketplaces" not in document:
        raise WStoreError(400, "Publication error: missing required field, marketplaces")
    if offering.state != OfferingState.UPLOADED:
        name = f"{offering.service.name} {offering.version}"
        raise WStoreError(400, f"Publication error: The offering {name} cannot be published")
    if offering.is_open and not offering.assets:
        raise WStoreError(
            400,
            "Publication error: Open offerings cannot be published if they do not contain "
            "at least a digital asset (resource or application)",
        )
    names = document["marketplaces"]
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise Invalid.field("marketplaces", "must be a list of marketplace names")
    if names and not list_repositories(session):
        raise WStoreError(400, NO_REPOSITORY)
    # Marketplaces are checked before the repository is called (WStore: after its
    # upload), which the outbox does after the commit.
    known = {marketplace.name for marketplace in list_marketplaces(session)}
    for name in names:
        if name not in known:
            raise WStoreError(400, f"Publication error: The marketplace {name} does not exist")
    return names


@router.post(
    f"{ONE}/publish", responses=errors(400, 401, 403, 404, 415), summary="Publish an offering"
)
def publish_offering(
    user: Caller,
    received: JsonBody,
    offering: ManagedOffering,
    request: Request,
    session: DbSession,
) -> Response:
    marketplaces = _check_publishable(session, offering, read_body(received).document)
    # The repository and the marketplaces are called by the outbox, after the commit.
    publish(session, offering, marketplaces)
    return envelope(request, 200, "OK")


@router.post(
    f"{ONE}/bind",
    responses=errors(400, 401, 403, 404, 415),
    summary="Set the offering's resources (absolute update)",
)
def bind_resources(
    user: Caller,
    received: JsonBody,
    offering: ManagedOffering,
    request: Request,
    session: DbSession,
) -> Response:
    document = read_body(received).document
    if not _editable(offering):
        raise WStoreError(400, "This offering cannot be modified")
    # WStore's code takes the bare list; the Programmer Guide wraps it in "resources".
    refs = checks.asset_refs(document.get("resources") if isinstance(document, dict) else document)
    checks.check_assets(session, offering.service.provider, refs, offering.is_open)
    rules.bind_assets(session, offering, refs)
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


def usdl_offering(provider: str, name: str, version: str, session: DbSession) -> StoreOffering:
    try:
        return find_offering(session, provider, name, version)
    except NotFound:
        raise WStoreError(404, "Not found") from None


@router.get(
    f"{ONE}/usdl",
    responses=errors(400, 404, 502),
    summary="The offering's Linked USDL (format= or Accept)",
)
def get_usdl(
    offering: Annotated[StoreOffering, Depends(usdl_offering)],
    request: Request,
    session: DbSession,
    user: OptionalCaller,
    settings: AppSettings,
    format: str | None = None,
) -> Response:
    """No authentication, as marketplaces fetch it; generated here, where WStore proxied it.

    An uploaded offering was never in a repository, for which WStore answers 502;
    its provider may still read the USDL being prepared.
    """
    if offering.state == OfferingState.UPLOADED and not (
        user is not None and rules.can_manage(session, user, offering)
    ):
        raise WStoreError(502, "Bad Gateway")
    chosen = _export_format(request, format)
    document = export_usdl(usdl_of(offering, settings.base_url), chosen)
    return Response(document, media_type=chosen.value)
