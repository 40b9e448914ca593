"""Price plans as pages show them: each component with its price, and what the plan
charges at purchase, computed by ``charges.initial_charge`` (store-ge.md §6.2).

Plan prices are duty-free; viewers have no tax address yet, so pages say "plus tax"
rather than guess a rate. Prices are shown as the provider wrote them (``0.005`` stays
``0.005``); what is charged is rounded to the currency's minor unit.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.commerce.charges import initial_charge
from mercato.commerce.models import PricingModel
from mercato.commerce.money import NO_TAX, Currency, to_decimal
from mercato.commerce.plans import Component, Plan, Units, component_unit, is_function
from mercato.commerce.registry import list_currencies, registered_units
from mercato.errors import Invalid
from mercato.store.models import StoreOffering

KINDS = {
    PricingModel.SINGLE_PAYMENT: "Single payment",
    PricingModel.SUBSCRIPTION: "Subscription",
    PricingModel.PAY_PER_USE: "Pay per use",
}


@dataclass(frozen=True)
class PriceLine:
    """One component: what kind of charge it is and its price in words."""

    kind: str
    label: str
    description: str
    price: str


@dataclass(frozen=True)
class PlanTable:
    """A plan ready to show. ``at_purchase`` is the duty-free amount charged at purchase,
    with its currency; None for a free plan or one whose unit is no longer registered
    (which then has no lines and is not free)."""

    label: str
    title: str
    description: str
    currency: str
    lines: tuple[PriceLine, ...]
    at_purchase: str | None
    is_free: bool


def _price(value: object, currency: str, unit: str, model: PricingModel) -> str:
    """``10.00 EUR per month``, ``0.005 EUR per invocation``, ``99 EUR`` (single payment)."""
    amount = f"{to_decimal(value, 'value')} {currency}"
    if unit.startswith("per "):
        return f"{amount} {unit}"
    return amount if model is PricingModel.SINGLE_PAYMENT else f"{amount} per {unit}"


def _line(component: Component, units: Units, currency: str, deduction: bool) -> PriceLine:
    label, description = str(component["label"]), str(component.get("description", ""))
    if is_function(component):
        return PriceLine("Pay per use", label, description, str(component["text_function"]))
    unit = str(component["unit"]).lower()
    model = component_unit(component, units).model
    kind = "Deduction" if deduction else KINDS[model]
    return PriceLine(kind, label, description, _price(component["value"], currency, unit, model))


def plan_table(plan: Plan, units: Units, currency: Currency | None) -> PlanTable:
    code = currency.code if currency else str(plan.get("currency", ""))
    components = plan.get("price_components") or []
    deductions = plan.get("deductions") or []
    try:
        lines = [_line(c, units, code, False) for c in components]
        lines += [_line(c, units, code, True) for c in deductions]
        charged = (
            initial_charge(plan, units, currency, NO_TAX, datetime.now(UTC))
            if currency and (components or deductions)
            else None
        )
    except Invalid:
        # A unit removed since the plan was written: the plan is shown without prices.
        lines, charged = [], None
    at_purchase = None if charged is None else f"{charged.amount.duty_free} {code}"
    return PlanTable(
        str(plan.get("label", "")),
        str(plan.get("title", "")),
        str(plan.get("description", "")),
        code,
        tuple(lines),
        at_purchase,
        not (components or deductions),
    )


def plan_tables(session: Session, plans: Sequence[Plan]) -> list[PlanTable]:
    """The tables of an offering's plans: two queries, however many plans."""
    if not plans:
        return []
    return _tables(plans, registered_units(session), _currencies(session))


def _currencies(session: Session) -> Mapping[str, Currency]:
    return {c.folded_code: Currency(c.code, c.minor_unit) for c in list_currencies(session)}


def _tables(
    plans: Sequence[Plan], units: Units, currencies: Mapping[str, Currency]
) -> list[PlanTable]:
    return [
        plan_table(plan, units, currencies.get(str(plan.get("currency", "")).lower()))
        for plan in plans
    ]


def offer_plan_tables(session: Session, offer_ids: Sequence[int]) -> dict[int, list[PlanTable]]:
    """The plan tables of the offers that have store plans, by offer id."""
    if not offer_ids:
        return {}
    rows = session.execute(
        select(StoreOffering.offer_id, StoreOffering.price_plans).where(
            StoreOffering.offer_id.in_(offer_ids)
        )
    ).all()
    priced = [(offer_id, plans) for offer_id, plans in rows if plans]
    if not priced:
        return {}
    units, currencies = registered_units(session), _currencies(session)
    return {offer_id: _tables(plans, units, currencies) for offer_id, plans in priced}
