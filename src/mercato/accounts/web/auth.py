"""Who is logged in to the web UI, from the signed session cookie."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.rules import administered_oms_ids, administered_provider_ids
from mercato.dependencies import DbSession


class LoginRequired(Exception):
    """Raised by pages that need a logged-in user; answered with a redirect to login."""


def load_user(request: Request, session: Session) -> User | None:
    user_id = request.session.get("user_id")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    request.state.user = user
    # The top bar offers "My services" only to those who can manage a service.
    request.state.administers_providers = user is not None and (
        user.is_admin or bool(administered_provider_ids(session, user))
    )
    # ... "OMS registry" only to site admins, read now: an error page renders after rollback.
    request.state.is_site_admin = user is not None and user.is_admin
    # ... and "Orders" (the order queue) to those who run an OMS or a provider, and site
    # admins (the rule is `ordering.order_queue.sees_queue`; accounts cannot import it).
    request.state.sees_order_queue = user is not None and (
        bool(administered_oms_ids(session, user)) or request.state.administers_providers
    )
    return user


def optional_user(request: Request, session: DbSession) -> User | None:
    return load_user(request, session)


def required_user(request: Request, session: DbSession) -> User:
    user = load_user(request, session)
    if user is None:
        raise LoginRequired()
    return user


def log_in(request: Request, user: User) -> None:
    # Nothing an anonymous visit left in the session carries over into the login.
    request.session.clear()
    request.session["user_id"] = user.id


def log_out(request: Request) -> None:
    request.session.clear()


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(required_user)]
