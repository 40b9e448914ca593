"""Account pages: logging in and out, and the API tokens of "My account"."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mercato.accounts import rules
from mercato.accounts.models import Provider, User
from mercato.accounts.web.auth import CurrentUser, OptionalUser, log_in, log_out
from mercato.dependencies import DbSession
from mercato.web.forms import local_path
from mercato.web.pages import Confirmation, confirmation_page
from mercato.web.rendering import flash, render

router = APIRouter(include_in_schema=False)

TextField = Annotated[str, Form()]


def _login_page(
    request: Request, email: str = "", next_path: str = "", error: str = "", status: int = 200
) -> Response:
    context = {"email": email, "next": local_path(next_path, ""), "error": error}
    return render(request, "accounts/login.html", context, status)


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "") -> Response:
    return _login_page(request, next_path=next)


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    email: TextField = "",
    password: TextField = "",
    next: TextField = "",
) -> Response:
    user = rules.authenticate(session, email, password)
    if user is None:
        message = "Wrong e-mail or password."
        return _login_page(request, email, next, message, status=400)
    log_in(request, user)
    return RedirectResponse(local_path(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/", status_code=303)


def _account_page(
    request: Request,
    session: Session,
    user: User,
    new_token: str = "",
    new_secret: tuple[Provider, str] | None = None,
) -> Response:
    context = {
        "tokens": rules.active_tokens(session, user),
        "new_token": new_token,
        "providers": rules.administered_providers(session, user),
        "new_secret": new_secret,
    }
    return render(request, "accounts/account.html", context)


@router.get("/account")
def account(request: Request, session: DbSession, user: CurrentUser) -> Response:
    return _account_page(request, session, user)


# A new token is shown on the page that answers the POST and stored nowhere
# in plain text, not even for a redirect.
@router.post("/account/tokens")
def create_token(
    request: Request, session: DbSession, user: CurrentUser, label: TextField = ""
) -> Response:
    _, plain = rules.issue_token(session, user, label.strip())
    return _account_page(request, session, user, plain)


_ACCOUNT = (("My account", "/account"),)


@router.get("/account/tokens/regenerate")
def confirm_regenerate_tokens(request: Request, session: DbSession, user: CurrentUser) -> Response:
    count = len(rules.active_tokens(session, user))
    revoked = f"Your {count} active {'token stops' if count == 1 else 'tokens stop'} working"
    confirm = Confirmation(
        question="Regenerate your API token?",
        consequences=[
            f"{revoked} at once: every program using {'it' if count == 1 else 'them'} is "
            "refused until it is given the new token."
            if count
            else "You have no active tokens.",
            "One new token is issued and shown once, on the next page.",
        ],
        action="/account/tokens/regenerate",
        button="Regenerate token",
        cancel="/account",
        keep="Keep my tokens",
        crumbs=_ACCOUNT,
    )
    return confirmation_page(request, confirm)


@router.post("/account/tokens/regenerate")
def regenerate_tokens(request: Request, session: DbSession, user: CurrentUser) -> Response:
    _, plain = rules.regenerate_token(session, user)
    return _account_page(request, session, user, plain)


@router.get("/account/tokens/{token_id}/revoke")
def confirm_revoke_token(
    request: Request, session: DbSession, user: CurrentUser, token_id: int
) -> Response:
    token = rules.require_active_token(session, user, token_id)
    named = f"{token.prefix}…" + (f" ({token.label})" if token.label else "")
    confirm = Confirmation(
        question=f"Revoke token {named}?",
        consequences=[
            "It stops working at once: a program using it is refused until it is given "
            "another token. A revoked token cannot be used again.",
        ],
        action=f"/account/tokens/{token.id}/revoke",
        button="Revoke token",
        cancel="/account",
        keep="Keep it",
        crumbs=_ACCOUNT,
    )
    return confirmation_page(request, confirm)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, session: DbSession, user: CurrentUser, token_id: int
) -> Response:
    token = rules.revoke_token(session, user, token_id)
    flash(request, f"Token {token.prefix}… has been revoked.")
    return RedirectResponse("/account", status_code=303)


def _managed_provider(session: Session, user: User, slug: str) -> Provider:
    provider = rules.require_provider(session, slug)
    rules.check_can_manage_provider(session, user, provider.id)
    return provider


# Like a token, a new signing secret is shown on the page answering the POST only.
@router.post("/account/providers/{slug}/notification-secret")
def rotate_notification_secret(
    request: Request, session: DbSession, user: CurrentUser, slug: str
) -> Response:
    provider = _managed_provider(session, user, slug)
    secret = rules.rotate_notification_secret(session, provider)
    return _account_page(request, session, user, new_secret=(provider, secret))


@router.post("/account/providers/{slug}/notification-secret/delete")
def remove_notification_secret(
    request: Request, session: DbSession, user: CurrentUser, slug: str
) -> Response:
    provider = _managed_provider(session, user, slug)
    rules.remove_notification_secret(session, provider)
    flash(request, f"Notifications to {provider.name} are no longer signed.")
    return RedirectResponse("/account", status_code=303)
