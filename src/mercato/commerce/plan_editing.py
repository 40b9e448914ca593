"""Price plans edited in the provider's web form.

The form's rows are read into WStore's plan shape and checked by the rules every other
way in uses: WStore's (``store/pricing.py``, store-wire.md §4) and Linked USDL's
(``store/usdl/description.py``). Those rules answer with one message for the whole
pricing; here each component is also checked alone, so that a message lands on the
input it is about. Nothing is kept unless the whole list of plans passes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.commerce.plans import DEVELOPER, UPDATE
from mercato.commerce.price_functions import parse_function
from mercato.commerce.registry import pricing_terms
from mercato.errors import Invalid, NotFound
from mercato.store.models import StoreOffering
from mercato.store.naming import compare_versions
from mercato.store.offerings import check_editable
from mercato.store.pricing import PricingTerms, check_price_plans
from mercato.store.usdl.description import check_price_plan

RESERVED = (UPDATE, DEVELOPER)
COMPONENT, DEDUCTION = "component", "deduction"
# More rows than anyone prices a plan with; the form never reads past it.
MAX_ROWS = 20
# Which input a WStore message is about, by a piece of its text (store-wire.md §4).
_PLACES = (
    ("updating price plan", "label"),
    ("label field", "label"),
    ("title field in price plan", "title"),
    ("currenc", "currency"),
    ("unsupported unit", "unit"),
    ("Deductions only", "unit"),
    ("value of price components", "value"),
    ("not defining a pricing", "value"),
    ("Only a pricing method", "formula"),
    ("price function", "formula"),
    ("price funtion", "formula"),  # sic, WStore's spelling
    ("Variable ", "formula"),
    ("Operation ", "formula"),
    ("title field in price component", "label"),
)


@dataclass(frozen=True)
class Row:
    """One component or deduction as typed: a price per unit, or a formula over usage
    variables (each number in it becomes a constant)."""

    label: str = ""
    description: str = ""
    unit: str = ""
    value: str = ""
    variables: str = ""
    formula: str = ""

    def is_blank(self) -> bool:
        return not any(astuple(self))


@dataclass(frozen=True)
class PlanDraft:
    """A plan as the form holds it."""

    label: str = ""
    title: str = ""
    description: str = ""
    currency: str = ""
    components: tuple[Row, ...] = field(default_factory=tuple)
    deductions: tuple[Row, ...] = field(default_factory=tuple)


def input_name(kind: str, position: int, part: str) -> str:
    """``component-0-value``: the form's input of a row's part."""
    return f"{kind}-{position}-{part}"


# --- stored plan <-> draft ------------------------------------------------------------


def _row_of(component: Mapping[str, Any]) -> Row:
    function = component.get("price_function")
    if isinstance(function, Mapping):
        variables = function.get("variables") or {}
        usage = [
            name
            for name, variable in variables.items()
            if str(variable.get("type", "")).lower() == "usage"
        ]
        return Row(
            label=str(component.get("label", "")),
            description=str(component.get("description", "")),
            variables=", ".join(usage),
            formula=str(component.get("text_function", "")),
        )
    return Row(
        label=str(component.get("label", "")),
        description=str(component.get("description", "")),
        unit=str(component.get("unit", "")),
        value=str(component.get("value", "")),
    )


def draft_of(plan: Mapping[str, Any]) -> PlanDraft:
    """A stored plan as the form shows it."""
    return PlanDraft(
        label=str(plan.get("label", "")),
        title=str(plan.get("title", "")),
        description=str(plan.get("description", "")),
        currency=str(plan.get("currency", "")),
        components=tuple(_row_of(c) for c in plan.get("price_components") or []),
        deductions=tuple(_row_of(c) for c in plan.get("deductions") or []),
    )


def _function(row: Row, name: str) -> dict[str, Any]:
    usage = [part.strip() for part in row.variables.split(",") if part.strip()]
    declared = {variable: {"label": variable, "type": "usage"} for variable in usage}
    try:
        tree, variables = parse_function(row.formula, declared)
    except Invalid as error:
        raise Invalid.field(name, error.details["price_function"]) from None
    return {"label": row.label, "variables": variables, "function": tree}


def _component(row: Row, kind: str, position: int) -> dict[str, Any]:
    """WStore's component of a row; a formula and a price give both, which WStore refuses."""
    component: dict[str, Any] = {"label": row.label, "description": row.description}
    if row.unit or row.value or not row.formula:
        component |= {"value": row.value, "unit": row.unit}
    if row.formula:
        name = input_name(kind, position, "formula")
        component |= {"text_function": row.formula, "price_function": _function(row, name)}
    return component


