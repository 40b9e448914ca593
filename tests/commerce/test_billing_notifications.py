"""A purchase's first payment owes the provider §8's notification, sent by the workers to
a real receiver on loopback; a cancelled or expired payment owes none."""

import json
from datetime import timedelta

import pytest

import mercato.commerce.billing  # noqa: F401  (the app registers it; these tests need it too)
from mercato.accounts.models import User
from mercato.commerce.payments.lifecycle import approve_payment, cancel_payment, expire_payments
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.purchases import acquire
from mercato.store.models import NotificationTarget, StoreOffering
from tests.commerce.purchase_world import NOW, TIMEOUT, shop
from tests.ordering.trigger_receiver import receiving

__all__ = ["shop"]


@pytest.fixture
def writer(shop, committing, worker):
    """A session as the app's: its commits reach the queue the ``worker`` serves."""
    with committing() as session:
        yield session


def _buy(shop, writer, url: str):
    shop.offering.notification, shop.offering.notification_url = NotificationTarget.OWN, url
    shop.session.commit()
    offering = writer.get_one(StoreOffering, shop.offering.offer_id)
    bought = acquire(
        writer,
        writer.get_one(User, shop.buyer.id),
        offering,
        shop.request(),
        shop.gateways,
        base_url="http://127.0.0.1:8000",
        timeout=TIMEOUT,
        now=NOW,
    )
    writer.commit()
    return bought.contract


def test_an_approved_sandbox_payment_notifies_the_provider_once(shop, writer, queue_settings):
    with receiving() as receiver:
        contract = _buy(shop, writer, receiver.url)
        payment = contract.payments[0]
        assert approve_payment(writer, payment, SandboxGateway(), {}, NOW)
        writer.commit()
        # A second approval (the buyer's page reloaded) changes nothing.
        assert not approve_payment(writer, payment, SandboxGateway(), {}, NOW)
        writer.commit()

        [call] = receiver.wait_for(1)

    site = queue_settings.base_url.rstrip("/")
    assert (call.method, call.path) == ("POST", "/hook")
    assert json.loads(call.body) == {
        "offering": {"organization": "CoNWeT", "name": "Smart City Lights", "version": "1.0"},
        "reference": contract.ref,
        "customer": shop.buyer.name,
        "resources": [
            {
                "name": "Map Viewer",
                "version": "1.0",
                "content_type": "application/zip",
                "url": f"{site}/media/resources/conwet/Map%20Viewer/1.0/widget.zip",
            }
        ],
    }


@pytest.mark.parametrize("ending", ["cancelled", "expired"])
def test_a_payment_that_never_went_through_notifies_nobody(shop, writer, queue, ending):
    with receiving() as receiver:
        contract = _buy(shop, writer, receiver.url)
        if ending == "cancelled":
            assert cancel_payment(writer, contract.payments[0], SandboxGateway(), NOW)
        else:
            assert expire_payments(writer, NOW + TIMEOUT + timedelta(seconds=1)) == 1
        writer.commit()

        assert queue.sweep(always=True) == 0
        assert receiver.calls == []
