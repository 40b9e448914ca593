"""Renewing by hand on the purchase page, as a browser without scripts does, with the
clock moved: the next renewal date, the form once due, a bank-transfer renewal, a
sandbox one sent on to approve, and the suspended badge."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from mercato.commerce.models import Contract, ContractState
from tests.commerce.purchase_world import NOW, shop
from tests.commerce.test_renewals import DAY, _buy, _fresh, _totals, example
from tests.store.world import seller, store
from tests.web.pages import log_in, submit

__all__ = ["example", "seller", "shop", "store"]

RENEW_BUTTON = '<button type="submit" class="button">Renew now</button>'


@pytest.fixture
def bought(example) -> Contract:
    return _buy(example, "offline")


@contextmanager
def _logged_in_at(client, example, when: datetime) -> Iterator[None]:
    """The clock moved to ``when``, and the buyer logged in then (sessions expire)."""
    with time_machine.travel(when, tick=False):
        log_in(client, example.buyer)
        yield


def test_the_page_shows_the_next_renewal_and_no_form_before_it_is_due(client, bought, example):
    with _logged_in_at(client, example, NOW + 10 * DAY):
        page = client.get(f"/purchases/{bought.ref}").text

    assert "<dt>Next renewal</dt><dd>06 Jan 2027</dd>" in page
    assert RENEW_BUTTON not in page


def test_a_due_renewal_is_paid_by_bank_transfer_from_the_page(client, bought, example):
    page_url = f"/purchases/{bought.ref}"
    with _logged_in_at(client, example, NOW + 31 * DAY):
        page = client.get(page_url).text
        assert RENEW_BUTTON in page
        assert re.findall(r'name="gateway" value="([^"]*)"', page) == ["sandbox", "offline"]
        response = submit(client, page_url, f"{page_url}/renew", {"gateway": "offline"})
        assert (response.status_code, response.headers["location"]) == (303, page_url)
        assert "Renewed: 5.00 EUR charged." in client.get(page_url).text

    assert _totals(example.session, bought) == [Decimal("15.00"), Decimal("5.00")]


def test_a_sandbox_renewal_sends_the_customer_on_to_approve(client, bought, example):
    page_url = f"/purchases/{bought.ref}"
    with _logged_in_at(client, example, NOW + 31 * DAY):
        response = submit(client, page_url, f"{page_url}/renew", {"gateway": "sandbox"})
        assert response.status_code == 303
        assert response.headers["location"].startswith("/payments/sandbox/SBX-")
        page = client.get(page_url).text
    assert "The payment is waiting for your approval at the gateway." in page
    assert RENEW_BUTTON not in page


def test_suspended_purchases_show_it(client, bought, example):
    contract = _fresh(example.session, bought)
    contract.state = ContractState.SUSPENDED
    example.session.commit()

    with _logged_in_at(client, example, NOW + 50 * DAY):
        mine = client.get("/purchases").text
        page = client.get(f"/purchases/{bought.ref}").text

    assert '<span class="badge purchase-suspended">suspended</span>' in mine
    assert "This purchase is suspended until it is renewed" in page
    assert RENEW_BUTTON in page


def test_cancelling_a_renewal_payment_keeps_the_purchase(client, bought, example):
    page_url = f"/purchases/{bought.ref}"
    with _logged_in_at(client, example, NOW + 31 * DAY):
        submit(client, page_url, f"{page_url}/renew", {"gateway": "sandbox"})
        response = submit(client, page_url, f"{page_url}/cancel")
        assert (response.status_code, response.headers["location"]) == (303, page_url)
        page = client.get(page_url).text

    assert "Payment canceled: nothing was charged; the renewal is still due." in page
    assert _fresh(example.session, bought).state == ContractState.PAID
    assert RENEW_BUTTON in page
