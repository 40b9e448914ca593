"""Listing offerings: published, provided or purchased; sorted, paged, counted."""

import enum
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.accounts.rules import administered_provider_ids
from mercato.catalogue.models import Offer, OfferStatus, Service
from mercato.errors import Invalid
from mercato.store.access import ordered_by
from mercato.store.models import OFFERING_STATE_OF_STATUS, OfferingState, Review, StoreOffering
from mercato.store.offerings import offerings_query

SHOWCASE_SIZE = 8
_STATUS_OF_STATE = {state: status for status, state in OFFERING_STATE_OF_STATUS.items()}


class Scope(enum.StrEnum):
    PUBLISHED = "published"
    PROVIDED = "provided"
    PURCHASED = "purchased"


class Sort(enum.StrEnum):
    DATE = "date"
    POPULARITY = "popularity"
    NAME = "name"


def parse_states(text: str | None) -> list[OfferingState]:
    """``uploaded,published`` or ``ALL``; by default what a provider still works with."""
    if text is None:
        return [OfferingState.UPLOADED, OfferingState.PUBLISHED]
    if text == "ALL":
        return list(OfferingState)
    try:
        return [OfferingState(part.strip()) for part in text.split(",")]
    except ValueError:
        raise Invalid.field(
            "state", "must be uploaded, published, deleted (comma-separated) or ALL"
        ) from None


def _date() -> object:
    # WStore's date: creation while uploaded, publication after.
    return func.coalesce(StoreOffering.published_at, Offer.created_at)


def listed() -> Select[tuple[StoreOffering]]:
    """Every offering, joined to its offer and service for the filters and sorts."""
    return offerings_query().join(StoreOffering.offer).join(StoreOffering.service)


def scoped(
    user: User | None, scope: Scope, states: Sequence[OfferingState], session: Session
) -> Select[tuple[StoreOffering]]:
    query = listed()
    if scope == Scope.PUBLISHED:
        return query.where(Offer.status == OfferStatus.PUBLISHED)
    if user is None:
        raise Invalid.field("filter", f"{scope.value} needs a signed-in caller")
    if scope == Scope.PURCHASED:
        return query.where(StoreOffering.offer_id.in_(ordered_by(user)))
    statuses = [_STATUS_OF_STATE[state] for state in states]
    return query.where(
        Service.provider_id.in_(administered_provider_ids(session, user)),
        Offer.status.in_(statuses),
    )


def sorted_by(query: Select[tuple[StoreOffering]], sort: Sort) -> Select[tuple[StoreOffering]]:
    match sort:
        case Sort.NAME:
            return query.order_by(Service.name, StoreOffering.version, StoreOffering.offer_id)
        case Sort.POPULARITY:
            return query.order_by(StoreOffering.rating.desc(), StoreOffering.offer_id.desc())
    return query.order_by(_date().desc(), StoreOffering.offer_id.desc())


def list_offerings(
    session: Session,
    user: User | None,
    *,
    scope: Scope = Scope.PUBLISHED,
    states: Sequence[OfferingState] = (),
    sort: Sort = Sort.DATE,
    start: int = 1,
    limit: int | None = None,
) -> list[StoreOffering]:
    """``start`` counts from 1, as WStore's does."""
    query = sorted_by(scoped(user, scope, states, session), sort).offset(start - 1)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_offerings(
    session: Session,
    user: User | None,
    *,
    scope: Scope = Scope.PUBLISHED,
    states: Sequence[OfferingState] = (),
) -> int:
    ids = scoped(user, scope, states, session).with_only_columns(StoreOffering.offer_id)
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0


def latest_offerings(session: Session) -> list[StoreOffering]:
    return list_offerings(session, None, sort=Sort.DATE, limit=SHOWCASE_SIZE)


def top_rated_offerings(session: Session) -> list[StoreOffering]:
    """The best rated published offerings that have been reviewed (WStore ranks them
    when a review is written, so an offering nobody reviewed is not among them)."""
    reviewed = select(Review.offer_id).where(Review.offer_id == StoreOffering.offer_id).exists()
    query = sorted_by(scoped(None, Scope.PUBLISHED, (), session), Sort.POPULARITY)
    return list(session.scalars(query.where(reviewed).limit(SHOWCASE_SIZE)))
