"""The offline gateway: payment by bank transfer. The purchase goes ahead at once and
its invoice is due; the transfer quotes the gateway reference."""

from collections.abc import Mapping

from mercato.commerce.models import PaymentStatus
from mercato.commerce.payments.gateway import PaymentRequest, Started


class OfflineGateway:
    name = "offline"
    title = "Bank transfer (pay the invoice when it arrives)"

    def start(self, request: PaymentRequest) -> Started:
        return Started(f"TRF-{request.purchase_ref.upper()}", PaymentStatus.DUE)

    def complete(self, gateway_ref: str, params: Mapping[str, str]) -> None:
        """A transfer is never approved on a page."""

    def cancel(self, gateway_ref: str) -> None:
        """Nothing was reserved."""
