"""The sandbox gateway: Mercato's own approve-or-cancel page, for demos and tests.
Nothing is charged; approving stands for a buyer paying at a real gateway."""

import secrets
from collections.abc import Mapping

from mercato.commerce.models import PaymentStatus
from mercato.commerce.payments.gateway import PaymentRequest, Started

CHECKOUT_PATH = "/payments/sandbox/{gateway_ref}"


class SandboxGateway:
    name = "sandbox"
    title = "Sandbox (test payment, nothing is charged)"

    def start(self, request: PaymentRequest) -> Started:
        gateway_ref = f"SBX-{secrets.token_hex(8).upper()}"
        # On this site, wherever it is reached from: a relative address.
        url = CHECKOUT_PATH.format(gateway_ref=gateway_ref)
        return Started(gateway_ref, PaymentStatus.PENDING, url)

    def complete(self, gateway_ref: str, params: Mapping[str, str]) -> None:
        """Approval on the sandbox page is the payment: nothing to capture."""

    def cancel(self, gateway_ref: str) -> None:
        """Nothing was reserved."""
