"""Offering pages for providers: create (all steps), edit, bind assets, publish, tag, delete."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import Provider, User
from mercato.accounts.web.auth import CurrentUser
from mercato.catalogue.rules import offer_has_orders
from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.store import offerings as rules
from mercato.store import tags as tag_rules
from mercato.store.assets import Files, provider_assets
from mercato.store.http import FileStore
from mercato.store.marketplaces.publishing import publish
from mercato.store.marketplaces.rules import list_marketplaces
from mercato.store.models import Asset, OfferingState, StoreOffering
from mercato.store.offerings import AssetRef, Media, NewOffering
from mercato.store.web.common import (
    chosen_provider,
    offering_url,
    page,
    problems,
    providers_of,
    require_providers_of,
    text,
    uploaded,
    uploaded_list,
)
from mercato.store.web.description import DESCRIPTION_SOURCES, submitted_description
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash

router = APIRouter(include_in_schema=False)
ONE = "/store/offerings/{provider}/{name}/{version}"
NOTIFICATION_CHOICES = {"own": None, "default": "default", "none": ""}
# The rules' names for what the form calls otherwise.
RENAMED = {"image": "logo", "related_images": "screenshots", "resources": "assets"}


def _media(form: FormData, files: Files) -> Media:
    limit = files.settings.image_max_bytes
    screenshots = uploaded_list(form, "screenshots", limit)
    return Media(image=uploaded(form, "logo", limit), screenshots=screenshots or None)


def _asset_refs(form: FormData, choices: list[Asset]) -> list[AssetRef]:
    chosen = set(form.getlist("assets"))
    return [AssetRef(a.name, a.version, a.provider.slug) for a in choices if str(a.id) in chosen]


def _notification_url(form: FormData) -> str | None:
    choice = text(form, "notification")
    if choice not in NOTIFICATION_CHOICES:
        raise Invalid.field("notification", "choose how the provider is told of acquisitions")
    chosen = NOTIFICATION_CHOICES[choice]
    return text(form, "notification_url") if chosen is None else chosen


# --- create --------------------------------------------------------------------------


def _create_page(
    request: Request,
    session: Session,
    user: User,
    form: FormData | dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> Response:
    providers = require_providers_of(session, user)
    context = {
        "providers": providers,
        "assets": provider_assets(session, providers),
        "form": form,
        "chosen_assets": set(form.getlist("assets")) if isinstance(form, FormData) else set(),
        "errors": errors or {},
        "sources": DESCRIPTION_SOURCES,
    }
    return page(request, "store/offering_form.html", context, 400 if errors else 200)


@router.get("/store/offerings/new")
def new_offering(request: Request, session: DbSession, user: CurrentUser) -> Response:
    blank = {"version": "1.0", "notification": "none", "source": "form"}
    return _create_page(request, session, user, blank)


def _create(
    session: Session, files: Files, user: User, providers: list[Provider], form: FormData
) -> StoreOffering:
    provider = chosen_provider(providers, form)
    new = NewOffering(
        name=text(form, "name"),
        version=text(form, "version"),
        description=submitted_description(form, files.settings),
        media=_media(form, files),
        notification_url=_notification_url(form),
        is_open=form.get("open") == "on",
        assets=_asset_refs(form, provider_assets(session, [provider])),
    )
    return rules.create_offering(session, files, user, provider, new)


@router.post("/store/offerings/new")
def create_offering(
    request: Request, session: DbSession, user: CurrentUser, files: FileStore, form: SubmittedForm
) -> Response:
    try:
        offering = _create(session, files, user, providers_of(session, user), form)
    except Invalid as error:
        session.rollback()  # also removes the images the rules already stored
        return _create_page(request, session, user, form, problems(error, RENAMED))
    title = f"“{offering.service.name}” version {offering.version}"
    flash(request, f"Offering {title} has been created.")
    return RedirectResponse(offering_url(offering), status_code=303)


# --- edit ----------------------------------------------------------------------------


def _edit_page(
    request: Request,
    offering: StoreOffering,
    form: FormData | dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "offering": offering,
        "form": form,
        "errors": errors or {},
        "sources": DESCRIPTION_SOURCES,
    }
    return page(request, "store/offering_edit.html", context, 400 if errors else 200)


@router.get(f"{ONE}/edit")
def edit_offering(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    legal = offering.legal or {}
    form = {
        "source": "form",
        "abstract": offering.abstract,
        "description": offering.offer.description,
        "legal_title": legal.get("title", ""),
        "legal_text": legal.get("text", ""),
    }
    return _edit_page(request, offering, form)


@router.post(f"{ONE}/edit")
def update_offering(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    files: FileStore,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    try:
        rules.check_editable(offering)
        rules.update_offering(
            session,
            files,
            offering,
            description=submitted_description(form, files.settings),
            media=_media(form, files),
        )
    except Invalid as error:
        session.rollback()
        return _edit_page(request, offering, form, problems(error, RENAMED))
    flash(request, f"Offering “{offering.service.name}” has been updated.")
    return RedirectResponse(offering_url(offering), status_code=303)


# --- bind ----------------------------------------------------------------------------


def _bindable(session: Session, offering: StoreOffering) -> list[Asset]:
    return provider_assets(session, [offering.service.provider], True if offering.is_open else None)


def _bind_page(
    request: Request,
    session: Session,
    offering: StoreOffering,
    chosen: set[str],
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "offering": offering,
        "assets": _bindable(session, offering),
        "chosen": chosen,
        "errors": errors or {},
    }
    return page(request, "store/offering_bind.html", context, 400 if errors else 200)


@router.get(f"{ONE}/bind")
def bind_form(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    return _bind_page(request, session, offering, {str(a.id) for a in offering.assets})


@router.post(f"{ONE}/bind")
def bind_assets(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    try:
        rules.bind_assets(session, offering, _asset_refs(form, _bindable(session, offering)))
    except Invalid as error:
        session.rollback()
        chosen = set(form.getlist("assets"))
        return _bind_page(request, session, offering, chosen, problems(error, RENAMED))
    flash(request, f"The assets of “{offering.service.name}” have been set.")
    return RedirectResponse(offering_url(offering), status_code=303)


# --- publish -------------------------------------------------------------------------


def _publish_page(
    request: Request,
    session: Session,
    offering: StoreOffering,
    chosen: set[str],
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "offering": offering,
        "marketplaces": list_marketplaces(session),
        "chosen": chosen,
        "errors": errors or {},
    }
    return page(request, "store/offering_publish.html", context, 400 if errors else 200)


@router.get(f"{ONE}/publish")
def publish_form(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    return _publish_page(request, session, offering, set())


@router.post(f"{ONE}/publish")
def publish_offering(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    marketplaces = [str(name) for name in form.getlist("marketplaces")]
    try:
        publish(session, offering, marketplaces)
    except Invalid as error:
        session.rollback()
        return _publish_page(request, session, offering, set(marketplaces), problems(error))
    flash(request, f"Offering “{offering.service.name}” version {offering.version} is published.")
    return RedirectResponse(offering_url(offering), status_code=303)


# --- tags ----------------------------------------------------------------------------


def _typed_tags(form: FormData) -> list[str]:
    typed = [part for part in text(form, "tags").split(",") if part.strip()]
    return tag_rules.check_tags([*typed, *form.getlist("suggested")])


def _tags_page(
    request: Request,
    session: Session,
    offering: StoreOffering,
    typed: str,
    given: list[str],
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "offering": offering,
        "typed": typed,
        "suggestions": tag_rules.suggest_tags(session, offering, given),
        "errors": errors or {},
    }
    return page(request, "store/offering_tags.html", context, 400 if errors else 200)


@router.get(f"{ONE}/tags")
def tags_form(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    tags = offering.offer.tags
    return _tags_page(request, session, offering, ", ".join(tags), tags)


@router.post(f"{ONE}/tags")
def update_tags(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    provider: str,
    name: str,
    version: str,
    form: SubmittedForm,
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    try:
        tags = _typed_tags(form)
        if form.get("action") == "suggest":
            return _tags_page(request, session, offering, ", ".join(tags), tags)
        tag_rules.set_tags(session, offering, tags)
    except Invalid as error:
        session.rollback()
        return _tags_page(request, session, offering, text(form, "tags"), [], problems(error))
    flash(request, f"The tags of “{offering.service.name}” have been saved.")
    return RedirectResponse(offering_url(offering), status_code=303)


# --- delete --------------------------------------------------------------------------


@router.get(f"{ONE}/delete")
def confirm_offering_deletion(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str, version: str
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    context = {
        "offering": offering,
        "states": OfferingState,
        "has_orders": offer_has_orders(session, offering.offer),
    }
    return page(request, "store/offering_delete.html", context)


@router.post(f"{ONE}/delete")
def delete_offering(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    files: FileStore,
    provider: str,
    name: str,
    version: str,
) -> Response:
    offering = rules.require_managed_offering(session, user, provider, name, version)
    title = f"“{offering.service.name}” version {offering.version}"
    # Marketplaces hear of it from the outbox, after the commit.
    rules.delete_offering(session, files, offering)
    flash(request, f"Offering {title} has been deleted.")
    return RedirectResponse("/store/my-offerings", status_code=303)
