"""Expenditure limits (store-ge.md §6.8): per transaction, day, week and month; exactly
at a limit passes, one minor unit over stops the charge whole and tells the customer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mercato.accounts.rules import issue_token
from mercato.commerce.charges import Charge, Concept
from mercato.commerce.contracts import charge_record, record_charge
from mercato.commerce.models import Contract
from mercato.commerce.money import Amount
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.renewals import renew
from mercato.errors import Invalid
from mercato.ordering.models import Message
from mercato.usage.charging import sweep_usage
from mercato.usage.limits import LimitData, LimitExceeded, period_start, set_limits
from mercato.usage.models import LimitPeriod, UsageRecord
from tests.commerce.purchase_world import TIMEOUT
from tests.usage.world import DAY, NOW, SITE

LIMITS = "/api/v1/users/{}/expenditure-limits"


def _usage(metered, contract, calls: int) -> None:
    """``calls`` calls at 0.01 EUR: ``calls`` cents pending."""
    metered.session.execute(
        UsageRecord.__table__.insert(),
        [
            {
                "contract_id": contract.id,
                "transaction_id": f"t{n}",
                "unit": "call",
                "component_label": "",
                "value": "1",
                "time_stamp": NOW,
                "received_at": NOW,
            }
            for n in range(calls)
        ],
    )
    metered.session.commit()


def _limit(metered, period: LimitPeriod, amount: str) -> None:
    set_limits(metered.session, metered.shop.buyer.id, [LimitData(period, "EUR", Decimal(amount))])
    metered.session.commit()


def _charged(metered, contract) -> list[Decimal]:
    metered.session.expire_all()
    return [c.total for c in metered.session.get_one(Contract, contract.id).charges]


def _pending(metered) -> int:
    return len(
        metered.session.scalars(select(UsageRecord).where(UsageRecord.charged_at.is_(None))).all()
    )


@pytest.mark.parametrize("period", list(LimitPeriod))
def test_exactly_at_the_limit_is_charged(metered, period):
    contract = metered.buy()
    _usage(metered, contract, 150)
    _limit(metered, period, "1.50")

    assert sweep_usage(metered.session, NOW + DAY, after=timedelta(0)) == 1
    metered.session.commit()

    assert _charged(metered, contract) == [Decimal("1.50")]
    assert _pending(metered) == 0


@pytest.mark.parametrize("period", list(LimitPeriod))
def test_one_cent_over_the_limit_stops_the_charge_and_tells_the_customer(metered, period):
    contract = metered.buy()
    _usage(metered, contract, 150)
    _limit(metered, period, "1.49")

    assert sweep_usage(metered.session, NOW + DAY, after=timedelta(0)) == 0
    assert sweep_usage(metered.session, NOW + DAY + timedelta(hours=1), after=timedelta(0)) == 0
    metered.session.commit()

    assert _charged(metered, contract) == []
    assert _pending(metered) == 150
    messages = metered.session.scalars(select(Message)).all()
    per = "per transaction" if period is LimitPeriod.TRANSACTION else f"per {period}"
    already = "" if period is LimitPeriod.TRANSACTION else " (0 EUR spent already)"
    assert [(m.order_id, m.content) for m in messages] == [
        (
            contract.order_id,
            "A charge for this purchase was not made. There is not enough balance. Check your "
            f"expenditure limits: 1.50 EUR would exceed the limit of 1.49 EUR {per}{already}. "
            "Raise the limit on your account's expenditure limits; the charge is tried again at "
            "the next sweep.",
        )
    ]


def _spend(metered, contract, amount: str, when) -> None:
    charge = Charge(
        Concept.USE, (), Amount("EUR", Decimal(amount), Decimal(0), Decimal(amount), Decimal(0))
    )
    record_charge(metered.session, contract, charge_record(charge, when), when)
    metered.session.commit()


@pytest.mark.parametrize(
    ("period", "earlier", "counted"),
    [
        (LimitPeriod.DAY, timedelta(hours=1), True),
        (LimitPeriod.DAY, timedelta(days=1), False),
        (LimitPeriod.WEEK, timedelta(days=2), True),
        (LimitPeriod.WEEK, timedelta(days=7), False),
        (LimitPeriod.MONTH, timedelta(days=5), True),
        (LimitPeriod.MONTH, timedelta(days=40), False),
    ],
)
def test_periods_count_the_charges_of_their_calendar_period(metered, period, earlier, counted):
    # Thursday 2026-12-10 12:00 UTC: the week started Monday the 7th, the month the 1st.
    now = NOW + 3 * DAY
    contract = metered.buy()
    _spend(metered, contract, "1.00", now - earlier)
    _usage(metered, contract, 100)
    _limit(metered, period, "1.99")

    charged = sweep_usage(metered.session, now, after=timedelta(0))
    metered.session.commit()

    assert charged == (0 if counted else 1)


def test_period_starts():
    thursday = NOW + 3 * DAY
    assert period_start(LimitPeriod.DAY, thursday).isoformat() == "2026-12-10T00:00:00+00:00"
    assert period_start(LimitPeriod.WEEK, thursday).isoformat() == "2026-12-07T00:00:00+00:00"
    assert period_start(LimitPeriod.MONTH, thursday).isoformat() == "2026-12-01T00:00:00+00:00"


def test_a_renewal_over_the_limit_is_refused_with_wstores_text(metered):
    contract = metered.buy("mixed")
    _limit(metered, LimitPeriod.TRANSACTION, "4.99")

    with pytest.raises(LimitExceeded) as refused:
        renew(
            metered.session,
            contract,
            OfflineGateway(),
            NOW + 31 * DAY,
            base_url=SITE,
            timeout=TIMEOUT,
        )
    metered.session.rollback()

    assert str(refused.value.details["expenditure_limit"]).startswith(
        "There is not enough balance. Check your expenditure limits"
    )
    assert _charged(metered, contract) == [Decimal("5.00")]


def test_limits_api(client, metered, make):
    buyer = metered.shop.buyer
    token = make.token_user("limits@example.org")
    admin = make.token_user("root@example.org", is_admin=True)
    _, own = issue_token(metered.session, buyer)
    metered.session.commit()
    body = {"limits": [{"period": "month", "currency": "EUR", "max_amount": "100.00"}]}

    put = client.put(LIMITS.format("me"), json=body, headers={"X-User-Token": own})
    read = client.get(LIMITS.format(buyer.id), headers={"X-User-Token": admin.token})
    other = client.get(LIMITS.format(buyer.id), headers={"X-User-Token": token.token})
    bad = client.put(
        LIMITS.format("me"),
        json={"limits": [{"period": "year", "currency": "EUR", "max_amount": "1"}]},
        headers={"X-User-Token": own},
    )
    twice = client.put(
        LIMITS.format("me"), json={"limits": body["limits"] * 2}, headers={"X-User-Token": own}
    )

    assert (put.status_code, put.json()) == (200, body)
    assert (read.status_code, read.json()) == (200, body)
    assert other.status_code == 403
    assert bad.status_code == 400
    assert list(bad.json()["error"]) == ["limits.0.period"]
    assert (twice.status_code, twice.json()) == (
        400,
        {"error": {"limits.1": ["a second limit for this period and currency"]}},
    )


def test_invalid_is_the_base_of_limit_errors():
    assert issubclass(LimitExceeded, Invalid)


def test_a_purchase_over_the_limit_is_refused_and_nothing_is_bought(metered):
    _limit(metered, LimitPeriod.TRANSACTION, "4.99")

    with pytest.raises(LimitExceeded):
        metered.buy("mixed")
    metered.session.rollback()
    _limit(metered, LimitPeriod.TRANSACTION, "5.00")
    contract = metered.buy("mixed")

    assert _charged(metered, contract) == [Decimal("5.00")]
    assert metered.session.scalars(select(Contract)).all() == [contract]
