"""Pay-per-use charging from stored usage (store-ge.md §6.3-§6.5): usage sent through the
batch API and WStore's accounting API, rated by the plan as bought, charged by the
worker's sweep or at renewal through ``record_charge`` (which invoices), the records
marked charged with the charge; exact amounts of the worked examples."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from mercato.commerce.invoice_models import Invoice
from mercato.commerce.models import Contract, ContractState
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.renewals import renew
from mercato.db import make_session_factory
from mercato.errors import Conflict
from mercato.usage.charging import sweep_usage
from mercato.usage.models import UsageRecord
from mercato.usage.records import mark_charged
from tests.commerce.purchase_world import TIMEOUT
from tests.usage.world import DAY, NOW, SITE, record

MONTH = timedelta(days=30)


def send(client, metered, contract, *records) -> dict:
    response = client.post(
        f"/api/v1/purchases/{contract.ref}/usage",
        json={"records": list(records)},
        headers={"X-User-Token": metered.seller.token},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _fresh(session, contract) -> Contract:
    session.expire_all()
    return session.get_one(Contract, contract.id)


def _records(session, contract) -> list[tuple[str, bool, int | None]]:
    session.expire_all()
    rows = session.scalars(
        select(UsageRecord).where(UsageRecord.contract_id == contract.id).order_by(UsageRecord.id)
    )
    return [(r.transaction_id, r.charged_at is not None, r.charge_id) for r in rows]


def test_example_2_swept_after_30_days_is_1_30_with_its_invoice(client, metered):
    contract = metered.buy("calls")
    send(client, metered, contract, record("a", "call", 190), record("b", "megabyte", "30"))
    session = metered.session

    # Not yet 30 days old (the records are stamped with the real clock: NOW is earlier).
    stamp = session.scalars(select(UsageRecord.time_stamp)).first()
    assert sweep_usage(session, stamp + MONTH - timedelta(seconds=1), after=MONTH) == 0
    assert sweep_usage(session, stamp + MONTH, after=MONTH) == 1
    session.commit()

    contract = _fresh(session, contract)
    assert [(c.concept, c.total) for c in contract.charges] == [("pay per use", Decimal("1.30"))]
    assert contract.charges[0].parts == [
        {"kind": "pay per use", "label": "calls", "price": "1.90", "use": "190"},
        {"kind": "deduction", "label": "traffic", "price": "0.60", "use": "30"},
    ]
    charge_id = contract.charges[0].id
    assert _records(session, contract) == [("a", True, charge_id), ("b", True, charge_id)]
    invoices = session.scalars(select(Invoice).where(Invoice.order_id == contract.order_id))
    assert sorted(i.total for i in invoices) == [Decimal("0.00"), Decimal("1.30")]

    # Nothing pending: the next sweep charges nothing; a duplicate is not charged again.
    send(client, metered, contract, record("a", "call", 190))
    assert sweep_usage(session, stamp + 2 * MONTH, after=MONTH) == 0


def test_example_3_renewal_charges_subscription_and_pending_use_33_30(client, metered):
    contract = metered.buy("mixed")
    assert [c.total for c in _fresh(metered.session, contract).charges] == [Decimal("5.00")]
    send(
        client,
        metered,
        contract,
        record("c1", "", 15, "calls"),
        record("c2", "", 5, "calls"),
        record("m1", "", 7, "minutes"),
    )
    # The per-call deduction rates calls by unit: WStore's fixture gives them unit `call`.
    session = metered.session
    session.execute(
        UsageRecord.__table__.update()
        .where(UsageRecord.component_label == "calls")
        .values(unit="call")
    )
    session.commit()
    # The usage sweep leaves plans with subscriptions to their renewal.
    assert sweep_usage(session, NOW + 90 * DAY, after=timedelta(0)) == 0

    renew(session, contract, OfflineGateway(), NOW + 31 * DAY, base_url=SITE, timeout=TIMEOUT)
    session.commit()

    contract = _fresh(session, contract)
    assert [(c.concept, c.total) for c in contract.charges] == [
        ("initial charge", Decimal("5.00")),
        ("Renovation", Decimal("33.30")),
    ]
    assert [p["price"] for p in contract.charges[1].parts] == ["5.00", "33.00", "0.70", "4.00"]
    renewal_id = contract.charges[1].id
    assert [r[1:] for r in _records(session, contract)] == [(True, renewal_id)] * 3


def test_example_3_renewal_without_use_is_5_00(metered):
    contract = metered.buy("mixed")
    session = metered.session
    renew(session, contract, OfflineGateway(), NOW + 45 * DAY, base_url=SITE, timeout=TIMEOUT)
    session.commit()
    assert [c.total for c in _fresh(session, contract).charges] == [
        Decimal("5.00"),
        Decimal("5.00"),
    ]


def test_the_worker_sweep_charges_use_with_usage_charge_after_days(client, metered, engine):
    from mercato.queue import TaskQueue

    contract = metered.buy("calls")
    send(client, metered, contract, record("a", "call", 100))
    settings = client.app.state.settings.model_copy(update={"usage_charge_after_days": 0})
    queue = TaskQueue(settings, make_session_factory(engine))
    try:
        queue.sweep(always=True)
    finally:
        queue.huey.flush()
    assert [c.total for c in _fresh(metered.session, contract).charges] == [Decimal("1.00")]
    assert _fresh(metered.session, contract).state == ContractState.PAID


def test_two_sweeps_at_once_charge_the_use_once(client, metered, engine):
    contract = metered.buy("calls")
    send(client, metered, contract, *[record(f"t{n}", "call", 1) for n in range(50)])
    factory = make_session_factory(engine)
    barrier = threading.Barrier(2)
    errors = []

    def sweep() -> None:
        try:
            with factory() as session:
                barrier.wait()
                sweep_usage(session, NOW + 400 * DAY, after=timedelta(0))
                session.commit()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [c.total for c in _fresh(metered.session, contract).charges] == [Decimal("0.50")]


@pytest.mark.parametrize(
    ("count", "strict", "marked"),
    [(3, True, 3), (2, True, None), (2, False, 3), (4, False, None)],
)
def test_marking_refuses_use_charged_meanwhile_and_a_strict_charge_refuses_late_records(
    client, metered, count, strict, marked
):
    contract = metered.buy("calls")
    send(client, metered, contract, *[record(f"t{n}", "call", 1) for n in range(3)])
    session = metered.session
    upto = session.scalar(select(func.max(UsageRecord.id)))
    marker = {"upto": upto, "count": count, "strict": strict}

    if marked is None:
        with pytest.raises(Conflict):
            mark_charged(session, contract.id, marker, None, NOW)
    else:
        mark_charged(session, contract.id, marker, None, NOW)
        assert [r[1] for r in _records(session, contract)] == [True] * marked
    session.rollback()
