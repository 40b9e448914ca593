"""The EOSC Offering API: /api/v1/resources and their offers (reference §6)."""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy import Row
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.api.eosc import (
    EoscError,
    RawBody,
    TokenUser,
    check_schema,
    json_body,
    json_body_doc,
    json_response,
)
from mercato.catalogue import offer_reads, rules
from mercato.catalogue.eosc.schemas import OFFER_UPDATE, OFFER_WRITE
from mercato.catalogue.models import (
    Offer,
    OfferCategory,
    OfferStatus,
    Oms,
    OrderType,
    Service,
    ServiceStatus,
)
from mercato.catalogue.omses import (
    available_omses,
    available_omses_by_service,
    default_oms,
)
from mercato.catalogue.rules import OfferData
from mercato.dependencies import DbSession, SessionRoute
from mercato.errors import Forbidden
from mercato.kept_answers import until_catalogue_changes

# Its reads are kept per caller until the catalogue changes (mercato.kept_answers).
router = APIRouter(
    prefix="/api/v1/resources",
    tags=["Offering API (EOSC)"],
    route_class=SessionRoute,
    dependencies=[Depends(until_catalogue_changes)],
)

_ERRORS = {
    400: {"description": 'Bad request: `{"error": <string or field → messages>}`'},
    401: {"description": "Missing or unknown `X-User-Token`"},
    403: {"description": "The caller does not administer this resource"},
    404: {"description": "`Resource not found` or `Offer not found`"},
}


# --- read shapes ---------------------------------------------------------------------


def _oms_json(oms: Oms) -> dict[str, Any]:
    shown: dict[str, Any] = {"id": oms.id, "name": oms.name, "type": oms.type.value}
    if oms.custom_params:
        # Only the mandatory flag: defaults are the OMS's business.
        shown["custom_params"] = {
            name: {"mandatory": spec["mandatory"]} for name, spec in oms.custom_params.items()
        }
    return shown


def resource_json(service: Service | Row[Any], omses: list[Oms]) -> dict[str, Any]:
    return {
        "id": service.slug,
        "eid": service.pid,
        "name": service.name,
        "description": service.description,
        "status": service.status.value,
        "available_omses": [_oms_json(oms) for oms in omses],
    }


def offer_json(
    offer: Offer | Row[Any], default_oms_id: int | None, fronted: list[tuple[int, list[str]]]
) -> dict[str, Any]:
    """The offer's read shape; ``fronted`` are the bundles (any status) it is the main offer
    of, each as its id and its offers' references (see `offer_reads.bundled_offers`)."""
    shown: dict[str, Any] = {
        "id": offer.iid,
        "name": offer.name,
        "description": offer.description,
        "parameters": offer.parameters,
        "order_type": offer.order_type.value,
        "order_url": offer.order_url,
    }
    if offer.offer_category is not None:
        shown["offer_category"] = offer.offer_category.value
    if offer.order_type == OrderType.ORDER_REQUIRED:
        shown["internal"] = offer.internal
    if offer.internal:
        oms_id = offer.primary_oms_id or default_oms_id
        if oms_id is not None:
            shown["primary_oms_id"] = oms_id
        if offer.oms_params:
            shown["oms_params"] = offer.oms_params
    if fronted:
        shown["bundled_offers"] = [{str(bundle_id): offers} for bundle_id, offers in fronted]
    return shown


def _offer_shown(session: Session, offer: Offer) -> dict[str, Any]:
    fronted = offer_reads.bundled_offers(session, [offer.id])[offer.id]
    return offer_json(offer, _default_oms_id(session, [offer]), fronted)


# --- request bodies ------------------------------------------------------------------

_FIELDS = (
    "name",
    "description",
    "order_type",
    "internal",
    "primary_oms_id",
    "oms_params",
    "order_url",
    "offer_category",
    "parameters",
)


def _offer_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The offer fields present in a schema-valid body, in the rules' types."""
    changes = {key: body[key] for key in _FIELDS if key in body}
    if "order_type" in changes:
        changes["order_type"] = OrderType(changes["order_type"])
    if "offer_category" in changes:
        changes["offer_category"] = OfferCategory(changes["offer_category"])
    if "order_url" in changes:
        changes["order_url"] = changes["order_url"] or ""
    if "parameters" in changes:
        # `sensitive` is shown by the API but may only be set in the web UI.
        changes["parameters"] = [
            {k: v for k, v in parameter.items() if k != "sensitive"}
            for parameter in changes["parameters"]
        ]
    return changes


def _refuse_main_bundles(body: dict[str, Any]) -> None:
    # Upstream reads bundles from `main_bundles` but can never accept its value (§8.7).
    if body.get("main_bundles") is not None:
        raise EoscError(400, "Bundled offers must be an array of strings")


def _find_offer(session: Session, resource_id: str, offer_id: str) -> Offer:
    return rules.require_service_offer(session, resource_id, offer_id)


