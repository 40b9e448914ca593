"""HTTP for marketplaces and repositories: WStore's admin API (reference §4.1) and the
receiving side of its v2 marketplace contract (``/api/v2/store...``, §11)."""

import base64
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from mercato.accounts.models import User
from mercato.accounts.rules import authenticate
from mercato.api.security import by_password_token_or_session
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Conflict, NotFound, Unavailable
from mercato.store.marketplaces import receiving, rules
from mercato.store.marketplaces.models import Marketplace, RemoteOffering, RemoteStore, Repository
from mercato.store.naming import MAX_NAME, NAME
from mercato.store.wstore import bodies
from mercato.store.wstore.offering_checks import is_url
from mercato.store.wstore.wire import (
    JSON_CAPS,
    Caller,
    JsonBody,
    Received,
    ReceivedBody,
    WStoreError,
    entity,
    envelope,
    errors,
    parse_json,
    read_body,
    signed_in_caller,
)

router = APIRouter(tags=["WStore: marketplaces and repositories"])
ADMIN = "/api/administration"


def _basic_user(request: Request, session: DbSession) -> User | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        email, _, password = base64.b64decode(value.strip()).decode().partition(":")
    except ValueError:
        return None
    return authenticate(session, email, password)


def store_caller(
    request: Request,
    session: DbSession,
    _: Annotated[None, Depends(by_password_token_or_session)],
) -> User:
    """Stores call with HTTP Basic credentials (WStore's adaptor), or a Bearer token."""
    return _basic_user(request, session) or signed_in_caller(request, session)


StoreCaller = Annotated[User, Depends(store_caller)]


def created(request: Request, location: str | None = None) -> Response:
    return envelope(request, 201, "Created", {"Location": location} if location else None)


# --- administration: marketplaces and repositories (store-wire.md §9) ------------------

INVALID_BODY = "Request body is not valid JSON data"
NO_REPOSITORY = "The specified repository does not exist"
_COLLECTION = re.compile(r"^[\w-]+$", re.ASCII)


def marketplace_json(marketplace: Marketplace) -> dict[str, Any]:
    return {
        "name": marketplace.name,
        "host": marketplace.host,
        "api_version": marketplace.api_version,
    }


def repository_json(repository: Repository) -> dict[str, Any]:
    return {
        "name": repository.name,
        "host": repository.host,
        "is_default": repository.is_default,
        "offering_collection": repository.offering_collection,
        "resource_collection": repository.resource_collection,
        "api_version": repository.api_version,
    }


def _check_name(value: object) -> str:
    if not isinstance(value, str) or not NAME.match(value) or len(value) > MAX_NAME:
        raise WStoreError(400, "Invalid name format")
    return value


def _check_host(value: object) -> str:
    if not isinstance(value, str) or not is_url(value):
        raise WStoreError(400, "Invalid URL format")
    return value


def _credential(credentials: dict[str, Any], key: str) -> str:
    value = credentials.get(key)
    if not isinstance(value, str) or not value:
        raise WStoreError(400, f"Missing required field {key} in credentials")
    return value


def marketplace_data(received: Received) -> rules.MarketplaceData:
    """``{name, host, api_version, credentials: {username, passwd}}``, checked in WStore's
    order (§9.2 steps 4-11). Mercato speaks only version 2 of the marketplace contract."""
    body = parse_json(received.raw, INVALID_BODY)
    if not isinstance(body, dict) or any(k not in body for k in ("name", "host", "api_version")):
        raise WStoreError(400, INVALID_BODY)
    name, host = _check_name(body["name"]), _check_host(body["host"])
    version = rules.api_version_number(body["api_version"])
    if version not in rules.SUPPORTED_MARKETPLACE_VERSIONS:
        raise WStoreError(400, "Invalid API version")
    credentials = body.get("credentials")
    if not isinstance(credentials, dict):
        raise WStoreError(400, "Missing required field credentials")
    username, password = _credential(credentials, "username"), _credential(credentials, "passwd")
    return rules.MarketplaceData(name, host, version, username, password)


