"""A provider's sales over two months, for reports: one purchase paid in December
(15.00 + 3.15 IVA) and renewed in January (10.00 + 2.10), a 5 % organisation
stakeholder of subscriptions, and usage metered in November, December and January."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

# The app registers the hooks (invoicing, revenue sharing); these tests need them too.
import mercato.commerce.billing
import mercato.commerce.revenue  # noqa: F401
from mercato.commerce import revenue
from mercato.commerce.charges import renewal_charge
from mercato.commerce.contracts import charge_record, record_charge
from mercato.commerce.models import Contract
from mercato.commerce.money import Currency, Tax
from mercato.commerce.payments.lifecycle import approve_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.registry import registered_units
from mercato.commerce.revenue_models import RevenueClass
from mercato.reports.figures import Period
from mercato.usage.models import UsageRecord
from tests.commerce.purchase_world import MONTHLY, NOW, Shop

NOVEMBER, DECEMBER, JANUARY = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)
THREE_MONTHS = Period(NOVEMBER, JANUARY)
PAID_AT = NOW + timedelta(minutes=2)
RENEWED_AT = datetime(2027, 1, 8, 12, 0, tzinfo=UTC)
# (transaction, unit, component label, value, when)
USAGE = [
    ("n1", "call", "", "40", datetime(2026, 11, 30, 23, 59, tzinfo=UTC)),
    ("d1", "call", "", "100", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
    ("d2", "call", "", "90.5", datetime(2026, 12, 20, tzinfo=UTC)),
    ("d3", "", "minutes", "12", datetime(2026, 12, 21, tzinfo=UTC)),
    ("j1", "call", "", "7", datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)),
    # After the period.
    ("f1", "call", "", "1000", datetime(2027, 2, 1, tzinfo=UTC)),
]


@dataclass
class Sold:
    shop: Shop
    contract: Contract


def meter(shop: Shop, contract: Contract) -> None:
    for transaction_id, unit, label, value, stamp in USAGE:
        shop.session.add(
            UsageRecord(
                contract_id=contract.id,
                transaction_id=transaction_id,
                unit=unit,
                component_label=label,
                value=Decimal(value),
                time_stamp=stamp,
            )
        )


@pytest.fixture
def sold(shop: Shop) -> Sold:
    data = revenue.StakeholderData("5", organisation="FIWARE Foundation")
    revenue.add_stakeholder(shop.session, RevenueClass.SUBSCRIPTION, data)
    contract = shop.buy().contract
    assert approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, PAID_AT)
    due = [datetime.fromisoformat(d) for d in contract.renewal_dates]
    charge = renewal_charge(
        MONTHLY,
        registered_units(shop.session),
        Currency("EUR", 2),
        Tax(Decimal(21), "IVA"),
        due,
        [],
        RENEWED_AT,
    )
    record_charge(shop.session, contract, charge_record(charge, RENEWED_AT), RENEWED_AT)
    meter(shop, contract)
    shop.session.commit()
    return Sold(shop, contract)
