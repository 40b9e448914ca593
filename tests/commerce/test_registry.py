"""The registries in the database: one default currency whatever happens, and what a charge
reads from them (the plan's currency, the buyer's tax, the registered units)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from mercato.commerce import registry
from mercato.commerce.charges import initial_charge
from mercato.commerce.models import Currency, PricingModel
from mercato.commerce.money import NO_TAX, Amount, Tax
from mercato.commerce.money import Currency as CurrencyTerms
from mercato.commerce.plans import UnitTerms
from mercato.errors import NotFound


def test_the_database_refuses_a_second_default_currency(session):
    session.add(Currency(code="USD", folded_code="usd", is_default=True))

    with pytest.raises(IntegrityError):
        session.commit()


def test_the_database_refuses_a_code_registered_in_another_case(session):
    session.add(Currency(code="eur", folded_code="eur"))

    with pytest.raises(IntegrityError):
        session.commit()


def test_a_plan_is_charged_in_its_currency_or_else_the_default(session):
    registry.add_currency(session, registry.CurrencyData("JPY", "Yen", 0))

    assert registry.plan_currency(session, "jpy") == CurrencyTerms("JPY", 0)
    assert registry.plan_currency(session, None) == CurrencyTerms("EUR", 2)
    with pytest.raises(NotFound):
        registry.plan_currency(session, "GBP")


def test_buyers_pay_their_countrys_tax_and_none_where_no_rate_is_registered(session):
    registry.add_tax_rate(session, registry.TaxRateData("es", "21.00", "IVA"))

    assert registry.tax_for(session, "ES") == Tax(Decimal(21), "IVA")
    assert registry.tax_for(session, " es ") == Tax(Decimal(21), "IVA")
    assert registry.tax_for(session, "FR") == NO_TAX


def test_the_registered_units_are_wstores_shipped_ones_and_those_added(session):
    registry.add_unit(session, registry.UnitData("call", "pay per use"))

    assert registry.registered_units(session) == {
        "invocation": UnitTerms(PricingModel.PAY_PER_USE),
        "issue": UnitTerms(PricingModel.PAY_PER_USE),
        "single payment": UnitTerms(PricingModel.SINGLE_PAYMENT),
        "per month": UnitTerms(PricingModel.SUBSCRIPTION, 30),
        "per week": UnitTerms(PricingModel.SUBSCRIPTION, 7),
        "per year": UnitTerms(PricingModel.SUBSCRIPTION, 365),
        "call": UnitTerms(PricingModel.PAY_PER_USE),
    }


def test_a_charge_reads_units_currency_and_tax_from_the_registries(session):
    registry.add_tax_rate(session, registry.TaxRateData("ES", "21", "IVA"))
    plan = {
        "title": "Plan",
        "description": "§6.5 example 1",
        "currency": "eur",
        "price_components": [
            {"label": "setup", "description": "", "value": 10, "unit": "single payment"},
            {"label": "monthly", "description": "", "value": 5, "unit": "Per Month"},
        ],
    }

    charge = initial_charge(
        plan,
        registry.registered_units(session),
        registry.plan_currency(session, plan["currency"]),
        registry.tax_for(session, "ES"),
        datetime(2026, 1, 1, tzinfo=UTC),
    )

    assert charge.amount == Amount(
        "EUR", Decimal("15.00"), Decimal("3.15"), Decimal("18.15"), Decimal(21)
    )
