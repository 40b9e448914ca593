"""Bundle pages, for the data administrators of the service's provider: create, edit,
publish, unpublish or draft, and delete."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mercato.accounts.web.auth import CurrentUser
from mercato.catalogue import bundles, rules
from mercato.catalogue.models import Bundle, BundleStatus, Service
from mercato.catalogue.web import bundle_form as forms
from mercato.catalogue.web.pages import VOCABULARY
from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)

_STATUS_FOR_ACTION = {"publish": BundleStatus.PUBLISHED, "draft": BundleStatus.DRAFT}
_STATUS_FOR_CHANGE = {status.value: status for status in BundleStatus}
_SAVED = {
    BundleStatus.PUBLISHED: "Bundle “{}” has been published.",
    BundleStatus.DRAFT: "Bundle “{}” has been saved as a draft.",
    BundleStatus.UNPUBLISHED: "Bundle “{}” has been unpublished.",
}


def _form_page(
    request: Request,
    session: Session,
    service: Service,
    form: forms.BundleForm,
    bundle: Bundle | None = None,
    error: Invalid | None = None,
) -> Response:
    context: dict[str, Any] = {
        **VOCABULARY,
        "service": service,
        "bundle": bundle,
        "form": form,
        "choices": forms.choices(session, service, bundle),
        "errors": error.errors if error else {},
        "field_labels": forms.FIELD_LABELS,
        "required_vocabularies": bundles.REQUIRED_VOCABULARIES,
    }
    return render(request, "catalogue/bundle_form.html", context, 400 if error else 200)


def _back(request: Request, service: Service, message: str, kind: str = "success") -> Response:
    flash(request, message, kind)
    return RedirectResponse(f"/services/{service.slug}/offers#bundles", status_code=303)


def _managed_bundle(
    session: Session, user: CurrentUser, slug: str, iid: str
) -> tuple[Service, Bundle]:
    service = rules.require_managed_service(session, user, slug)
    return service, bundles.require_bundle(session, service, iid)


def _save(
    request: Request,
    session: Session,
    service: Service,
    submitted: SubmittedForm,
    bundle: Bundle | None,
) -> Response:
    form = forms.submitted_form(submitted)
    status = _STATUS_FOR_ACTION.get(str(submitted.get("action", "")), BundleStatus.PUBLISHED)
    try:
        data = forms.bundle_data(form, forms.choices(session, service, bundle))
        if bundle is None:
            bundle = bundles.create_bundle(session, service, data, status)
        else:
            bundles.update_bundle(session, bundle, data, status)
    except Invalid as error:
        session.rollback()  # the page answers normally, so nothing may be committed after it
        # An edited bundle reloads as stored.
        return _form_page(request, session, service, form, bundle, error)
    return _back(request, service, _SAVED[status].format(bundle.name))


@router.get("/services/{slug}/bundles/new")
def new_bundle(request: Request, session: DbSession, user: CurrentUser, slug: str) -> Response:
    managed = rules.require_managed_service(session, user, slug)
    return _form_page(request, session, managed, forms.BundleForm(order_type=managed.order_type))


@router.post("/services/{slug}/bundles/new")
def create_bundle(
    request: Request, session: DbSession, user: CurrentUser, slug: str, submitted: SubmittedForm
) -> Response:
    managed = rules.require_managed_service(session, user, slug)
    return _save(request, session, managed, submitted, None)


@router.get("/services/{slug}/bundles/{iid}/edit")
def edit_bundle(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    managed, bundle = _managed_bundle(session, user, slug, iid)
    return _form_page(request, session, managed, forms.bundle_form(bundle), bundle)


@router.post("/services/{slug}/bundles/{iid}/edit")
def update_bundle(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    slug: str,
    iid: str,
    submitted: SubmittedForm,
) -> Response:
    managed, bundle = _managed_bundle(session, user, slug, iid)
    return _save(request, session, managed, submitted, bundle)


@router.post("/services/{slug}/bundles/{iid}/status")
def change_status(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    slug: str,
    iid: str,
    submitted: SubmittedForm,
) -> Response:
    managed, bundle = _managed_bundle(session, user, slug, iid)
    status = _STATUS_FOR_CHANGE.get(str(submitted.get("status", "")))
    if status is None:
        return _back(request, managed, "Choose published, unpublished or draft.", "error")
    try:
        bundles.set_bundle_status(session, bundle, status)
    except Invalid as error:
        session.rollback()
        problems = "; ".join(
            f"{forms.FIELD_LABELS.get(name, name)}: {', '.join(messages)}"
            for name, messages in error.errors.items()
        )
        message = f"Bundle “{bundle.name}” was not published: edit it first ({problems})."
        return _back(request, managed, message, "error")
    return _back(request, managed, _SAVED[status].format(bundle.name))


@router.get("/services/{slug}/bundles/{iid}/delete")
def confirm_bundle_deletion(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    managed, bundle = _managed_bundle(session, user, slug, iid)
    return render(request, "catalogue/delete_bundle.html", {"service": managed, "bundle": bundle})


@router.post("/services/{slug}/bundles/{iid}/delete")
def delete_bundle(
    request: Request, session: DbSession, user: CurrentUser, slug: str, iid: str
) -> Response:
    managed, bundle = _managed_bundle(session, user, slug, iid)
    name = bundle.name
    bundles.delete_bundle(session, bundle)
    return _back(request, managed, f"Bundle “{name}” has been deleted.")