def repository_data(received: Received) -> rules.RepositoryData:
    """``{name, host, api_version, offering_collection, resource_collection, is_default?}``,
    checked in WStore's order (§9.5 steps 3-10)."""
    body = parse_json(received.raw, INVALID_BODY)
    if not isinstance(body, dict):
        raise WStoreError(400, INVALID_BODY)
    for key in ("name", "host", "api_version", "offering_collection", "resource_collection"):
        if key not in body:
            raise WStoreError(400, f"Missing required field: {key}")
    name = _check_name(body["name"])
    collections = []
    for key in ("offering_collection", "resource_collection"):
        value = body[key]
        if not isinstance(value, str) or not _COLLECTION.match(value):
            raise WStoreError(400, f"Invalid {key} format: Invalid character found")
        collections.append(value)
    host = _check_host(body["host"])
    given = body["api_version"]
    if not (isinstance(given, int) or (isinstance(given, str) and given.isdigit())):
        raise WStoreError(400, "Invalid api_version format: must be an integer")
    version = rules.api_version_number(given)
    if version not in rules.REPOSITORY_VERSIONS:
        raise WStoreError(400, "Invalid api_version: Only versions 1 and 2 are supported")
    return rules.RepositoryData(
        name, host, version, *collections, is_default=body.get("is_default") is True
    )


@router.get(
    f"{ADMIN}/marketplaces",
    responses=errors(401),
    summary="Marketplaces this store is registered on",
)
def list_marketplaces(session: DbSession, user: Caller) -> Response:
    shown = [marketplace_json(m) for m in rules.list_marketplaces(session)]
    return entity(shown, JSON_CAPS)


