"""Links to the pages of a long listing."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

# A listing's ``page`` query parameter: pages count from one.
PageNumber = Annotated[int, Query(ge=1)]
# Pages shown on each side of the current one; the first and last are always shown.
_AROUND = 2


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pages:
    links: list[PageLink | None]  # None stands for skipped pages
    previous: str
    next: str


def _url(query: list[tuple[str, str]], number: int) -> str:
    return "?" + urlencode([*query, ("page", str(number))])


def _items(query: Mapping[str, str]) -> list[tuple[str, str]]:
    """Every value of a repeated parameter (ticked checkboxes), where the query has them."""
    multi_items = getattr(query, "multi_items", None)
    return list(multi_items()) if multi_items else list(query.items())


def pages(query: Mapping[str, str], page: int, total: int, page_size: int) -> Pages:
    """Links that keep every other query parameter (the filters) as they are."""
    kept = [(key, value) for key, value in _items(query) if key != "page" and value]
    last = max(1, math.ceil(total / page_size))
    shown = sorted({1, last} | set(range(max(1, page - _AROUND), min(last, page + _AROUND) + 1)))
    links: list[PageLink | None] = []
    for number in shown:
        if links and links[-1] is not None and number - links[-1].number > 1:
            links.append(None)
        links.append(PageLink(number, _url(kept, number), number == page))
    return Pages(
        links,
        previous=_url(kept, page - 1) if 1 < page <= last + 1 else "",
        next=_url(kept, page + 1) if page < last else "",
    )
