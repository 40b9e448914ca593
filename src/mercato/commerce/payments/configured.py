"""The gateways a site offers, from ``MERCATO_PAYMENT_GATEWAYS``."""

from mercato.commerce.payments.gateway import Gateway, Gateways
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.payments.paypal import PayPalClient, PayPalGateway
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.settings import Settings

NO_PAYPAL_APP = (
    "MERCATO_PAYMENT_GATEWAYS names paypal: set MERCATO_PAYPAL_CLIENT_ID and"
    " MERCATO_PAYPAL_CLIENT_SECRET (the site's PayPal REST app)"
)


def _built_in(paypal: PayPalClient) -> dict[str, Gateway]:
    return {
        "sandbox": SandboxGateway(),
        "offline": OfflineGateway(),
        "paypal": PayPalGateway(paypal),
    }


def configured_gateways(settings: Settings, paypal: PayPalClient) -> Gateways:
    """The gateways named in the settings, in their order; an unknown name, or PayPal
    without the app's credentials, stops start-up."""
    known = _built_in(paypal)
    names = _names(settings)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"MERCATO_PAYMENT_GATEWAYS names unknown gateways: {', '.join(unknown)}")
    credentials = settings.paypal_client_id and settings.paypal_client_secret.get_secret_value()
    if "paypal" in names and not credentials:
        raise ValueError(NO_PAYPAL_APP)
    return Gateways([known[name] for name in names])


def _names(settings: Settings) -> list[str]:
    return [name.strip().lower() for name in settings.payment_gateways.split(",") if name.strip()]


def unattended_gateways(settings: Settings) -> Gateways:
    """The configured gateways that charge without the customer at hand: those the
    worker renews subscriptions with (bank transfer, whose payment is then due)."""
    return Gateways([OfflineGateway()] if OfflineGateway.name in _names(settings) else [])
