"""WStore's admin API for price units and currencies (store-wire.md §10.1, §10.2): its
paths, bodies, texts and order of checks, answered through the store's wire helpers.

Routes of a path are declared in the order of WStore's ``Allow`` header (§0.1).
"""

from typing import Any

from fastapi import APIRouter, Request, Response

from mercato.commerce import registry
from mercato.commerce.models import Currency, PriceUnit, PricingModel
from mercato.dependencies import DbSession
from mercato.errors import Invalid, NotFound
from mercato.store.wstore.wire import (
    JSON_CHARSET,
    JSON_CHARSET_TIGHT,
    Caller,
    JsonBody,
    WStoreError,
    entity,
    envelope,
    errors,
    parse_json,
)

router = APIRouter(tags=["WStore: pricing administration"])
ADMIN = "/api/administration"
INVALID_JSON = "Invalid JSON content"
NOT_FOUND = "Not found"


def refused(error: Invalid) -> WStoreError:
    """The rule's message, bare: WStore's texts name no field."""
    return WStoreError(400, next(iter(error.details.values()), str(error)))


def unit_json(unit: PriceUnit) -> dict[str, Any]:
    shown: dict[str, Any] = {"name": unit.name, "defined_model": unit.model.value}
    if unit.model is PricingModel.SUBSCRIPTION:
        shown["renovation_period"] = unit.renewal_days
    return shown


def currency_json(currency: Currency) -> dict[str, Any]:
    return {"currency": currency.code, "default": currency.is_default}


@router.get(f"{ADMIN}/units", responses=errors(401), summary="Price units (any signed-in user)")
def list_units(session: DbSession, user: Caller) -> Response:
    return entity([unit_json(u) for u in registry.list_units(session)], JSON_CHARSET_TIGHT)


@router.post(
    f"{ADMIN}/units",
    status_code=201,
    responses=errors(400, 401, 403, 415),
    summary="Register a price unit (admin)",
    description="Body: `{name, defined_model, renovation_period?}`; `defined_model` is "
    "`single payment`, `subscription` or `pay per use` (any case). A subscription needs "
    "`renovation_period`, a whole number of days (WStore kept whatever was sent). A taken "
    "name answers 400, as in WStore.",
)
def add_unit(user: Caller, received: JsonBody, request: Request, session: DbSession) -> Response:
    registry.check_admin(user)
    body = parse_json(received.raw, INVALID_JSON)
    if not isinstance(body, dict):
        raise WStoreError(400, INVALID_JSON)
    name, model = body.get("name"), body.get("defined_model")
    if not isinstance(name, str) or not isinstance(model, str):
        raise WStoreError(400, "Missing required field")
    data = registry.UnitData(name, model, body.get("renovation_period"))
    try:
        registry.add_unit(session, data)
    except Invalid as error:
        raise refused(error) from None
    return envelope(request, 201, "Created")


@router.get(f"{ADMIN}/currency", responses=errors(401), summary="Currencies (any signed-in user)")
def list_currencies(session: DbSession, user: Caller) -> Response:
    shown = [currency_json(c) for c in registry.list_currencies(session)]
    return entity(shown, JSON_CHARSET)


def _minor_unit(body: dict[str, Any]) -> int:
    value = body.get("minor_unit", 2)
    if not isinstance(value, int) or isinstance(value, bool):
        raise WStoreError(400, registry.INVALID_MINOR_UNIT)
    return value


@router.post(
    f"{ADMIN}/currency",
    status_code=201,
    responses=errors(400, 401, 403, 415),
    summary="Register a currency (admin)",
    description="Body: `{currency, default?: bool}`; Mercato also takes `name` and "
    "`minor_unit` (digits after the point, 2 when left out). The first currency becomes "
    "the default. Undecodable JSON answers 400 (WStore crashed with 500).",
)
def add_currency(
    user: Caller, received: JsonBody, request: Request, session: DbSession
) -> Response:
    registry.check_admin(user)
    body = parse_json(received.raw, INVALID_JSON)
    if not isinstance(body, dict) or "currency" not in body:
        raise WStoreError(400, INVALID_JSON)
    code, name = body["currency"], body.get("name", "")
    if not isinstance(code, str):
        raise WStoreError(400, registry.INVALID_CURRENCY)
    data = registry.CurrencyData(
        code,
        name if isinstance(name, str) else "",
        _minor_unit(body),
        is_default=body.get("default") is True,
    )
    try:
        registry.add_currency(session, data)
    except Invalid as error:
        raise refused(error) from None
    return envelope(request, 201, "Created")


def _registered(session: DbSession, code: str) -> Currency:
    try:
        return registry.find_currency(session, code)
    except NotFound:
        raise WStoreError(404, NOT_FOUND) from None


@router.delete(
    f"{ADMIN}/currency/{{code}}",
    status_code=204,
    responses=errors(401, 403, 404),
    summary="Remove a currency (admin)",
    description="Refused (403) for the default currency and for one a price plan uses.",
)
def remove_currency(code: str, session: DbSession, user: Caller) -> Response:
    registry.check_admin(user)
    registry.remove_currency(session, _registered(session, code))
    return Response(status_code=204)


@router.put(
    f"{ADMIN}/currency/{{code}}",
    responses=errors(401, 403, 404),
    summary="Make a currency the default (admin)",
    description="No body. The default keeps the spelling of the path, as in WStore; "
    "non-admins get 403 (WStore let anyone change it).",
)
def make_default_currency(
    code: str, request: Request, session: DbSession, user: Caller
) -> Response:
    registry.check_admin(user)
    if registry.default_currency(session) is None:
        raise WStoreError(404, NOT_FOUND)
    registry.make_default_currency(session, _registered(session, code), spelling=code)
    return envelope(request, 200, "OK")
