"""Reviews: 1-5 stars from those who acquired an offering, a reply from its provider.

The average follows WStore's running formulas (reference §12), where n is the
number of reviews after the change.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import OfferStatus
from mercato.db import utcnow
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.store.access import has_ordered
from mercato.store.models import Review, StoreOffering
from mercato.store.offerings import can_manage

MAX_TITLE = 60
MAX_COMMENT = 1000


def rating_after_create(average: float, n: int, rating: int) -> float:
    return float(rating) if average == 0 else (average * (n - 1) + rating) / n


def rating_after_update(average: float, n: int, old: int, new: int) -> float:
    return (average * n - old + new) / n


def rating_after_delete(average: float, n: int, rating: int) -> float:
    return 0.0 if n == 0 else (average * (n + 1) - rating) / n


def _check_text(value: Any, field: str, limit: int, required: bool) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid.field(field, "is missing")
    if len(value) > limit:
        raise Invalid.field(field, f"is longer than {limit} characters")
    return value


def _check_rating(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid.field("rating", "must be a whole number from 1 to 5")
    return value


def check_review(body: dict[str, Any]) -> tuple[str, str, int]:
    """A review body's title, comment and rating."""
    return (
        _check_text(body.get("title"), "title", MAX_TITLE, True),
        _check_text(body.get("comment", ""), "comment", MAX_COMMENT, False),
        _check_rating(body.get("rating")),
    )


def check_reply(body: dict[str, Any]) -> tuple[str, str]:
    """A reply body's title and text."""
    return (
        _check_text(body.get("title"), "title", MAX_TITLE, True),
        _check_text(body.get("comment"), "comment", MAX_COMMENT, True),
    )


def check_can_review(session: Session, user: User, offering: StoreOffering) -> None:
    if offering.offer.status != OfferStatus.PUBLISHED:
        raise Forbidden("Only published offerings can be reviewed")
    if can_manage(session, user, offering):
        raise Forbidden("Providers cannot review their own offerings")
    if not offering.is_open and not has_ordered(session, user, offering.offer_id):
        raise Forbidden("Only customers who acquired the offering can review it")


def _count(session: Session, offering: StoreOffering) -> int:
    return session.scalar(select(func.count()).where(Review.offer_id == offering.offer_id)) or 0


def create_review(
    session: Session, user: User, offering: StoreOffering, body: dict[str, Any]
) -> Review:
    check_can_review(session, user, offering)
    title, comment, rating = check_review(body)
    review = Review(
        offer_id=offering.offer_id, user=user, title=title, comment=comment, rating=rating
    )
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:
        raise Forbidden("You have already reviewed this offering; update your review") from None
    offering.rating = rating_after_create(offering.rating, _count(session, offering), review.rating)
    session.flush()
    return review


def find_review(session: Session, offering: StoreOffering, review_id: str) -> Review:
    review = session.get(Review, int(review_id)) if review_id.isdigit() else None
    if review is None or review.offer_id != offering.offer_id:
        raise NotFound("Review")
    return review


def _check_author(user: User, review: Review) -> None:
    if review.user_id != user.id and not user.is_admin:
        raise Forbidden("Only the author can change a review")


def update_review(
    session: Session, user: User, offering: StoreOffering, review: Review, body: dict[str, Any]
) -> Review:
    _check_author(user, review)
    old = review.rating
    review.title, review.comment, review.rating = check_review(body)
    offering.rating = rating_after_update(
        offering.rating, _count(session, offering), old, review.rating
    )
    session.flush()
    return review


def delete_review(session: Session, user: User, offering: StoreOffering, review: Review) -> None:
    _check_author(user, review)
    offering.reviews.remove(review)
    session.flush()
    offering.rating = rating_after_delete(offering.rating, _count(session, offering), review.rating)
    session.flush()


def _check_replier(session: Session, user: User, offering: StoreOffering) -> None:
    if not can_manage(session, user, offering):
        raise Forbidden("Only the offering's provider can reply")


def reply_to_review(
    session: Session, user: User, offering: StoreOffering, review: Review, body: dict[str, Any]
) -> Review:
    _check_replier(session, user, offering)
    # WStore's body names the reply text `comment`; its stored field is `response`.
    review.reply_title, review.reply_text = check_reply(body)
    review.reply_user = user
    review.replied_at = utcnow()
    session.flush()
    return review


def delete_reply(session: Session, user: User, offering: StoreOffering, review: Review) -> None:
    _check_replier(session, user, offering)
    if review.replied_at is None:
        raise NotFound("Reply")
    review.reply_title = review.reply_text = ""
    review.reply_user = None
    review.replied_at = None
    session.flush()


def reviews_page(offering: StoreOffering, start: int = 1, limit: int | None = None) -> list[Review]:
    end = None if limit is None else start - 1 + limit
    return offering.reviews[start - 1 : end]
