"""What a plan charges: at purchase, at renewal and for use (store-ge.md §6).

Plain functions over a checked plan, the registered units, the plan's currency and
the buyer's tax. Each component's price is rounded to the currency's minor unit, so
the lines of an invoice add up to its duty-free amount; deductions are subtracted
and the result is never below zero (§6.1). Unlike WStore, lines show their own
price, not a running total (§14.4), and amounts are ``Decimal`` (§14.7).
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from mercato.commerce.money import Amount, Currency, Tax, taxed, to_decimal
from mercato.commerce.plans import (
    Component,
    Plan,
    Units,
    component_unit,
    is_function,
    plan_parts,
)
from mercato.commerce.price_functions import evaluate
from mercato.errors import Invalid

NO_SUBSCRIPTIONS = "No subscriptions to renovate"


class Concept(enum.StrEnum):
    """Why a charge was made, in WStore's words (§6.2-§6.4)."""

    INITIAL = "initial charge"
    RENEWAL = "Renovation"
    USE = "pay per use"


class PartKind(enum.StrEnum):
    SINGLE_PAYMENT = "single payment"
    SUBSCRIPTION = "subscription"
    PAY_PER_USE = "pay per use"
    DEDUCTION = "deduction"


@dataclass(frozen=True)
class Usage:
    """A usage record (WStore: SDR): basic components match its ``unit``, price-function
    variables its ``component_label``."""

    unit: str
    component_label: str
    value: Decimal


@dataclass(frozen=True)
class ChargedPart:
    """One line of a charge. ``price`` is the line's own, rounded; deductions are positive
    and subtracted. ``use`` is the use rated, for pay-per-use lines and deductions."""

    kind: PartKind
    label: str
    price: Decimal
    use: Decimal | None = None


@dataclass(frozen=True)
class Charge:
    """A charge: its lines, its amount, and each subscription's next renewal date
    afterwards, in the plan's order of subscription components."""

    concept: Concept
    parts: tuple[ChargedPart, ...]
    amount: Amount
    renewal_dates: tuple[datetime, ...] = ()


def _period(component: Component, units: Units) -> timedelta:
    return timedelta(days=component_unit(component, units).renewal_days or 0)


def _fixed(kind: PartKind, component: Component, currency: Currency) -> ChargedPart:
    value = to_decimal(component["value"], "value")
    return ChargedPart(kind, str(component["label"]), currency.amount(value))


def _rated(
    kind: PartKind, component: Component, usage: Sequence[Usage], currency: Currency
) -> ChargedPart:
    """A pay-per-use component or deduction applied to the usage (§6.1)."""
    label = str(component["label"])
    if is_function(component):
        function = component["price_function"]
        labels = {str(v["label"]) for v in function["variables"].values()}
        used = {
            name: sum((u.value for u in usage if u.component_label == name), Decimal(0))
            for name in labels
        }
        price = evaluate(function, used)
        return ChargedPart(kind, label, currency.amount(price), sum(used.values(), Decimal(0)))
    unit = str(component["unit"]).lower()
    use = sum((u.value for u in usage if u.unit.lower() == unit), Decimal(0))
    price = use * to_decimal(component["value"], "value")
    return ChargedPart(kind, label, currency.amount(price), use)


def _charge(
    concept: Concept,
    parts: list[ChargedPart],
    currency: Currency,
    tax: Tax,
    renewal_dates: tuple[datetime, ...],
) -> Charge:
    total = sum((-p.price if p.kind is PartKind.DEDUCTION else p.price for p in parts), Decimal(0))
    amount = taxed(max(total, Decimal(0)), currency, tax)
    return Charge(concept, tuple(parts), amount, renewal_dates)


def _usage_parts(
    plan: Plan, units: Units, usage: Sequence[Usage], currency: Currency
) -> list[ChargedPart]:
    split = plan_parts(plan, units)
    charged = [_rated(PartKind.PAY_PER_USE, c, usage, currency) for c in split.pay_per_use]
    deducted = [_rated(PartKind.DEDUCTION, c, usage, currency) for c in split.deductions]
    return charged + deducted


def initial_charge(plan: Plan, units: Units, currency: Currency, tax: Tax, now: datetime) -> Charge:
    """At purchase: every single payment and the first period of every subscription
    (§6.2); each subscription is next due one period from ``now``."""
    split = plan_parts(plan, units)
    parts = [_fixed(PartKind.SINGLE_PAYMENT, c, currency) for c in split.single_payment]
    parts += [_fixed(PartKind.SUBSCRIPTION, c, currency) for c in split.subscription]
    dates = tuple(now + _period(c, units) for c in split.subscription)
    return _charge(Concept.INITIAL, parts, currency, tax, dates)


def renewal_charge(
    plan: Plan,
    units: Units,
    currency: Currency,
    tax: Tax,
    renewal_dates: Sequence[datetime],
    usage: Sequence[Usage],
    now: datetime,
) -> Charge:
    """At renewal (§6.3): the subscriptions due before ``now``, plus the pending use
    less the deductions. A renewed subscription is next due one period from ``now``;
    lapsed periods are not billed (WStore's rule)."""
    subscriptions = plan_parts(plan, units).subscription
    if not subscriptions:
        raise Invalid.field("plan", NO_SUBSCRIPTIONS)
    if len(renewal_dates) != len(subscriptions):
        raise ValueError("one renewal date per subscription component")
    parts, dates = [], []
    for component, due in zip(subscriptions, renewal_dates, strict=True):
        if due < now:
            parts.append(_fixed(PartKind.SUBSCRIPTION, component, currency))
            due = now + _period(component, units)
        dates.append(due)
    if usage:
        parts += _usage_parts(plan, units, usage, currency)
    return _charge(Concept.RENEWAL, parts, currency, tax, tuple(dates))


def usage_charge(
    plan: Plan, units: Units, currency: Currency, tax: Tax, usage: Sequence[Usage]
) -> Charge:
    """The pending use of a plan without subscriptions, less its deductions (§6.4)."""
    return _charge(Concept.USE, _usage_parts(plan, units, usage, currency), currency, tax, ())
