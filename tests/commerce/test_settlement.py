"""Settlement figures per period and party, from the revenue records of real charges."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

# The app registers the hooks (invoicing, revenue sharing); these tests need them too.
import mercato.commerce.billing
import mercato.commerce.revenue  # noqa: F401
from mercato.commerce import revenue
from mercato.commerce.charges import renewal_charge
from mercato.commerce.contracts import charge_record, record_charge
from mercato.commerce.money import Currency, Tax
from mercato.commerce.payments.lifecycle import approve_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.registry import registered_units
from mercato.commerce.revenue_models import PartyKind, RevenueClass
from mercato.commerce.settlement import PartyKey, SettlementRow, revenue_records, settlement
from tests.commerce.purchase_world import MONTHLY, NOW, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]

DECEMBER = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
JANUARY = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))


def _row(party: PartyKey, charges: int, duty_free: str, tax: str) -> SettlementRow:
    return SettlementRow(
        party, "EUR", charges, Decimal(duty_free), Decimal(tax), Decimal(duty_free) + Decimal(tax)
    )


@pytest.fixture
def sales(shop, make):
    """One purchase paid in December (15.00 + 3.15 IVA), renewed in January (10.00 +
    2.10); a 5 % organisation stakeholder of subscriptions from the start."""
    data = revenue.StakeholderData("5", organisation="FIWARE Foundation")
    revenue.add_stakeholder(shop.session, RevenueClass.SUBSCRIPTION, data)
    contract = shop.buy().contract
    paid_at = NOW + timedelta(minutes=2)
    assert approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, paid_at)
    renewed_at = datetime(2027, 1, 8, 12, 0, tzinfo=UTC)
    due = [datetime.fromisoformat(d) for d in contract.renewal_dates]
    charge = renewal_charge(
        MONTHLY,
        registered_units(shop.session),
        Currency("EUR", 2),
        Tax(Decimal(21), "IVA"),
        due,
        [],
        renewed_at,
    )
    record_charge(shop.session, contract, charge_record(charge, renewed_at), renewed_at)
    shop.session.commit()
    return shop


def test_each_party_gets_its_figures_for_the_period(sales):
    provider = sales.offering.service.provider
    store_party = PartyKey(PartyKind.AGGREGATOR, revenue.AGGREGATOR)
    seller_party = PartyKey(PartyKind.PROVIDER, "CoNWeT", provider.id)
    fiware = PartyKey(PartyKind.STAKEHOLDER, "FIWARE Foundation")

    december = settlement(sales.session, None, *DECEMBER)
    january = settlement(sales.session, provider, *JANUARY)
    both = settlement(sales.session, None, DECEMBER[0], JANUARY[1])

    # 20 % to the store, 5 % to FIWARE, 75 % (and the cents left over) to CoNWeT.
    assert december == [
        _row(store_party, 1, "3.00", "0.63"),
        _row(seller_party, 1, "11.25", "2.37"),
        _row(fiware, 1, "0.75", "0.15"),
    ]
    assert january == [
        _row(store_party, 1, "2.00", "0.42"),
        _row(seller_party, 1, "7.50", "1.58"),
        _row(fiware, 1, "0.50", "0.10"),
    ]
    assert both == [
        _row(store_party, 2, "5.00", "1.05"),
        _row(seller_party, 2, "18.75", "3.95"),
        _row(fiware, 2, "1.25", "0.25"),
    ]
    assert sum(r.total for r in both) == Decimal("18.15") + Decimal("12.10")


def test_another_providers_settlement_and_an_empty_period_have_no_rows(sales, make):
    other = make.provider(name="Elsewhere")

    assert settlement(sales.session, other, *DECEMBER) == []
    assert settlement(sales.session, None, DECEMBER[0] - timedelta(days=31), DECEMBER[0]) == []
    assert list(revenue_records(sales.session, other, *DECEMBER)) == []


def test_a_period_is_start_inclusive_end_exclusive(sales):
    paid_at = NOW + timedelta(minutes=2)

    starting = settlement(sales.session, None, paid_at, paid_at + timedelta(seconds=1))
    ending = settlement(sales.session, None, paid_at - timedelta(seconds=1), paid_at)

    assert [r.charges for r in starting] == [1, 1, 1]
    assert ending == []


def test_a_period_must_end_after_it_starts(session):
    with pytest.raises(ValueError):
        settlement(session, None, DECEMBER[1], DECEMBER[0])
