"""Finding services, offers and store offerings by keyword, narrowed by facets.

Everything comes from one index, the store's (mercato.store.search_index), which
holds offerings under their offer ids and the catalogue's services and offers
under negative keys; matching is the same stemmed, any-case match the WStore API
uses. Each kind is joined to its tables for what the facets and sorts need and
for who may see it, then the kinds are read as one list:

- a service: published, or a draft of a provider the viewer administers (admins: any);
- an offer: a published offer of such a service, not meant only for bundles, and not
  a store offering (those are found as offerings);
- a store offering: published, as the store's own search finds them.

Facets count the entries each value would leave, with the other facets applied
(choosing a category keeps the other categories' counts).
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Subquery,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.catalogue.models import (
    Category,
    Offer,
    OfferStatus,
    OrderType,
    ScientificDomain,
    Service,
    ServiceStatus,
    service_categories,
    service_scientific_domains,
)
from mercato.store import search_index
from mercato.store.models import StoreOffering
from mercato.store.offerings import offerings_query
from mercato.store.search import Highlight, highlights_by_key
from mercato.store.search_index import OFFER, OFFERING, SERVICE

KINDS = (SERVICE, OFFER, OFFERING)
RATINGS = (5, 4, 3, 2, 1)


class Order(enum.StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    RATING = "rating"
    NEWEST = "newest"


@dataclass(frozen=True)
class Chosen:
    """The facet values chosen: slugs, order types, kinds, whole stars."""

    categories: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    order_types: tuple[OrderType, ...] = ()
    kinds: tuple[str, ...] = ()
    ratings: tuple[int, ...] = ()

    @property
    def any(self) -> bool:
        return any(
            (
                self.categories,
                self.domains,
                self.providers,
                self.order_types,
                self.kinds,
                self.ratings,
            )
        )


@dataclass(frozen=True)
class FacetValue:
    value: str
    name: str
    count: int


@dataclass(frozen=True)
class Entry:
    """A found service, offer or offering, with its service and matched words."""

    kind: str
    item: Service | Offer | StoreOffering
    service: Service
    highlight: Highlight | None = None


@dataclass(frozen=True)
class Found:
    entries: list[Entry]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


# --- what may be found ---------------------------------------------------------------


def _visible_services(session: Session, user: User | None) -> ColumnElement[bool]:
    published = Service.status == ServiceStatus.PUBLISHED
    if user is None:
        return published
    if user.is_admin:
        return Service.status != ServiceStatus.DELETED
    managed = administered_provider_ids(session, user)
    return published | ((Service.status == ServiceStatus.DRAFT) & Service.provider_id.in_(managed))


def _columns(
    kind: str,
    item_id: ColumnElement[int],
    service_id: ColumnElement[int],
    order_type: ColumnElement[str],
    rating: ColumnElement[float] | None,
    created: ColumnElement[object],
    name: ColumnElement[str],
) -> list[ColumnElement[object]]:
    return [
        literal(kind).label("kind"),
        item_id.label("item_id"),
        service_id.label("service_id"),
        Service.provider_id.label("provider_id"),
        order_type.label("order_type"),
        # Typed: PostgreSQL reads an untyped NULL in a UNION as text.
        (cast(null(), Float) if rating is None else rating).label("rating"),
        created.label("created"),
        name.label("name"),
    ]


def _halved(number: ColumnElement[int]) -> ColumnElement[int]:
    """Integer division as the databases do it ("//" would add FLOOR, hiding the index)."""
    return number.op("/", precedence=8)(2)


def _entries(session: Session, user: User | None, words: list[str]) -> Subquery:
    """Every entry the viewer may find with the words (all of them without words):
    kind, item_id, service_id, provider_id, order_type, rating, created, name, relevance."""
    visible = _visible_services(session, user)
    s, o = Service, Offer
    services = select(
        *_columns(SERVICE, s.id, s.id, s.order_type, None, s.created_at, s.name)
    ).where(visible)
    offers = (
        select(*_columns(OFFER, o.id, o.service_id, o.order_type, None, o.created_at, o.name))
        .join(Offer.service)
        .where(
            visible,
            Offer.status == OfferStatus.PUBLISHED,
            ~Offer.bundle_exclusive,
            ~exists().where(StoreOffering.offer_id == Offer.id),
        )
    )
    published = func.coalesce(StoreOffering.published_at, Offer.created_at)
    offerings = (
        select(
            *_columns(
                OFFERING,
                StoreOffering.offer_id,
                StoreOffering.service_id,
                Offer.order_type,
                StoreOffering.rating,
                published,
                Service.name,
            )
        )
        .join(StoreOffering.offer)
        .join(StoreOffering.service)
        .where(Offer.status == OfferStatus.PUBLISHED)
    )
    if not words:
        unranked = literal(0.0).label("relevance")
        parts = [part.add_columns(unranked) for part in (services, offers, offerings)]
        return union_all(*parts).subquery("entries")
    found = search_index.entries(session, words).cte("found").prefix_with("MATERIALIZED")
    key = found.c.key
    # Each kind's id from its key (search_index.service_key, offer_key): tables read by id.
    parts = [
        services.add_columns(found.c.relevance).join(
            found, (key < 0) & (key % 2 == 0) & (Service.id == _halved(-key))
        ),
        offers.add_columns(found.c.relevance).join(
            found, (key < 0) & (key % 2 != 0) & (Offer.id == _halved(-key - 1))
        ),
        offerings.add_columns(found.c.relevance).join(
            found, (key > 0) & (StoreOffering.offer_id == key)
        ),
    ]
    return union_all(*parts).subquery("entries")


# --- facets --------------------------------------------------------------------------


def _stars(entries: Subquery) -> ColumnElement[int]:
    """Whole stars (4.5 is 4); none below one. A cast would round on PostgreSQL."""
    return case(*((entries.c.rating >= n, n) for n in RATINGS), else_=None)


def _conditions(entries: Subquery, chosen: Chosen, but: str = "") -> list[ColumnElement[bool]]:
    """The chosen facets as conditions, all but the facet ``but``."""
    c = entries.c
    conditions: list[ColumnElement[bool]] = []
    if chosen.categories and but != "category":
        within = select(service_categories.c.service_id).join(Category)
        conditions.append(c.service_id.in_(within.where(Category.slug.in_(chosen.categories))))
    if chosen.domains and but != "domain":
        within = select(service_scientific_domains.c.service_id).join(ScientificDomain)
        conditions.append(c.service_id.in_(within.where(ScientificDomain.slug.in_(chosen.domains))))
    if chosen.providers and but != "provider":
        of = select(Provider.id).where(Provider.slug.in_(chosen.providers))
        conditions.append(c.provider_id.in_(of))
    if chosen.order_types and but != "order_type":
        conditions.append(c.order_type.in_([value.value for value in chosen.order_types]))
    if chosen.kinds and but != "kind":
        conditions.append(c.kind.in_(chosen.kinds))
    if chosen.ratings and but != "rating":
        conditions.append(_stars(entries).in_(chosen.ratings))
    return conditions


def _term_counts(
    session: Session, entries: Subquery, chosen: Chosen, facet: str
) -> list[FacetValue]:
    term, link, column = {
        "category": (Category, service_categories, service_categories.c.category_id),
        "domain": (
            ScientificDomain,
            service_scientific_domains,
            service_scientific_domains.c.scientific_domain_id,
        ),
    }[facet]
    rows = session.execute(
        select(term.slug, term.name, func.count())
        .select_from(entries)
        .join(link, link.c.service_id == entries.c.service_id)
        .join(term, term.id == column)
        .where(*_conditions(entries, chosen, facet))
        .group_by(term.id, term.slug, term.name)
        .order_by(term.name)
    )
    return [FacetValue(slug, name, count) for slug, name, count in rows]


def _provider_counts(session: Session, entries: Subquery, chosen: Chosen) -> list[FacetValue]:
    rows = session.execute(
        select(Provider.slug, Provider.name, func.count())
        .select_from(entries)
        .join(Provider, Provider.id == entries.c.provider_id)
        .where(*_conditions(entries, chosen, "provider"))
        .group_by(Provider.id, Provider.slug, Provider.name)
        .order_by(Provider.name)
    )
    return [FacetValue(slug, name, count) for slug, name, count in rows]


def _value_counts(
    session: Session, entries: Subquery, chosen: Chosen, facet: str, value: ColumnElement[object]
) -> dict[object, int]:
    rows = session.execute(
        select(value, func.count())
        .select_from(entries)
        .where(value.is_not(None), *_conditions(entries, chosen, facet))
        .group_by(value)
    )
    return {found: count for found, count in rows}


def _facets(
    session: Session, entries: Subquery, chosen: Chosen, names: dict[str, dict[str, str]]
) -> dict[str, list[FacetValue]]:
    """Each facet's values with their counts: terms by name, the rest in a fixed order."""
    c = entries.c
    order_types = _value_counts(session, entries, chosen, "order_type", c.order_type)
    kinds = _value_counts(session, entries, chosen, "kind", c.kind)
    stars = _value_counts(session, entries, chosen, "rating", _stars(entries))
    return {
        "kind": [FacetValue(k, names["kind"][k], kinds[k]) for k in KINDS if k in kinds],
        "category": _term_counts(session, entries, chosen, "category"),
        "domain": _term_counts(session, entries, chosen, "domain"),
        "provider": _provider_counts(session, entries, chosen),
        "order_type": [
            FacetValue(t.value, names["order_type"][t.value], order_types[t.value])
            for t in OrderType
            if t.value in order_types
        ],
        "rating": [
            FacetValue(str(n), names["rating"][str(n)], stars[n]) for n in RATINGS if n in stars
        ],
    }


