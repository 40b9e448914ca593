"""Renewals with the clock moved: WStore's worked example (store-ge.md §6.5 #1), its
text when nothing is due, the worker's reminders, automatic renewals and suspensions,
a redirect renewal that expires, and two sweeps at once."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from mercato.commerce.contracts import TaxAddressData
from mercato.commerce.models import Contract, ContractState, PaymentStatus, PriceUnit
from mercato.commerce.payments.configured import unattended_gateways
from mercato.commerce.payments.lifecycle import approve_payment, expire_payments
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.registry import UnitData, change_unit
from mercato.commerce.renewals import renew, renew_unattended
from mercato.db import make_session_factory
from mercato.errors import Invalid
from mercato.ordering.models import (
    AuthorRole,
    Event,
    EventResource,
    EventType,
    Message,
    Order,
    StatusType,
)
from mercato.ordering.orders import update_order
from mercato.queue import TaskQueue
from mercato.store.assets import downloadable_asset_ids
from tests.commerce.purchase_world import FREE, NOW, TIMEOUT, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]

DAY = timedelta(days=1)
SITE = "http://127.0.0.1:8000"
# §6.5 example 1; bought from a country without a tax rate, so totals are duty-free.
EXAMPLE = {
    "label": "example",
    "title": "Example",
    "description": "A single payment and a monthly fee",
    "currency": "EUR",
    "price_components": [
        {"label": "setup", "description": "Once", "value": "10", "unit": "single payment"},
        {"label": "fee", "description": "Each month", "value": "5", "unit": "per month"},
    ],
}
PARIS = TaxAddressData("1 rue de Rivoli", "75001", "Paris", "FR")


@pytest.fixture
def example(shop):
    shop.offering.price_plans = [EXAMPLE, FREE]
    shop.session.commit()
    return shop


@pytest.fixture
def queue(settings, engine):
    task_queue = TaskQueue(
        settings.model_copy(update={"queue_name": f"test-{uuid.uuid4().hex}"}),
        make_session_factory(engine),
    )
    yield task_queue
    task_queue.huey.flush()


def _buy(shop, gateway: str) -> Contract:
    contract = shop.buy(gateway=gateway, plan_label="example", tax_address=PARIS).contract
    if gateway == "sandbox":
        approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, NOW)
        shop.session.commit()
    return contract


def _fresh(session, contract) -> Contract:
    session.expire_all()
    return session.get_one(Contract, contract.id)


def _totals(session, contract) -> list[Decimal]:
    return [c.total for c in _fresh(session, contract).charges]


def _renew(shop, contract, gateway, now):
    renewal = renew(shop.session, contract, gateway, now, base_url=SITE, timeout=TIMEOUT)
    shop.session.commit()
    return renewal


def test_worked_example_1(example):
    contract = _buy(example, "offline")
    assert _totals(example.session, contract) == [Decimal("15.00")]
    assert contract.renewal_dates == [(NOW + 30 * DAY).isoformat()]

    renewal = _renew(example, contract, OfflineGateway(), NOW + 45 * DAY)

    contract = _fresh(example.session, contract)
    assert renewal.redirect_url is None
    assert [(c.concept, c.total) for c in contract.charges] == [
        ("initial charge", Decimal("15.00")),
        ("Renovation", Decimal("5.00")),
    ]
    assert contract.charges[1].parts == [
        {"kind": "subscription", "label": "fee", "price": "5.00", "use": None}
    ]
    assert contract.renewal_dates == [(NOW + 75 * DAY).isoformat()]
    assert contract.next_renewal_at == NOW + 75 * DAY
    assert [p.status for p in contract.payments] == [PaymentStatus.DUE, PaymentStatus.DUE]


@pytest.mark.parametrize("plan", ["example", "free"])
def test_nothing_due_has_no_subscriptions_to_renovate(example, plan):
    contract = example.buy(gateway="offline", plan_label=plan, tax_address=PARIS).contract
    payments = len(contract.payments)

    with pytest.raises(Invalid) as refused:
        _renew(example, contract, OfflineGateway(), NOW + 30 * DAY)
    example.session.rollback()

    assert refused.value.errors == {"plan": ["No subscriptions to renovate"]}
    assert len(_fresh(example.session, contract).payments) == payments


def _messages(session) -> list[tuple[AuthorRole, str]]:
    session.expire_all()
    return [(m.author_role, m.author_name) for m in session.scalars(select(Message))]


def test_the_customer_is_reminded_once_at_the_lead_time(example, queue):
    contract = _buy(example, "sandbox")

    with time_machine.travel(NOW + 23 * DAY - timedelta(seconds=1), tick=False):
        queue.sweep(always=True)
    assert _messages(example.session) == []

    with time_machine.travel(NOW + 23 * DAY, tick=False):
        queue.sweep(always=True)
        queue.sweep(always=True)
    message = example.session.scalars(select(Message)).one()
    assert (message.author_role, message.author_name, message.order_id) == (
        AuthorRole.MEDIATOR,
        "Mercato",
        contract.order_id,
    )
    assert message.content == (
        "Your subscription is due for renewal on 06 January 2027. Renew it on the purchase's"
        f" page (/purchases/{contract.ref}); an unpaid renewal suspends the purchase."
    )

    with time_machine.travel(NOW + 40 * DAY, tick=False):
        queue.sweep(always=True)
    assert len(_messages(example.session)) == 1
    assert _fresh(example.session, contract).state == ContractState.PAID


def test_the_sweep_renews_a_bank_transfer_purchase_once(example, queue):
    contract = _buy(example, "offline")

    with time_machine.travel(NOW + 30 * DAY, tick=False):
        queue.sweep(always=True)
    assert _totals(example.session, contract) == [Decimal("15.00")]

    with time_machine.travel(NOW + 31 * DAY, tick=False):
        queue.sweep(always=True)
        queue.sweep(always=True)
    assert _totals(example.session, contract) == [Decimal("15.00"), Decimal("5.00")]
    contract = _fresh(example.session, contract)
    assert contract.renewal_dates == [(NOW + 61 * DAY).isoformat()]
    assert contract.state == ContractState.PAID


def test_an_expired_renewal_payment_leaves_the_purchase_paid(example):
    contract = _buy(example, "sandbox")

    renewal = _renew(example, contract, SandboxGateway(), NOW + 31 * DAY)
    assert renewal.redirect_url.startswith("/payments/sandbox/SBX-")
    assert renewal.charge.amount.total == Decimal("5.00")

    assert expire_payments(example.session, NOW + 31 * DAY + TIMEOUT) == 1
    example.session.commit()

    contract = _fresh(example.session, contract)
    order = example.session.get_one(Order, contract.order_id)
    assert (contract.state, order.status_type) == (ContractState.PAID, StatusType.CREATED)
    assert [p.status for p in contract.payments] == [
        PaymentStatus.SETTLED,
        PaymentStatus.EXPIRED,
    ]
    assert _totals(example.session, contract) == [Decimal("15.00")]
    assert contract.renewal_dates == [(NOW + 30 * DAY).isoformat()]


def test_an_approved_renewal_counts_from_the_approval(example):
    contract = _buy(example, "sandbox")
    _renew(example, contract, SandboxGateway(), NOW + 31 * DAY)
    payment = _fresh(example.session, contract).payments[-1]

    approve_payment(example.session, payment, SandboxGateway(), {}, NOW + 31 * DAY)
    example.session.commit()

    assert _totals(example.session, contract) == [Decimal("15.00"), Decimal("5.00")]
    assert _fresh(example.session, contract).next_renewal_at == NOW + 61 * DAY


def _downloads(shop) -> set[int]:
    return downloadable_asset_ids(shop.session, shop.buyer, shop.offering.assets)


def test_overdue_purchases_are_suspended_until_renewed(example, queue):
    contract = _buy(example, "sandbox")
    assert len(_downloads(example)) == 1

    with time_machine.travel(NOW + 44 * DAY, tick=False):
        queue.sweep(always=True)
    assert _fresh(example.session, contract).state == ContractState.PAID

    with time_machine.travel(NOW + 44 * DAY + timedelta(seconds=1), tick=False):
        queue.sweep(always=True)
    assert _fresh(example.session, contract).state == ContractState.SUSPENDED
    assert _downloads(example) == set()

    _renew(example, _fresh(example.session, contract), OfflineGateway(), NOW + 45 * DAY)
    assert _fresh(example.session, contract).state == ContractState.PAID
    assert len(_downloads(example)) == 1


def _order_status(session, contract) -> tuple[StatusType, str]:
    order = session.get_one(Order, _fresh(session, contract).order_id)
    return order.status_type, order.status_value


def _status_events(session, contract) -> list[list[dict[str, str]]]:
    events = session.scalars(
        select(Event)
        .where(Event.order_id == contract.order_id, Event.type == EventType.UPDATE)
        .order_by(Event.id)
    )
    return [event.changes for event in events if event.resource == EventResource.PROJECT_ITEM]


def test_a_suspension_is_told_on_the_order_and_its_status_given_back_when_paid(example, queue):
    contract = _buy(example, "sandbox")
    # The provider's OMS took the order on.
    order = example.session.get_one(Order, contract.order_id)
    update_order(example.session, order, author=None, status=(StatusType.IN_PROGRESS, "set up"))
    example.session.commit()
    before = _order_status(example.session, contract)

    with time_machine.travel(NOW + 45 * DAY, tick=False):
        queue.sweep(always=True)
        queue.sweep(always=True)

    assert _order_status(example.session, contract) == (
        StatusType.WAITING_FOR_RESPONSE,
        "suspended: renewal overdue",
    )
    suspension = example.session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert (suspension.author_role, suspension.author_name, suspension.order_id) == (
        AuthorRole.MEDIATOR,
        "Mercato",
        contract.order_id,
    )
    assert suspension.content == (
        "This purchase is suspended: its renewal is overdue, so its downloads are closed. "
        f"Renew it on the purchase's page (/purchases/{contract.ref}) to reinstate it."
    )

    _renew(example, _fresh(example.session, contract), OfflineGateway(), NOW + 46 * DAY)

    assert _order_status(example.session, contract) == before
    assert _status_events(example.session, contract)[-2:] == [
        [
            {"field": "status.value", "before": "set up", "after": "suspended: renewal overdue"},
            {"field": "status.type", "before": "in_progress", "after": "waiting_for_response"},
        ],
        [
            {"field": "status.value", "before": "suspended: renewal overdue", "after": "set up"},
            {"field": "status.type", "before": "waiting_for_response", "after": "in_progress"},
        ],
    ]
    last = example.session.scalars(select(Message).order_by(Message.id.desc())).first()
    assert last.content == "The renewal is paid: this purchase is reinstated."


def test_renewal_periods_are_the_contracts_not_the_units_changed_since(example, session):
    contract = _buy(example, "offline")
    unit = session.scalars(select(PriceUnit).where(PriceUnit.name == "per month")).one()
    change_unit(session, unit, UnitData("per month", "subscription", 7))
    session.commit()

    _renew(example, _fresh(session, contract), OfflineGateway(), NOW + 45 * DAY)

    assert _fresh(session, contract).next_renewal_at == NOW + 75 * DAY


ROUNDS = 2


def test_two_sweeps_at_once_renew_once(example, engine, make, settings):
    factory = make_session_factory(engine)
    contracts = []
    for n in range(ROUNDS):
        example.buyer = make.user(f"sweeper{n}@example.org")
        example.project = make.project(example.buyer)
        contracts.append(_buy(example, "offline"))
    start, renewed = threading.Barrier(2), []

    def sweep() -> None:
        with factory() as session, session.begin():
            start.wait()
            renewed.append(
                renew_unattended(
                    session,
                    unattended_gateways(settings),
                    NOW + 31 * DAY,
                    base_url=SITE,
                    timeout=TIMEOUT,
                )
            )

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(renewed) == ROUNDS
    charges = select(func.count()).select_from(Contract).join(Contract.charges)
    assert example.session.scalar(charges) == 2 * ROUNDS
