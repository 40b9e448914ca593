"""The gateways a site offers, from ``MERCATO_PAYMENT_GATEWAYS``."""

from mercato.commerce.payments.gateway import Gateway, Gateways
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.settings import Settings


def _built_in(settings: Settings) -> dict[str, Gateway]:
    return {"sandbox": SandboxGateway(), "offline": OfflineGateway()}


def configured_gateways(settings: Settings) -> Gateways:
    """The gateways named in the settings, in their order; an unknown name stops start-up."""
    known = _built_in(settings)
    names = [name.strip().lower() for name in settings.payment_gateways.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"MERCATO_PAYMENT_GATEWAYS names unknown gateways: {', '.join(unknown)}")
    return Gateways([known[name] for name in names])
