"""Catalogue pages: browsing services and providers, and managing a service's offers
(its bundles have their own module, ``bundles``)."""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mercato.accounts.rules import require_provider
from mercato.accounts.web.auth import CurrentUser, OptionalUser
from mercato.catalogue import browsing, bundles, rules
from mercato.catalogue.fulfilment import order_entry
from mercato.catalogue.models import BundleStatus, Offer, OfferStatus, Service
from mercato.catalogue.omses import available_omses
from mercato.catalogue.rules import OfferData, offer_has_orders
from mercato.catalogue.web import offer_form as forms
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid
from mercato.kept_answers import until_catalogue_changes
from mercato.web.forms import SubmittedForm
from mercato.web.pagination import PageNumber, pages
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)

# Words every catalogue page may show for the catalogue's codes.
VOCABULARY = {
    "order_type_names": forms.ORDER_TYPE_NAMES,
    "offer_category_names": forms.OFFER_CATEGORY_NAMES,
    "parameter_type_names": forms.PARAMETER_TYPE_NAMES,
}
_SAVED = {
    ("create", OfferStatus.PUBLISHED): "Offer “{}” has been created.",
    ("create", OfferStatus.DRAFT): "Offer “{}” has been saved as a draft.",
    ("update", OfferStatus.PUBLISHED): "Offer “{}” has been updated and published.",
    ("update", OfferStatus.DRAFT): "Offer “{}” has been saved as a draft.",
}
_STATUS_FOR_ACTION = {"publish": OfferStatus.PUBLISHED, "draft": OfferStatus.DRAFT}


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, template, {**VOCABULARY, **context}, status)


# --- browsing --------------------------------------------------------------------------


@router.get("/", dependencies=[Depends(until_catalogue_changes)])
def catalogue(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
    category: str = "",
    provider: str = "",
    page: PageNumber = 1,
) -> Response:
    listing = browsing.browse_services(
        session, category=category, provider=provider, page=page, page_size=settings.page_size
    )
    context = {
        "listing": listing,
        "pages": pages(request.query_params, page, listing.total, settings.page_size),
        "categories": browsing.categories(session),
        "providers": [p for p, _ in browsing.providers_with_service_counts(session)],
        "chosen": {"category": category, "provider": provider},
    }
    return _page(request, "catalogue/home.html", context)


@router.get("/providers", dependencies=[Depends(until_catalogue_changes)])
def providers(request: Request, session: DbSession, user: OptionalUser) -> Response:
    context = {"providers": browsing.providers_with_service_counts(session)}
    return _page(request, "catalogue/providers.html", context)


@router.get("/providers/{slug}", dependencies=[Depends(until_catalogue_changes)])
def provider(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
    slug: str,
    page: PageNumber = 1,
) -> Response:
    shown = require_provider(session, slug)
    listing = browsing.browse_services(
        session, provider=slug, page=page, page_size=settings.page_size
    )
    context = {
        "provider": shown,
        "listing": listing,
        "pages": pages(request.query_params, page, listing.total, settings.page_size),
    }
    return _page(request, "catalogue/provider.html", context)


# The vocabularies a bundle's card shows, with their headings.
_BUNDLE_CARD_TERMS = {
    "bundle_goals": "Goals",
    "capabilities_of_goals": "Capabilities",
    "target_users": "For",
    "scientific_domains": "Scientific domains",
}


@router.get("/services/{slug}", dependencies=[Depends(until_catalogue_changes)])
def service(request: Request, session: DbSession, user: OptionalUser, slug: str) -> Response:
    shown = rules.require_visible_service(session, user, slug)
    offers = rules.standalone_offers(session, shown)
    published = bundles.service_bundles(
        session, shown, [BundleStatus.PUBLISHED], _BUNDLE_CARD_TERMS
    )
    context = {
        "service": shown,
        "offers": offers,
        "bundles": published,
        "orderable_bundles": {bundle.id for bundle in published if bundles.is_orderable(bundle)},
        "external_offers": {bundle.id: bundles.external_offers(bundle) for bundle in published},
        "bundle_terms": _BUNDLE_CARD_TERMS,
        "order_entries": {offer.id: order_entry(offer) for offer in offers},
        # The store plans of offers, priced by commerce, which the app hands in.
        "plan_tables": request.app.state.offer_plan_tables(session, [o.id for o in offers]),
        "acquire_urls": request.app.state.acquire_urls(session, [o.id for o in offers]),
        "can_manage": user is not None and rules.can_manage_service(session, user, shown),
    }
    return _page(request, "catalogue/service.html", context)


# --- managing offers -------------------------------------------------------------------


