"""Searching offerings: by keyword (full text), by tag and by asset (reference §4.5, §12).

Keyword search finds the offerings whose name, description, tags or USDL text
hold every word of the query (stemmed, case- and accent-insensitive), within
the same filters, sorts and pages as the offerings listing. Without a sort the
best matches come first. Highlights mark the matched words for display.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import Offer, OfferStatus
from mercato.errors import Invalid, NotFound
from mercato.store import search_index
from mercato.store.access import find_provider, ordered_by
from mercato.store.assets import find_asset
from mercato.store.listing import Scope, Sort, listed, scoped, sorted_by
from mercato.store.models import OfferingState, Review, StoreOffering, offering_assets

Marked = tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Highlight:
    """An offering's name, tags and an excerpt, each split into (text, is_match) pieces."""

    name: Marked
    tags: Marked
    excerpt: Marked

    @property
    def has_tag_match(self) -> bool:
        return any(is_match for _, is_match in self.tags)

    @property
    def name_html(self) -> Markup:
        return as_html(self.name)

    @property
    def tags_html(self) -> Markup:
        return as_html(self.tags)

    @property
    def excerpt_html(self) -> Markup:
        return as_html(self.excerpt)


def as_html(marked: Marked) -> Markup:
    """Escaped text with each matched word in <mark>."""
    return Markup("").join(
        Markup("<mark>{}</mark>").format(piece) if is_match else escape(piece)
        for piece, is_match in marked
    )


def _page(query: Select[tuple[StoreOffering]], start: int, limit: int | None) -> Select:
    query = query.offset(start - 1)
    return query if limit is None else query.limit(limit)


def _count(query: Select[tuple[StoreOffering]], session: Session) -> int:
    ids = query.with_only_columns(StoreOffering.offer_id).order_by(None)
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0


# --- by keyword ----------------------------------------------------------------------


def _keyword_query(
    session: Session,
    user: User | None,
    words: list[str],
    scope: Scope,
    states: Sequence[OfferingState],
) -> tuple[Select[tuple[StoreOffering]], object]:
    found = search_index.matches(session, words).subquery("found")
    query = scoped(user, scope, states, session).join(
        found, found.c.offer_id == StoreOffering.offer_id
    )
    return query, found.c.relevance


# Best first, a page needs the best `start - 1 + limit` matches within the filter. Ranking
# all matches but keeping only this many times as many as the page needs, before the
# filter, gives the same page unless the filter leaves out most of them: then, and only
# then, the page is read from every match.
CANDIDATES_PER_ROW = 4


def _best_first(
    session: Session,
    user: User | None,
    words: list[str],
    scope: Scope,
    states: Sequence[OfferingState],
    start: int,
    limit: int,
) -> list[StoreOffering] | None:
    """The page, or None when the best candidates may not hold it."""
    most = (start - 1 + limit) * CANDIDATES_PER_ROW
    found = search_index.best_matches(session, words, most).cte("found")
    found = found.prefix_with("MATERIALIZED")
    every_match = select(func.count()).select_from(found).scalar_subquery() < most
    query = (
        scoped(user, scope, states, session)
        .join(found, found.c.offer_id == StoreOffering.offer_id)
        .add_columns(every_match)
        .order_by(found.c.relevance, StoreOffering.offer_id.desc())
    )
    rows = session.execute(_page(query, start, limit)).all()
    if len(rows) < limit and not (rows and rows[0][1]):
        return None
    return [row[0] for row in rows]


def find_by_keyword(
    session: Session,
    user: User | None,
    text: str,
    *,
    scope: Scope = Scope.PUBLISHED,
    states: Sequence[OfferingState] = (),
    sort: Sort | None = None,
    start: int = 1,
    limit: int | None = None,
) -> list[StoreOffering]:
    """Offerings holding every word of ``text``; ``start`` counts from 1, as WStore's does."""
    words = search_index.search_words(text)
    if not words:
        return []
    if sort is None and limit is not None:
        page = _best_first(session, user, words, scope, states, start, limit)
        if page is not None:
            return page
    query, relevance = _keyword_query(session, user, words, scope, states)
    if sort is None:
        query = query.order_by(relevance, StoreOffering.offer_id.desc())
    else:
        query = sorted_by(query, sort)
    return list(session.scalars(_page(query, start, limit)))


