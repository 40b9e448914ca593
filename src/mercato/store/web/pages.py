"""Store pages: the store's home, My offerings, and the asset, offering and review pages."""

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mercato.accounts.web.auth import CurrentUser, OptionalUser
from mercato.dependencies import DbSession
from mercato.store import listing
from mercato.store.listing import Scope
from mercato.store.models import OfferingState
from mercato.store.web import assets, details, offerings
from mercato.store.web.common import check_multipart_csrf, checks_own_csrf, page, providers_of
from mercato.store.web.marketplaces import home_section

# Every store page checks the token of multipart forms itself (see `checks_own_csrf`).
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_multipart_csrf)])
__all__ = ["checks_own_csrf", "router"]
router.include_router(assets.router)
router.include_router(offerings.router)
router.include_router(details.router)


@router.get("/store")
def store_home(request: Request, session: DbSession, user: OptionalUser) -> Response:
    context = {
        "top_rated": listing.top_rated_offerings(session),
        "latest": listing.latest_offerings(session),
        **home_section(session),
    }
    return page(request, "store/home.html", context)


@router.get("/store/my-offerings")
def my_offerings(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    tab: Literal["provided", "acquired"] = "provided",
) -> Response:
    is_provider = bool(providers_of(session, user))
    if tab == "provided" and not is_provider:
        tab = "acquired"
    if tab == "provided":
        found = listing.list_offerings(
            session, user, scope=Scope.PROVIDED, states=list(OfferingState)
        )
    else:
        found = listing.list_offerings(session, user, scope=Scope.PURCHASED)
    context = {"tab": tab, "offerings": found, "is_provider": is_provider}
    return page(request, "store/my_offerings.html", context)
