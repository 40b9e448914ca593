"""Per-service sequences: the iids of a service's offers and of its bundles."""

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from mercato.catalogue.models import Service


def next_iid(session: Session, service: Service, iid: InstrumentedAttribute[int]) -> int:
    """The next free value of ``iid`` (``Offer.iid`` or ``Bundle.iid``) in the service.

    The service row is locked so two concurrent creations cannot take one iid (a
    no-op on SQLite, whose writers are serialised anyway).
    """
    session.execute(select(Service.id).where(Service.id == service.id).with_for_update())
    owner = iid.class_.service_id
    return (session.scalar(select(func.max(iid)).where(owner == service.id)) or 0) + 1
