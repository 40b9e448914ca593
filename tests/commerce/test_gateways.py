"""The gateways a site offers come from MERCATO_PAYMENT_GATEWAYS, in its order."""

import pytest

from mercato.commerce.payments.configured import configured_gateways
from mercato.commerce.payments.offline import OfflineGateway
from mercato.errors import Invalid
from mercato.settings import Settings


def test_the_default_gateways_are_the_sandbox_then_bank_transfer():
    assert configured_gateways(Settings()).names() == ["sandbox", "offline"]


def test_gateways_follow_the_setting(monkeypatch):
    monkeypatch.setenv("MERCATO_PAYMENT_GATEWAYS", " Offline ")

    gateways = configured_gateways(Settings())

    assert gateways.names() == ["offline"]
    with pytest.raises(Invalid) as refused:
        gateways.get("sandbox")
    assert refused.value.details == {"gateway": "Invalid payment method"}


def test_an_unknown_gateway_stops_start_up(monkeypatch):
    monkeypatch.setenv("MERCATO_PAYMENT_GATEWAYS", "sandbox,carrier-pigeon")

    with pytest.raises(ValueError, match="unknown gateways: carrier-pigeon"):
        configured_gateways(Settings())


def test_the_payment_timeout_defaults_to_wstores_five_minutes():
    assert Settings().payment_timeout_seconds == 300


class _Cheque(OfflineGateway):
    name = "cheque"


def test_a_gateway_added_later_is_offered_last():
    gateways = configured_gateways(Settings())

    gateways.add(_Cheque())

    assert gateways.names() == ["sandbox", "offline", "cheque"]
