"""Acquiring an offering: WStore's preconditions and texts in its order, the order in
the buyer's project, the contract's snapshot, gateways that settle now or redirect,
and the after-first-payment hooks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mercato.catalogue.models import OfferStatus
from mercato.commerce import contracts
from mercato.commerce.contracts import TaxAddressData, stored_tax_address
from mercato.commerce.models import Contract, ContractCharge, ContractState, Payment, PaymentStatus
from mercato.commerce.payments.lifecycle import approve_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.ordering.models import Event, EventResource, EventType, Order, StatusType
from tests.commerce.purchase_world import MADRID, NOW, TIMEOUT, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]


def _refusal(shop, **changes) -> tuple[str, str]:
    with pytest.raises(Invalid) as refused:
        shop.buy(**changes)
    shop.session.rollback()
    [(field, message)] = refused.value.details.items()
    return field, message


def test_a_sandbox_purchase_is_an_order_with_a_pending_contract_and_payment(shop):
    bought = shop.buy()

    contract = bought.contract
    assert bought.redirect_url == f"/payments/sandbox/{contract.payments[0].gateway_ref}"
    assert len(contract.ref) == 24
    assert contract.state == ContractState.PENDING
    assert (contract.plan_label, contract.currency, contract.tax_rate) == (
        "monthly",
        "EUR",
        Decimal(21),
    )
    assert contract.components["price_components"][1]["unit"] == "per month"
    assert contract.tax_address == MADRID.as_dict()
    [payment] = contract.payments
    assert (payment.gateway, payment.status, payment.amount, payment.currency) == (
        "sandbox",
        PaymentStatus.PENDING,
        Decimal("18.15"),
        "EUR",
    )
    assert payment.expires_at == NOW + TIMEOUT
    assert contract.charges == []
    order = shop.session.get_one(Order, contract.order_id)
    assert (order.project_id, order.iid, order.status_type) == (
        shop.project.id,
        1,
        StatusType.CREATED,
    )
    created = select(func.count(Event.id)).where(
        Event.type == EventType.CREATE, Event.resource == EventResource.PROJECT_ITEM
    )
    assert shop.session.scalar(created) == 1


def test_approving_records_the_charge_and_the_renewal(shop):
    contract = shop.buy().contract
    payment = contract.payments[0]

    later = NOW.replace(minute=2)
    assert approve_payment(shop.session, payment, SandboxGateway(), {}, later) is True
    shop.session.commit()

    assert contract.state == ContractState.PAID
    assert contract.paid_at == later
    [charge] = contract.charges
    assert (charge.concept, charge.duty_free, charge.tax, charge.total, charge.currency) == (
        "initial charge",
        Decimal("15.00"),
        Decimal("3.15"),
        Decimal("18.15"),
        "EUR",
    )
    assert [p["label"] for p in charge.parts] == ["setup", "fee"]
    assert contract.renewal_dates == [(later + timedelta(days=30)).isoformat()]
    assert payment.status == PaymentStatus.SETTLED


def test_offline_pays_at_once_and_leaves_the_invoice_due(shop):
    bought = shop.buy(gateway="offline")

    contract = bought.contract
    assert bought.redirect_url is None
    assert contract.state == ContractState.PAID
    [payment] = contract.payments
    assert (payment.status, payment.gateway_ref, payment.expires_at) == (
        PaymentStatus.DUE,
        f"TRF-{contract.ref.upper()}",
        None,
    )
    assert [c.total for c in contract.charges] == [Decimal("18.15")]


def test_a_free_plan_is_paid_at_once_with_no_charge_and_no_payment(shop):
    bought = shop.buy(plan_label="FREE")

    assert bought.redirect_url is None
    assert bought.contract.state == ContractState.PAID
    assert bought.contract.charges == []
    assert bought.contract.payments == []


def test_a_registered_first_payment_hook_is_called_exactly_once(shop):
    calls = []

    def hook(session, contract):
        calls.append(contract.ref)

    contracts.on_first_payment(hook)
    try:
        contract = shop.buy().contract
        assert calls == []
        approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, NOW)
        approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, NOW)
        contracts.mark_paid(shop.session, contract, NOW)
        shop.session.commit()
    finally:
        contracts.remove_first_payment_hook(hook)

    assert calls == [contract.ref]


def test_the_tax_address_given_is_kept_and_reused_by_the_next_purchase(shop, store, seller):
    shop.buy(plan_label="free")
    assert stored_tax_address(shop.session, shop.buyer) == MADRID
    provider = shop.offering.service.provider
    shop.offering = store.offering(provider, seller, "Parking Sensors", publish=True)

    contract = shop.buy(tax_address=None, plan_label=None, conditions_accepted=False).contract

    assert contract.tax_address == MADRID.as_dict()
    assert contract.state == ContractState.PAID


# --- preconditions, in WStore's order ---------------------------------------------------


def test_not_published(shop):
    shop.offering.offer.status = OfferStatus.DRAFT
    shop.session.commit()

    assert _refusal(shop, conditions_accepted=False) == (
        "offering",
        "This offering can't be purchased",
    )


def test_open_offerings(shop, store, seller):
    provider = shop.offering.service.provider
    asset = store.asset(provider, "Open Map", is_open=True)
    shop.offering = store.offering(
        provider, seller, "Open Data", bound=[asset], is_open=True, publish=True
    )

    assert _refusal(shop, conditions_accepted=False) == (
        "offering",
        "Open offerings cannot be purchased",
    )


def test_terms_not_accepted(shop):
    assert _refusal(shop, conditions_accepted=False, tax_address=None) == (
        "conditions_accepted",
        "You must accept the terms and conditions of the offering to acquire it",
    )


def test_already_purchased(shop):
    shop.buy()

    assert _refusal(shop, tax_address=None, plan_label=None) == (
        "offering",
        "The offering has been already purchased",
    )


def test_no_tax_address(shop):
    assert _refusal(shop, tax_address=None, plan_label=None) == (
        "tax_address",
        "The customer does not have a tax address",
    )


@pytest.mark.parametrize(
    "address",
    [
        TaxAddressData("Calle Mayor 1", "", "Madrid", "ES"),
        TaxAddressData("Calle Mayor 1", "28013", "Madrid", "Atlantis"),
    ],
)
def test_invalid_tax_address(shop, address):
    assert _refusal(shop, tax_address=address, plan_label=None) == (
        "tax_address",
        "The tax address is not valid",
    )


def test_unknown_gateway(shop):
    assert _refusal(shop, gateway="credit_card", plan_label=None) == (
        "gateway",
        "Invalid payment method",
    )


def test_plan_label_required(shop):
    assert _refusal(shop, plan_label=None) == (
        "plan_label",
        "The price plan label is required to identify the plan",
    )


def test_plan_does_not_exist(shop):
    assert _refusal(shop, plan_label="weekly") == (
        "plan_label",
        "The specified plan does not exist",
    )


def test_the_update_plan_needs_an_earlier_version(shop):
    with pytest.raises(Forbidden):
        shop.buy(plan_label="update")


def test_another_customers_project_does_not_exist(shop, make):
    stranger = make.project(make.user())

    with pytest.raises(NotFound):
        shop.buy(project_id=stranger.id)


def test_a_refused_purchase_writes_nothing(shop):
    _refusal(shop, plan_label="weekly")

    for table in (Contract, Payment, ContractCharge, Order):
        assert shop.session.scalar(select(func.count()).select_from(table)) == 0
    assert stored_tax_address(shop.session, shop.buyer) is None


def test_the_snapshot_outlives_a_new_version_of_the_plans(shop, store, seller):
    contract = shop.buy().contract
    shop.offering.price_plans = []
    shop.session.commit()

    shop.session.refresh(contract)
    assert [c["label"] for c in contract.components["price_components"]] == ["setup", "fee"]
