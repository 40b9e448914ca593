"""Customer pages: ordering an offer or a bundle into a project, and an order's page."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.catalogue import bundles
from mercato.catalogue import rules as catalogue
from mercato.catalogue.fulfilment import Fulfilment, external_url, fulfilment
from mercato.catalogue.models import Bundle, Offer
from mercato.db import utcnow
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid, NotFound
from mercato.ordering import idempotency
from mercato.ordering.customer_views import customer_messages, require_own_order, write_message
from mercato.ordering.models import IdempotencyKey, Order
from mercato.ordering.orders import OrderRequest, place_bundle_order, place_order
from mercato.ordering.projects import projects_of
from mercato.ordering.web import order_form
from mercato.ordering.web.projects import page
from mercato.settings import Settings
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash

router = APIRouter(include_in_schema=False)

_PLACED = {
    Fulfilment.READY: "“{offer}” has been added to project “{project}”: it is ready to use.",
    Fulfilment.OMS: "Your order of “{offer}” has been placed in project “{project}”.",
}


def _elsewhere(request: Request, offer: Offer) -> Response:
    """Offers ordered on the provider's own website: send the customer there."""
    url = external_url(offer)
    if url:
        return RedirectResponse(url, status_code=303)
    message = f"“{offer.name}” is ordered directly with {offer.service.provider.name}."
    return page(request, "error.html", {"title": "Ordered with the provider", "message": message})


def _only_in_bundles(request: Request, session: Session, offer: Offer) -> Response:
    """Offers meant only for bundles: no order form, but the bundles that order them."""
    context = {"offer": offer, "bundles": bundles.bundles_containing(session, offer)}
    return page(request, "ordering/only_in_bundles.html", context, 404)


def _pricing(request: Request, session: Session, user: User, offer: Offer, form: FormData) -> Any:
    """The plans and total of a sold offer (commerce's ``OrderPricing``, which the app
    hands in: ordering cannot import commerce); None for offers that are not sold."""
    label = str(form.get("plan_label", "")) or None
    return request.app.state.order_pricing(session, user, offer.id, label, utcnow())


def _order_form_page(
    request: Request,
    session: Session,
    user: User,
    offer: Offer,
    form: FormData,
    errors: dict[str, str] | None = None,
    pricing: Any = None,
) -> Response:
    pricing = pricing or _pricing(request, session, user, offer, form)
    if pricing is not None and pricing.error:
        errors = {"plan_label": pricing.error, **(errors or {})}
    context = {
        "offer": offer,
        "service": offer.service,
        "controls": order_form.controls(offer.parameters),
        "is_ready_at_once": fulfilment(offer) == Fulfilment.READY,
        "pricing": pricing,
        "quantities": order_form.quantity_prices(offer.parameters, form),
        **_project_choice(session, user, form, errors),
    }
    return page(request, "ordering/order_form.html", context, 400 if errors else 200)


def _checkout(
    request: Request, session: Session, user: User, offer: Offer, form: FormData, pricing: Any
) -> Response:
    """A sold offer is bought, not just ordered: "Update the total" shows the form again;
    else, with a plan and a project chosen, on to the acquire form with both filled in."""
    if str(form.get("action", "")) == "total" or pricing.error:
        return _order_form_page(request, session, user, offer, form, None, pricing)
    try:
        project = order_form.chosen_project(session, user, form)
    except Invalid as error:
        session.rollback()
        return _order_form_page(request, session, user, offer, form, error.details, pricing)
    return RedirectResponse(pricing.checkout_url(project.id), status_code=303)


def _project_choice(
    session: Session, user: User, form: FormData, errors: dict[str, str] | None
) -> dict[str, Any]:
    """What every order form shows of the customer's projects, and what was typed."""
    projects = projects_of(session, user)
    chosen = str(form.get("project", str(projects[0].id) if projects else ""))
    return {
        "projects": projects,
        # Without projects only a new one can be chosen.
        "project_mode": order_form.project_mode(form) if projects else order_form.NEW_PROJECT,
        "chosen_project": chosen,
        "form": form,
        "errors": {name: [message] for name, message in (errors or {}).items()},
        # A refused form keeps its key: nothing was ordered with it yet.
        "idempotency_key": str(form.get(idempotency.FORM_FIELD) or idempotency.new_key()),
    }


