"""Price plans as WStore writes them (``store/pricing.py`` checks their shape): which part
of a plan each component is, which plan a buyer chose, and who may choose the reserved
plans ``update`` and ``developer`` (store-ge.md §4.4, §5)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mercato.commerce.models import PricingModel
from mercato.errors import Forbidden, Invalid

Plan = Mapping[str, Any]
Component = Mapping[str, Any]

UPDATE = "update"
DEVELOPER = "developer"
LABEL_REQUIRED = "The price plan label is required to identify the plan"
NO_SUCH_PLAN = "The specified plan does not exist"


@dataclass(frozen=True)
class UnitTerms:
    """What a plan needs of a registered price unit."""

    model: PricingModel
    renewal_days: int | None = None


# Registered units by name, as registered; plans name them lower-cased (WStore's match).
Units = Mapping[str, UnitTerms]


@dataclass(frozen=True)
class PlanParts:
    """A plan split as WStore's contract pricing model is (store-ge.md §5.3)."""

    single_payment: tuple[Component, ...] = ()
    subscription: tuple[Component, ...] = ()
    pay_per_use: tuple[Component, ...] = ()
    deductions: tuple[Component, ...] = ()


def is_function(component: Component) -> bool:
    return "price_function" in component


def component_unit(component: Component, units: Units) -> UnitTerms:
    """The registered unit of a basic component (plans were checked against the registry)."""
    unit = str(component["unit"]).lower()
    if unit not in units:
        raise Invalid.field("unit", f"A price component contains an unsupported unit: {unit}")
    return units[unit]


def plan_parts(plan: Plan, units: Units) -> PlanParts:
    """Each component by its unit's model; every price function is pay per use (§5.2)."""
    parts: dict[PricingModel, list[Component]] = {model: [] for model in PricingModel}
    for component in plan.get("price_components") or []:
        model = (
            PricingModel.PAY_PER_USE
            if is_function(component)
            else component_unit(component, units).model
        )
        parts[model].append(component)
    return PlanParts(
        tuple(parts[PricingModel.SINGLE_PAYMENT]),
        tuple(parts[PricingModel.SUBSCRIPTION]),
        tuple(parts[PricingModel.PAY_PER_USE]),
        tuple(plan.get("deductions") or []),
    )


def revenue_class(plans: Sequence[Plan], units: Units) -> str:
    """The offering's revenue class for revenue sharing (§5.2)."""
    split = [plan_parts(plan, units) for plan in plans]
    if any(parts.pay_per_use for parts in split):
        return "use"
    if any(parts.subscription for parts in split):
        return "subscription"
    return "single-payment"


def choose_plan(plans: Sequence[Plan], label: str | None) -> Plan:
    """The only plan, or the one whose label is ``label`` whatever its case (§5.3)."""
    if len(plans) == 1 and not label:
        return plans[0]
    if not label:
        raise Invalid.field("plan_label", LABEL_REQUIRED)
    for plan in plans:
        if str(plan.get("label", "")).lower() == label.lower():
            return plan
    raise Invalid.field("plan_label", NO_SUCH_PLAN)


def check_reserved_plan(plan: Plan, *, owns_earlier_version: bool, is_developer: bool) -> None:
    """``update`` is for buyers of an earlier version, ``developer`` for developers (§4.4)."""
    label = str(plan.get("label", "")).lower()
    if label == UPDATE and not owns_earlier_version:
        raise Forbidden("Forbidden")
    if label == DEVELOPER and not is_developer:
        raise Forbidden("Forbidden")
