"""Publishing an offering everywhere it goes: this store, the default USDL repository and
the marketplaces named in the publish request.

Nothing is called while the request waits. The offering is published here, and in the
same transaction one ``Publication`` row is written per target (the default repository,
each marketplace); once the caller commits, the outbox sends them
(``mercato.store.marketplaces.outbox``). Marketplaces fetch the offering's USDL back from
this site, which serves it from that commit on.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.store import offerings
from mercato.store.marketplaces.models import Publication, Repository
from mercato.store.marketplaces.rules import note_new_publications, publish_to_marketplaces
from mercato.store.models import StoreOffering


def default_repository(session: Session) -> Repository | None:
    return session.scalar(select(Repository).where(Repository.is_default.is_(True)))


def upload_to_repository(session: Session, offering: StoreOffering) -> Publication | None:
    """Owe the offering's USDL to the default repository, which holds its description once
    the upload succeeds (``description_url``).

    Offerings described by a URL already live somewhere, as in WStore: they are left there.
    """
    repository = default_repository(session)
    if repository is None or offering.description_url:
        return None
    upload = Publication(offer_id=offering.offer_id, repository=repository)
    session.add(upload)
    session.flush()
    note_new_publications(session, 1)
    return upload


def publish(session: Session, offering: StoreOffering, marketplaces: list[str]) -> StoreOffering:
    """Publish here and owe the repository upload and each marketplace's publication."""
    offerings.publish_offering(session, offering, marketplaces)
    upload_to_repository(session, offering)
    publish_to_marketplaces(session, offering, marketplaces)
    return offering
