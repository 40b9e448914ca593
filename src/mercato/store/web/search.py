"""The search page (the top bar's Search): services, offers and store offerings by keyword
(mercato.search); and the store's own views, offerings by tag or those the viewer acquired
or provides."""

import enum
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.web.auth import OptionalUser
from mercato.catalogue.models import OrderType
from mercato.dependencies import AppSettings, DbSession
from mercato.kept_answers import until_catalogue_changes
from mercato.search.rules import Chosen
from mercato.search.rules import Order as SearchOrder
from mercato.search.web import Kind, results_page
from mercato.store import listing, search
from mercato.store.listing import Scope, Sort
from mercato.store.models import OfferingState, StoreOffering
from mercato.store.web.common import page
from mercato.store.web.marketplaces import home_section
from mercato.web.pagination import PageNumber, pages

router = APIRouter(include_in_schema=False)


class Order(enum.StrEnum):
    """The page's sorts: the API's, and best match first (the default with keywords); the
    one search's names (rating, newest) are the API's popularity and date."""

    RELEVANCE = "relevance"
    DATE = "date"
    POPULARITY = "popularity"
    NAME = "name"
    RATING = "rating"
    NEWEST = "newest"


_STORE_ORDER = {Order.RATING: Order.POPULARITY, Order.NEWEST: Order.DATE}
_SEARCH_ORDER = {
    Order.RELEVANCE: SearchOrder.RELEVANCE,
    Order.DATE: SearchOrder.NEWEST,
    Order.NEWEST: SearchOrder.NEWEST,
    Order.POPULARITY: SearchOrder.RATING,
    Order.RATING: SearchOrder.RATING,
    Order.NAME: SearchOrder.NAME,
}
Values = Annotated[list[str], Query()]


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


@router.get("/search", dependencies=[Depends(until_catalogue_changes)])
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
    kind: Annotated[list[Kind], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    category: Values = [],  # noqa: B006
    domain: Values = [],  # noqa: B006
    provider: Values = [],  # noqa: B006
    order_type: Annotated[list[OrderType], Query()] = [],  # noqa: B006
    rating: Annotated[list[Annotated[int, Field(ge=1, le=5)]], Query()] = [],  # noqa: B006
) -> Response:
    scope = filter if user is not None else Scope.PUBLISHED
    if not tag.strip() and scope == Scope.PUBLISHED:
        chosen = Chosen(
            categories=tuple(category),
            domains=tuple(domain),
            providers=tuple(provider),
            order_types=tuple(order_type),
            kinds=tuple(k.value for k in kind),
            ratings=tuple(rating),
        )
        order = None if sort is None else _SEARCH_ORDER[sort]
        return results_page(
            request,
            session,
            user,
            q=q,
            chosen=chosen,
            order=order,
            page_number=page_number,
            page_size=settings.page_size,
        )
    if tag.strip() and scope == Scope.PROVIDED:
        scope = Scope.PUBLISHED
    sort = _STORE_ORDER.get(sort, sort) if sort else None
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
