"""WStore reviews and tags of an offering (reference §4.3, §12)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.store import reviews, tags
from mercato.store.http import (
    FoundOffering,
    Limit,
    ManagedOffering,
    Start,
    VisibleOffering,
)
from mercato.store.models import Review
from mercato.store.wstore.bodies import as_object, reply_text, review_text
from mercato.store.wstore.offerings import ONE
from mercato.store.wstore.shapes import review_json
from mercato.store.wstore.wire import Caller, ReceivedBody, envelope, read_body

router = APIRouter(tags=["Store: reviews and tags (WStore)"])
# WStore answers review and reply changes with 201; kept, as its clients expect it.
CHANGED = 201


def offering_review(review_id: str, offering: FoundOffering, session: DbSession) -> Review:
    return reviews.find_review(session, offering, review_id)


OfferingReview = Annotated[Review, Depends(offering_review)]


@router.get(f"{ONE}/review", summary="List an offering's reviews, newest first")
def list_reviews(
    offering: VisibleOffering, start: Start = 1, limit: Limit = None
) -> list[dict[str, Any]]:
    return [review_json(r, offering) for r in reviews.reviews_page(offering, start, limit)]


@router.post(f"{ONE}/review", status_code=201, summary="Review an offering")
def create_review(
    offering: VisibleOffering,
    request: Request,
    received: ReceivedBody,
    session: DbSession,
    user: Caller,
) -> Response:
    document = as_object(read_body(received).document)
    reviews.check_can_review(session, user, offering)
    reviews.create_review(session, user, offering, review_text(document))
    return envelope(request, 201, "Created")


@router.put(f"{ONE}/review/{{review_id}}", status_code=CHANGED, summary="Change a review")
def update_review(
    user: Caller,
    offering: FoundOffering,
    review: OfferingReview,
    request: Request,
    received: ReceivedBody,
    session: DbSession,
) -> Response:
    document = as_object(read_body(received).document)
    reviews.check_author(user, review)
    reviews.update_review(session, user, offering, review, review_text(document))
    return envelope(request, CHANGED, "OK")


@router.delete(f"{ONE}/review/{{review_id}}", status_code=CHANGED, summary="Delete a review")
def delete_review(
    user: Caller,
    offering: FoundOffering,
    review: OfferingReview,
    request: Request,
    session: DbSession,
) -> Response:
    reviews.delete_review(session, user, offering, review)
    return envelope(request, CHANGED, "OK")


@router.put(f"{ONE}/review/{{review_id}}/reply", status_code=CHANGED, summary="Reply to a review")
def reply(
    user: Caller,
    offering: FoundOffering,
    review: OfferingReview,
    request: Request,
    received: ReceivedBody,
    session: DbSession,
) -> Response:
    document = as_object(read_body(received).document)
    reviews.check_replier(session, user, offering)
    reviews.reply_to_review(session, user, offering, review, reply_text(document))
    return envelope(request, CHANGED, "OK")


@router.delete(f"{ONE}/review/{{review_id}}/reply", status_code=CHANGED, summary="Delete a reply")
def delete_reply(
    user: Caller,
    offering: FoundOffering,
    review: OfferingReview,
    request: Request,
    session: DbSession,
) -> Response:
    reviews.delete_reply(session, user, offering, review)
    return envelope(request, CHANGED, "OK")


# WStore routes `/tag`; its API description says `/tags`. Both are served.
@router.get(f"{ONE}/tag", summary="An offering's tags, or suggestions (action=recommend)")
@router.get(f"{ONE}/tags", include_in_schema=False)
def get_tags(
    offering: VisibleOffering,
    session: DbSession,
    action: Annotated[str | None, Query(pattern="^recommend$")] = None,
    tags_: Annotated[str, Query(alias="tags")] = "",
) -> dict[str, list[str]]:
    if action != "recommend":
        return {"tags": offering.offer.tags}
    given = tags.check_tags([t for t in tags_.split(",") if t.strip()])
    return {"tags": tags.suggest_tags(session, offering, given)}


@router.put(f"{ONE}/tag", summary="Replace an offering's tags")
@router.put(f"{ONE}/tags", include_in_schema=False)
def put_tags(
    offering: ManagedOffering, request: Request, received: ReceivedBody, session: DbSession
) -> Response:
    document = as_object(read_body(received).document)
    if "tags" not in document:
        raise Invalid.field("tags", "is missing")
    tags.set_tags(session, offering, tags.check_tags(document["tags"]))
    return envelope(request, 200, "OK")