def count_by_keyword(
    session: Session,
    user: User | None,
    text: str,
    *,
    scope: Scope = Scope.PUBLISHED,
    states: Sequence[OfferingState] = (),
) -> int:
    words = search_index.search_words(text)
    if not words:
        return 0
    return _count(_keyword_query(session, user, words, scope, states)[0], session)


def highlights(
    session: Session, text: str, offerings: Sequence[StoreOffering]
) -> dict[int, Highlight]:
    """What to show of each offering found by ``text``: its excerpt where the words are."""
    return highlights_by_key(session, text, [o.offer_id for o in offerings])


def highlights_by_key(session: Session, text: str, keys: Sequence[int]) -> dict[int, Highlight]:
    """The same for any entries of the index, by key (offerings' keys are their offer ids)."""
    words = search_index.search_words(text)
    marked = search_index.marked_texts(session, words, list(keys))
    shown = {}
    for key, (name, tags, description, usdl) in marked.items():
        excerpt = description
        if not search_index.is_marked(description) and search_index.is_marked(usdl):
            excerpt = usdl
        shown[key] = Highlight(
            search_index.split_marked(name),
            search_index.split_marked(tags),
            search_index.split_marked(excerpt),
        )
    return shown


# --- by tag --------------------------------------------------------------------------


def _has_tag(session: Session, tag: str) -> list[ColumnElement[bool]]:
    """Any case: the store keeps tags lower-cased, the catalogue's offer form as typed."""
    each = "jsonb_array_elements_text" if search_index.is_postgresql(session) else "json_each"
    values = getattr(func, each)(Offer.tags).table_valued("value")
    conditions: list[ColumnElement[bool]] = [
        select(values.c.value).where(func.lower(values.c.value) == tag.strip().lower()).exists()
    ]
    narrowed = search_index.tagged(session, tag)
    if narrowed is not None:
        # The index finds the few candidates; the JSON test then checks whole tags.
        conditions.append(StoreOffering.offer_id.in_(narrowed))
    return conditions


def _seen_by(user: User | None) -> Select[tuple[StoreOffering]]:
    """Published offerings, and any other the viewer ordered or reviewed: the offerings
    whose state WStore shows the viewer as published, purchased or rated."""
    published = Offer.status == OfferStatus.PUBLISHED
    if user is None:
        return listed().where(published)
    reviewed = select(Review.offer_id).where(Review.user_id == user.id)
    return listed().where(
        published
        | StoreOffering.offer_id.in_(ordered_by(user))
        | StoreOffering.offer_id.in_(reviewed)
    )


def _tag_query(
    session: Session, user: User | None, tag: str, scope: Scope | None
) -> Select[tuple[StoreOffering]]:
    """``scope`` None: what the viewer sees (``_seen_by``)."""
    if scope == Scope.PROVIDED:
        raise Invalid.field("filter", "must be published or purchased")
    query = _seen_by(user) if scope is None else scoped(user, scope, (), session)
    return query.where(*_has_tag(session, tag))


def find_by_tag(
    session: Session,
    user: User | None,
    tag: str,
    *,
    scope: Scope | None = Scope.PUBLISHED,
    sort: Sort = Sort.DATE,
    start: int = 1,
    limit: int | None = None,
) -> list[StoreOffering]:
    query = sorted_by(_tag_query(session, user, tag, scope), sort)
    return list(session.scalars(_page(query, start, limit)))


def count_by_tag(
    session: Session, user: User | None, tag: str, *, scope: Scope | None = Scope.PUBLISHED
) -> int:
    return _count(_tag_query(session, user, tag, scope), session)


# --- by asset ------------------------------------------------------------------------


def find_by_asset(session: Session, provider: str, name: str, version: str) -> list[StoreOffering]:
    """The published offerings that include the asset in its current version, in the order
    they were bound to it, as WStore lists them."""
    asset = find_asset(session, find_provider(session, provider), name, version)
    if asset.is_deleted:
        raise NotFound("Resource")
    query = (
        scoped(None, Scope.PUBLISHED, (), session)
        .join(offering_assets, offering_assets.c.offer_id == StoreOffering.offer_id)
        .where(offering_assets.c.asset_id == asset.id)
    )
    return list(session.scalars(query.order_by(offering_assets.c.id)))
