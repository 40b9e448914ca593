"""Publishing an offering everywhere it goes: this store, the default USDL repository and
the marketplaces named in the publish request.

Marketplaces fetch the offering's USDL back from this site (the v2 contract sends its
address), and this site serves it only once the publish is committed. So the publish is
committed before the marketplaces are called, and undone in a second transaction if one of
them fails, after the others were withdrawn (``rules.publish_to_marketplaces``).
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.catalogue.models import OfferStatus, ServiceStatus
from mercato.errors import Unavailable
from mercato.store import offerings
from mercato.store.descriptions import usdl_of
from mercato.store.marketplaces import repository_client
from mercato.store.marketplaces.models import Repository
from mercato.store.marketplaces.repository_client import Collection
from mercato.store.marketplaces.rules import publish_to_marketplaces, usdl_url
from mercato.store.models import StoreOffering
from mercato.store.usdl import UsdlFormat, export_usdl


@dataclass(frozen=True)
class _Before:
    service_status: ServiceStatus
    description_url: str


def default_repository(session: Session) -> Repository | None:
    return session.scalar(select(Repository).where(Repository.is_default.is_(True)))


def upload_to_repository(session: Session, offering: StoreOffering, base_url: str) -> None:
    """Put the offering's USDL in the default repository, which then holds its description.

    Offerings described by a URL already live somewhere, as in WStore: they are left there.
    """
    repository = default_repository(session)
    if repository is None or offering.description_url:
        return
    collection = Collection(repository.host, repository.api_version, repository.offering_collection)
    service = offering.service
    url = repository_client.document_url(
        collection, service.provider.slug, service.name, offering.version
    )
    document = export_usdl(usdl_of(offering, base_url.rstrip("/")), UsdlFormat.RDF_XML)
    repository_client.upload(collection, url, UsdlFormat.RDF_XML.value, document)
    offering.description_url = url
    session.flush()


def publish(
    session: Session, offering: StoreOffering, marketplaces: list[str], base_url: str
) -> StoreOffering:
    """Publish; raises ``Unavailable`` (nothing published) if the repository or a marketplace
    fails. Commits the session when marketplaces are named."""
    before = _Before(offering.service.status, offering.description_url)
    offerings.publish_offering(session, offering, marketplaces)
    upload_to_repository(session, offering, base_url)
    if not marketplaces:
        return offering
    session.commit()
    try:
        publish_to_marketplaces(session, offering, marketplaces, usdl_url(base_url, offering))
    except Unavailable:
        session.rollback()
        _unpublish(session, offering, before)
        session.commit()
        raise
    return offering


def _unpublish(session: Session, offering: StoreOffering, before: _Before) -> None:
    offering.offer.status = OfferStatus.DRAFT
    offering.published_at = None
    offering.service.status = before.service_status
    offering.description_url = before.description_url
    session.flush()
