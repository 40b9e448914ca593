"""Offers as plain column rows, for the Offering API's hot reads.

Loading ORM objects (identity map, relationship loaders) took most of an offer
read's CPU; these reads select only the columns shown, in as few queries as the
answer needs. Rows answer to the same attribute names as the models, so the
read shapes take either.
"""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from mercato.catalogue import rules
from mercato.catalogue.models import Bundle, BundleOffer, Offer, OfferStatus, Service
from mercato.errors import NotFound

# What the Offering API shows of an offer, and what deciding that takes.
_OFFER_COLUMNS = (
    Offer.id,
    Offer.iid,
    Offer.name,
    Offer.description,
    Offer.parameters,
    Offer.order_type,
    Offer.order_url,
    Offer.offer_category,
    Offer.internal,
    Offer.primary_oms_id,
    Offer.oms_params,
    Offer.status,
)


def service_access(session: Session, reference: str) -> Row[Any]:
    """A service's id, status and provider, by slug, numeric id or PID."""
    row = session.execute(
        select(Service.id, Service.status, Service.provider_id)
        .where(rules.matches_service(reference))
        .order_by(Service.id)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound("Resource")
    return row


def service_offer(session: Session, service_reference: str, reference: str) -> Row[Any]:
    """An offer of a service, with the service's status and provider, in one query."""
    if reference.isdigit():
        service_id = (
            select(Service.id)
            .where(rules.matches_service(service_reference))
            .order_by(Service.id)
            .limit(1)
            .scalar_subquery()
        )
        row = session.execute(
            select(
                *_OFFER_COLUMNS,
                Service.status.label("service_status"),
                Service.provider_id,
            )
            .join(Service, Service.id == Offer.service_id)
            .where(Offer.service_id == service_id, Offer.iid == int(reference))
        ).first()
        if row is not None:
            return row
    # Not found: which of the two, as the EOSC API words it.
    service_access(session, service_reference)
    raise NotFound("Offer")


def published_offers(session: Session, service_id: int) -> Sequence[Row[Any]]:
    return session.execute(
        select(*_OFFER_COLUMNS)
        .where(Offer.service_id == service_id, Offer.status == OfferStatus.PUBLISHED)
        .order_by(Offer.iid)
    ).all()


def bundled_offers(
    session: Session, offer_ids: Collection[int]
) -> dict[int, list[tuple[int, list[str]]]]:
    """For each offer id, the bundles (any status) it is the main offer of, by bundle id,
    each with its offers as ``service-slug/iid`` in the bundle's order."""
    fronted: dict[int, list[tuple[int, list[str]]]] = {offer_id: [] for offer_id in offer_ids}
    if not offer_ids:
        return fronted
    query = (
        select(Bundle.main_offer_id, Bundle.id, Service.slug, Offer.iid)
        .outerjoin(BundleOffer, BundleOffer.bundle_id == Bundle.id)
        .outerjoin(Offer, Offer.id == BundleOffer.offer_id)
        .outerjoin(Service, Service.id == Offer.service_id)
        .where(Bundle.main_offer_id.in_(list(offer_ids)))
        .order_by(Bundle.id, BundleOffer.position)
    )
    for main_offer_id, bundle_id, slug, iid in session.execute(query):
        bundles = fronted[main_offer_id]
        if not bundles or bundles[-1][0] != bundle_id:
            bundles.append((bundle_id, []))
        if slug is not None:
            bundles[-1][1].append(f"{slug}/{iid}")
    return fronted
