"""Asset pages (WStore: resources): register, view, edit, upgrade and delete."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.accounts.web.auth import CurrentUser
from mercato.dependencies import DbSession
from mercato.errors import Invalid
from mercato.store import assets as rules
from mercato.store.assets import AssetChanges, AssetContent, Files, asset_link
from mercato.store.http import FileStore
from mercato.store.models import Asset, AssetKind, AssetState
from mercato.store.web.common import (
    asset_url,
    chosen_provider,
    page,
    problems,
    providers_of,
    require_providers_of,
    text,
    uploaded,
)
from mercato.web.forms import SubmittedForm
from mercato.web.rendering import flash

router = APIRouter(include_in_schema=False)
ONE = "/store/assets/{provider}/{name}"
# The rules call the file or link "content"; the form has an input for each.
RENAMED = {"content": "file"}


def _content(form: FormData, files: Files) -> AssetContent:
    return AssetContent(
        upload=uploaded(form, "file", files.settings.asset_max_bytes),
        link=text(form, "link") or None,
    )


@router.get("/store/assets")
def asset_list(request: Request, session: DbSession, user: CurrentUser) -> Response:
    providers = require_providers_of(session, user)
    context = {"assets": rules.provider_assets(session, providers), "providers": providers}
    return page(request, "store/assets.html", context)


def _register_page(
    request: Request,
    session: Session,
    user: User,
    form: FormData | dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> Response:
    providers = require_providers_of(session, user)
    context = {"providers": providers, "form": form, "errors": errors or {}, "kinds": AssetKind}
    return page(request, "store/asset_form.html", context, 400 if errors else 200)


@router.get("/store/assets/new")
def new_asset(request: Request, session: DbSession, user: CurrentUser) -> Response:
    return _register_page(request, session, user, {"version": "1.0"})


@router.post("/store/assets/new")
def register_asset(
    request: Request, session: DbSession, user: CurrentUser, files: FileStore, form: SubmittedForm
) -> Response:
    try:
        provider = chosen_provider(providers_of(session, user), form)
        kind = AssetKind(text(form, "kind") or AssetKind.DOWNLOADABLE)
        asset = rules.register_asset(
            session,
            files,
            provider,
            name=text(form, "name"),
            version=text(form, "version"),
            description=text(form, "description"),
            content_type=text(form, "content_type"),
            kind=kind,
            is_open=form.get("open") == "on",
            meta={},
            content=_content(form, files),
        )
    except ValueError:
        session.rollback()
        return _register_page(request, session, user, form, {"kind": ["choose a kind"]})
    except Invalid as error:
        session.rollback()  # also removes a file the rules already stored
        return _register_page(request, session, user, form, problems(error, RENAMED))
    flash(request, f"Asset “{asset.name}” version {asset.version} has been registered.")
    return RedirectResponse(asset_url(asset), status_code=303)


@router.get(ONE)
def asset_page(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str
) -> Response:
    asset = rules.require_managed_asset(session, user, provider, name, None)
    context = {"asset": asset, "download": asset_link("", asset), "states": AssetState}
    return page(request, "store/asset.html", context)


def _edit_page(
    request: Request, asset: Asset, form: FormData | dict[str, Any], errors: dict[str, list[str]]
) -> Response:
    context = {"asset": asset, "form": form, "errors": errors, "states": AssetState}
    return page(request, "store/asset_edit.html", context, 400 if errors else 200)


@router.get(f"{ONE}/edit")
def edit_asset(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str
) -> Response:
    asset = rules.require_managed_asset(session, user, provider, name, None)
    form = {
        "description": asset.description,
        "content_type": asset.content_type,
        "open": "on" if asset.is_open else "",
    }
    return _edit_page(request, asset, form, {})


def _changes(asset: Asset, form: FormData) -> AssetChanges:
    """What the form may change in the asset's state: a used asset shows only its description."""
    if asset.state != AssetState.CREATED:
        return AssetChanges(description=text(form, "description"))
    return AssetChanges(
        description=text(form, "description"),
        content_type=text(form, "content_type"),
        is_open=form.get("open") == "on",
    )


@router.post(f"{ONE}/edit")
def update_asset(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    files: FileStore,
    provider: str,
    name: str,
    form: SubmittedForm,
) -> Response:
    asset = rules.require_managed_asset(session, user, provider, name, None)
    try:
        rules.update_asset(session, files, asset, _changes(asset, form))
    except Invalid as error:
        session.rollback()
        return _edit_page(request, asset, form, problems(error))
    flash(request, f"Asset “{asset.name}” has been updated.")
    return RedirectResponse(asset_url(asset), status_code=303)


def _upgrade_page(
    request: Request, asset: Asset, form: FormData | dict[str, Any], errors: dict[str, list[str]]
) -> Response:
    context = {"asset": asset, "form": form, "errors": errors}
    return page(request, "store/asset_upgrade.html", context, 400 if errors else 200)


@router.get(f"{ONE}/upgrade")
def upgrade_form(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str
) -> Response:
    return _upgrade_page(
        request, rules.require_managed_asset(session, user, provider, name, None), {}, {}
    )


@router.post(f"{ONE}/upgrade")
def upgrade_asset(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    files: FileStore,
    provider: str,
    name: str,
    form: SubmittedForm,
) -> Response:
    asset = rules.require_managed_asset(session, user, provider, name, None)
    try:
        rules.upgrade_asset(session, files, asset, text(form, "version"), _content(form, files))
    except Invalid as error:
        session.rollback()
        return _upgrade_page(request, asset, form, problems(error, RENAMED))
    flash(request, f"Asset “{asset.name}” has been upgraded to version {asset.version}.")
    return RedirectResponse(asset_url(asset), status_code=303)


@router.get(f"{ONE}/delete")
def confirm_asset_deletion(
    request: Request, session: DbSession, user: CurrentUser, provider: str, name: str
) -> Response:
    asset = rules.require_managed_asset(session, user, provider, name, None)
    return page(request, "store/asset_delete.html", {"asset": asset})


@router.post(f"{ONE}/delete")
def delete_asset(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    files: FileStore,
    provider: str,
    name: str,
) -> Response:
    asset = rules.require_managed_asset(session, user, provider, name, None)
    rules.delete_asset(session, files, asset)
    flash(request, f"Asset “{asset.name}” has been deleted.")
    return RedirectResponse("/store/assets", status_code=303)
