"""HTTP for marketplaces and repositories: WStore's admin API (reference §4.1) and the
receiving side of its v2 marketplace contract (``/api/v2/store...``, §11)."""

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from mercato.accounts.models import User
from mercato.accounts.rules import authenticate
from mercato.dependencies import AppSettings, DbSession
from mercato.store.marketplaces import receiving, rules
from mercato.store.marketplaces.models import Marketplace, RemoteOffering, RemoteStore, Repository
from mercato.store.wstore import bodies
from mercato.store.wstore.wire import ERRORS, Caller, ReceivedBody, caller, envelope, read_body

router = APIRouter(tags=["WStore: marketplaces and repositories"], responses=ERRORS)
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


def store_caller(request: Request, session: DbSession) -> User:
    """Stores call with HTTP Basic credentials (WStore's adaptor), or a Bearer token."""
    return _basic_user(request, session) or caller(request, session)


StoreCaller = Annotated[User, Depends(store_caller)]


def created(request: Request, location: str | None = None) -> Response:
    return envelope(request, 201, "Created", {"Location": location} if location else None)


# --- administration: marketplaces and repositories --------------------------------------


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
        "api_version": repository.api_version,
        "offering_collection": repository.offering_collection,
        "resource_collection": repository.resource_collection,
        "is_default": repository.is_default,
    }


@router.get(f"{ADMIN}/marketplaces", summary="Marketplaces this store is registered on")
def list_marketplaces(session: DbSession, user: Caller) -> list[dict[str, Any]]:
    return [marketplace_json(m) for m in rules.list_marketplaces(session)]


@router.post(
    f"{ADMIN}/marketplaces",
    status_code=201,
    summary="Register this store on a marketplace (admin)",
    description='Body: `{name, host, api_version: "2", credentials: {username, passwd}}`. '
    "Only version 2 of the marketplace contract is spoken; the marketplace is called at once "
    "and a failure answers 502 with nothing kept.",
)
def register_marketplace(
    request: Request,
    received: ReceivedBody,
    session: DbSession,
    user: Caller,
    settings: AppSettings,
) -> Response:
    body = read_body(received)
    rules.check_admin(user)
    data = bodies.marketplace_data(body.document)
    base_url = settings.base_url.rstrip("/")
    rules.register_marketplace(session, settings, user, data, f"Mercato {base_url}", base_url)
    return created(request)


@router.delete(f"{ADMIN}/marketplaces/{{name}}", status_code=204, summary="Leave a marketplace")
def remove_marketplace(
    name: str, session: DbSession, user: Caller, settings: AppSettings
) -> Response:
    rules.remove_marketplace(session, settings, user, name)
    return Response(status_code=204)


@router.get(f"{ADMIN}/repositories", summary="Registered USDL repositories")
def list_repositories(session: DbSession, user: Caller) -> list[dict[str, Any]]:
    return [repository_json(r) for r in rules.list_repositories(session)]


@router.post(f"{ADMIN}/repositories", status_code=201, summary="Register a repository (admin)")
def register_repository(
    request: Request, received: ReceivedBody, session: DbSession, user: Caller
) -> Response:
    body = read_body(received)
    rules.check_admin(user)
    rules.register_repository(session, user, bodies.repository_data(body.document))
    return created(request)


@router.post(f"{ADMIN}/repositories/{{name}}/default", summary="Make a repository the default")
def make_default_repository(
    name: str, request: Request, session: DbSession, user: Caller
) -> Response:
    rules.make_default_repository(session, user, name)
    return envelope(request, 200, "OK")


@router.delete(f"{ADMIN}/repositories/{{name}}", status_code=204, summary="Forget a repository")
def remove_repository(name: str, session: DbSession, user: Caller) -> Response:
    rules.remove_repository(session, user, name)
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


@router.post("/api/v2/store", status_code=201, summary="A store registers here (admin)")
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


@router.get("/api/v2/store/{store}", summary="A store registered here")
def get_store(store: str, session: DbSession) -> dict[str, Any]:
    return store_json(receiving.find_store(session, store))


@router.delete("/api/v2/store/{store}", status_code=204, summary="A store leaves")
def remove_store(store: str, session: DbSession, user: StoreCaller) -> Response:
    receiving.remove_store(session, user, store)
    return Response(status_code=204)


@router.post(
    "/api/v2/store/{store}/description",
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


@router.get("/api/v2/store/{store}/description", summary="What a store published here")
def list_descriptions(store: str, session: DbSession) -> list[dict[str, Any]]:
    return [remote_offering_json(o) for o in receiving.list_descriptions(session, store)]


@router.delete(
    "/api/v2/store/{store}/description/{name}", status_code=204, summary="A store withdraws"
)
def remove_description(store: str, name: str, session: DbSession, user: StoreCaller) -> Response:
    receiving.remove_description(session, user, store, name)
    return Response(status_code=204)


@router.get("/api/v2/offering", summary="Every offering other stores published here")
def list_remote_offerings(session: DbSession) -> list[dict[str, Any]]:
    return [remote_offering_json(o) for o in receiving.list_remote_offerings(session)]
