"""The one interface every payment gateway implements, and the gateways a site offers.

A gateway starts a payment for an amount and either settles it at once (or leaves it
due, for a bank transfer) or sends the buyer to a page where they approve it. The
buyer then comes back to ``return_url`` (approved: ``complete`` captures the money)
or to ``cancel_url``. PayPal's Orders API fits as is: create an order (its approve
link is the redirect), capture it on return, and a webhook may complete it too.
No gateway is handed card data: gateways that take cards take them on their pages.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from mercato.commerce.models import PaymentStatus
from mercato.errors import Invalid

INVALID_METHOD = "Invalid payment method"


class PaymentFailed(Exception):
    """The gateway refused or could not take the payment; ``str`` is its reason."""


class PaymentHeld(PaymentFailed):
    """The gateway took the payment but holds it (PayPal: a capture PENDING review); its
    verdict comes later (a webhook). ``str`` says so to the buyer."""


@dataclass(frozen=True)
class PaymentRequest:
    """What a gateway is asked to take. URLs are absolute."""

    purchase_ref: str
    amount: Decimal
    currency: str
    description: str
    return_url: str
    cancel_url: str


@dataclass(frozen=True)
class Started:
    """A started payment: SETTLED or DUE now, or PENDING until approved at ``redirect_url``."""

    gateway_ref: str
    status: PaymentStatus
    redirect_url: str | None = None


class Gateway(Protocol):
    # What forms send and payment rows keep: lower-case, no spaces.
    name: str
    # What buyers read.
    title: str

    def start(self, request: PaymentRequest) -> Started: ...

    def complete(self, gateway_ref: str, params: Mapping[str, str]) -> None:
        """Capture an approved payment; raises PaymentFailed."""
        ...

    def cancel(self, gateway_ref: str) -> None:
        """Give up a payment not completed (best effort)."""
        ...


class Gateways:
    """The gateways buyers may pay with, by name, in the order forms list them."""

    def __init__(self, gateways: list[Gateway]) -> None:
        self._by_name = {gateway.name: gateway for gateway in gateways}

    def __iter__(self) -> Iterator[Gateway]:
        return iter(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)

    def get(self, name: str) -> Gateway:
        """The gateway named; WStore's text when there is none."""
        gateway = self._by_name.get(name)
        if gateway is None:
            raise Invalid.field("gateway", INVALID_METHOD)
        return gateway

    def add(self, gateway: Gateway) -> None:
        self._by_name[gateway.name] = gateway
