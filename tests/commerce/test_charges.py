"""Charges of price plans: the worked examples of store-ge.md §6.5, with exact amounts, and
the rules around them (rounding, taxes, reserved plans)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mercato.commerce.charges import (
    ChargedPart,
    Concept,
    PartKind,
    Usage,
    initial_charge,
    renewal_charge,
    usage_charge,
)
from mercato.commerce.models import PricingModel
from mercato.commerce.money import NO_TAX, Amount, Currency, Tax
from mercato.commerce.plans import (
    UnitTerms,
    check_reserved_plan,
    choose_plan,
    plan_parts,
    revenue_class,
)
from mercato.errors import Forbidden, Invalid

EUR = Currency("EUR", 2)
T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
# WStore's shipped units, and the ones §6.5 uses.
UNITS = {
    "single payment": UnitTerms(PricingModel.SINGLE_PAYMENT),
    "per month": UnitTerms(PricingModel.SUBSCRIPTION, 30),
    "per week": UnitTerms(PricingModel.SUBSCRIPTION, 7),
    "call": UnitTerms(PricingModel.PAY_PER_USE),
    "megabyte": UnitTerms(PricingModel.PAY_PER_USE),
    "minute": UnitTerms(PricingModel.PAY_PER_USE),
}


def basic(label: str, value: object, unit: str) -> dict:
    return {"label": label, "description": label, "value": value, "unit": unit}


def function(label: str, variables: dict, tree: dict) -> dict:
    return {
        "label": label,
        "description": label,
        "text_function": label,
        "price_function": {"label": label, "variables": variables, "function": tree},
    }


def plan(*components: dict, deductions: tuple[dict, ...] = (), **fields) -> dict:
    return {
        "title": "Plan",
        "description": "A plan",
        "currency": "EUR",
        "price_components": list(components),
        "deductions": list(deductions),
        **fields,
    }


def amount(duty_free: str, tax: str = "0.00", total: str | None = None, rate="0") -> Amount:
    return Amount(
        "EUR", Decimal(duty_free), Decimal(tax), Decimal(total or duty_free), Decimal(rate)
    )


# --- §6.5 example 1: single payment 10 + per month 5 --------------------------------------

EXAMPLE_1 = plan(basic("setup", 10, "single payment"), basic("monthly", 5, "per month"))


def test_example_1_initial_charge_is_15_and_the_subscription_is_due_in_30_days():
    charge = initial_charge(EXAMPLE_1, UNITS, EUR, NO_TAX, T0)

    assert charge.concept is Concept.INITIAL
    assert charge.amount == amount("15.00")
    assert charge.parts == (
        ChargedPart(PartKind.SINGLE_PAYMENT, "setup", Decimal("10.00")),
        ChargedPart(PartKind.SUBSCRIPTION, "monthly", Decimal("5.00")),
    )
    assert charge.renewal_dates == (T0 + timedelta(days=30),)


def test_example_1_renewal_at_45_days_charges_5_and_is_next_due_at_75_days():
    charge = renewal_charge(
        EXAMPLE_1, UNITS, EUR, NO_TAX, [T0 + timedelta(days=30)], [], T0 + timedelta(days=45)
    )

    assert charge.concept is Concept.RENEWAL
    assert charge.amount == amount("5.00")
    assert charge.parts == (ChargedPart(PartKind.SUBSCRIPTION, "monthly", Decimal("5.00")),)
    assert charge.renewal_dates == (T0 + timedelta(days=75),)


def test_a_subscription_not_yet_due_is_neither_charged_nor_moved():
    due = T0 + timedelta(days=30)

    charge = renewal_charge(EXAMPLE_1, UNITS, EUR, NO_TAX, [due], [], T0 + timedelta(days=10))

    assert (charge.amount, charge.parts, charge.renewal_dates) == (amount("0.00"), (), (due,))


def test_renewing_a_plan_without_subscriptions_is_refused():
    with pytest.raises(Invalid) as refused:
        renewal_charge(plan(basic("setup", 10, "single payment")), UNITS, EUR, NO_TAX, [], [], T0)

    assert refused.value.details == {"plan": "No subscriptions to renovate"}


# --- §6.5 example 2: call 0.01, deduction megabyte 0.02 -----------------------------------


def test_example_2_usage_less_deductions_is_1_30():
    rated = plan(basic("calls", 0.01, "call"), deductions=(basic("traffic", 0.02, "megabyte"),))
    usage = [Usage("call", "calls", Decimal(190)), Usage("megabyte", "traffic", Decimal(30))]

    charge = usage_charge(rated, UNITS, EUR, NO_TAX, usage)

    assert charge.concept is Concept.USE
    assert charge.amount == amount("1.30")
    assert charge.parts == (
        ChargedPart(PartKind.PAY_PER_USE, "calls", Decimal("1.90"), Decimal(190)),
        ChargedPart(PartKind.DEDUCTION, "traffic", Decimal("0.60"), Decimal(30)),
    )


# --- §6.5 example 3: the price_function.json fixture ---------------------------------------

EXAMPLE_3 = plan(
    basic("monthly", 5, "per month"),
    function(
        "calls and minutes",
        {
            "calls": {"label": "calls", "type": "usage"},
            "two": {"label": "two", "type": "constant", "value": 2},
            "minutes": {"label": "minutes", "type": "usage"},
        },
        {
            "operation": "-",
            "arg1": {"operation": "*", "arg1": "calls", "arg2": "two"},
            "arg2": "minutes",
        },
    ),
    deductions=(
        function(
            "minutes back",
            {
                "tenth": {"label": "tenth", "type": "constant", "value": 0.1},
                "minutes": {"label": "minutes", "type": "usage"},
            },
            {"operation": "*", "arg1": "tenth", "arg2": "minutes"},
        ),
        basic("per call back", 0.2, "call"),
    ),
)
EXAMPLE_3_USAGE = [
    Usage("call", "calls", Decimal(15)),
    Usage("call", "calls", Decimal(5)),
    Usage("minute", "minutes", Decimal(7)),
]


def test_example_3_renewal_with_a_price_function_and_deductions_is_33_30():
    charge = renewal_charge(
        EXAMPLE_3, UNITS, EUR, NO_TAX, [T0], EXAMPLE_3_USAGE, T0 + timedelta(days=31)
    )

    assert charge.concept is Concept.RENEWAL
    assert charge.amount == amount("33.30")
    assert charge.parts == (
        ChargedPart(PartKind.SUBSCRIPTION, "monthly", Decimal("5.00")),
        ChargedPart(PartKind.PAY_PER_USE, "calls and minutes", Decimal("33.00"), Decimal(27)),
        ChargedPart(PartKind.DEDUCTION, "minutes back", Decimal("0.70"), Decimal(7)),
        ChargedPart(PartKind.DEDUCTION, "per call back", Decimal("4.00"), Decimal(20)),
    )


# --- §6.5 example 4: deductions larger than charges ----------------------------------------


def test_example_4_deductions_larger_than_the_charges_make_zero():
    rated = plan(basic("calls", 0.01, "call"), deductions=(basic("traffic", 1, "megabyte"),))
    usage = [Usage("call", "calls", Decimal(10)), Usage("megabyte", "traffic", Decimal(5))]

    charge = usage_charge(rated, UNITS, EUR, Tax(Decimal(21)), usage)

    assert charge.amount == amount("0.00", rate="21")


# --- money: rounding, minor units, taxes ---------------------------------------------------


def test_each_line_is_rounded_half_up_to_the_minor_unit_and_lines_add_up():
    rated = plan(basic("a", "0.005", "call"), basic("b", "0.004", "minute"))
    usage = [Usage("call", "a", Decimal(1)), Usage("minute", "b", Decimal(1))]

    charge = usage_charge(rated, UNITS, EUR, NO_TAX, usage)

    assert [p.price for p in charge.parts] == [Decimal("0.01"), Decimal("0.00")]
    assert charge.amount == amount("0.01")


def test_a_currency_without_minor_unit_charges_whole_amounts():
    yen = Currency("JPY", 0)

    charge = initial_charge(plan(basic("once", "1000.5", "single payment")), UNITS, yen, NO_TAX, T0)

    assert (charge.amount.duty_free, charge.amount.total) == (Decimal(1001), Decimal(1001))


def test_float_values_are_taken_as_written_not_as_binary_floats():
    charge = initial_charge(
        plan(basic("a", 0.1, "single payment"), basic("b", 0.2, "single payment")),
        UNITS,
        Currency("BTC", 6),
        NO_TAX,
        T0,
    )

    assert charge.amount.duty_free == Decimal("0.300000")


@pytest.mark.parametrize(
    ("rate", "duty_free", "tax", "total"),
    [
        ("21", "15.00", "3.15", "18.15"),
        ("7.7", "15.00", "1.16", "16.16"),  # 1.155 rounds half up
        ("0", "15.00", "0.00", "15.00"),
    ],
)
def test_every_amount_shows_duty_free_tax_and_total(rate, duty_free, tax, total):
    charge = initial_charge(EXAMPLE_1, UNITS, EUR, Tax(Decimal(rate)), T0)

    assert charge.amount == amount(duty_free, tax, total, rate)


# --- plans: split, choice, reserved plans -------------------------------------------------


def test_components_are_split_by_their_units_model_and_functions_are_pay_per_use():
    parts = plan_parts(EXAMPLE_3, UNITS)

    assert [c["label"] for c in parts.subscription] == ["monthly"]
    assert [c["label"] for c in parts.pay_per_use] == ["calls and minutes"]
    assert [c["label"] for c in parts.deductions] == ["minutes back", "per call back"]
    assert revenue_class([EXAMPLE_1, EXAMPLE_3], UNITS) == "use"
    assert revenue_class([EXAMPLE_1], UNITS) == "subscription"


def test_the_only_plan_is_chosen_without_label_and_others_by_label_in_any_case():
    plans = [plan(label="basic"), plan(label="Pro")]

    assert choose_plan(plans[:1], None) is plans[0]
    assert choose_plan(plans, "pro") is plans[1]


@pytest.mark.parametrize(
    ("label", "message"),
    [
        (None, "The price plan label is required to identify the plan"),
        ("gold", "The specified plan does not exist"),
    ],
)
def test_a_plan_that_cannot_be_told_is_refused(label, message):
    with pytest.raises(Invalid) as refused:
        choose_plan([plan(label="basic"), plan(label="pro")], label)

    assert refused.value.details == {"plan_label": message}


@pytest.mark.parametrize(
    ("label", "owns_earlier", "is_developer", "allowed"),
    [
        ("update", True, False, True),
        ("Update", False, True, False),
        ("developer", False, True, True),
        ("developer", True, False, False),
        ("basic", False, False, True),
    ],
)
def test_reserved_plans_update_and_developer(label, owns_earlier, is_developer, allowed):
    def check() -> None:
        check_reserved_plan(
            plan(label=label), owns_earlier_version=owns_earlier, is_developer=is_developer
        )

    if allowed:
        check()
    else:
        with pytest.raises(Forbidden):
            check()
