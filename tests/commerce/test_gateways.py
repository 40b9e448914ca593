"""The gateways a site offers come from MERCATO_PAYMENT_GATEWAYS, in its order."""

import pytest

from mercato.commerce.payments.configured import configured_gateways
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.payments.paypal import PayPalClient
from mercato.errors import Invalid
from mercato.settings import Settings


def _configured(settings: Settings):
    return configured_gateways(settings, PayPalClient(settings))


def test_the_default_gateways_are_the_sandbox_then_bank_transfer():
    assert _configured(Settings()).names() == ["sandbox", "offline"]


def test_gateways_follow_the_setting(monkeypatch):
    monkeypatch.setenv("MERCATO_PAYMENT_GATEWAYS", " Offline ")

    gateways = _configured(Settings())

    assert gateways.names() == ["offline"]
    with pytest.raises(Invalid) as refused:
        gateways.get("sandbox")
    assert refused.value.details == {"gateway": "Invalid payment method"}


def test_an_unknown_gateway_stops_start_up(monkeypatch):
    monkeypatch.setenv("MERCATO_PAYMENT_GATEWAYS", "sandbox,carrier-pigeon")

    with pytest.raises(ValueError, match="unknown gateways: carrier-pigeon"):
        _configured(Settings())


def test_paypal_is_a_third_gateway_that_needs_the_apps_credentials(monkeypatch):
    monkeypatch.setenv("MERCATO_PAYMENT_GATEWAYS", "sandbox,offline,paypal")

    with pytest.raises(ValueError) as refused:
        _configured(Settings())
    assert str(refused.value) == (
        "MERCATO_PAYMENT_GATEWAYS names paypal: set MERCATO_PAYPAL_CLIENT_ID and"
        " MERCATO_PAYPAL_CLIENT_SECRET (the site's PayPal REST app)"
    )

    monkeypatch.setenv("MERCATO_PAYPAL_CLIENT_ID", "id")
    monkeypatch.setenv("MERCATO_PAYPAL_CLIENT_SECRET", "secret")
    gateways = _configured(Settings())
    assert gateways.names() == ["sandbox", "offline", "paypal"]
    assert gateways.get("paypal").title == "PayPal"


def test_the_payment_timeout_defaults_to_wstores_five_minutes():
    assert Settings().payment_timeout_seconds == 300


class _Cheque(OfflineGateway):
    name = "cheque"


def test_a_gateway_added_later_is_offered_last():
    gateways = _configured(Settings())

    gateways.add(_Cheque())

    assert gateways.names() == ["sandbox", "offline", "cheque"]
