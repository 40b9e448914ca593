"""Services and offers as plain column rows, for the Offering API's hot reads.

Loading ORM objects (identity map, relationship loaders) took most of an offer
read's CPU; these reads select only the columns shown, in as few queries as the
answer needs, whether the caller administers the service's provider included.
Rows answer to the same attribute names as the models, so the read shapes take
either.
"""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Exists, Row, exists, select
from sqlalchemy.orm import Session, aliased

from mercato.accounts.models import DataAdministrator, User
from mercato.catalogue import rules
from mercato.catalogue.models import (
    Bundle,
    BundleOffer,
    Offer,
    OfferStatus,
    Service,
    ServiceStatus,
)
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


# Made once: making an alias copies every column of its table, a third of a query's CPU.
_BUNDLED = aliased(Offer, name="bundled_offer")
_BUNDLED_SERVICE = aliased(Service, name="bundled_service")


def _administered_by(user: User) -> Exists:
    """Whether ``user`` is a data administrator of the service's provider."""
    return exists().where(
        DataAdministrator.provider_id == Service.provider_id,
        DataAdministrator.email == user.email,
    )


def service_access(session: Session, user: User, reference: str) -> Row[Any]:
    """A service's id, status and provider, and whether ``user`` administers it
    (``administered``), by slug, numeric id or PID."""
    row = session.execute(
        select(
            Service.id,
            Service.status,
            Service.provider_id,
            _administered_by(user).label("administered"),
        )
        .where(rules.matches_service(reference))
        .order_by(Service.id)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound("Resource")
    return row


def service_offer(
    session: Session, user: User, service_reference: str, reference: str
) -> tuple[Row[Any], list[tuple[int, list[str]]]]:
    """An offer of a service, with the service's status (``service_status``) and whether
    ``user`` administers it (``administered``), and the bundles it fronts (as
    `bundled_offers` gives them), in one query."""
    if reference.isdigit():
        service_id = (
            select(Service.id)
            .where(rules.matches_service(service_reference))
            .order_by(Service.id)
            .limit(1)
            .scalar_subquery()
        )
        # One row per offer of each bundle the offer fronts (one row if none).
        rows = session.execute(
            select(
                *_OFFER_COLUMNS,
                Service.status.label("service_status"),
                _administered_by(user).label("administered"),
                Bundle.id.label("bundle_id"),
                _BUNDLED_SERVICE.slug.label("bundled_slug"),
                _BUNDLED.iid.label("bundled_iid"),
            )
            .join(Service, Service.id == Offer.service_id)
            .outerjoin(Bundle, Bundle.main_offer_id == Offer.id)
            .outerjoin(BundleOffer, BundleOffer.bundle_id == Bundle.id)
            .outerjoin(_BUNDLED, _BUNDLED.id == BundleOffer.offer_id)
            .outerjoin(_BUNDLED_SERVICE, _BUNDLED_SERVICE.id == _BUNDLED.service_id)
            .where(Offer.service_id == service_id, Offer.iid == int(reference))
            .order_by(Bundle.id, BundleOffer.position)
        ).all()
        if rows:
            fronted: list[tuple[int, list[str]]] = []
            for row in rows:
                if row.bundle_id is not None:
                    _add_bundled(fronted, row.bundle_id, row.bundled_slug, row.bundled_iid)
            return rows[0], fronted
    # Not found: which of the two, as the EOSC API words it.
    service_access(session, user, service_reference)
    raise NotFound("Offer")


def _add_bundled(
    fronted: list[tuple[int, list[str]]], bundle_id: int, slug: str | None, iid: int | None
) -> None:
    """Add one row of a bundle's offers (in the bundle's order) to ``fronted``."""
    if not fronted or fronted[-1][0] != bundle_id:
        fronted.append((bundle_id, []))
    if slug is not None:
        fronted[-1][1].append(f"{slug}/{iid}")


def managed_services(session: Session, user: User) -> Sequence[Row[Any]]:
    """What `rules.managed_services` finds, as rows of the columns the API shows."""
    return session.execute(
        select(
            Service.id,
            Service.slug,
            Service.pid,
            Service.name,
            Service.description,
            Service.status,
            Service.provider_id,
        )
        .where(Service.status != ServiceStatus.DELETED, _administered_by(user))
        .order_by(Service.id)
    ).all()


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
        _add_bundled(fronted[main_offer_id], bundle_id, slug, iid)
    return fronted
