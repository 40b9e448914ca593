"""Report figures per month, from real charges (revenue records, charges) and usage."""

from datetime import date
from decimal import Decimal

import pytest

from mercato.commerce import revenue
from mercato.commerce.revenue_models import PartyKind
from mercato.commerce.settlement import PartyKey, SettlementRow
from mercato.reports.figures import (
    MonthRevenue,
    MonthSpending,
    MonthUsage,
    Period,
    revenue_per_month,
    spending_per_month,
    usage_per_month,
)
from tests.reports.world import DECEMBER, JANUARY, NOVEMBER, THREE_MONTHS

OFFERING = "Smart City Lights"


def _revenue(month: date, party: PartyKey, duty_free: str, tax: str) -> MonthRevenue:
    figures = Decimal(duty_free), Decimal(tax), Decimal(duty_free) + Decimal(tax)
    return MonthRevenue(month, SettlementRow(party, "EUR", 1, *figures))


def _usage(month: date, unit: str, records: int, value: str) -> MonthUsage:
    return MonthUsage(month, "CoNWeT", OFFERING, unit, records, Decimal(value))


def test_revenue_per_month_splits_each_months_charges_between_the_parties(sold, make):
    provider = sold.shop.offering.service.provider
    store_party = PartyKey(PartyKind.AGGREGATOR, revenue.AGGREGATOR)
    seller_party = PartyKey(PartyKind.PROVIDER, "CoNWeT", provider.id)
    fiware = PartyKey(PartyKind.STAKEHOLDER, "FIWARE Foundation")
    expected = [
        _revenue(DECEMBER, store_party, "3.00", "0.63"),
        _revenue(DECEMBER, seller_party, "11.25", "2.37"),
        _revenue(DECEMBER, fiware, "0.75", "0.15"),
        _revenue(JANUARY, store_party, "2.00", "0.42"),
        _revenue(JANUARY, seller_party, "7.50", "1.58"),
        _revenue(JANUARY, fiware, "0.50", "0.10"),
    ]

    store_wide = revenue_per_month(sold.shop.session, None, THREE_MONTHS)
    of_provider = revenue_per_month(sold.shop.session, provider, THREE_MONTHS)
    of_other = revenue_per_month(sold.shop.session, make.provider(name="Other"), THREE_MONTHS)

    assert store_wide == expected
    assert of_provider == expected
    assert of_other == []


def test_usage_per_month_sums_each_unit_by_when_it_was_used(sold, make):
    session = sold.shop.session
    provider = sold.shop.offering.service.provider
    expected = [
        _usage(NOVEMBER, "call", 1, "40"),
        _usage(DECEMBER, "call", 2, "190.5"),
        _usage(DECEMBER, "minutes", 1, "12"),
        _usage(JANUARY, "call", 1, "7"),
    ]

    assert usage_per_month(session, THREE_MONTHS) == expected
    assert usage_per_month(session, THREE_MONTHS, provider_ids={provider.id}) == expected
    assert usage_per_month(session, THREE_MONTHS, customer=sold.shop.buyer) == expected
    assert usage_per_month(session, Period(DECEMBER, DECEMBER)) == expected[1:3]
    assert usage_per_month(session, THREE_MONTHS, provider_ids={provider.id + 1}) == []
    assert usage_per_month(session, THREE_MONTHS, customer=make.user("b@example.org")) == []


def test_spending_per_month_is_the_customers_charges_per_offering(sold, make):
    session = sold.shop.session

    mine = spending_per_month(session, sold.shop.buyer, THREE_MONTHS)
    theirs = spending_per_month(session, make.user("b@example.org"), THREE_MONTHS)

    assert mine == [
        MonthSpending(
            DECEMBER,
            "CoNWeT",
            OFFERING,
            "EUR",
            1,
            Decimal("15.00"),
            Decimal("3.15"),
            Decimal("18.15"),
        ),
        MonthSpending(
            JANUARY,
            "CoNWeT",
            OFFERING,
            "EUR",
            1,
            Decimal("10.00"),
            Decimal("2.10"),
            Decimal("12.10"),
        ),
    ]
    assert theirs == []


def test_a_period_is_whole_months_in_order():
    period = Period(date(2026, 11, 1), date(2027, 2, 1))

    assert period.months == [date(2026, 11, 1), DECEMBER, JANUARY, date(2027, 2, 1)]
    assert (period.start.isoformat(), period.end.isoformat()) == (
        "2026-11-01T00:00:00+00:00",
        "2027-03-01T00:00:00+00:00",
    )


@pytest.mark.parametrize(("first", "last"), [(date(2026, 12, 2), JANUARY), (JANUARY, DECEMBER)])
def test_a_period_starts_on_a_first_day_and_ends_after_it_starts(first, last):
    with pytest.raises(ValueError):
        Period(first, last)
