"""WStore's RSS admin API (store-wire.md §10.3, store-ge.md §4.1): its paths, bodies,
texts and order of checks. Mercato speaks as WStore in IdM mode (no local-mode 403)
and shares revenue itself, so nothing is called remotely: the registration keeps what
clients send, and its ``models`` are the aggregator's shares of the revenue classes.

Routes of a path are declared in the order of WStore's ``Allow`` header (§0.1).
"""

import math
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response

from mercato.commerce import registry, revenue
from mercato.commerce.revenue_models import RevenueClass, RssRegistration
from mercato.commerce.wstore.routes import refused
from mercato.dependencies import DbSession
from mercato.errors import Conflict, Invalid, NotFound
from mercato.store.naming import MAX_NAME, NAME
from mercato.store.wstore.offering_checks import is_url
from mercato.store.wstore.wire import (
    JSON_BARE,
    Caller,
    JsonBody,
    WStoreError,
    entity,
    envelope,
    errors,
    parse_json,
)

router = APIRouter(tags=["WStore: revenue sharing administration"])
RSS = "/api/administration/rss"
CREATION = "RSS creation error: "
MISSING_FIELD = CREATION + "Missing a required field"
REQUIRED = ("name", "host", "api_version")
INVALID_NAME = CREATION + "Invalid name format"
INVALID_URL = CREATION + "Invalid URL format"
VERSION_FORMAT = CREATION + "Invalid api_version format, must be an integer (1 or 2)"
VERSION_VALUE = CREATION + "Invalid api_version, must be 1 or 2"
INVALID_CURRENCY = "Invalid currency"
LIMIT_KEYS = ("perTransaction", "weekly", "daily", "monthly")
MODELS_DOC = (
    "`models`, when given, must hold exactly the classes `single-payment`, `subscription` "
    "and `use`, each `{class, percentage}` with 0 ≤ percentage ≤ 100 (kept with two "
    "decimals): the percent of each charge of the class the store keeps."
)


def rss_json(rss: RssRegistration, models: list[Any]) -> dict[str, Any]:
    return {
        "name": rss.name,
        "host": rss.host,
        "api_version": rss.api_version,
        "limits": rss.limits,
        "models": [
            {"revenue_class": m.revenue_class.value, "percentage": str(m.percentage)}
            for m in models
        ],
    }


