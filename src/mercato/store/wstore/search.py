"""WStore search API (store-wire.md §8): by keyword, by tag, by resource.

Answers are WStore's: a list of OfferingInfo, or ``{"number": n}`` with
``action=count``; each route checks its query in WStore's order and answers with
its texts. Mercato adds one opt-in: ``highlight=true`` on a keyword search gives
each offering a ``highlight`` object (name, tags and an excerpt as HTML, the
matched words in ``<mark>``); without it the shape is WStore's own.
"""

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from mercato.accounts.models import User
from mercato.dependencies import AppSettings, DbSession
from mercato.errors import NotFound
from mercato.kept_answers import until_catalogue_changes
from mercato.store import search
from mercato.store.listing import Scope, Sort
from mercato.store.models import OfferingState, StoreOffering
from mercato.store.wstore.shapes import Viewer, offering_json
from mercato.store.wstore.wire import JSON_BARE, JSON_CHARSET, Caller, WStoreError, entity, errors

# Its answers are kept per caller until the catalogue changes (mercato.kept_answers).
router = APIRouter(tags=["Store: search (WStore)"], dependencies=[Depends(until_catalogue_changes)])
PREFIX = "/api/search"
SORTS = {sort.value: sort for sort in Sort}
SCOPES = {scope.value: scope for scope in Scope}
STATES = {state.value: state for state in OfferingState}
COUNT = "count"


def _number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _offerings(
    session: DbSession, user: User, settings: AppSettings, found: list[StoreOffering]
) -> list[dict[str, Any]]:
    viewer = Viewer.of(session, user)
    return [offering_json(offering, viewer, settings.base_url) for offering in found]


# --- by keyword (§8.1) ---------------------------------------------------------------


def _keyword_scope(filter: str | None, state: str | None) -> Scope:
    if filter is not None and filter not in SCOPES:
        raise WStoreError(400, "Invalid filter")
    if state is not None and filter != Scope.PROVIDED:
        raise WStoreError(400, "Invalid filters")
    # WStore's provided filter without states searches the published offerings.
    if filter is None or (filter == Scope.PROVIDED and state is None):
        return Scope.PUBLISHED
    return SCOPES[filter]


def _states(state: str | None) -> list[OfferingState]:
    if state is None:
        return []
    entries = [entry.strip() for entry in state.split(",")]
    if any(entry not in STATES for entry in entries):
        raise WStoreError(400, "Invalid state")
    return [STATES[entry] for entry in entries]


def _keyword_paging(start: str | None, limit: str | None) -> tuple[int, int] | None:
    if (start is None) != (limit is None):
        raise WStoreError(400, "Missing pagination param")
    if start is None or limit is None:
        return None
    first, count = _number(start), _number(limit)
    if first is None or count is None:
        raise WStoreError(400, "Invalid pagination params")
    return first, count


def _check_page(page: tuple[int, int] | None) -> None:
    if page is None:
        return
    if page[0] < 1:
        raise WStoreError(400, "Start param must be higher than 0")
    if page[1] < 1:
        raise WStoreError(400, "Limit param must be higher than 0")


