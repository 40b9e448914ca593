"""Browsing the catalogue: pages of published services, categories, providers."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider
from mercato.catalogue.models import Category, Offer, OfferStatus, Service, ServiceStatus


@dataclass(frozen=True)
class CatalogueEntry:
    service: Service
    offer_count: int


@dataclass(frozen=True)
class CataloguePage:
    entries: list[CatalogueEntry]
    total: int


def _published_offer_count() -> ScalarSelect[int]:
    return (
        select(func.count(Offer.id))
        .where(Offer.service_id == Service.id, Offer.status == OfferStatus.PUBLISHED)
        .correlate(Service)
        .scalar_subquery()
    )


def browse_services(
    session: Session,
    *,
    category: str | None = None,
    provider: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> CataloguePage:
    """One page of published services by name, filtered by category and provider slugs.

    Providers, categories and offer counts come in a fixed number of queries,
    however long the page.
    """
    conditions: list[ColumnElement[bool]] = [Service.status == ServiceStatus.PUBLISHED]
    if category:
        conditions.append(Service.categories.any(Category.slug == category))
    if provider:
        conditions.append(Service.provider.has(Provider.slug == provider))
    total = session.scalar(select(func.count(Service.id)).where(*conditions)) or 0
    rows = session.execute(
        select(Service, _published_offer_count())
        .where(*conditions)
        .order_by(Service.name, Service.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
        .options(selectinload(Service.provider), selectinload(Service.categories))
    ).all()
    return CataloguePage([CatalogueEntry(service, count) for service, count in rows], total)


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.name)))


def providers_with_service_counts(session: Session) -> list[tuple[Provider, int]]:
    """Every provider by name, with how many published services it has."""
    count = (
        select(func.count(Service.id))
        .where(Service.provider_id == Provider.id, Service.status == ServiceStatus.PUBLISHED)
        .correlate(Provider)
        .scalar_subquery()
    )
    rows = session.execute(select(Provider, count).order_by(Provider.name)).all()
    return [(provider, services) for provider, services in rows]