def _python_int(value: object) -> int | None:
    """What Python's ``int()`` makes of a JSON value (WStore's check), or None."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _limits(session: DbSession, given: object) -> dict[str, Any]:
    """WStore's defaults, with what was given of currency and the four limits over them."""
    default = registry.default_currency(session)
    limits = revenue.default_limits(default.code if default else "")
    if not isinstance(given, dict):
        raise WStoreError(400, "Invalid expenditure limits")
    if "currency" in given:
        code = given["currency"]
        try:
            limits["currency"] = registry.find_currency(session, str(code)).code
        except NotFound:
            raise WStoreError(400, INVALID_CURRENCY) from None
    for key in LIMIT_KEYS:
        if key in given:
            value = given[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise WStoreError(400, f"Invalid expenditure limits: {key} must be a number")
            limits[key] = value
    return limits


def _models(body: dict[str, Any]) -> dict[RevenueClass, Decimal] | None:
    if "models" not in body:
        return None
    try:
        return revenue.check_class_models(body["models"])
    except Invalid as error:
        raise refused(error) from None


def _registration(body: object) -> tuple[str, str, int]:
    """``{name, host, api_version}``, checked in WStore's order (steps 6-10)."""
    given = body if isinstance(body, dict) else {}
    missing = [key for key in REQUIRED if key not in given]
    if missing:
        raise WStoreError(400, MISSING_FIELD + "".join(f", {key}" for key in missing))
    name, host = given["name"], given["host"]
    if not isinstance(name, str) or not NAME.match(name) or len(name) > MAX_NAME:
        raise WStoreError(400, INVALID_NAME)
    if not is_url(host) or len(host) > 2048:
        raise WStoreError(400, INVALID_URL)
    version = _python_int(given["api_version"])
    if version is None:
        raise WStoreError(400, VERSION_FORMAT)
    if version not in (1, 2):
        raise WStoreError(400, VERSION_VALUE)
    return name, host, version


def _registered(session: DbSession, name: str, status: int, message: str) -> RssRegistration:
    try:
        return revenue.find_rss(session, name)
    except NotFound:
        raise WStoreError(status, message) from None


@router.get(RSS, responses=errors(401), summary="The registered RSS (any signed-in user)")
def list_rss(session: DbSession, user: Caller) -> Response:
    models = revenue.sharing_models(session, with_stakeholders=False)
    return entity([rss_json(r, models) for r in revenue.list_rss(session)], JSON_BARE)


@router.post(
    RSS,
    status_code=201,
    responses=errors(400, 401, 403, 409, 415),
    summary="Register the RSS (admin)",
    description="Body: `{name, host, api_version: 1|2, limits?: {currency?, perTransaction, "
    "daily, weekly, monthly}, models?: [{class, percentage}]}`. At most one RSS (409). "
    "Limits default to WStore's; " + MODELS_DOC + " Without `models` the shares stay as "
    "they are. Mercato shares revenue itself: the host is kept, never called. Undecodable "
    "JSON answers 400 (WStore crashed with 500).",
)
def register_rss(
    user: Caller, received: JsonBody, request: Request, session: DbSession
) -> Response:
    registry.check_admin(user)
    body = parse_json(received.raw, "Invalid JSON content")
    name, host, version = _registration(body)
    try:
        revenue.check_rss_free(session)
    except Conflict as error:
        raise WStoreError(409, error.details["name"]) from None
    limits = _limits(session, body.get("limits", {}))
    data = revenue.RssData(name, host, version, limits)
    try:
        revenue.register_rss(session, data, _models(body))
    except Invalid as error:
        raise refused(error) from None
    return envelope(request, 201, "Created")


@router.get(
    f"{RSS}/{{name}}",
    responses=errors(400, 401),
    summary="The RSS of that name (any signed-in user)",
    description="An unknown name answers 400 `Invalid request`, as in WStore.",
)
def get_rss(name: str, session: DbSession, user: Caller) -> Response:
    rss = _registered(session, name, 400, "Invalid request")
    models = revenue.sharing_models(session, with_stakeholders=False)
    return entity(rss_json(rss, models), JSON_BARE)


@router.delete(
    f"{RSS}/{{name}}",
    status_code=204,
    responses=errors(401, 403, 404),
    summary="Remove the RSS registration (admin)",
    description="The revenue classes keep their shares: charges are still shared.",
)
def remove_rss(name: str, session: DbSession, user: Caller) -> Response:
    registry.check_admin(user)
    revenue.remove_rss(session, _registered(session, name, 404, "Not found"))
    return Response(status_code=204)


@router.put(
    f"{RSS}/{{name}}",
    responses=errors(400, 401, 403, 404, 415),
    summary="Change the RSS (admin)",
    description="Body: `{name?, limits?, models?}`; " + MODELS_DOC + " A JSON array "
    "changes nothing and answers 200, as in WStore; a bad `limits.currency` answers 400 "
    "`Invalid currency` (WStore crashed with 500).",
)
def change_rss(
    name: str, user: Caller, received: JsonBody, request: Request, session: DbSession
) -> Response:
    registry.check_admin(user)
    rss = _registered(session, name, 404, "Not found")
    body = parse_json(received.raw, "Invalid JSON data")
    if not isinstance(body, dict):
        return envelope(request, 200, "OK")
    new_name = body.get("name")
    if new_name is not None and (
        not isinstance(new_name, str) or not NAME.match(new_name) or len(new_name) > MAX_NAME
    ):
        raise WStoreError(400, "Invalid name format")
    limits = _limits(session, body["limits"]) if "limits" in body else None
    try:
        revenue.change_rss(session, rss, new_name, limits, _models(body))
    except Invalid as error:
        raise refused(error) from None
    return envelope(request, 200, "OK")