# --- the page ------------------------------------------------------------------------


def _sorted(query: Select[tuple[str, int]], entries: Subquery, order: Order) -> Select:
    c = entries.c
    match order:
        case Order.RELEVANCE:
            return query.order_by(c.relevance, c.created.desc(), c.kind, c.item_id.desc())
        case Order.NAME:
            return query.order_by(func.lower(c.name), c.kind, c.item_id)
        case Order.RATING:
            # Ties newest first, as the store's own "popularity".
            return query.order_by(
                c.rating.desc().nulls_last(), c.created.desc(), c.kind, c.item_id.desc()
            )
    return query.order_by(c.created.desc(), c.kind, c.item_id.desc())


Item = Service | Offer | StoreOffering


def _loaded(session: Session, rows: Sequence[tuple[str, int]]) -> list[tuple[str, Item]]:
    """The rows' services, offers and offerings, in the rows' order: one query per kind."""
    ids = {kind: [item_id for k, item_id in rows if k == kind] for kind in KINDS}
    loaded: dict[tuple[str, int], Item] = {}
    if ids[SERVICE]:
        query = select(Service).where(Service.id.in_(ids[SERVICE]))
        query = query.options(selectinload(Service.provider), selectinload(Service.categories))
        loaded |= {(SERVICE, s.id): s for s in session.scalars(query)}
    if ids[OFFER]:
        query = select(Offer).where(Offer.id.in_(ids[OFFER]))
        query = query.options(selectinload(Offer.service).selectinload(Service.provider))
        loaded |= {(OFFER, o.id): o for o in session.scalars(query)}
    if ids[OFFERING]:
        query = offerings_query().where(StoreOffering.offer_id.in_(ids[OFFERING]))
        loaded |= {(OFFERING, o.offer_id): o for o in session.scalars(query)}
    return [(kind, loaded[kind, item_id]) for kind, item_id in rows]


