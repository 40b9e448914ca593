"""Every recorded charge is shared out in its transaction: one revenue record per party
(the store, the provider who sold, each stakeholder), adding up exactly to the charge."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

# The app registers the hooks (invoicing, revenue sharing); these tests need them too.
import mercato.commerce.billing
import mercato.commerce.revenue  # noqa: F401
from mercato.commerce import revenue
from mercato.commerce.charges import Charge, Concept, Usage, usage_charge
from mercato.commerce.contracts import charge_record, record_charge
from mercato.commerce.money import Amount, Currency, Tax, taxed
from mercato.commerce.payments.lifecycle import approve_payment, cancel_payment
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.registry import registered_units
from mercato.commerce.revenue_models import PartyKind, RevenueClass, RevenueRecord
from mercato.errors import Conflict, Invalid
from tests.commerce.purchase_world import NOW, shop
from tests.store.world import seller, store

__all__ = ["seller", "shop", "store"]

LATER = NOW + timedelta(minutes=2)
ONE_PARTY = "name exactly one: a provider, a user or an organisation"
NO_PROVIDER = "is not a registered provider"
INVALID_TYPE = revenue.INVALID_PERCENTAGE_TYPE


def _records(session) -> list[tuple]:
    session.expire_all()
    rows = session.scalars(select(RevenueRecord).order_by(RevenueRecord.id))
    return [(r.party_kind, r.party_name, r.percentage, r.duty_free, r.tax, r.total) for r in rows]


def _classes(session) -> set[RevenueClass]:
    return set(session.scalars(select(RevenueRecord.revenue_class)))


PROVIDER, STORE, OTHER = PartyKind.PROVIDER, PartyKind.AGGREGATOR, PartyKind.STAKEHOLDER


def _row(kind: PartyKind, name: str, *figures: str) -> tuple:
    """A record as ``_records`` shows it, its class left out; figures: percentage,
    duty-free, tax, total."""
    return (kind, name, *(Decimal(f) for f in figures))


def _paid(shop):
    contract = shop.buy().contract
    assert approve_payment(shop.session, contract.payments[0], SandboxGateway(), {}, LATER)
    shop.session.commit()
    return contract


def test_a_pending_or_cancelled_purchase_shares_nothing(shop):
    contract = shop.buy().contract
    assert _records(shop.session) == []

    assert cancel_payment(shop.session, contract.payments[0], SandboxGateway(), LATER)
    shop.session.commit()

    assert _records(shop.session) == []


def test_the_paid_charge_is_split_by_the_default_model_of_its_class(shop):
    contract = _paid(shop)

    # 5 EUR once + 10 EUR a month: a subscription; the store keeps WStore's 20 %.
    # 15.00 duty-free and 3.15 IVA (21 %).
    assert _records(shop.session) == [
        _row(PROVIDER, "CoNWeT", "80.00", "12.00", "2.52", "14.52"),
        _row(STORE, revenue.AGGREGATOR, "20.00", "3.00", "0.63", "3.63"),
    ]
    assert _classes(shop.session) == {RevenueClass.SUBSCRIPTION}
    record = shop.session.scalars(select(RevenueRecord)).first()
    assert (record.contract_id, record.provider_id, record.concept, record.currency) == (
        contract.id,
        shop.offering.service.provider_id,
        "initial charge",
        "EUR",
    )
    assert record.charged_at == LATER


def test_stakeholders_get_their_shares_rounded_down_and_the_provider_the_rest(shop, make):
    partner = make.user("partner@example.org", first_name="Pat", last_name="Partner")
    revenue.set_percentage(shop.session, RevenueClass.SUBSCRIPTION, "20")
    for data in (
        revenue.StakeholderData("7.5", organisation="FIWARE Foundation"),
        revenue.StakeholderData("3.33", user_email=partner.email),
    ):
        revenue.add_stakeholder(shop.session, RevenueClass.SUBSCRIPTION, data)
    shop.session.commit()

    _paid(shop)

    # 7.5 % of 15.00 is 1.125 and of 3.15 is 0.23625; 3.33 % is 0.4995 and 0.104895:
    # each rounded down, the provider gets the cents left over.
    assert _records(shop.session) == [
        _row(PROVIDER, "CoNWeT", "69.17", "10.39", "2.19", "12.58"),
        _row(STORE, revenue.AGGREGATOR, "20.00", "3.00", "0.63", "3.63"),
        _row(OTHER, "FIWARE Foundation", "7.50", "1.12", "0.23", "1.35"),
        _row(OTHER, "Pat Partner", "3.33", "0.49", "0.10", "0.59"),
    ]
    totals = shop.session.scalars(select(RevenueRecord.total)).all()
    assert sum(totals, Decimal(0)) == Decimal("18.15")


def test_a_usage_charge_is_shared_as_use_and_a_free_one_not_at_all(shop):
    contract = _paid(shop)
    shop.session.execute(RevenueRecord.__table__.delete())
    plan = {
        "price_components": [
            {"label": "calls", "value": "0.07", "unit": "invocation"},
        ]
    }
    contract.components = plan
    units = registered_units(shop.session)
    eur = Currency("EUR", 2)
    used = usage_charge(plan, units, eur, Tax(Decimal(0)), [_usage("invocation", "10")])
    free = usage_charge(plan, units, eur, Tax(Decimal(0)), [])

    record_charge(shop.session, contract, charge_record(used, LATER), LATER)
    record_charge(shop.session, contract, charge_record(free, LATER), LATER)
    shop.session.commit()

    # 0.70: the store's 30 % is 0.21, the provider's 0.49.
    assert _records(shop.session) == [
        _row(PROVIDER, "CoNWeT", "70.00", "0.49", "0.00", "0.49"),
        _row(STORE, revenue.AGGREGATOR, "30.00", "0.21", "0.00", "0.21"),
    ]
    assert _classes(shop.session) == {RevenueClass.USE}


def _usage(unit: str, value: str) -> Usage:
    return Usage(unit, "", Decimal(value))


def test_a_plan_whose_unit_was_removed_is_classed_by_the_charges_lines(shop):
    contract = _paid(shop)
    contract.components = {"price_components": [{"label": "x", "value": "1", "unit": "gone"}]}
    charge = Charge(Concept.USE, (), _paid_amount(), ())

    assert revenue.contract_revenue_class(shop.session, contract, charge) == (
        RevenueClass.SINGLE_PAYMENT
    )


def _paid_amount() -> Amount:
    return taxed(Decimal(1), Currency("EUR", 2), Tax())


# --- the rules of the models -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ("x", "percentage", revenue.INVALID_PERCENTAGE_TYPE),
        ("100.01", "percentage", revenue.PERCENTAGE_RANGE),
        ("-0.01", "percentage", revenue.PERCENTAGE_RANGE),
        # 60 with a 50 % stakeholder is more than everything.
        ("60", "percentage", revenue.OVER_HUNDRED),
    ],
)
def test_aggregator_percentages_are_checked_on_their_field(session, value, field, message):
    revenue.add_stakeholder(
        session, RevenueClass.USE, revenue.StakeholderData("50", organisation="Org")
    )

    with pytest.raises(Invalid) as refused:
        revenue.set_percentage(session, RevenueClass.USE, value)

    assert refused.value.details == {field: message}


def test_percentages_keep_two_decimals_rounded_half_up(session):
    model = revenue.set_percentage(session, RevenueClass.USE, "12.345")

    assert model.percentage == Decimal("12.35")
    assert revenue.provider_share(model) == Decimal("87.65")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (revenue.StakeholderData("0", organisation="Org"), "share", revenue.SHARE_RANGE),
        (revenue.StakeholderData("101", organisation="Org"), "share", revenue.PERCENTAGE_RANGE),
        (revenue.StakeholderData("x", organisation="Org"), "share", INVALID_TYPE),
        (revenue.StakeholderData("5"), "party", ONE_PARTY),
        (
            revenue.StakeholderData("5", user_email="a@example.org", organisation="Org"),
            "party",
            ONE_PARTY,
        ),
        (revenue.StakeholderData("5", provider_id=999), "provider_id", NO_PROVIDER),
        (
            revenue.StakeholderData("5", user_email="nobody@example.org"),
            "user_email",
            "is not the e-mail of a registered user",
        ),
        # The store keeps 30 % of use: 70.01 more is too much.
        (revenue.StakeholderData("70.01", organisation="Org"), "share", revenue.OVER_HUNDRED),
    ],
)
def test_stakeholders_are_checked_on_their_field(session, data, field, message):
    with pytest.raises(Invalid) as refused:
        revenue.add_stakeholder(session, RevenueClass.USE, data)

    assert refused.value.details == {field: message}


def test_a_party_is_a_stakeholder_of_a_class_once(session, make):
    provider = make.provider(name="Partner Org")
    revenue.add_stakeholder(
        session, RevenueClass.USE, revenue.StakeholderData("5", provider_id=provider.id)
    )

    with pytest.raises(Conflict) as refused:
        revenue.add_stakeholder(
            session, RevenueClass.USE, revenue.StakeholderData("1", provider_id=provider.id)
        )

    assert refused.value.details == {"party": "is already a stakeholder of this class"}
    [model] = [m for m in revenue.sharing_models(session) if m.revenue_class == RevenueClass.USE]
    assert [(s.party_name, s.share) for s in model.stakeholders] == [
        ("Partner Org", Decimal("5.00"))
    ]
    assert revenue.provider_share(model) == Decimal("65.00")


def test_a_fresh_store_shows_wstores_default_models(session):
    shown = [
        (m.revenue_class, m.percentage, m.stakeholders) for m in revenue.sharing_models(session)
    ]

    assert shown == [
        (RevenueClass.SINGLE_PAYMENT, Decimal("10.00"), []),
        (RevenueClass.SUBSCRIPTION, Decimal("20.00"), []),
        (RevenueClass.USE, Decimal("30.00"), []),
    ]
