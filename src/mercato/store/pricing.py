"""Price-plan rules, in WStore's order and words (store-wire.md §4).

Every message here follows ``Invalid pricing info: `` on the wire, except the
one for a store without currencies, which WStore sends bare. The first failure
wins. The registered units and currencies come in as ``PricingTerms``: the caller
reads them from the store's registries (commerce keeps those, and the store does
not import it); ``WSTORE_TERMS``, WStore's shipped units and EUR, serves where no
registry is at hand.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mercato.errors import Invalid

PAY_PER_USE = "pay per use"
# WStore's shipped units and their pricing models.
UNITS = {
    "invocation": PAY_PER_USE,
    "issue": PAY_PER_USE,
    "single payment": "single payment",
    "per month": "subscription",
    "per week": "subscription",
    "per year": "subscription",
}


@dataclass(frozen=True)
class PricingTerms:
    """The registered units (name as registered -> pricing model) and currency codes."""

    units: Mapping[str, str]
    currencies: frozenset[str] = field(default_factory=frozenset)


WSTORE_TERMS = PricingTerms(UNITS, frozenset({"EUR"}))
NO_CURRENCIES = "There are'n currencies registered in WStore, please contact with an admin"
OPERATIONS = ("+", "-", "*", "/")
NO_PRICING = (
    "A price component is not defining a pricing, value and unit fields are required for "
    "basic components and text_function and price_function fields are required for price "
    "functions"
)


def _refuse(message: str) -> Invalid:
    return Invalid.field("pricing", message)


def pricing_message(error: Invalid) -> str:
    """The wire text of a refused pricing: WStore's prefix, save for the bare currency text."""
    message = error.details["pricing"]
    return message if message == NO_CURRENCIES else f"Invalid pricing info: {message}"


def _text(value: object) -> str:
    # Python 2 concatenated the value's unicode(): strings as they are, the rest printed.
    return value if isinstance(value, str) else str(value)


def _is_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def check_price_plans(
    pricing: object, terms: PricingTerms, *, is_open: bool, has_previous_version: bool
) -> list[dict[str, Any]]:
    """The plans of an offering's ``pricing`` object, checked as WStore checks them."""
    if not isinstance(pricing, Mapping) or "price_plans" not in pricing:
        raise _refuse("Missing price_plans field")
    plans = pricing["price_plans"]
    if not isinstance(plans, list):
        raise _refuse("price_plans field must be a list")
    if is_open and plans:
        raise _refuse("Open offerings cannot define price plans")
    labels: list[str] = []
    for item in plans:
        plan: Mapping[str, Any] = item if isinstance(item, Mapping) else {}
        _check_plan(plan, len(plans), labels)
        if str(plan.get("label", "")).lower() == "update" and not has_previous_version:
            raise _refuse(
                "It is not possible to define an updating price plan without previous "
                "versions of the offering"
            )
        _check_components(plan, terms)
    return plans


def _check_plan(plan: Mapping[str, Any], count: int, labels: list[str]) -> None:
    if "title" not in plan:
        raise _refuse("Missing title field in price plan")
    if "description" not in plan:
        raise _refuse("Missing description field in price plan")
    if "label" not in plan:
        if count > 1:
            raise _refuse("label field is required in a price plan when more than one is provided")
        return
    if plan["label"] in labels:
        raise _refuse("label fields in price plans must be unique")
    labels.append(plan["label"])


def _check_components(plan: Mapping[str, Any], terms: PricingTerms) -> None:
    components = plan.get("price_components") or []
    deductions = plan.get("deductions") or []
    for component in components:
        _check_component(component if isinstance(component, Mapping) else {}, terms, False)
    for component in deductions:
        _check_component(component if isinstance(component, Mapping) else {}, terms, True)
    if not (components or deductions):
        return
    if "currency" not in plan:
        raise _refuse("Missing currency field")
    if not terms.currencies:
        raise _refuse(NO_CURRENCIES)
    if str(plan["currency"]).lower() not in (code.lower() for code in terms.currencies):
        raise _refuse(f"The currency {_text(plan['currency'])} is not supported")


def _check_component(component: Mapping[str, Any], terms: PricingTerms, deduction: bool) -> None:
    # WStore checks the key `label` but names it "title" in the message.
    if "label" not in component:
        raise _refuse("Missing title field in price component")
    if "description" not in component:
        raise _refuse("Missing description field in price component")
    is_basic = "value" in component and "unit" in component
    is_function = "text_function" in component and "price_function" in component
    if is_basic:
        _check_basic(component, terms, deduction)
    if is_function:
        _check_function(component["price_function"])
    if not (is_basic or is_function):
        raise _refuse(NO_PRICING)
    if is_basic and is_function:
        raise _refuse(
            "Only a pricing method (basic component or price function) is allowed in a "
            "price component"
        )


def _check_basic(component: Mapping[str, Any], terms: PricingTerms, deduction: bool) -> None:
    unit = component["unit"]
    # WStore looks the unit up lower-cased among the names as registered.
    model = terms.units.get(unit.lower()) if isinstance(unit, str) else None
    if model is None:
        raise _refuse(f"A price component contains an unsupported unit: {_text(unit)}")
    if deduction and model != PAY_PER_USE:
        raise _refuse("Deductions only can define pay per use components")
    if not _is_number(component["value"]):
        raise _refuse(
            f"The value of price components must be a number, found: {_text(component['value'])}"
        )


def _check_function(function: object) -> None:
    function = function if isinstance(function, Mapping) else {}
    for key in ("label", "variables"):
        if key not in function:
            raise _refuse(f'Missing required field "{key}" in price function')
    variables = function["variables"] if isinstance(function["variables"], Mapping) else {}
    for variable in variables.values():
        _check_variable(variable if isinstance(variable, Mapping) else {})
    if "function" not in function:
        raise _refuse("Missing required field function in price function")
    _check_expression(function["function"], variables)


def _check_variable(variable: Mapping[str, Any]) -> None:
    for key in ("label", "type"):
        if key not in variable:
            raise _refuse(f'Missing required field "{key}" in price function variable')
    kind = variable["type"]
    if not isinstance(kind, str) or kind.lower() not in ("usage", "constant"):
        raise _refuse(
            f"Invalid variable type {_text(kind)} in price funtion variable, "
            "allowed are: usage, constant"
        )
    if kind.lower() == "constant" and "value" not in variable:
        raise _refuse('Missing required field "value" in price function constant')
    if "value" in variable and not _is_number(variable["value"]):
        raise _refuse(
            "value field in price function variables must be a number, found: "
            f"{_text(variable['value'])}"
        )


def _check_expression(node: object, variables: Mapping[str, Any]) -> None:
    node = node if isinstance(node, Mapping) else {}
    if "operation" not in node:
        raise _refuse("Missing required field operation in price function")
    if node["operation"] not in OPERATIONS:
        raise _refuse(f"Operation {_text(node['operation'])} is not supported")
    for key in ("arg1", "arg2"):
        if key not in node:
            raise _refuse(f"Missing required field {key} in price function")
        argument = node[key]
        if isinstance(argument, Mapping):
            _check_expression(argument, variables)
        elif not isinstance(argument, str) or argument not in variables:
            raise _refuse(f"Variable {_text(argument)} not declared")
