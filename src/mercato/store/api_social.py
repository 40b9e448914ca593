"""WStore reviews and tags of an offering (reference §4.3, §12)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.store import reviews, tags
from mercato.store.access import check_can_manage_provider
from mercato.store.api_offerings import ONE
from mercato.store.http import Limit, Start, as_object
from mercato.store.offerings import check_can_see, find_offering
from mercato.store.shapes import review_json
from mercato.store.wire import Caller, envelope, read_body

router = APIRouter(tags=["Store: reviews and tags (WStore)"])
# WStore answers review and reply changes with 201; kept, as its clients expect it.
CHANGED = 201


@router.get(f"{ONE}/review", summary="List an offering's reviews, newest first")
def list_reviews(
    provider: str,
    name: str,
    version: str,
    session: DbSession,
    user: Caller,
    start: Start = 1,
    limit: Limit = None,
) -> list[dict[str, Any]]:
    offering = find_offering(session, provider, name, version)
    check_can_see(session, user, offering)
    return [review_json(r) for r in reviews.reviews_page(offering, start, limit)]


@router.post(f"{ONE}/review", status_code=201, summary="Review an offering")
async def create_review(
    provider: str, name: str, version: str, request: Request, session: DbSession, user: Caller
) -> Response:
    offering = find_offering(session, provider, name, version)
    check_can_see(session, user, offering)
    document = as_object((await read_body(request)).document)
    reviews.create_review(session, user, offering, document)
    return envelope(request, 201, "Created")


@router.put(f"{ONE}/review/{{review_id}}", status_code=CHANGED, summary="Change a review")
async def update_review(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    request: Request,
    session: DbSession,
    user: Caller,
) -> Response:
    offering = find_offering(session, provider, name, version)
    review = reviews.find_review(session, offering, review_id)
    document = as_object((await read_body(request)).document)
    reviews.update_review(session, user, offering, review, document)
    return envelope(request, CHANGED, "OK")


@router.delete(f"{ONE}/review/{{review_id}}", status_code=CHANGED, summary="Delete a review")
def delete_review(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    request: Request,
    session: DbSession,
    user: Caller,
) -> Response:
    offering = find_offering(session, provider, name, version)
    review = reviews.find_review(session, offering, review_id)
    reviews.delete_review(session, user, offering, review)
    return envelope(request, CHANGED, "OK")


@router.put(f"{ONE}/review/{{review_id}}/reply", status_code=CHANGED, summary="Reply to a review")
async def reply(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    request: Request,
    session: DbSession,
    user: Caller,
) -> Response:
    offering = find_offering(session, provider, name, version)
    review = reviews.find_review(session, offering, review_id)
    document = as_object((await read_body(request)).document)
    reviews.reply_to_review(session, user, offering, review, document)
    return envelope(request, CHANGED, "OK")


@router.delete(f"{ONE}/review/{{review_id}}/reply", status_code=CHANGED, summary="Delete a reply")
def delete_reply(
    provider: str,
    name: str,
    version: str,
    review_id: str,
    request: Request,
    session: DbSession,
    user: Caller,
) -> Response:
    offering = find_offering(session, provider, name, version)
    review = reviews.find_review(session, offering, review_id)
    reviews.delete_reply(session, user, offering, review)
    return envelope(request, CHANGED, "OK")


# WStore routes `/tag`; its API description says `/tags`. Both are served.
@router.get(f"{ONE}/tag", summary="An offering's tags, or suggestions (action=recommend)")
@router.get(f"{ONE}/tags", include_in_schema=False)
def get_tags(
    provider: str,
    name: str,
    version: str,
    session: DbSession,
    user: Caller,
    action: Annotated[str | None, Query(pattern="^recommend$")] = None,
    tags_: Annotated[str, Query(alias="tags")] = "",
) -> dict[str, list[str]]:
    offering = find_offering(session, provider, name, version)
    check_can_see(session, user, offering)
    if action != "recommend":
        return {"tags": offering.offer.tags}
    given = tags.check_tags([t for t in tags_.split(",") if t.strip()])
    return {"tags": tags.suggest_tags(session, offering, given)}


@router.put(f"{ONE}/tag", summary="Replace an offering's tags")
@router.put(f"{ONE}/tags", include_in_schema=False)
async def put_tags(
    provider: str, name: str, version: str, request: Request, session: DbSession, user: Caller
) -> Response:
    offering = find_offering(session, provider, name, version)
    check_can_manage_provider(session, user, offering.service.provider_id)
    document = as_object((await read_body(request)).document)
    if "tags" not in document:
        raise Invalid.field("tags", "is missing")
    tags.set_tags(session, offering, tags.check_tags(document["tags"]))
    return envelope(request, 200, "OK")
