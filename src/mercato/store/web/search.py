"""The search page: offerings by keyword (matched words highlighted), by tag, or all of them."""

import enum
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.web.auth import OptionalUser
from mercato.dependencies import AppSettings, DbSession
from mercato.store import listing, search
from mercato.store.listing import Scope, Sort
from mercato.store.models import OfferingState, StoreOffering
from mercato.store.web.common import page
from mercato.store.web.marketplaces import home_section
from mercato.web.pagination import PageNumber, pages

router = APIRouter(include_in_schema=False)


class Order(enum.StrEnum):
    """The page's sorts: the API's, and best match first (the default with keywords)."""

    RELEVANCE = "relevance"
    DATE = "date"
    POPULARITY = "popularity"
    NAME = "name"


ORDER_NAMES = {
    Order.RELEVANCE: "Best match",
    Order.DATE: "Newest",
    Order.POPULARITY: "Top rated",
    Order.NAME: "Name",
}
SCOPE_NAMES = {
    Scope.PUBLISHED: "All published",
    Scope.PURCHASED: "Acquired by me",
    Scope.PROVIDED: "Provided by me",
}


@dataclass(frozen=True)
class Results:
    offerings: list[StoreOffering]
    total: int
    highlights: dict[int, search.Highlight] = field(default_factory=dict)


def _find(
    session: Session,
    user: User | None,
    *,
    q: str,
    tag: str,
    scope: Scope,
    order: Order,
    start: int,
    limit: int,
) -> Results:
    sort = None if order == Order.RELEVANCE else Sort(order.value)
    states = list(OfferingState) if scope == Scope.PROVIDED else []
    if q.strip():
        found = search.find_by_keyword(
            session, user, q, scope=scope, states=states, sort=sort, start=start, limit=limit
        )
        total = search.count_by_keyword(session, user, q, scope=scope, states=states)
        return Results(found, total, search.highlights(session, q, found))
    if tag.strip():
        sort = sort or Sort.DATE
        found = search.find_by_tag(
            session, user, tag, scope=scope, sort=sort, start=start, limit=limit
        )
        return Results(found, search.count_by_tag(session, user, tag, scope=scope))
    found = listing.list_offerings(
        session, user, scope=scope, states=states, sort=sort or Sort.DATE, start=start, limit=limit
    )
    return Results(found, listing.count_offerings(session, user, scope=scope, states=states))


@router.get("/search")
def search_page(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
    q: str = "",
    tag: str = "",
    sort: Order | None = None,
    filter: Scope = Scope.PUBLISHED,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    scope = filter if user is not None else Scope.PUBLISHED
    if tag.strip() and scope == Scope.PROVIDED:
        scope = Scope.PUBLISHED
    order = sort or (Order.RELEVANCE if q.strip() else Order.DATE)
    size = settings.page_size
    results = _find(
        session,
        user,
        q=q,
        tag=tag,
        scope=scope,
        order=order,
        start=(page_number - 1) * size + 1,
        limit=size,
    )
    context = {
        "results": results,
        "pages": pages(request.query_params, page_number, results.total, size),
        "chosen": {"q": q, "tag": tag.strip(), "sort": order, "filter": scope},
        "order_names": ORDER_NAMES,
        "scope_names": SCOPE_NAMES,
        **home_section(session, q),
    }
    return page(request, "store/search.html", context)