# Form fields that are not part of what is ordered: a retry may carry another CSRF token.
_NOT_ORDERED = frozenset({"csrftoken", idempotency.FORM_FIELD})


def _claim(
    request: Request, session: Session, settings: Settings, user: User, form: FormData
) -> IdempotencyKey | None:
    """The Idempotency-Key of an order form's submission (the header, else the form's
    hidden field), claimed for it; None when it has none."""
    key = request.headers.get(idempotency.KEY_HEADER) or str(form.get(idempotency.FORM_FIELD, ""))
    if not key:
        return None
    content = sorted(
        (name, str(value)) for name, value in form.multi_items() if name not in _NOT_ORDERED
    )
    request_fingerprint = idempotency.fingerprint(request.method, request.url.path, content)
    lifetime = settings.idempotency_key_lifetime
    return idempotency.claim_key(session, user, key, request_fingerprint, lifetime=lifetime)


def _placed(
    request: Request, session: Session, held: IdempotencyKey | None, location: str, notice: str
) -> Response:
    """Tell the customer the order is placed and go on to ``location``; a retry with
    the same key is answered the same from ``held``."""
    if held is not None:
        idempotency.settle_key(session, held, {"location": location, "notice": notice})
    flash(request, notice)
    return RedirectResponse(location, status_code=303)


def _replayed(request: Request, held: IdempotencyKey | None) -> Response | None:
    """The first answer again, when ``held`` is the key of a request already made."""
    if held is None or held.result is None:
        return None
    flash(request, held.result["notice"])
    return RedirectResponse(held.result["location"], status_code=303)