@router.get("/my-services")
def my_services(request: Request, session: DbSession, user: CurrentUser) -> Response:
    context = {"services": rules.manageable_services(session, user)}
    return _page(request, "catalogue/my_services.html", context)


@router.get("/services/{slug}/offers")
def offers(request: Request, session: DbSession, user: CurrentUser, slug: str) -> Response:
    managed = rules.require_managed_service(session, user, slug)
    context = {
        "service": managed,
        "offers": rules.current_offers(session, managed),
        "bundles": bundles.service_bundles(session, managed),
        "bundle_statuses": list(BundleStatus),
    }
    return _page(request, "catalogue/offers.html", context)


def _offer_form_page(
    request: Request,
    session: Session,
    service: Service,
    form: forms.OfferForm,
    offer: Offer | None = None,
    error: Invalid | None = None,
) -> Response:
    errors = forms.placed_errors(form, error) if error else {}
    context = {
        "service": service,
        "offer": offer,
        "form": form,
        "errors": errors,
        "error_summary": forms.error_summary(form, errors),
        "omses": available_omses(session, service),
        "parameter_fields": forms.PARAMETER_FIELDS,
        "parameter_labels": forms.PARAMETER_LABELS,
    }
    return _page(request, "catalogue/offer_form.html", context, 400 if error else 200)


def _offer_data(session: Session, service: Service, form: forms.OfferForm) -> OfferData:
    """What the form says, or Invalid with every problem: unreadable text, then the rules'."""
    data, unreadable = forms.offer_data(form)
    if not unreadable:
        return data
    try:
        rules.check_offer(session, service, data)
    except Invalid as error:
        unreadable = {**error.details, **unreadable}
    raise forms.invalid(unreadable)


def _saved(request: Request, service: Service, offer: Offer, message: str) -> Response:
    flash(request, message.format(offer.name))
    return RedirectResponse(f"/services/{service.slug}/offers", status_code=303)


@router.get("/services/{slug}/offers/new")
def new_offer(request: Request, session: DbSession, user: CurrentUser, slug: str) -> Response:
    managed = rules.require_managed_service(session, user, slug)
    return _offer_form_page(request, session, managed, forms.blank_form(managed.order_type))


@router.post("/services/{slug}/offers/new")
def create_offer(
    request: Request, session: DbSession, user: CurrentUser, slug: str, submitted: SubmittedForm
) -> Response:
    managed = rules.require_managed_service(session, user, slug)
    form = forms.submitted_form(submitted)
    action = str(submitted.get("action", ""))
    status = _STATUS_FOR_ACTION.get(action)
    if status is None:
        return _offer_form_page(request, session, managed, forms.builder_step(form, action))
    try:
        offer = rules.create_offer(session, managed, _offer_data(session, managed, form), status)
    except Invalid as error:
        session.rollback()  # the page answers normally, so nothing may be committed after it
        return _offer_form_page(request, session, managed, form, error=error)
    return _saved(request, managed, offer, _SAVED["create", status])


@router.get("/services/{slug}/offers/{iid}/edit")
def edit_offer(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    managed, offer = rules.require_managed_offer(session, user, slug, iid)
    return _offer_form_page(request, session, managed, forms.offer_form(offer), offer)


@router.post("/services/{slug}/offers/{iid}/edit")
def update_offer(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    slug: str,
    iid: str,
    submitted: SubmittedForm,
) -> Response:
    managed, offer = rules.require_managed_offer(session, user, slug, iid)
    form = forms.submitted_form(submitted, forms.saved_ids(offer))
    action = str(submitted.get("action", ""))
    status = _STATUS_FOR_ACTION.get(action)
    if status is None:
        changed = forms.builder_step(form, action)
        return _offer_form_page(request, session, managed, changed, offer)
    try:
        data = _offer_data(session, managed, form)
        rules.update_offer(session, offer, asdict(data), status)
    except Invalid as error:
        session.rollback()  # the page answers normally, so nothing may be committed after it
        return _offer_form_page(request, session, managed, form, offer, error)
    return _saved(request, managed, offer, _SAVED["update", status])


@router.get("/services/{slug}/offers/{iid}/delete")
def confirm_offer_deletion(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    managed, offer = rules.require_managed_offer(session, user, slug, iid)
    context = {"service": managed, "offer": offer, "has_orders": offer_has_orders(session, offer)}
    return _page(request, "catalogue/delete_offer.html", context)


@router.post("/services/{slug}/offers/{iid}/delete")
def delete_offer(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    managed, offer = rules.require_managed_offer(session, user, slug, iid)
    rules.delete_offer(session, offer)
    return _saved(request, managed, offer, "Offer “{}” has been deleted.")
