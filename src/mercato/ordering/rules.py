"""Which OMS handles an offer; the registry itself is in ``mercato.ordering.registry``."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from mercato.ordering.models import Oms, OmsType, Order

if TYPE_CHECKING:
    from mercato.catalogue.models import Offer, Service


def _is_available(oms: Oms, service: "Service") -> bool:
    if oms.is_default or oms.service_id == service.id or oms.type == OmsType.GLOBAL:
        return True
    return any(provider.id == service.provider_id for provider in oms.providers)


def _availability_rank(oms: Oms, service: "Service") -> tuple[int, int]:
    if oms.is_default:
        return (0, oms.id)
    if oms.service_id == service.id:
        return (1, oms.id)
    return (2, oms.id) if oms.type == OmsType.GLOBAL else (3, oms.id)


def available_omses_by_service(
    session: Session, services: Sequence["Service"]
) -> dict[int, list[Oms]]:
    """The OMSes an offer of each service may use, in the EOSC Marketplace's order.

    The default OMS first, then OMSes dedicated to the service, global ones, and
    provider-group ones that list the service's provider; each once. A
    marketplace has a handful of OMSes, so they are read once for all services.
    """
    omses = session.scalars(select(Oms).options(selectinload(Oms.providers))).all()
    return {
        service.id: sorted(
            (oms for oms in omses if _is_available(oms, service)),
            key=lambda oms, service=service: _availability_rank(oms, service),
        )
        for service in services
    }


def available_omses(session: Session, service: "Service") -> list[Oms]:
    return available_omses_by_service(session, [service])[service.id]


def current_oms(offer: "Offer", default: Oms | None) -> Oms | None:
    """The OMS that handles the offer's orders: its primary OMS, else the default one."""
    return offer.primary_oms if offer.primary_oms is not None else default


def offer_has_orders(session: Session, offer: "Offer") -> bool:
    return bool(session.scalar(select(exists().where(Order.offer_id == offer.id))))
