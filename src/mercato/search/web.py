"""The results page of the one search: services, offers and store offerings, with
facets as checkboxes, sorts and the matched words marked. A plain GET form."""

import enum
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import OrderType
from mercato.catalogue.web.offer_form import ORDER_TYPE_NAMES
from mercato.search import rules
from mercato.search.rules import Chosen, FacetValue, Order
from mercato.store.search_index import OFFER, OFFERING, SERVICE
from mercato.store.web.common import page
from mercato.store.web.marketplaces import home_section
from mercato.web.pagination import pages


class Kind(enum.StrEnum):
    SERVICE = SERVICE
    OFFER = OFFER
    OFFERING = OFFERING


KIND_NAMES = {SERVICE: "Services", OFFER: "Offers", OFFERING: "Store offerings"}
ORDER_NAMES = {
    Order.RELEVANCE: "Best match",
    Order.NAME: "Name",
    Order.RATING: "Top rated",
    Order.NEWEST: "Newest",
}
FACET_TITLES = {
    "kind": "Type",
    "category": "Category",
    "domain": "Scientific domain",
    "provider": "Provider",
    "order_type": "Order type",
    "rating": "Rating",
}
NAMES = {
    "kind": KIND_NAMES,
    "order_type": {t.value: ORDER_TYPE_NAMES[t] for t in OrderType},
    "rating": {str(n): "★" * n + "☆" * (5 - n) for n in rules.RATINGS},
}


def _chosen_values(chosen: Chosen) -> dict[str, list[str]]:
    return {
        "kind": list(chosen.kinds),
        "category": list(chosen.categories),
        "domain": list(chosen.domains),
        "provider": list(chosen.providers),
        "order_type": [t.value for t in chosen.order_types],
        "rating": [str(n) for n in chosen.ratings],
    }


def _with_chosen(
    facets: dict[str, list[FacetValue]], chosen: dict[str, list[str]]
) -> dict[str, list[FacetValue]]:
    """A chosen value stays in its list, at 0, when nothing has it any more: it still
    narrows, so it must stay visible to be removed."""
    shown = {}
    for facet, values in facets.items():
        present = {value.value for value in values}
        missing = [
            FacetValue(value, NAMES.get(facet, {}).get(value, value), 0)
            for value in chosen[facet]
            if value not in present
        ]
        shown[facet] = values + missing
    return shown


def results_page(
    request: Request,
    session: Session,
    user: User | None,
    *,
    q: str,
    chosen: Chosen,
    order: Order | None,
    page_number: int,
    page_size: int,
) -> Response:
    has_words = bool(q.strip())
    order = order or (Order.RELEVANCE if has_words else Order.NEWEST)
    if not has_words and order == Order.RELEVANCE:
        order = Order.NEWEST
    found = rules.find(
        session,
        user,
        q,
        chosen=chosen,
        order=order,
        page=page_number,
        page_size=page_size,
        names=NAMES,
    )
    values = _chosen_values(chosen)
    context: dict[str, Any] = {
        "found": found,
        "facets": _with_chosen(found.facets, values),
        "facet_titles": FACET_TITLES,
        "pages": pages(request.query_params, page_number, found.total, page_size),
        "chosen": {"q": q, "sort": order, "values": values, "any": chosen.any},
        "order_names": {o: n for o, n in ORDER_NAMES.items() if has_words or o != Order.RELEVANCE},
        "order_type_names": ORDER_TYPE_NAMES,
        **home_section(session, q),
    }
    return page(request, "search/results.html", context)
