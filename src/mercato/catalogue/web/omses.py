"""The OMS registry's pages, for site admins: list, register, edit, administrators' tokens."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.catalogue import omses as registry
from mercato.catalogue.models import Oms
from mercato.catalogue.web import oms_form as forms
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid
from mercato.web.forms import SubmittedForm
from mercato.web.pages import Confirmation, confirmation_page
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)


def _admin(user: CurrentUser) -> User:
    registry.check_admin(user)
    return user


AdminUser = Annotated[User, Depends(_admin)]
VOCABULARY = {"type_names": forms.TYPE_NAMES, "method_names": forms.METHOD_NAMES}


def _form_page(
    request: Request,
    session: Session,
    form: forms.OmsForm,
    oms: Oms | None = None,
    error: Invalid | None = None,
) -> Response:
    errors = {key: [message] for key, message in error.details.items()} if error else {}
    context = {
        **VOCABULARY,
        "form": form,
        "oms": oms,
        "errors": errors,
        "field_labels": forms.FIELD_LABELS,
        "providers": forms.provider_choices(session),
        "services": forms.service_choices(session),
    }
    return render(request, "ordering/oms_form.html", context, 400 if error else 200)


def _oms_page(
    request: Request,
    oms: Oms,
    new_token: tuple[User, str] | None = None,
    new_secret: str = "",
) -> Response:
    context: dict[str, Any] = {
        **VOCABULARY,
        "oms": oms,
        "new_token": new_token,
        "new_secret": new_secret,
    }
    return render(request, "ordering/oms.html", context)


@router.get("/omses")
def omses(request: Request, session: DbSession, admin: AdminUser) -> Response:
    context = {**VOCABULARY, "omses": registry.list_omses(session)}
    return render(request, "ordering/omses.html", context)


@router.get("/omses/new")
def new_oms(request: Request, session: DbSession, admin: AdminUser) -> Response:
    return _form_page(request, session, forms.OmsForm())


@router.post("/omses/new")
def create_oms(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    admin: AdminUser,
    submitted: SubmittedForm,
) -> Response:
    form = forms.submitted_form(submitted)
    try:
        data = forms.oms_data(session, settings, form)
        oms = registry.register_oms(session, settings, data)
    except Invalid as error:
        session.rollback()  # the page answers normally, so nothing may be committed after it
        return _form_page(request, session, form, error=error)
    flash(request, f"OMS “{oms.name}” has been registered.")
    return RedirectResponse(f"/omses/{oms.id}", status_code=303)


@router.get("/omses/{oms_id}")
def oms(request: Request, session: DbSession, admin: AdminUser, oms_id: int) -> Response:
    return _oms_page(request, registry.require_oms(session, oms_id))


@router.get("/omses/{oms_id}/edit")
def edit_oms(request: Request, session: DbSession, admin: AdminUser, oms_id: int) -> Response:
    shown = registry.require_oms(session, oms_id)
    return _form_page(request, session, forms.oms_form(shown), shown)


@router.post("/omses/{oms_id}/edit")
def update_oms(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    admin: AdminUser,
    oms_id: int,
    submitted: SubmittedForm,
) -> Response:
    changed = registry.require_oms(session, oms_id)
    form = forms.submitted_form(submitted)
    try:
        data = forms.oms_data(session, settings, form, changed)
        registry.update_oms(session, settings, changed, data)
    except Invalid as error:
        session.rollback()
        return _form_page(request, session, form, registry.require_oms(session, oms_id), error)
    flash(request, f"OMS “{changed.name}” has been updated.")
    return RedirectResponse(f"/omses/{oms_id}", status_code=303)


@router.get("/omses/{oms_id}/administrators/{user_id}/token")
def confirm_regenerate_token(
    request: Request, session: DbSession, admin: AdminUser, oms_id: int, user_id: int
) -> Response:
    shown = registry.require_oms(session, oms_id)
    administrator = registry.require_administrator(session, shown, user_id)
    confirm = Confirmation(
        question=f"Regenerate the API token of {administrator.email}?",
        consequences=[
            f"All the tokens of {administrator.email} stop working at once: “{shown.name}” "
            "cannot call the Ordering API with them until it is given the new token.",
            "One new token is issued and shown once, on the next page.",
        ],
        action=f"/omses/{shown.id}/administrators/{administrator.id}/token",
        button="Regenerate token",
        cancel=f"/omses/{shown.id}",
        keep="Keep the tokens",
        crumbs=(("OMS registry", "/omses"), (shown.name, f"/omses/{shown.id}")),
    )
    return confirmation_page(request, confirm)


# The new token is shown on the page answering the POST and stored nowhere in plain text.
@router.post("/omses/{oms_id}/administrators/{user_id}/token")
def regenerate_token(
    request: Request, session: DbSession, admin: AdminUser, oms_id: int, user_id: int
) -> Response:
    shown = registry.require_oms(session, oms_id)
    administrator = registry.require_administrator(session, shown, user_id)
    plain = registry.regenerate_administrator_token(session, shown, administrator)
    return _oms_page(request, shown, (administrator, plain))


# Like a token, a new signing secret is shown on the page answering the POST only.
@router.post("/omses/{oms_id}/signing-secret")
def rotate_signing_secret(
    request: Request, session: DbSession, admin: AdminUser, oms_id: int
) -> Response:
    shown = registry.require_oms(session, oms_id)
    secret = registry.rotate_signing_secret(session, shown)
    return _oms_page(request, shown, new_secret=secret)


@router.post("/omses/{oms_id}/signing-secret/delete")
def remove_signing_secret(
    request: Request, session: DbSession, admin: AdminUser, oms_id: int
) -> Response:
    shown = registry.require_oms(session, oms_id)
    registry.remove_signing_secret(session, shown)
    flash(request, f"Triggers of “{shown.name}” are no longer signed.")
    return RedirectResponse(f"/omses/{oms_id}", status_code=303)
