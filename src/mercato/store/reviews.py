"""Reviews: 0-5 stars from those who acquired an offering, a reply from its provider.

The average follows WStore's running formulas (reference §12), where n is the
number of reviews after the change.
"""

import enum
from dataclasses import dataclass

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
# WStore's range: 0 stars is a rating too.
MAX_RATING = 5


def rating_after_create(average: float, n: int, rating: int) -> float:
    return float(rating) if average == 0 else (average * (n - 1) + rating) / n


def rating_after_update(average: float, n: int, old: int, new: int) -> float:
    return (average * n - old + new) / n


def rating_after_delete(average: float, n: int, rating: int) -> float:
    return 0.0 if n == 0 else (average * (n + 1) - rating) / n


@dataclass(frozen=True)
class ReviewText:
    """What a reviewer writes: 0 to 5 stars, a title and an optional comment."""

    rating: int
    title: str
    comment: str = ""


@dataclass(frozen=True)
class ReplyText:
    """What a provider replies to a review: a title and a text (WStore's ``comment``)."""

    title: str
    comment: str


def _check_text(value: object, field: str, limit: int, required: bool) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid.field(field, "is missing")
    if len(value) > limit:
        raise Invalid.field(field, f"is longer than {limit} characters")
    return value


# One check per field, for the surfaces that read loose values (the WStore API's JSON)
# field by field, so their errors come in the order the checks below give them.
def check_title(value: object) -> str:
    return _check_text(value, "title", MAX_TITLE, True)


def check_comment(value: object, required: bool) -> str:
    return _check_text(value, "comment", MAX_COMMENT, required)


def check_rating(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RATING:
        raise Invalid.field("rating", f"must be a whole number from 0 to {MAX_RATING}")
    return value


def check_review(text: ReviewText) -> None:
    """The first broken rule of a review, in WStore's order: title, comment, rating."""
    check_title(text.title)
    check_comment(text.comment, required=False)
    check_rating(text.rating)


def check_reply(text: ReplyText) -> None:
    check_title(text.title)
    check_comment(text.comment, required=True)


class Refusal(enum.Enum):
    """Why a user may not review an offering; each surface says it in its own words."""

    NOT_PUBLISHED = "Only published offerings can be reviewed"
    NOT_ACQUIRED = "Only customers who acquired the offering can review it"
    OWN_OFFERING = "Providers cannot review their own offerings"
    ALREADY_REVIEWED = "You have already reviewed this offering; update your review"


def has_reviewed(session: Session, user: User, offering: StoreOffering) -> bool:
    query = select(Review.id).where(Review.offer_id == offering.offer_id, Review.user == user)
    return session.scalar(query) is not None


def review_refusal(session: Session, user: User, offering: StoreOffering) -> Refusal | None:
    """The first reason, in WStore's order, why ``user`` may not review ``offering``."""
    if offering.offer.status != OfferStatus.PUBLISHED:
        return Refusal.NOT_PUBLISHED
    is_own = can_manage(session, user, offering)
    if is_own and offering.is_open:
        return Refusal.OWN_OFFERING
    if not offering.is_open and not has_ordered(session, user, offering.offer_id):
        return Refusal.NOT_ACQUIRED
    # WStore lets a provider who ordered its own closed offering review it; Mercato never.
    if is_own:
        return Refusal.OWN_OFFERING
    if has_reviewed(session, user, offering):
        return Refusal.ALREADY_REVIEWED
    return None


def check_can_review(session: Session, user: User, offering: StoreOffering) -> None:
    refusal = review_refusal(session, user, offering)
    if refusal is not None:
        raise Forbidden(refusal.value)


def _count(session: Session, offering: StoreOffering) -> int:
    return session.scalar(select(func.count()).where(Review.offer_id == offering.offer_id)) or 0


def create_review(
    session: Session, user: User, offering: StoreOffering, text: ReviewText
) -> Review:
    check_can_review(session, user, offering)
    check_review(text)
    review = Review(
        offer_id=offering.offer_id,
        user=user,
        title=text.title,
        comment=text.comment,
        rating=text.rating,
    )
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:
        raise Forbidden(Refusal.ALREADY_REVIEWED.value) from None
    offering.rating = rating_after_create(offering.rating, _count(session, offering), review.rating)
    session.flush()
    return review


def find_review(session: Session, offering: StoreOffering, review_id: str) -> Review:
    review = session.get(Review, int(review_id)) if review_id.isdigit() else None
    if review is None or review.offer_id != offering.offer_id:
        raise NotFound("Review")
    return review


def can_change(user: User, review: Review) -> bool:
    return review.user_id == user.id or user.is_admin


def check_author(user: User, review: Review) -> None:
    if not can_change(user, review):
        raise Forbidden("Only the author can change a review")


def update_review(
    session: Session, user: User, offering: StoreOffering, review: Review, text: ReviewText
) -> Review:
    check_author(user, review)
    check_review(text)
    old = review.rating
    review.title, review.comment, review.rating = text.title, text.comment, text.rating
    # A review's time is when it was last written: a changed review comes first again.
    review.created_at = utcnow()
    offering.rating = rating_after_update(
        offering.rating, _count(session, offering), old, review.rating
    )
    session.flush()
    return review


def delete_review(session: Session, user: User, offering: StoreOffering, review: Review) -> None:
    check_author(user, review)
    offering.reviews.remove(review)
    session.flush()
    offering.rating = rating_after_delete(offering.rating, _count(session, offering), review.rating)
    session.flush()


def check_replier(session: Session, user: User, offering: StoreOffering) -> None:
    if not can_manage(session, user, offering):
        raise Forbidden("Only the offering's provider can reply")


def reply_to_review(
    session: Session, user: User, offering: StoreOffering, review: Review, text: ReplyText
) -> Review:
    check_replier(session, user, offering)
    check_reply(text)
    review.reply_title, review.reply_text = text.title, text.comment
    review.reply_user = user
    review.replied_at = utcnow()
    session.flush()
    return review


def delete_reply(session: Session, user: User, offering: StoreOffering, review: Review) -> None:
    check_replier(session, user, offering)
    review.reply_title = review.reply_text = ""
    review.reply_user = None
    review.replied_at = None
    session.flush()


def reviews_page(offering: StoreOffering, start: int = 1, limit: int | None = None) -> list[Review]:
    """Newest written first; ``offering.reviews`` stays in the order they were first written."""
    newest = sorted(offering.reviews, key=lambda r: (r.created_at, r.id), reverse=True)
    end = None if limit is None else start - 1 + limit
    return newest[start - 1 : end]
