"""How an offer is ordered: at once, through its OMS, or on the provider's own website,
and the button its service's page shows for it."""

import enum
from dataclasses import dataclass

from mercato.catalogue.models import Offer, OrderType


class Fulfilment(enum.StrEnum):
    """How ordering an offer is fulfilled."""

    READY = "ready"  # open access: in the project at once
    EXTERNAL = "external"  # the provider's own order page
    OMS = "oms"  # an order handled by the offer's OMS


def fulfilment(offer: Offer) -> Fulfilment:
    if offer.order_type != OrderType.ORDER_REQUIRED:
        return Fulfilment.READY
    return Fulfilment.OMS if offer.internal else Fulfilment.EXTERNAL


ENTRY_LABELS = {
    Fulfilment.READY: "Add to project",
    Fulfilment.OMS: "Order",
    Fulfilment.EXTERNAL: "Go to the order website",
}


@dataclass(frozen=True)
class OrderEntry:
    """The button an offer shows on its service's page."""

    label: str
    url: str
    is_external: bool


def external_url(offer: Offer) -> str:
    """Where an offer ordered outside Mercato is ordered: its order URL, else the webpage."""
    return offer.order_url or offer.service.webpage


def order_entry(offer: Offer) -> OrderEntry | None:
    how = fulfilment(offer)
    if how == Fulfilment.EXTERNAL:
        url = external_url(offer)
        return OrderEntry(ENTRY_LABELS[how], url, True) if url else None
    url = f"/services/{offer.service.slug}/offers/{offer.iid}/order"
    return OrderEntry(ENTRY_LABELS[how], url, False)