@router.post(
    f"{ADMIN}/marketplaces",
    responses=errors(400, 401, 403, 409, 415, 502),
    status_code=201,
    summary="Register this store on a marketplace (admin)",
    description='Body: `{name, host, api_version: "2", credentials: {username, passwd}}`. '
    "Only version 2 of the marketplace contract is spoken; the marketplace is called at once "
    "and a failure answers 502 with nothing kept.",
)
def register_marketplace(
    user: Caller,
    received: JsonBody,
    request: Request,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    if not user.is_admin:
        raise WStoreError(403, "You are not allowed to register WStore in a Marketplace")
    data = marketplace_data(received)
    base_url = settings.base_url.rstrip("/")
    try:
        rules.register_marketplace(session, settings, user, data, f"Mercato {base_url}", base_url)
    except Conflict:
        raise WStoreError(409, "Marketplace already registered") from None
    except Unavailable:
        raise WStoreError(502, "The Marketplace has failed registering the store") from None
    return created(request)


@router.delete(
    f"{ADMIN}/marketplaces/{{name}}",
    responses=errors(401, 403, 404, 502),
    status_code=204,
    summary="Leave a marketplace",
)
def remove_marketplace(
    name: str, session: DbSession, user: Caller, settings: AppSettings
) -> Response:
    try:
        rules.remove_marketplace(session, settings, user, name)
    except NotFound:
        raise WStoreError(404, "Not found") from None
    except Unavailable:
        raise WStoreError(502, "Bad Gateway") from None
    return Response(status_code=204)


@router.get(f"{ADMIN}/repositories", responses=errors(401), summary="Registered USDL repositories")
def list_repositories(session: DbSession, user: Caller) -> Response:
    shown = [repository_json(r) for r in rules.list_repositories(session)]
    return entity(shown, JSON_CAPS)


@router.post(
    f"{ADMIN}/repositories",
    responses=errors(400, 401, 403, 409, 415),
    status_code=201,
    summary="Register a repository (admin)",
)
def register_repository(
    user: Caller, received: JsonBody, request: Request, session: DbSession
) -> Response:
    if not user.is_admin:
        raise WStoreError(403, "You are not authorized to register a repository")
    try:
        rules.register_repository(session, user, repository_data(received))
    except Conflict:
        raise WStoreError(409, "The given repository is already registered") from None
    return created(request)


@router.post(
    f"{ADMIN}/repositories/{{name}}/default",
    responses=errors(401, 403, 404),
    summary="Make a repository the default",
)
def make_default_repository(
    name: str, request: Request, session: DbSession, user: Caller
) -> Response:
    try:
        rules.make_default_repository(session, user, name)
    except NotFound:
        raise WStoreError(404, NO_REPOSITORY) from None
    return envelope(request, 200, "OK")


@router.delete(
    f"{ADMIN}/repositories/{{name}}",
    responses=errors(401, 403, 404),
    status_code=204,
    summary="Forget a repository",
)
def remove_repository(name: str, session: DbSession, user: Caller) -> Response:
    try:
        rules.remove_repository(session, user, name)
    except NotFound:
        raise WStoreError(404, NO_REPOSITORY) from None
    return Response(status_code=204)


# --- receiving: other stores publish here (marketplace contract v2) ----------------------


def store_json(store: RemoteStore) -> dict[str, Any]:
    return {
        "name": store.name,
        "displayName": store.display_name,
        "url": store.url,
        "comment": store.comment,
    }


def remote_offering_json(offering: RemoteOffering) -> dict[str, Any]:
    description = offering.description
    return {
        "name": offering.name,
        "displayName": offering.display_name,
        "store": offering.store.name,
        "url": offering.url,
        "link": receiving.link_back(offering),
        "title": description["name"],
        "version": description["version"],
        "description": description["description"],
        "abstract": description["abstract"],
        "provider": description["provider"],
        "imageUrl": description["image_url"],
        "tags": description["tags"],
    }


@router.post(
    "/api/v2/store",
    responses=errors(400, 401, 403, 409, 415),
    status_code=201,
    summary="A store registers here (admin)",
)
def register_store(
    request: Request, received: ReceivedBody, session: DbSession, user: StoreCaller
) -> Response:
    body = read_body(received)
    rules.check_admin(user)
    store = receiving.register_store(session, user, bodies.store_data(body.document))
    return created(request, str(request.url_for("get_store", store=store.name)))


@router.get("/api/v2/store", summary="Stores registered here")
def list_stores(session: DbSession) -> list[dict[str, Any]]:
    return [store_json(store) for store in receiving.list_stores(session)]


@router.get("/api/v2/store/{store}", responses=errors(404), summary="A store registered here")
def get_store(store: str, session: DbSession) -> dict[str, Any]:
    return store_json(receiving.find_store(session, store))


@router.delete(
    "/api/v2/store/{store}",
    responses=errors(401, 403, 404),
    status_code=204,
    summary="A store leaves",
)
def remove_store(store: str, session: DbSession, user: StoreCaller) -> Response:
    receiving.remove_store(session, user, store)
    return Response(status_code=204)


@router.post(
    "/api/v2/store/{store}/description",
    responses=errors(400, 401, 403, 404, 409, 415),
    status_code=201,
    summary="A store publishes an offering here",
    description="Body: `{displayName, url}`; `url` serves the offering's Linked USDL on the "
    "store's own address. It is fetched and parsed before the answer.",
)
def receive_description(
    store: str,
    request: Request,
    received: ReceivedBody,
    session: DbSession,
    user: StoreCaller,
    settings: AppSettings,
) -> Response:
    body = read_body(received)
    remote_store = receiving.require_managed_store(session, user, store)
    data = bodies.description_data(body.document)
    offering = receiving.receive_description(session, settings, user, remote_store, data)
    location = request.url_for("list_descriptions", store=store)
    return created(request, f"{location}/{offering.name}")


@router.get(
    "/api/v2/store/{store}/description",
    responses=errors(404),
    summary="What a store published here",
)
def list_descriptions(store: str, session: DbSession) -> list[dict[str, Any]]:
    return [remote_offering_json(o) for o in receiving.list_descriptions(session, store)]


@router.delete(
    "/api/v2/store/{store}/description/{name}",
    responses=errors(401, 403, 404),
    status_code=204,
    summary="A store withdraws",
)
def remove_description(store: str, name: str, session: DbSession, user: StoreCaller) -> Response:
    receiving.remove_description(session, user, store, name)
    return Response(status_code=204)


@router.get("/api/v2/offering", summary="Every offering other stores published here")
def list_remote_offerings(session: DbSession) -> list[dict[str, Any]]:
    return [remote_offering_json(o) for o in receiving.list_remote_offerings(session)]