def _first_of_page(total: int, page: int, size: int) -> int | None:
    """WStore's ``start`` is a page number, the last page if it runs past the end; past
    the number of hits there is nothing."""
    if page > total:
        return None
    last_page = max(1, -(-total // size))
    return (min(page, last_page) - 1) * size + 1


@router.get(
    f"{PREFIX}/keyword/{{text}}",
    responses=errors(400, 401),
    summary="Search offerings by keyword",
    description="Offerings whose name, description, tags or USDL text hold every word of "
    "`text` (stemmed, any case). Without `sort` the best matches come first. `start` is a "
    "page number, `limit` the page's size.",
    response_model=None,
)
@router.get(
    f"{PREFIX}/{{text}}",
    responses=errors(400, 401),
    summary="Search offerings by keyword (the Programmer Guide's form)",
    response_model=None,
)
def search_by_keyword(
    text: str,
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    filter: str | None = None,
    state: str | None = None,
    action: str | None = None,
    start: str | None = None,
    limit: str | None = None,
    sort: str | None = None,
    highlight: bool = False,
) -> Response:
    scope = _keyword_scope(filter, state)
    if action is not None and action != COUNT:
        raise WStoreError(400, "Invalid action")
    page = None
    if action is None:
        page = _keyword_paging(start, limit)
        if sort is not None and sort not in SORTS:
            raise WStoreError(400, "Invalid sorting")
    states = _states(state)
    _check_page(page)
    if action == COUNT:
        number = search.count_by_keyword(session, user, text, scope=scope, states=states)
        return entity({"number": number}, JSON_BARE)
    first, size = 1, None
    if page is not None:
        total = search.count_by_keyword(session, user, text, scope=scope, states=states)
        item = _first_of_page(total, *page)
        if item is None:
            return entity([], JSON_BARE)
        first, size = item, page[1]
    found = search.find_by_keyword(
        session,
        user,
        text,
        scope=scope,
        states=states,
        sort=SORTS.get(sort or ""),
        start=first,
        limit=size,
    )
    shown = _offerings(session, user, settings, found)
    if highlight:
        marked = search.highlights(session, text, found)
        for offering, item in zip(found, shown, strict=True):
            item["highlight"] = _highlight_json(marked.get(offering.offer_id))
    return entity(shown, JSON_BARE)


def _highlight_json(highlight: search.Highlight | None) -> dict[str, str] | None:
    if highlight is None:
        return None
    return {
        "name": str(highlight.name_html),
        "tags": str(highlight.tags_html),
        "excerpt": str(highlight.excerpt_html),
    }


# --- by tag (§8.2) -------------------------------------------------------------------


def _tag_paging(start: str | None, limit: str | None) -> tuple[int, int | None]:
    if (start is None) != (limit is None):
        raise WStoreError(400, "Both pagination params are required")
    if start is None or limit is None:
        return 1, None
    first, count = _number(start), _number(limit)
    if first is None or count is None:
        raise WStoreError(400, "Invalid format in pagination parameters")
    # WStore's quirk, kept: a 0 is read as "no paging".
    if not first or not count:
        return 1, None
    if first < 1 or count < 1:
        raise WStoreError(400, "Pagination params must be equal or greater that 1")
    return first, count


def _tag_scope(filter: str | None) -> Scope | None:
    if filter is not None and filter not in (Scope.PUBLISHED, Scope.PURCHASED):
        raise WStoreError(400, "Invalid filter")
    return None if filter is None else SCOPES[filter]


@router.get(
    f"{PREFIX}/tag/{{tag}}",
    responses=errors(400, 401),
    summary="Search offerings by tag",
    response_model=None,
)
def search_by_tag(
    tag: str,
    session: DbSession,
    user: Caller,
    settings: AppSettings,
    filter: str | None = None,
    sort: str | None = None,
    start: str | None = None,
    limit: str | None = None,
    action: str | None = None,
) -> Response:
    if action is not None and action != COUNT:
        raise WStoreError(400, "Invalid action")
    if action is not None and (start, limit, sort) != (None, None, None):
        raise WStoreError(400, "Actions cannot be combined with pagination")
    first, size = _tag_paging(start, limit)
    if sort is not None and sort not in SORTS:
        raise WStoreError(400, "Invalid sorting value")
    scope = _tag_scope(filter)
    if action == COUNT:
        number = search.count_by_tag(session, user, tag, scope=scope)
        return entity({"number": number}, JSON_CHARSET)
    found = search.find_by_tag(
        session,
        user,
        tag,
        scope=scope,
        sort=SORTS.get(sort or "", Sort.DATE),
        start=first,
        limit=size,
    )
    return entity(_offerings(session, user, settings, found), JSON_CHARSET)


# --- by resource (§8.3) --------------------------------------------------------------


@router.get(
    f"{PREFIX}/resource/{{provider}}/{{name}}/{{version}}",
    responses=errors(401, 404),
    summary="The published offerings that include a resource",
    response_model=None,
)
def search_by_resource(
    provider: str, name: str, version: str, session: DbSession, user: Caller, settings: AppSettings
) -> Response:
    try:
        found = search.find_by_asset(session, provider, name, version)
    except NotFound:
        raise WStoreError(404, "Resource not found") from None
    return entity(_offerings(session, user, settings, found), JSON_BARE)
