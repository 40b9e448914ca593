"""The EOSC Ordering API: /api/v1/oms and what an OMS reads and writes (reference §3).

Checks run in the EOSC Marketplace's order: token (401), OMS (404), caller
administers the OMS (403), then each endpoint's own steps as its docstring says.
"""

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Response
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
from mercato.catalogue.models import Oms
from mercato.dependencies import DbSession, SessionRoute
from mercato.kept_answers import until_orders_change
from mercato.ordering import access, oms_reads
from mercato.ordering.eosc.schemas import MESSAGE_UPDATE, MESSAGE_WRITE, ORDER_UPDATE
from mercato.ordering.eosc.shapes import (
    event_json,
    message_json,
    oms_json,
    order_json,
    project_json,
)
from mercato.ordering.messages import Author, edit_message, post_message
from mercato.ordering.models import AuthorRole, MessageScope, StatusType
from mercato.ordering.orders import update_order

# Its reads are kept per caller until orders or the catalogue change (mercato.kept_answers).
router = APIRouter(
    prefix="/api/v1/oms",
    tags=["Ordering API (EOSC)"],
    route_class=SessionRoute,
    dependencies=[Depends(until_orders_change)],
)

_ERRORS = {
    400: {"description": 'Bad request: `{"error": <string or field → messages>}`'},
    401: {"description": "Missing or unknown `X-User-Token`"},
    403: {"description": "The caller does not administer this OMS, or may not write this"},
    404: {"description": "`OMS not found`, `Project not found`, `Project item not found`, ..."},
}
DEFAULT_LIMIT = 20
_TIMESTAMP = re.compile(r"20\d{2}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?")
_LEADING_INTEGER = re.compile(r"\s*([+-]?\d+)")

# Keys Rails would wrap into the validated body because the model has such an
# attribute; other unknown top-level keys never reach the schema (reference §1).
_MESSAGE_ATTRIBUTES = {
    "id",
    "message",
    "scope",
    "author_role",
    "author_uid",
    "author_email",
    "author_name",
    "author_id",
    "edited",
    "created_at",
    "updated_at",
}
_ORDER_ATTRIBUTES = {
    "id",
    "iid",
    "status",
    "status_type",
    "user_secrets",
    "project_id",
    "offer_id",
    "properties",
    "request_voucher",
    "voucher_id",
    "order_type",
    "created_at",
    "updated_at",
}


# --- query parameters, read as the Rails controllers read them ----------------------


def _to_i(value: str) -> int:
    """Ruby's `String#to_i`: the leading integer, 0 when there is none."""
    match = _LEADING_INTEGER.match(value)
    return int(match.group(1)) if match else 0


def _from_id(value: str | None) -> int:
    number = _to_i(value) if value and value.strip() else 0
    if number < 0:
        raise EoscError(400, "'from_id' must be a non-negative integer")
    return number


def _limit(value: str | None) -> int:
    number = _to_i(value) if value and value.strip() else DEFAULT_LIMIT
    if number <= 0:
        raise EoscError(400, "'limit' must be a positive integer")
    return number


def _from_timestamp(value: str) -> datetime:
    """The strict `...Z` format of the reference, plus naive times read as UTC (§7)."""
    if not _TIMESTAMP.fullmatch(value):
        raise EoscError(400, "invalid date")
    try:
        return datetime.fromisoformat(value.removesuffix("Z")).replace(tzinfo=UTC)
    except ValueError:
        raise EoscError(400, "invalid date") from None


def _id(value: str | int | None) -> int | None:
    """A record id from a path or query; anything else finds nothing."""
    if isinstance(value, int):
        return value
    return int(value) if value and value.isascii() and value.isdecimal() else None


# --- request bodies, wrapped as Rails wraps them ------------------------------------


