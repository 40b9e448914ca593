"""Redirect payments not approved in time roll back, from the queue worker's sweep, with
the clock moved; approval and expiry race through one atomic UPDATE, whose loser does
nothing; a purchase that already has a charge is never cancelled."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from mercato.commerce.models import Contract, ContractState, Payment, PaymentStatus
from mercato.commerce.payments.gateway import PaymentFailed
from mercato.commerce.payments.lifecycle import approve_payment, cancel_payment, expire_payments
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.db import make_session_factory
from mercato.ordering.models import Event, EventType, Order, StatusType
from mercato.queue import TaskQueue
from mercato.store.access import has_ordered
from tests.commerce.purchase_world import NOW, TIMEOUT, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]


@pytest.fixture
def queue(settings, engine):
    task_queue = TaskQueue(
        settings.model_copy(update={"queue_name": f"test-{uuid.uuid4().hex}"}),
        make_session_factory(engine),
    )
    yield task_queue
    task_queue.huey.flush()


def _state(session, contract) -> tuple[ContractState, PaymentStatus, StatusType, str]:
    session.expire_all()
    contract = session.get_one(Contract, contract.id)
    order = session.get_one(Order, contract.order_id)
    return contract.state, contract.payments[-1].status, order.status_type, order.status_value


def test_the_sweep_rolls_back_a_payment_not_approved_in_time(shop, queue):
    contract = shop.buy().contract

    with time_machine.travel(NOW + TIMEOUT - timedelta(seconds=1), tick=False):
        queue.sweep(always=True)
    assert _state(shop.session, contract) == (
        ContractState.PENDING,
        PaymentStatus.PENDING,
        StatusType.CREATED,
        "created",
    )

    with time_machine.travel(NOW + TIMEOUT, tick=False):
        queue.sweep(always=True)
    assert _state(shop.session, contract) == (
        ContractState.CANCELLED,
        PaymentStatus.EXPIRED,
        StatusType.REJECTED,
        "payment cancelled",
    )
    updates = select(func.count(Event.id)).where(Event.type == EventType.UPDATE)
    assert shop.session.scalar(updates) == 1
    assert has_ordered(shop.session, shop.buyer, shop.offering.offer_id) is False


def test_a_cancelled_purchase_may_be_bought_again(shop, queue):
    shop.buy()
    with time_machine.travel(NOW + TIMEOUT, tick=False):
        queue.sweep(always=True)

    again = shop.buy(tax_address=None).contract

    assert again.state == ContractState.PENDING
    assert shop.session.scalar(select(func.count(Contract.id))) == 2


def test_an_approval_after_expiry_does_nothing(shop):
    contract = shop.buy().contract
    payment = contract.payments[0]
    assert expire_payments(shop.session, NOW + TIMEOUT) == 1
    shop.session.commit()

    assert approve_payment(shop.session, payment, SandboxGateway(), {}, NOW + TIMEOUT) is False
    shop.session.commit()

    assert _state(shop.session, contract)[:2] == (ContractState.CANCELLED, PaymentStatus.EXPIRED)
    assert shop.session.get_one(Contract, contract.id).charges == []


def test_an_expiry_after_approval_does_nothing(shop):
    contract = shop.buy().contract
    approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, NOW)
    shop.session.commit()

    assert expire_payments(shop.session, NOW + TIMEOUT * 2) == 0
    shop.session.commit()

    assert _state(shop.session, contract) == (
        ContractState.PAID,
        PaymentStatus.SETTLED,
        StatusType.CREATED,
        "created",
    )


def test_cancelling_at_the_gateway_rolls_back(shop):
    contract = shop.buy().contract

    assert cancel_payment(shop.session, contract.payments[0], SandboxGateway(), NOW) is True
    shop.session.commit()

    assert _state(shop.session, contract)[:3] == (
        ContractState.CANCELLED,
        PaymentStatus.CANCELLED,
        StatusType.REJECTED,
    )


def test_a_purchase_with_a_charge_is_never_cancelled(shop):
    contract = shop.buy(gateway="offline").contract
    # A later payment of the purchase (a renewal) that is never approved.
    shop.session.add(
        Payment(
            contract_id=contract.id,
            gateway="sandbox",
            gateway_ref="SBX-RENEWAL",
            status=PaymentStatus.PENDING,
            currency="EUR",
            amount=Decimal("12.10"),
            charge={},
            expires_at=NOW + TIMEOUT,
        )
    )
    shop.session.commit()

    assert expire_payments(shop.session, NOW + TIMEOUT) == 1
    shop.session.commit()

    assert _state(shop.session, contract) == (
        ContractState.PAID,
        PaymentStatus.EXPIRED,
        StatusType.CREATED,
        "created",
    )
    assert [c.total for c in shop.session.get_one(Contract, contract.id).charges] == [
        Decimal("18.15")
    ]


ROUNDS = 3


def _race(factory, payment_id: int) -> dict[str, bool]:
    """The buyer's approval and the sweep's expiry, let go at the same moment."""
    start, won = threading.Barrier(2), {}

    def approve() -> None:
        with factory() as session, session.begin():
            payment = session.get_one(Payment, payment_id)
            start.wait()
            won["approve"] = approve_payment(session, payment, SandboxGateway(), {}, NOW)

    def expire() -> None:
        with factory() as session, session.begin():
            start.wait()
            won["expire"] = expire_payments(session, NOW + TIMEOUT) == 1

    threads = [threading.Thread(target=approve), threading.Thread(target=expire)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won


def test_approval_and_expiry_at_the_same_moment_have_one_winner(shop, engine, make):
    """Two sessions, as the web process and the worker are: whichever wins, the other
    does nothing, and the purchase is either paid with one charge or cancelled."""
    factory = make_session_factory(engine)
    for n in range(ROUNDS):
        shop.buyer = make.user(f"racer{n}@example.org")
        shop.project = make.project(shop.buyer)
        contract = shop.buy().contract

        won = _race(factory, contract.payments[0].id)

        assert sorted(won.values()) == [False, True]
        state = _state(shop.session, contract)
        charges = len(shop.session.get_one(Contract, contract.id).charges)
        if won["approve"]:
            assert (state[:2], charges) == ((ContractState.PAID, PaymentStatus.SETTLED), 1)
        else:
            assert (state[:2], charges) == ((ContractState.CANCELLED, PaymentStatus.EXPIRED), 0)


class _Refusing(SandboxGateway):
    """A gateway whose capture fails, as a declined card at PayPal does."""

    def complete(self, gateway_ref, params):
        raise PaymentFailed("INSTRUMENT_DECLINED")


def test_a_failed_capture_leaves_the_payment_pending_until_it_expires(shop):
    contract = shop.buy().contract

    with pytest.raises(PaymentFailed):
        approve_payment(shop.session, contract.payments[0], _Refusing(), {}, NOW)
    shop.session.rollback()

    assert _state(shop.session, contract)[:2] == (ContractState.PENDING, PaymentStatus.PENDING)
    assert expire_payments(shop.session, NOW + TIMEOUT) == 1
