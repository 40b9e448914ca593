"""Pages for federation: offerings received from other stores (anyone), and the site
admins' registry of marketplaces, USDL repositories and the stores registered here."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid, Unavailable
from mercato.store.marketplaces import receiving, rules
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
# How many received offerings the store's home shows before linking to all of them.
HOME_COUNT = 6
MARKETPLACES = "/admin/marketplaces"
REPOSITORIES = "/admin/repositories"
MARKETPLACE_FIELDS = ("name", "host", "username")
REPOSITORY_FIELDS = ("name", "host", "api_version", "offering_collection", "resource_collection")


def _admin(user: CurrentUser) -> User:
    rules.check_admin(user)
    return user


AdminUser = Annotated[User, Depends(_admin)]


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _errors(error: Invalid) -> dict[str, list[str]]:
    return {key: [message] for key, message in error.details.items()}


def home_section(session: Session, keywords: str = "") -> dict[str, Any]:
    """What ``store/_remote_offerings.html`` needs, for the pages that include it: the
    newest received offerings having the keywords, if any."""
    return {
        "remote_offerings": receiving.find_remote_offerings(session, keywords, HOME_COUNT),
        "remote_keywords": keywords.strip(),
        "link_back": receiving.link_back,
    }


@router.get("/store/from-other-stores")
def remote_offerings(request: Request, session: DbSession, q: str = "") -> Response:
    found = receiving.find_remote_offerings(session, q)
    context = {"remote_offerings": found, "link_back": receiving.link_back, "q": q}
    return render(request, "store/marketplace_offerings.html", context)


# --- marketplaces and the stores registered here --------------------------------------


def _marketplaces_page(
    request: Request,
    session: Session,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "marketplaces": rules.list_marketplaces(session),
        "stores": receiving.list_stores(session, with_offerings=True),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "store/marketplaces.html", context, 400 if errors else 200)


@router.get(MARKETPLACES)
def marketplaces(request: Request, session: DbSession, admin: AdminUser) -> Response:
    return _marketplaces_page(request, session)


@router.post(MARKETPLACES)
def register_marketplace(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    admin: AdminUser,
    submitted: SubmittedForm,
) -> Response:
    form = {name: _text(submitted, name) for name in MARKETPLACE_FIELDS}
    data = rules.MarketplaceData(
        name=form["name"],
        host=form["host"],
        api_version=2,
        username=form["username"],
        password=_text(submitted, "passwd"),
    )
    base_url = settings.base_url.rstrip("/")
    try:
        rules.register_marketplace(session, settings, admin, data, f"Mercato {base_url}", base_url)
    except Invalid as error:
        session.rollback()
        return _marketplaces_page(request, session, form, _errors(error))
    except Unavailable as error:
        session.rollback()
        errors = {"host": [f"{error}. The marketplace was not registered."]}
        return _marketplaces_page(request, session, form, errors)
    flash(request, f"This store is registered on the marketplace “{form['name']}”.")
    return RedirectResponse(MARKETPLACES, status_code=303)


@router.post(MARKETPLACES + "/{name}/delete")
def remove_marketplace(
    request: Request, session: DbSession, settings: AppSettings, admin: AdminUser, name: str
) -> Response:
    try:
        rules.remove_marketplace(session, settings, admin, name)
    except Unavailable as error:
        session.rollback()
        flash(request, f"{error}. The marketplace “{name}” is still registered.", "error")
    else:
        flash(request, f"This store left the marketplace “{name}”.")
    return RedirectResponse(MARKETPLACES, status_code=303)


@router.post("/admin/stores/{name}/delete")
def remove_store(request: Request, session: DbSession, admin: AdminUser, name: str) -> Response:
    receiving.remove_store(session, admin, name)
    flash(request, f"The store “{name}” and the offerings it published here are removed.")
    return RedirectResponse(MARKETPLACES, status_code=303)


# --- repositories ---------------------------------------------------------------------


def _repositories_page(
    request: Request,
    session: Session,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "repositories": rules.list_repositories(session),
        "form": form or {"api_version": "2"},
        "errors": errors or {},
    }
    return render(request, "store/repositories.html", context, 400 if errors else 200)


@router.get(REPOSITORIES)
def repositories(request: Request, session: DbSession, admin: AdminUser) -> Response:
    return _repositories_page(request, session)


@router.post(REPOSITORIES)
def register_repository(
    request: Request, session: DbSession, admin: AdminUser, submitted: SubmittedForm
) -> Response:
    form: dict[str, Any] = {name: _text(submitted, name) for name in REPOSITORY_FIELDS}
    form["is_default"] = "is_default" in submitted
    data = rules.RepositoryData(
        name=form["name"],
        host=form["host"],
        # Not 1 or 2: 0, which the rules refuse with the other versions they do not speak.
        api_version=rules.api_version_number(form["api_version"]),
        offering_collection=form["offering_collection"],
        resource_collection=form["resource_collection"],
        is_default=form["is_default"],
    )
    try:
        rules.register_repository(session, admin, data)
    except Invalid as error:
        session.rollback()
        return _repositories_page(request, session, form, _errors(error))
    flash(request, f"Repository “{form['name']}” is registered.")
    return RedirectResponse(REPOSITORIES, status_code=303)


@router.post(REPOSITORIES + "/{name}/default")
def make_default_repository(
    request: Request, session: DbSession, admin: AdminUser, name: str
) -> Response:
    rules.make_default_repository(session, admin, name)
    flash(request, f"Repository “{name}” is the default.")
    return RedirectResponse(REPOSITORIES, status_code=303)


@router.post(REPOSITORIES + "/{name}/delete")
def remove_repository(
    request: Request, session: DbSession, admin: AdminUser, name: str
) -> Response:
    rules.remove_repository(session, admin, name)
    flash(request, f"Repository “{name}” is removed.")
    return RedirectResponse(REPOSITORIES, status_code=303)