def _is_present(value: Any) -> bool:
    """Ruby's `present?`: not nil, false, blank text or an empty collection."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value is not False and value != {} and value != []


def _rails_params(body: Any, wrapper: str, attributes: set[str], copied: tuple[str, ...]) -> Any:
    if not isinstance(body, dict):
        return body
    if wrapper in body:
        wrapped = dict(body[wrapper]) if isinstance(body[wrapper], dict) else {}
    else:
        wrapped = {key: value for key, value in body.items() if key in attributes}
    wrapped.update({key: body[key] for key in copied if _is_present(body.get(key))})
    return wrapped


# --- the OMS and its administrator --------------------------------------------------


def _path_oms(session: Session, user: User, oms_id: str) -> Oms:
    oms = access.require_oms(session, _id(oms_id))
    access.check_administers(session, user, oms)
    return oms


# --- routes --------------------------------------------------------------------------


@router.get("", summary="List the OMSes the caller administers", responses=_ERRORS)
def list_omses(session: DbSession, user: TokenUser) -> dict[str, Any]:
    return {"omses": [oms_json(oms) for oms in access.omses_administered(session, user)]}


@router.get("/{oms_id}", summary="Get an OMS", responses=_ERRORS)
def get_oms(oms_id: str, session: DbSession, user: TokenUser) -> dict[str, Any]:
    return oms_json(_path_oms(session, user, oms_id))


@router.get(
    "/{oms_id}/events",
    summary="List events after a time or an event id",
    description=(
        "`from_timestamp` (`2021-04-07T15:31:46.123456Z`; a time without `Z` is read as "
        "UTC) or Mercato's `from_id` (exclusive, events in id order): one of them is "
        "required. Events have EOSC's shape, without an id; a request with `from_id` "
        "gets each event's `id`, so a client can page by it without duplicates or gaps."
    ),
    responses=_ERRORS,
    response_model=dict[str, Any],
)
def list_events(
    oms_id: str,
    session: DbSession,
    user: TokenUser,
    from_timestamp: str | None = None,
    from_id: str | None = None,
    limit: str | None = None,
) -> Response:
    oms = _path_oms(session, user, oms_id)
    has_cursor = from_id is not None and from_id.strip() != ""
    if not has_cursor and not (from_timestamp and from_timestamp.strip()):
        raise EoscError(400, "param is missing or the value is empty: from_timestamp")
    after = _from_timestamp(from_timestamp) if from_timestamp else None
    events = oms_reads.oms_events(
        session,
        oms,
        after=after,
        from_id=_from_id(from_id) if has_cursor else None,
        limit=_limit(limit),
    )
    return json_response({"events": [event_json(event, with_id=has_cursor) for event in events]})


@router.get("/{oms_id}/projects", summary="List the OMS's projects", responses=_ERRORS)
def list_projects(
    oms_id: str,
    session: DbSession,
    user: TokenUser,
    from_id: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    projects = oms_reads.oms_projects(session, oms, _from_id(from_id), _limit(limit))
    return {"projects": [project_json(project) for project in projects]}


@router.get("/{oms_id}/projects/{p_id}", summary="Get a project", responses=_ERRORS)
def get_project(oms_id: str, p_id: str, session: DbSession, user: TokenUser) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    return project_json(oms_reads.require_oms_project(session, oms, _id(p_id)))


@router.get(
    "/{oms_id}/projects/{p_id}/project_items",
    summary="List a project's items handled by the OMS",
    responses=_ERRORS,
    response_model=dict[str, Any],
)
def list_project_items(
    oms_id: str,
    p_id: str,
    session: DbSession,
    user: TokenUser,
    from_id: str | None = None,
    limit: str | None = None,
) -> Response:
    oms = _path_oms(session, user, oms_id)
    project = oms_reads.require_oms_project(session, oms, _id(p_id))
    orders = oms_reads.oms_orders(session, oms, project, _from_id(from_id), _limit(limit))
    return json_response({"project_items": [order_json(order) for order in orders]})


@router.get(
    "/{oms_id}/projects/{p_id}/project_items/{pi_id}",
    summary="Get a project item by its iid",
    responses=_ERRORS,
)
def get_project_item(
    oms_id: str, p_id: str, pi_id: str, session: DbSession, user: TokenUser
) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    project = oms_reads.require_oms_project(session, oms, _id(p_id))
    return order_json(oms_reads.require_oms_order(session, oms, project, _id(pi_id)))


# Rails routes PUT to the same action as PATCH (reference §8.2); documented once.
@router.put("/{oms_id}/projects/{p_id}/project_items/{pi_id}", include_in_schema=False)
@router.patch(
    "/{oms_id}/projects/{p_id}/project_items/{pi_id}",
    summary="Change a project item's status and merge user secrets",
    description="Checks: project (404), item (404), the item's current OMS (403), body (400).",
    responses=_ERRORS,
    openapi_extra=json_body_doc(ORDER_UPDATE),
)
def update_project_item(
    oms_id: str, p_id: str, pi_id: str, raw: RawBody, session: DbSession, user: TokenUser
) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    project = oms_reads.require_oms_project(session, oms, _id(p_id))
    order = oms_reads.require_oms_order(session, oms, project, _id(pi_id))
    access.check_can_update_order(session, user, order)
    body = _rails_params(
        json_body(raw), "project_item", _ORDER_ATTRIBUTES, ("status", "user_secrets")
    )
    check_schema(body, ORDER_UPDATE)
    status = body.get("status")
    secrets = body.get("user_secrets") or {}
    update_order(
        session,
        order,
        author=user,
        status=(StatusType(status["type"]), status["value"]) if _is_present(status) else None,
        user_secrets=secrets,
    )
    return order_json(order, shown_secrets=secrets.keys())


@router.get(
    "/{oms_id}/messages", summary="List messages on a project or an item", responses=_ERRORS
)
def list_messages(
    oms_id: str,
    session: DbSession,
    user: TokenUser,
    project_id: str | None = None,
    project_item_id: str | None = None,
    from_id: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    after, most = _from_id(from_id), _limit(limit)
    project = oms_reads.require_oms_project(session, oms, _id(project_id))
    order = None
    if project_item_id is not None and project_item_id.strip():
        order = oms_reads.require_oms_order(session, oms, project, _id(project_item_id))
    messages = oms_reads.conversation(session, project, order, after, most)
    return {"messages": [message_json(message) for message in messages]}


@router.post(
    "/{oms_id}/messages",
    status_code=201,
    summary="Write a message on a project or a project item",
    description="Checks: body (400), project (404), item (404), the §5.4 tables (403).",
    responses=_ERRORS,
    openapi_extra=json_body_doc(MESSAGE_WRITE),
)
def create_message(
    oms_id: str, raw: RawBody, session: DbSession, user: TokenUser
) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    copied = ("project_id", "project_item_id", "author", "content")
    body = _rails_params(json_body(raw), "message", _MESSAGE_ATTRIBUTES, copied)
    check_schema(body, MESSAGE_WRITE)
    project = oms_reads.require_oms_project(session, oms, body["project_id"])
    order = None
    if "project_item_id" in body:
        order = oms_reads.require_oms_order(session, oms, project, body["project_item_id"])
    scope, role = MessageScope(body["scope"]), AuthorRole(body["author"]["role"])
    access.check_can_write_message(session, user, project, order, scope, role)
    author = body["author"]
    message = post_message(
        session,
        project=project,
        order=order,
        scope=scope,
        role=role,
        author=user,
        content=body["content"],
        signature=Author(uid=author.get("uid", ""), email=author["email"], name=author["name"]),
    )
    return message_json(message, in_clear=True)


@router.get("/{oms_id}/messages/{m_id}", summary="Get a message", responses=_ERRORS)
def get_message(oms_id: str, m_id: str, session: DbSession, user: TokenUser) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    return message_json(oms_reads.require_oms_message(session, oms, _id(m_id)))


@router.put("/{oms_id}/messages/{m_id}", include_in_schema=False)
@router.patch(
    "/{oms_id}/messages/{m_id}",
    summary="Change a message's content",
    description="Checks: message (404), the §5.4 tables on its scope and role (403), body (400).",
    responses=_ERRORS,
    openapi_extra=json_body_doc(MESSAGE_UPDATE),
)
def update_message(
    oms_id: str, m_id: str, raw: RawBody, session: DbSession, user: TokenUser
) -> dict[str, Any]:
    oms = _path_oms(session, user, oms_id)
    message = oms_reads.require_oms_message(session, oms, _id(m_id))
    access.check_can_edit_message(session, user, message)
    copied = ("project_id", "project_item_id", "author", "content")
    body = _rails_params(json_body(raw), "message", _MESSAGE_ATTRIBUTES, copied)
    check_schema(body, MESSAGE_UPDATE)
    return message_json(edit_message(session, message, body["content"]), in_clear=True)
