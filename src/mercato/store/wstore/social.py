"""WStore reviews, replies and tags of an offering (store-wire.md §5, §6).

Each route checks in WStore's order: the caller (401), the media type (415),
the offering (404), then what the action needs. Routes of one path are declared
in the order of WStore's ``Allow`` header.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mercato.accounts.models import User
from mercato.catalogue.models import OfferStatus
from mercato.dependencies import DbSession
from mercato.errors import NotFound
from mercato.store import reviews, tags
from mercato.store.models import Review, StoreOffering
from mercato.store.offerings import can_manage, find_offering
from mercato.store.wstore.feedback import REFUSALS, document_of, reply_text, review_text
from mercato.store.wstore.offerings import ONE
from mercato.store.wstore.shapes import review_json
from mercato.store.wstore.wire import (
    JSON_BARE,
    JSON_CHARSET,
    Caller,
    JsonBody,
    WStoreError,
    entity,
    envelope,
    errors,
    parse_json,
)

router = APIRouter(tags=["Store: reviews and tags (WStore)"])
FORBIDDEN = "Forbidden"
INVALID_REVIEW_ID = "Invalid review id"


def _published(session: DbSession, provider: str, name: str, version: str) -> StoreOffering:
    """The offering of a review write: 404, then 403 unless published (§5 steps 3-4)."""
    offering = find_offering(session, provider, name, version)
    if offering.offer.status != OfferStatus.PUBLISHED:
        raise WStoreError(403, FORBIDDEN)
    return offering


def _review(session: DbSession, offering: StoreOffering, review_id: str) -> Review:
    # WStore finds the review anywhere; Mercato only among the offering's own.
    try:
        return reviews.find_review(session, offering, review_id)
    except NotFound:
        raise WStoreError(400, INVALID_REVIEW_ID) from None


def _created(request: Request) -> Response:
    # WStore answers every review and reply write, deletions included, with 201 Created.
    return envelope(request, 201, "Created")


def _paging(start: str | None, limit: str | None) -> tuple[int, int | None]:
    """§5.1: paging only when both are given and non-empty."""
    if not start or not limit:
        return 1, None
    if not (start.lstrip("-").isdigit() and limit.lstrip("-").isdigit()):
        raise WStoreError(400, "Invalid pagination params")
    if int(start) < 1:
        raise WStoreError(400, "Start parameter should be higher than 0")
    if int(limit) < 1:
        raise WStoreError(400, "Limit parameter should be higher than 0")
    return int(start), int(limit)


@router.post(
    f"{ONE}/review",
    responses=errors(400, 401, 403, 404, 415),
    status_code=201,
    summary="Review an offering",
)
def create_review(
    provider: str,
    name: str,
    version: str,
    user: Caller,
    received: JsonBody,
    request: Request,
    session: DbSession,
) -> Response:
    offering = _published(session, provider, name, version)
    document = document_of(received)
    refusal = reviews.review_refusal(session, user, offering)
    if refusal is not None:
        raise WStoreError(403, REFUSALS[refusal])
    reviews.create_review(session, user, offering, review_text(document))
    return _created(request)


@router.get(
    f"{ONE}/review",
    responses=errors(400, 401, 404),
    summary="List an offering's reviews, newest first",
)
def list_reviews(
    provider: str,
    name: str,
    version: str,
    user: Caller,
    session: DbSession,
    start: str | None = None,
    limit: str | None = None,
) -> Response:
    offering = find_offering(session, provider, name, version)
    first, count = _paging(start, limit)
    page = reviews.reviews_page(offering, first, count)
    return entity([review_json(review, offering) for review in page], JSON_CHARSET)


def _changeable_review(
    session: DbSession, user: User, offering: StoreOffering, review_id: str
) -> Review:
    review = _review(session, offering, review_id)
    if not reviews.can_change(user, review):
        raise WStoreError(403, "The user cannot update the current review")
    return review


@router.put(
    f"{ONE}/review/{{review_id}}",
    responses=errors(400, 401, 403, 404, 415),
    status_code=201,
    summary="Change a review",
)
def update_review(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    user: Caller,
    received: JsonBody,
    request: Request,
    session: DbSession,
) -> Response:
    offering = _published(session, provider, name, version)
    # WStore reads the body before it looks the review up (§5.3).
    text = review_text(document_of(received))
    review = _changeable_review(session, user, offering, review_id)
    reviews.update_review(session, user, offering, review, text)
    return _created(request)


@router.delete(
    f"{ONE}/review/{{review_id}}",
    responses=errors(400, 401, 403, 404),
    status_code=201,
    summary="Delete a review",
)
def delete_review(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    user: Caller,
    request: Request,
    session: DbSession,
) -> Response:
    offering = _published(session, provider, name, version)
    review = _changeable_review(session, user, offering, review_id)
    reviews.delete_review(session, user, offering, review)
    return _created(request)


def _answerable_review(
    session: DbSession, user: User, offering: StoreOffering, review_id: str
) -> Review:
    review = _review(session, offering, review_id)
    if not can_manage(session, user, offering):
        raise WStoreError(403, "The user cannot respond the current review")
    return review


@router.put(
    f"{ONE}/review/{{review_id}}/reply",
    responses=errors(400, 401, 403, 404, 415),
    status_code=201,
    summary="Reply to a review",
)
def reply(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    user: Caller,
    received: JsonBody,
    request: Request,
    session: DbSession,
) -> Response:
    offering = _published(session, provider, name, version)
    text = reply_text(document_of(received))
    review = _answerable_review(session, user, offering, review_id)
    reviews.reply_to_review(session, user, offering, review, text)
    return _created(request)


@router.delete(
    f"{ONE}/review/{{review_id}}/reply",
    responses=errors(400, 401, 403, 404),
    status_code=201,
    summary="Delete a reply",
)
def delete_reply(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    user: Caller,
    request: Request,
    session: DbSession,
) -> Response:
    offering = _published(session, provider, name, version)
    review = _answerable_review(session, user, offering, review_id)
    reviews.delete_reply(session, user, offering, review)
    return _created(request)


# --- tags (§6) ---------------------------------------------------------------------------


def _tagged(session: DbSession, provider: str, name: str, version: str) -> StoreOffering:
    try:
        return find_offering(session, provider, name, version)
    except NotFound:
        raise WStoreError(404, "Not found") from None


def _suggestions(session: DbSession, offering: StoreOffering, given: str) -> list[str]:
    seeds = [tag.strip().lower() for tag in given.split(",") if tag.strip()]
    return tags.suggest_tags(session, offering, list(dict.fromkeys(seeds)))


# WStore routes `/tag`; its API description says `/tags`. Both are served.
@router.get(
    f"{ONE}/tag",
    responses=errors(400, 401, 404),
    summary="An offering's tags, or suggestions (action=recommend)",
)
@router.get(f"{ONE}/tags", include_in_schema=False)
def get_tags(
    provider: str,
    name: str,
    version: str,
    user: Caller,
    session: DbSession,
    action: str | None = None,
    tags_: Annotated[str, Query(alias="tags")] = "",
) -> Response:
    offering = _tagged(session, provider, name, version)
    shown: dict[str, Any]
    if action is None:
        shown = {"tags": offering.offer.tags}
    elif action == "recommend":
        shown = {"tags": _suggestions(session, offering, tags_)}
    else:
        raise WStoreError(400, "Invalid action")
    return entity(shown, JSON_BARE)


@router.put(
    f"{ONE}/tag", responses=errors(400, 401, 403, 404, 415), summary="Replace an offering's tags"
)
@router.put(f"{ONE}/tags", include_in_schema=False)
def put_tags(
    provider: str,
    name: str,
    version: str,
    user: Caller,
    received: JsonBody,
    request: Request,
    session: DbSession,
) -> Response:
    offering = _tagged(session, provider, name, version)
    if not can_manage(session, user, offering):
        raise WStoreError(403, FORBIDDEN)
    document = parse_json(received.raw)
    if not isinstance(document, dict) or "tags" not in document:
        # WStore's text: the missing key, bare (§6).
        raise WStoreError(400, "tags")
    tags.set_tags(session, offering, tags.check_tag_list(document["tags"]))
    return envelope(request, 200, "OK")
