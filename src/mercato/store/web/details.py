"""An offering's page: description, assets, tags, rating and reviews; reviewing and replying."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser, OptionalUser
from mercato.catalogue.fulfilment import OrderEntry, order_entry
from mercato.catalogue.models import OfferStatus
from mercato.dependencies import DbSession
from mercato.errors import Forbidden, Invalid
from mercato.store import reviews as review_rules
from mercato.store.access import has_ordered
from mercato.store.assets import asset_link, downloadable_asset_ids
from mercato.store.marketplaces.rules import publications, usdl_url
from mercato.store.models import OfferingState, Review, StoreOffering
from mercato.store.offerings import can_manage, require_visible_offering
from mercato.store.reviews import ReplyText, ReviewText
from mercato.store.web.common import offering_url, page, problems, text
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash

router = APIRouter(include_in_schema=False)
ONE = "/store/offerings/{provider}/{name}/{version}"


def _may_review(session: Session, user: User | None, offering: StoreOffering) -> bool:
    if user is None:
        return False
    try:
        review_rules.check_can_review(session, user, offering)
    except Forbidden:
        return False
    return True


def _acquire_entry(offering: StoreOffering) -> OrderEntry | None:
    """Open offerings are ordered as any open offer; the others are bought (commerce's
    acquire pages)."""
    if offering.is_open:
        return order_entry(offering.offer)
    return OrderEntry("Acquire", offering_url(offering, "acquire"), False)


def _downloads(session: Session, user: User | None, offering: StoreOffering) -> dict[int, str]:
    """The links of the assets this viewer may reach, by asset id."""
    if user is None:
        return {}
    allowed = downloadable_asset_ids(session, user, offering.assets)
    return {asset.id: asset_link("", asset) for asset in offering.assets if asset.id in allowed}


def _details_page(
    request: Request,
    session: Session,
    user: User | None,
    offering: StoreOffering,
    review_form: FormData | dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    manages = user is not None and can_manage(session, user, offering)
    own_review = next((r for r in offering.reviews if user and r.user_id == user.id), None)
    is_published = offering.offer.status == OfferStatus.PUBLISHED
    context = {
        "offering": offering,
        "manages": manages,
        "states": OfferingState,
        "downloads": _downloads(session, user, offering),
        "may_review": own_review is None and _may_review(session, user, offering),
        "own_review": own_review,
        "acquired": user is not None and has_ordered(session, user, offering.offer_id),
        "acquire": _acquire_entry(offering) if is_published and not manages else None,
        "usdl": usdl_url("", offering),
        # Priced by commerce, which the app hands in (the store cannot import it).
        "plan_tables": request.app.state.plan_tables(session, offering.price_plans),
        "publications": publications(session, offering) if manages else [],
        "review_form": review_form or {"rating": "5"},
        "errors": errors or {},
    }
    return page(request, "store/offering.html", context, 400 if errors else 200)


@router.get(ONE)
def offering_page(
    request: Request,
    session: DbSession,
    user: OptionalUser,
    provider: str,
    name: str,
    version: str,
) -> Response:
    offering = require_visible_offering(session, user, provider, name, version)
    return _details_page(request, session, user, offering)


def _review_text(form: FormData) -> ReviewText:
    rating = text(form, "rating")
    return ReviewText(
        # Not a number: -1, which the rules refuse as they refuse any rating outside 0 to 5.
        rating=int(rating) if rating.isdigit() else -1,
        title=text(form, "title"),
        comment=text(form, "comment"),
    )


@router.post(f"{ONE}/reviews")
def review_offering(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = require_visible_offering(session, user, provider, name, version)
    try:
        review_rules.create_review(session, user, offering, _review_text(form))
    except Invalid as error:
        session.rollback()
        return _details_page(request, session, user, offering, form, problems(error))
    flash(request, "Thank you: your review has been published.")
    return RedirectResponse(f"{offering_url(offering)}#reviews", status_code=303)


def _review(session: Session, offering: StoreOffering, review_id: int) -> Review:
    return review_rules.find_review(session, offering, str(review_id))


@router.post(f"{ONE}/reviews/{{review_id}}/reply")
def reply_to_review(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    review_id: int,
    form: SubmittedForm,
) -> Response:
    offering = require_visible_offering(session, user, provider, name, version)
    review = _review(session, offering, review_id)
    # Each review has its own reply form on the page; its inputs carry the review's id.
    prefix = f"reply-{review_id}-"
    reply = ReplyText(title=text(form, f"{prefix}title"), comment=text(form, f"{prefix}comment"))
    try:
        review_rules.reply_to_review(session, user, offering, review, reply)
    except Invalid as error:
        session.rollback()
        prefixed = {f"{prefix}{k}": v for k, v in problems(error).items()}
        return _details_page(request, session, user, offering, None, prefixed)
    flash(request, "Your reply has been published.")
    return RedirectResponse(f"{offering_url(offering)}#review-{review_id}", status_code=303)


@router.post(f"{ONE}/reviews/{{review_id}}/delete")
def delete_review(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    review_id: int,
) -> Response:
    offering = require_visible_offering(session, user, provider, name, version)
    review_rules.delete_review(session, user, offering, _review(session, offering, review_id))
    flash(request, "Your review has been removed.")
    return RedirectResponse(f"{offering_url(offering)}#reviews", status_code=303)
