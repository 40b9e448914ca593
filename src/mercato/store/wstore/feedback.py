"""Review and reply bodies on WStore's wire (store-wire.md §5).

Readers check a body in WStore's order and answer with its texts; the store's
rules then check the same values again in Mercato's words (for the web pages).
"""

from typing import Any

from mercato.store import reviews
from mercato.store.reviews import Refusal, ReplyText, ReviewText
from mercato.store.wstore.wire import Received, WStoreError, parse_json

MISSING_FIELD = "Missing required field"
MISSING_REPLY_FIELD = "Missing a required field in response"
# WStore's texts for a refused review (§5.2); ``NOT_PUBLISHED`` is answered before.
REFUSALS = {
    Refusal.NOT_PUBLISHED: "Forbidden",
    Refusal.NOT_ACQUIRED: "You cannot review this offering since you has not acquire it",
    Refusal.OWN_OFFERING: "You cannot review your own offering",
    Refusal.ALREADY_REVIEWED: (
        "You cannot review this offering again. Please update your review to provide new comments"
    ),
}


def document_of(received: Received) -> Any:
    """The JSON a review or reply write sent; ``None`` for an empty body.

    WStore calls its action without data for a falsy body and crashes (§11); Mercato
    reads such a body as one with every field missing.
    """
    return parse_json(received.raw) if received.raw else None


def _fields(document: Any, invalid_type: str, names: tuple[str, ...], missing: str) -> list[Any]:
    if not document:
        raise WStoreError(400, missing)
    if not isinstance(document, dict):
        raise WStoreError(400, invalid_type)
    if any(name not in document for name in names):
        raise WStoreError(400, missing)
    return [document[name] for name in names]


def _check_length(value: str, limit: int, message: str) -> None:
    if len(value) > limit:
        raise WStoreError(400, message)


def review_text(document: Any) -> ReviewText:
    """``{title, comment, rating}``, in WStore's order of checks (§5.2 steps 3-10)."""
    title, comment, rating = _fields(
        document, "Invalid review data", ("title", "comment", "rating"), MISSING_FIELD
    )
    if not isinstance(title, str):
        raise WStoreError(400, "Invalid title format")
    if not isinstance(comment, str):
        raise WStoreError(400, "Invalid comment format")
    if not title.strip():
        # Mercato's rule: a review has a title (WStore takes an empty one).
        raise WStoreError(400, MISSING_FIELD)
    _check_length(title, reviews.MAX_TITLE, "The title cannot contain more than 60 characters")
    _check_length(
        comment, reviews.MAX_COMMENT, "The comment cannot contain more than 1000 characters"
    )
    # As in Python, true and false are the integers 1 and 0.
    if not isinstance(rating, int):
        raise WStoreError(400, "Invalid rating format")
    if not 0 <= rating <= reviews.MAX_RATING:
        raise WStoreError(400, "Rating must be an integer between 0 and 5")
    return ReviewText(rating=int(rating), title=title, comment=comment)


def reply_text(document: Any) -> ReplyText:
    """``{title, comment}``, in WStore's order of checks (§5.4 steps 1-4)."""
    title, comment = _fields(
        document, "Invalid response type", ("title", "comment"), MISSING_REPLY_FIELD
    )
    if not isinstance(title, str):
        raise WStoreError(400, "Invalid title format")
    if not isinstance(comment, str):
        raise WStoreError(400, "Invalid response text format")
    if not title.strip() or not comment.strip():
        # Mercato's rule: a reply has a title and a text (WStore takes empty ones).
        raise WStoreError(400, MISSING_REPLY_FIELD)
    _check_length(title, reviews.MAX_TITLE, "Response title cannot contain more than 60 characters")
    _check_length(
        comment, reviews.MAX_COMMENT, "Response text cannot contain more than 1000 characters"
    )
    return ReplyText(title=title, comment=comment)
