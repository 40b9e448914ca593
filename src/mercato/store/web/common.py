"""What the store's pages share: addresses, acting providers, uploaded files, CSRF checks."""

import secrets
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.types import Scope

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.errors import Forbidden, Invalid
from mercato.store.models import Asset, AssetKind, StoreOffering
from mercato.store.naming import check_file_name
from mercato.store.uploads import Upload
from mercato.store.wstore.shapes import media_url
from mercato.web.rendering import render

PREFIX = "/store/"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
KIND_NAMES = {AssetKind.DOWNLOADABLE: "Downloadable file", AssetKind.API: "API (a link)"}


def _is_multipart_post(method: str, content_type: bytes | str) -> bool:
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media_type = content_type.split(";", 1)[0].strip().lower()
    return method not in _SAFE_METHODS and media_type == "multipart/form-data"


def checks_own_csrf(scope: Scope) -> bool:
    """Multipart posts to store pages, whose token ``check_multipart_csrf`` checks.

    asgi_csrf cannot read multipart bodies with python-multipart 0.0.26 or newer
    (simonw/asgi-csrf#38), and older versions have known vulnerabilities.
    """
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    return scope["path"].startswith(PREFIX) and _is_multipart_post(scope["method"], content_type)


async def check_multipart_csrf(request: Request) -> None:
    """The check asgi_csrf makes: the form's token is the one in the signed cookie."""
    if not _is_multipart_post(request.method, request.headers.get("content-type", "")):
        return
    sent = (await request.form()).get("csrftoken")
    expected = request.scope["csrftoken"]()
    if not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "The form has expired or was not sent from this site.")


def offering_url(offering: StoreOffering, action: str = "") -> str:
    service = offering.service
    parts = (service.provider.slug, service.name, offering.version)
    path = "/store/offerings/" + "/".join(quote(part, safe="") for part in parts)
    return f"{path}/{action}" if action else path


def asset_url(asset: Asset, action: str = "") -> str:
    path = f"/store/assets/{quote(asset.provider.slug, safe='')}/{quote(asset.name, safe='')}"
    return f"{path}/{action}" if action else path


def image_url(key: str | None) -> str:
    return media_url("", key)


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    shared = {
        "offering_url": offering_url,
        "asset_url": asset_url,
        "image_url": image_url,
        "kind_names": KIND_NAMES,
    }
    return render(request, template, {**shared, **context}, status)


def providers_of(session: Session, user: User) -> list[Provider]:
    """The providers the user may act for in the store: their own, or every one for admins."""
    query = select(Provider).order_by(Provider.name)
    if not user.is_admin:
        query = query.where(Provider.id.in_(administered_provider_ids(session, user)))
    return list(session.scalars(query))


def require_providers_of(session: Session, user: User) -> list[Provider]:
    """``providers_of``, refusing users who may act for none."""
    providers = providers_of(session, user)
    if not providers:
        raise Forbidden("You are not a data administrator of any provider")
    return providers


def chosen_provider(providers: list[Provider], form: FormData) -> Provider:
    """The provider picked on a form; the only one when the user acts for one."""
    wanted = str(form.get("provider", ""))
    if len(providers) == 1 and not wanted:
        return providers[0]
    for provider in providers:
        if provider.slug == wanted:
            return provider
    raise Invalid.field("provider", "choose one of your providers")


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def uploaded(form: FormData, name: str, max_bytes: int) -> Upload | None:
    """The file sent in ``name``; None when the file input was left empty.

    Read up to one byte past ``max_bytes``: enough for the rules to refuse it
    as too large without holding all of it.
    """
    files = uploaded_list(form, name, max_bytes)
    return files[0] if files else None


def uploaded_list(form: FormData, name: str, max_bytes: int) -> list[Upload]:
    found = []
    for item in form.getlist(name):
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        file_name = check_file_name(item.filename, name)
        found.append(Upload(file_name, item.file.read(max_bytes + 1)))
    return found


def problems(error: Invalid, renamed: dict[str, str] | None = None) -> dict[str, list[str]]:
    """The rules' errors keyed by the form's input names."""
    renamed = renamed or {}
    details = error.details or {k: "; ".join(v) for k, v in error.errors.items()}
    placed: dict[str, list[str]] = {}
    for field, message in details.items():
        # "related_images.2" is placed on the input of all the screenshots.
        name = renamed.get(field) or renamed.get(field.split(".")[0]) or field.split(".")[0]
        placed.setdefault(name, []).append(message)
    return placed