def _default_oms_id(session: Session, offers: Sequence[Offer | Row[Any]]) -> int | None:
    """The default OMS's id, looked up only if an offer shown falls back to it."""
    if not any(offer.internal and offer.primary_oms_id is None for offer in offers):
        return None
    default = default_oms(session)
    return default.id if default is not None else None


def _check_offer_access(session: Session, user: User, offer: Offer | Row[Any]) -> None:
    """An ORM offer, or a row of `offer_reads.service_offer` (its service's columns beside)."""
    if offer.status != OfferStatus.PUBLISHED:
        raise Forbidden()
    if isinstance(offer, Offer):
        _check_service_access(session, user, offer.service)
    elif offer.service_status == ServiceStatus.DELETED or not (user.is_admin or offer.administered):
        raise Forbidden()


def _check_service_access(session: Session, user: User, service: Service) -> None:
    if service.status == ServiceStatus.DELETED:
        raise Forbidden()
    rules.check_can_manage_service(session, user, service)


# --- routes --------------------------------------------------------------------------


@router.get(
    "",
    summary="List resources administered by the caller",
    responses=_ERRORS,
    response_model=dict[str, Any],
)
def list_resources(session: DbSession, user: TokenUser) -> Response:
    services = offer_reads.managed_services(session, user)
    omses = available_omses_by_service(session, services)
    shown = [resource_json(service, omses[service.id]) for service in services]
    return json_response({"resources": shown})


@router.get(
    "/{resource_id:path}/offers",
    summary="List a resource's published offers",
    responses=_ERRORS,
    response_model=dict[str, Any],
)
def list_offers(resource_id: str, session: DbSession, user: TokenUser) -> Response:
    service = offer_reads.service_access(session, user, resource_id)
    if not (user.is_admin or service.administered):
        return json_response({"offers": []})
    offers = offer_reads.published_offers(session, service.id)
    fronted = offer_reads.bundled_offers(session, [offer.id for offer in offers])
    default_id = _default_oms_id(session, offers)
    shown = [offer_json(offer, default_id, fronted[offer.id]) for offer in offers]
    return json_response({"offers": shown})


@router.post(
    "/{resource_id:path}/offers",
    status_code=201,
    summary="Create a published offer",
    responses=_ERRORS,
    openapi_extra=json_body_doc(OFFER_WRITE),
)
def create_offer(
    resource_id: str, raw: RawBody, session: DbSession, user: TokenUser
) -> dict[str, Any]:
    service = rules.require_service(session, resource_id)
    body = json_body(raw)
    check_schema(body, OFFER_WRITE)
    _refuse_main_bundles(body)
    _check_service_access(session, user, service)
    changes = _offer_changes(body)
    offer = rules.create_offer(session, service, OfferData(**changes))
    return offer_json(offer, _default_oms_id(session, [offer]), [])


@router.get(
    "/{resource_id:path}/offers/{offer_id}",
    summary="Get a published offer",
    responses=_ERRORS,
    response_model=dict[str, Any],
)
def get_offer(resource_id: str, offer_id: str, session: DbSession, user: TokenUser) -> Response:
    offer, fronted = offer_reads.service_offer(session, user, resource_id, offer_id)
    _check_offer_access(session, user, offer)
    return json_response(offer_json(offer, _default_oms_id(session, [offer]), fronted))


# Rails routes PUT to the same action as PATCH (reference §8.2); documented once.
@router.put("/{resource_id:path}/offers/{offer_id}", include_in_schema=False)
@router.patch(
    "/{resource_id:path}/offers/{offer_id}",
    summary="Change a published offer",
    description="Checks: offer (404), the caller manages it (403), body (400), rules (400).",
    responses=_ERRORS,
    openapi_extra=json_body_doc(OFFER_UPDATE),
)
def update_offer(
    resource_id: str, offer_id: str, raw: RawBody, session: DbSession, user: TokenUser
) -> dict[str, Any]:
    offer = _find_offer(session, resource_id, offer_id)
    _check_offer_access(session, user, offer)
    body = json_body(raw)
    check_schema(body, OFFER_UPDATE)
    _refuse_main_bundles(body)
    rules.update_offer(session, offer, _offer_changes(body))
    return _offer_shown(session, offer)


@router.delete(
    "/{resource_id:path}/offers/{offer_id}",
    summary="Delete an offer",
    responses={200: {"description": "Deleted; the body is empty"}, **_ERRORS},
)
def delete_offer(resource_id: str, offer_id: str, session: DbSession, user: TokenUser) -> Response:
    offer = _find_offer(session, resource_id, offer_id)
    _check_offer_access(session, user, offer)
    rules.delete_offer(session, offer)
    return Response(status_code=200)


# Last, because a PID may hold slashes and this path would swallow the offer routes.
@router.get("/{resource_id:path}", summary="Get an administered resource", responses=_ERRORS)
def get_resource(resource_id: str, session: DbSession, user: TokenUser) -> dict[str, Any]:
    service = rules.require_service(session, resource_id)
    _check_service_access(session, user, service)
    return resource_json(service, available_omses(session, service))
