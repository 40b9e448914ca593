"""What counts as acquired for the store (downloads, WStore's ``purchased`` state, the
``purchased`` search filter): a purchase whose payment went through, not one waiting for
it (a PayPal approval, a capture held for review), nor one rolled back or suspended."""

import pytest

from mercato.accounts.rules import issue_token
from mercato.commerce.contracts import pending_payment
from mercato.commerce.payments.lifecycle import approve_payment, cancel_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.store.access import has_ordered, ordered_offer_ids
from mercato.store.assets import downloadable_asset_ids
from tests.commerce.purchase_world import NOW, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]


def _acquired(shop) -> tuple[bool, set[int], int]:
    session, buyer, offering = shop.session, shop.buyer, shop.offering
    session.expire_all()
    return (
        has_ordered(session, buyer, offering.offer_id),
        ordered_offer_ids(session, buyer),
        len(downloadable_asset_ids(session, buyer, offering.assets)),
    )


NOTHING = (False, set(), 0)


def test_a_purchase_waiting_for_its_payment_is_not_acquired(shop):
    bought = shop.buy(gateway="sandbox")
    assert bought.redirect_url is not None

    assert _acquired(shop) == NOTHING


def test_the_purchase_is_acquired_once_its_payment_is_approved(shop):
    bought = shop.buy(gateway="sandbox")
    payment = pending_payment(bought.contract)

    approve_payment(shop.session, payment, SandboxGateway(), {}, NOW)
    shop.session.commit()

    assert _acquired(shop) == (True, {shop.offering.offer_id}, 1)


def test_a_cancelled_payment_acquired_nothing(shop):
    bought = shop.buy(gateway="sandbox")

    cancel_payment(shop.session, pending_payment(bought.contract), SandboxGateway(), NOW)
    shop.session.commit()

    assert _acquired(shop) == NOTHING


@pytest.mark.parametrize("plan", ["monthly", "free"])
def test_an_offline_transfer_or_a_free_plan_acquires_at_once(shop, plan):
    shop.buy(gateway="offline", plan_label=plan)

    assert _acquired(shop) == (True, {shop.offering.offer_id}, 1)


def test_wstore_shows_purchased_only_once_paid(client, shop, session):
    _, token = issue_token(session, shop.buyer)
    session.commit()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    path = "/api/offering/offerings/CoNWeT/Smart City Lights/1.0"
    bought = shop.buy(gateway="sandbox")
    waiting = client.get(path, headers=headers).json()["state"]

    approve_payment(shop.session, pending_payment(bought.contract), SandboxGateway(), {}, NOW)
    shop.session.commit()

    assert (waiting, client.get(path, headers=headers).json()["state"]) == (
        "published",
        "purchased",
    )