def _key(item: Item) -> int:
    if isinstance(item, Service):
        return search_index.service_key(item.id)
    if isinstance(item, Offer):
        return search_index.offer_key(item.id)
    return item.offer_id


def find(
    session: Session,
    user: User | None,
    text: str,
    *,
    chosen: Chosen,
    order: Order,
    page: int,
    page_size: int,
    names: dict[str, dict[str, str]],
) -> Found:
    """One page of what the viewer may find with ``text`` (everything without words),
    narrowed by ``chosen``, with each facet's counts. ``names`` label the fixed facets."""
    words = search_index.search_words(text)
    if not words and order == Order.RELEVANCE:
        order = Order.NEWEST
    entries = _entries(session, user, words)
    conditions = _conditions(entries, chosen)
    total = session.scalar(select(func.count()).select_from(entries).where(*conditions)) or 0
    query = select(entries.c.kind, entries.c.item_id).where(*conditions)
    query = _sorted(query, entries, order).offset((page - 1) * page_size).limit(page_size)
    shown = _loaded(session, [(kind, item_id) for kind, item_id in session.execute(query)])
    marks = highlights_by_key(session, text, [_key(item) for _, item in shown]) if words else {}
    found = [
        Entry(
            kind,
            item,
            item if isinstance(item, Service) else item.service,
            marks.get(_key(item)),
        )
        for kind, item in shown
    ]
    return Found(found, total, _facets(session, entries, chosen, names))