@router.get("/services/{slug}/offers/{iid}/order")
def order_offer(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    offer = catalogue.require_orderable_offer(session, slug, iid)
    if offer.bundle_exclusive:
        return _only_in_bundles(request, session, offer)
    if fulfilment(offer) == Fulfilment.EXTERNAL:
        return _elsewhere(request, offer)
    return _order_form_page(request, session, user, offer, FormData())


@router.post("/services/{slug}/offers/{iid}/order")
def place(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    slug: str,
    iid: str,
    submitted: SubmittedForm,
) -> Response:
    offer = catalogue.require_orderable_offer(session, slug, iid)
    if offer.bundle_exclusive:
        return _only_in_bundles(request, session, offer)
    how = fulfilment(offer)
    if how == Fulfilment.EXTERNAL:
        return _elsewhere(request, offer)
    pricing = _pricing(request, session, user, offer, submitted)
    if pricing is not None:
        return _checkout(request, session, user, offer, submitted, pricing)
    if str(submitted.get("action", "")) == "total":
        # "Update the total" without scripts: the form again, nothing ordered.
        return _order_form_page(request, session, user, offer, submitted)
    held = _claim(request, session, settings, user, submitted)
    if (replayed := _replayed(request, held)) is not None:
        return replayed
    values = order_form.submitted_values(offer.parameters, submitted)
    problems = order_form.value_errors(offer.parameters, values)
    try:
        project = order_form.chosen_project(session, user, submitted)
    except Invalid as error:
        problems |= error.details
    if problems:
        session.rollback()  # a new project must not outlive the refused order
        return _order_form_page(request, session, user, offer, submitted, problems)
    wanted = order_form.order_request(submitted, values, how == Fulfilment.OMS)
    order = place_order(session, user, project, offer, wanted)
    notice = _PLACED[how].format(offer=offer.name, project=project.name)
    return _placed(request, session, held, _order_path(order), notice)


# --- bundles: one order per offer, the main offer first ---------------------------------


def _orderable_bundle(session: Session, slug: str, iid: str) -> Bundle:
    service = catalogue.find_service(session, slug)
    if service is None:
        raise NotFound("Bundle")
    return bundles.require_orderable_bundle(session, service, iid)


def _sold(request: Request, session: Session, bundle: Bundle) -> dict[int, str]:
    """The bundle's offers that are sold in the store, with where each is bought: a bundle
    orders without paying, so it cannot order them."""
    return request.app.state.acquire_urls(session, [o.id for o in bundles.offers_to_order(bundle)])


def _sold_problem(bundle: Bundle, sold: dict[int, str]) -> dict[str, str]:
    names = ", ".join(f"“{o.name}”" for o in bundles.offers_to_order(bundle) if o.id in sold)
    return {"bundle": f"{names} must be bought on its own: a bundle cannot buy it"}


def _bundle_form_page(
    request: Request,
    session: Session,
    user: User,
    bundle: Bundle,
    form: FormData,
    errors: dict[str, str] | None = None,
) -> Response:
    offers = bundles.offers_to_order(bundle)
    sold = _sold(request, session, bundle)
    context = {
        "sold": sold,
        "bundle": bundle,
        "service": bundle.service,
        "parts": [
            (offer, order_form.controls(offer.parameters, order_form.offer_prefix(position)))
            for position, offer in enumerate(offers)
        ],
        "takes_voucher": any(fulfilment(offer) == Fulfilment.OMS for offer in offers),
        "elsewhere": {offer.id: external_url(offer) for offer in bundles.external_offers(bundle)},
        **_project_choice(session, user, form, errors),
    }
    return page(request, "ordering/bundle_order_form.html", context, 400 if errors else 200)


@router.get("/services/{slug}/bundles/{iid}/order")
def order_bundle(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    bundle = _orderable_bundle(session, slug, iid)
    return _bundle_form_page(request, session, user, bundle, FormData())


@router.post("/services/{slug}/bundles/{iid}/order")
def place_bundle(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    slug: str,
    iid: str,
    submitted: SubmittedForm,
) -> Response:
    bundle = _orderable_bundle(session, slug, iid)
    held = _claim(request, session, settings, user, submitted)
    if (replayed := _replayed(request, held)) is not None:
        return replayed
    wanted: list[OrderRequest] = []
    problems: dict[str, str] = {}
    for position, offer in enumerate(bundles.offers_to_order(bundle)):
        prefix = order_form.offer_prefix(position)
        values = order_form.submitted_values(offer.parameters, submitted, prefix)
        problems |= order_form.value_errors(offer.parameters, values, prefix)
        is_oms = fulfilment(offer) == Fulfilment.OMS
        wanted.append(order_form.order_request(submitted, values, is_oms))
    if sold := _sold(request, session, bundle):
        problems |= _sold_problem(bundle, sold)
    try:
        project = order_form.chosen_project(session, user, submitted)
    except Invalid as error:
        problems |= error.details
    if problems:
        session.rollback()  # a new project must not outlive the refused order
        return _bundle_form_page(request, session, user, bundle, submitted, problems)
    orders = place_bundle_order(session, user, project, bundle, wanted)
    notice = f"Bundle “{bundle.name}” has been ordered in project “{project.name}”: "
    notice += f"{len(orders)} orders placed."
    elsewhere = ", ".join(f"“{offer.name}”" for offer in bundles.external_offers(bundle))
    if elsewhere:
        notice += f" Finish ordering {elsewhere} on the provider's website: see its order."
    return _placed(request, session, held, f"/projects/{project.id}", notice)


def _order_path(order: Order) -> str:
    return f"/projects/{order.project_id}/orders/{order.iid}"


def _order_page(
    request: Request, session: Session, order: Order, draft: str = "", error: str = ""
) -> Response:
    offer = order.offer
    context = {
        "order": order,
        "project": order.project,
        "offer": offer,
        # Only a bundle orders such an offer: the customer finishes on the provider's page.
        "order_website": external_url(offer) if fulfilment(offer) == Fulfilment.EXTERNAL else "",
        "messages": customer_messages(session, order.project, order),
        "draft": draft,
        "errors": {"message": [error]} if error else {},
    }
    return page(request, "ordering/order.html", context, 400 if error else 200)


@router.get("/projects/{project_id}/orders/{iid}")
def order_page(
    request: Request, session: DbSession, user: CurrentUser, project_id: int, iid: int
) -> Response:
    return _order_page(request, session, require_own_order(session, user, project_id, iid))


@router.post("/projects/{project_id}/orders/{iid}/messages")
def write_on_order(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    project_id: int,
    iid: int,
    submitted: SubmittedForm,
) -> Response:
    order = require_own_order(session, user, project_id, iid)
    content = str(submitted.get("message", ""))
    try:
        write_message(session, user, order.project, order, content)
    except Invalid as error:
        session.rollback()
        return _order_page(request, session, order, content, error.details["content"])
    flash(request, "Your message has been sent.")
    return RedirectResponse(_order_path(order) + "#conversation", status_code=303)
