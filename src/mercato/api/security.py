"""How a client signs in, as Mercato's own OpenAPI document says it.

Each API's caller dependency reads its credentials itself: EOSC checks
``X-User-Token`` before anything else, WStore takes ``Authorization`` with any
type word and falls back to the session cookie. The schemes here only name
those ways in the document (each operation lists the ways it accepts, any one
of which will do); as dependencies they read nothing and never refuse.
"""

from typing import Annotated

from fastapi import Depends, Security
from fastapi.openapi.models import APIKeyIn
from fastapi.security.api_key import APIKeyBase
from fastapi.security.http import HTTPBase
from starlette.requests import Request

SESSION_COOKIE = "mercato_session"


class _HttpScheme(HTTPBase):
    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


class _ApiKeyScheme(APIKeyBase):
    async def __call__(self, request: Request) -> None:
        return None


USER_TOKEN = _ApiKeyScheme(
    location=APIKeyIn.header,
    name="X-User-Token",
    scheme_name="userToken",
    description="An API token (`mercato token create`, or the account page).",
    auto_error=False,
)
API_TOKEN = _HttpScheme(
    scheme="bearer",
    scheme_name="apiToken",
    description="`Authorization: Bearer <API token>`, the same tokens as `X-User-Token`; "
    "WStore's API takes any type word before the token.",
    auto_error=False,
)
SESSION = _ApiKeyScheme(
    location=APIKeyIn.cookie,
    name=SESSION_COOKIE,
    scheme_name="session",
    description="The session cookie of a user signed in to the web UI.",
    auto_error=False,
)
ADMIN_PASSWORD = _HttpScheme(
    scheme="basic",
    scheme_name="adminPassword",
    description="A site admin's e-mail address and password, as WStore's marketplace "
    "adaptor sends them.",
    auto_error=False,
)


def by_user_token(_token: Annotated[None, Security(USER_TOKEN)]) -> None:
    """Documents the EOSC APIs' way in."""


def by_token_or_session(
    _token: Annotated[None, Security(API_TOKEN)], _session: Annotated[None, Security(SESSION)]
) -> None:
    """Documents the WStore API's ways in."""


def by_password_token_or_session(
    _password: Annotated[None, Security(ADMIN_PASSWORD)],
    _others: Annotated[None, Depends(by_token_or_session)],
) -> None:
    """Documents the ways in of the marketplace contract's receiving side."""
