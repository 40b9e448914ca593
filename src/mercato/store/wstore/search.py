"""WStore search API (reference §4.5): by keyword, by tag, by resource.

Answers are WStore's: a list of OfferingInfo, or ``{"number": n}`` with
``action=count``. Mercato adds one opt-in: ``highlight=true`` on a keyword
search gives each offering a ``highlight`` object (name, tags and an excerpt
as HTML, the matched words in ``<mark>``); without it the shape is WStore's own.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from mercato.dependencies import AppSettings, DbSession
from mercato.errors import Invalid
from mercato.store import listing, search
from mercato.store.http import Limit
from mercato.store.listing import Scope, Sort
from mercato.store.wstore.shapes import Viewer, offering_json
from mercato.store.wstore.wire import Caller

router = APIRouter(tags=["Store: search (WStore)"])
PREFIX = "/api/search"
Count = Annotated[str | None, Query(pattern="^count$", description="`count`: answer {number}")]
Start = Annotated[int | None, Query(ge=1, description="First item, counting from 1")]
Answer = list[dict[str, Any]] | dict[str, int]


def _check_paging(start: int | None, limit: int | None) -> int:
    """WStore pages only with both ``start`` and ``limit``."""
    if (start is None) != (limit is None):
        raise Invalid.field("start", "start and limit must be given together")
    return start or 1


@router.get(
    f"{PREFIX}/keyword/{{text}}",
    summary="Search offerings by keyword",
    description="Offerings whose name, description, tags or USDL text hold every word of "
    "`text` (stemmed, any case). Without `sort` the best matches come first.",
    response_model=None,
)
@router.get(
    f"{PREFIX}/{{text}}",
    summary="Search offerings by keyword (the Programmer Guide's form)",
    response_model=None,
)
def search_by_keyword(
    text: str,
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    filter: Scope = Scope.PUBLISHED,
    state: str | None = None,
    sort: Sort | None = None,
    start: Start = None,
    limit: Limit = None,
    action: Count = None,
    highlight: bool = False,
) -> Answer:
    if state is not None and filter != Scope.PROVIDED:
        raise Invalid.field("state", "is only allowed with filter=provided")
    states = listing.parse_states(state)
    first = _check_paging(start, limit)
    if action == "count":
        return {"number": search.count_by_keyword(session, user, text, scope=filter, states=states)}
    found = search.find_by_keyword(
        session, user, text, scope=filter, states=states, sort=sort, start=first, limit=limit
    )
    viewer = Viewer.of(session, user)
    shown = [offering_json(offering, viewer, settings.base_url) for offering in found]
    if highlight:
        marked = search.highlights(session, text, found)
        for offering, item in zip(found, shown, strict=True):
            item["highlight"] = _highlight_json(marked.get(offering.offer_id))
    return shown


def _highlight_json(highlight: search.Highlight | None) -> dict[str, str] | None:
    if highlight is None:
        return None
    return {
        "name": str(highlight.name_html),
        "tags": str(highlight.tags_html),
        "excerpt": str(highlight.excerpt_html),
    }


@router.get(f"{PREFIX}/tag/{{tag}}", summary="Search offerings by tag", response_model=None)
def search_by_tag(
    tag: str,
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    filter: Scope = Scope.PUBLISHED,
    sort: Sort | None = None,
    start: Start = None,
    limit: Limit = None,
    action: Count = None,
) -> Answer:
    first = _check_paging(start, limit)
    if action == "count":
        if start is not None or sort is not None:
            raise Invalid.field("action", "count takes no start, limit or sort")
        return {"number": search.count_by_tag(session, user, tag, scope=filter)}
    found = search.find_by_tag(
        session, user, tag, scope=filter, sort=sort or Sort.DATE, start=first, limit=limit
    )
    viewer = Viewer.of(session, user)
    return [offering_json(offering, viewer, settings.base_url) for offering in found]


@router.get(
    f"{PREFIX}/resource/{{provider}}/{{name}}/{{version}}",
    summary="The published offerings that include a resource",
)
def search_by_resource(
    provider: str, name: str, version: str, session: DbSession, user: Caller, settings: AppSettings
) -> list[dict[str, Any]]:
    found = search.find_by_asset(session, provider, name, version)
    viewer = Viewer.of(session, user)
    return [offering_json(offering, viewer, settings.base_url) for offering in found]