# --- checking -------------------------------------------------------------------------


def _place(message: str) -> str:
    return next((place for piece, place in _PLACES if piece in message), "plan")


def _wstore_message(plans: list[dict[str, Any]], terms: PricingTerms, **rules: bool) -> str:
    try:
        check_price_plans({"price_plans": plans}, terms, **rules)
    except Invalid as error:
        return str(error.details["pricing"])
    return ""


def _row_errors(
    draft: PlanDraft, terms: PricingTerms, kind: str, rows: tuple[Row, ...]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The rows' components, and each row's first problem on its input; blank rows are
    left out (inputs keep their row's position in the form)."""
    components, errors = [], {}
    key = "price_components" if kind == COMPONENT else "deductions"
    for position, row in enumerate(rows):
        if row.is_blank():
            continue
        if not row.label:
            errors[input_name(kind, position, "label")] = "give the component a name"
        try:
            component = _component(row, kind, position)
        except Invalid as error:
            errors |= error.details
            continue
        components.append(component)
        # The row alone in a plan: WStore's first failure is then this row's.
        alone = {"title": "-", "description": "", "currency": draft.currency, key: [component]}
        message = _wstore_message([alone], terms, is_open=False, has_previous_version=True)
        place = _place(message)
        if message and place != "currency":  # the plan's own input says that
            errors.setdefault(input_name(kind, position, place), message)
    return components, errors


def _plan_of(draft: PlanDraft, components: list[Any], deductions: list[Any]) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "label": draft.label,
        "title": draft.title,
        "description": draft.description,
    }
    if draft.currency:
        plan["currency"] = draft.currency
    if components:
        plan["price_components"] = components
    if deductions:
        plan["deductions"] = deductions
    return plan


def check_draft(
    draft: PlanDraft,
    others: Sequence[dict[str, Any]],
    position: int,
    terms: PricingTerms,
    *,
    is_open: bool,
    has_previous_version: bool,
) -> list[dict[str, Any]]:
    """The offering's plans with ``draft`` at ``position``; Invalid naming the inputs."""
    errors: dict[str, str] = {}
    if not draft.label:
        errors["label"] = "give the plan a label: buyers choose a plan by it"
    if not draft.title:
        errors["title"] = "give the plan a title"
    components, problems = _row_errors(draft, terms, COMPONENT, draft.components)
    deductions, cut_problems = _row_errors(draft, terms, DEDUCTION, draft.deductions)
    errors |= problems | cut_problems
    plan = _plan_of(draft, components, deductions)
    plans = [*others[:position], plan, *others[position + 1 :]]
    if not errors:
        message = _wstore_message(
            plans, terms, is_open=is_open, has_previous_version=has_previous_version
        )
        if message:
            errors[_place(message)] = message
    if not errors:
        try:
            check_price_plan(plan, "plan")
        except Invalid as error:
            errors["plan"] = error.details["plan"]
    if errors:
        raise Invalid({name: [message] for name, message in errors.items()}, errors)
    return plans


# --- keeping --------------------------------------------------------------------------


def has_earlier_version(session: Session, offering: StoreOffering) -> bool:
    """Whether the service has a lower version than ``offering`` (WStore's ``update`` rule)."""
    versions = session.scalars(
        select(StoreOffering.version).where(StoreOffering.service_id == offering.service_id)
    ).all()
    return any(compare_versions(version, offering.version) < 0 for version in versions)


def save_plan(
    session: Session, offering: StoreOffering, position: int | None, draft: PlanDraft
) -> dict[str, Any]:
    """Put ``draft`` at ``position`` of the offering's plans (None: add it last)."""
    check_editable(offering)
    others = list(offering.price_plans or [])
    at = len(others) if position is None else existing(others, position)
    plans = check_draft(
        draft,
        others,
        at,
        pricing_terms(session),
        is_open=offering.is_open,
        has_previous_version=has_earlier_version(session, offering),
    )
    offering.price_plans = plans  # a new list: the JSON column sees the change
    session.flush()
    return plans[at]


def remove_plan(session: Session, offering: StoreOffering, position: int) -> dict[str, Any]:
    check_editable(offering)
    plans = list(offering.price_plans or [])
    removed = plans.pop(existing(plans, position))
    offering.price_plans = plans
    session.flush()
    return removed


def existing(plans: Sequence[Any], position: int) -> int:
    if not 0 <= position < len(plans):
        raise NotFound("Price plan")
    return position
