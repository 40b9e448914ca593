"""What the quantities of an order cost: its ``quantity_price`` parameters.

A quantity-price parameter prices the first unit at ``start_price`` and each
further unit at ``step_price``, in ``currency`` (EOSC prices are whole numbers of
it, reference §2.3), so 3 units of "start 10, step 2" cost 10 + 2 * 2 = 14.
Amounts are ``Decimal``; the currency's minor unit is commerce's concern.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mercato.catalogue.parameter_values import check_values
from mercato.errors import Invalid


@dataclass(frozen=True)
class QuantityPrice:
    """One quantity ordered and its price."""

    label: str
    quantity: int
    start_price: Decimal
    step_price: Decimal
    currency: str

    @property
    def amount(self) -> Decimal:
        return self.start_price + self.step_price * (self.quantity - 1)


@dataclass(frozen=True)
class Total:
    currency: str
    amount: Decimal


def _priced(parameter: dict[str, Any], quantity: int) -> QuantityPrice:
    config = parameter["config"]
    return QuantityPrice(
        label=str(parameter["label"]),
        quantity=quantity,
        start_price=Decimal(str(config["start_price"])),
        step_price=Decimal(str(config["step_price"])),
        currency=str(config["currency"]),
    )


def _is_quantity(parameter: dict[str, Any]) -> bool:
    return parameter.get("type") == "quantity_price"


def ordered_prices(offer_properties: Iterable[dict[str, Any]]) -> list[QuantityPrice]:
    """The prices of an order's quantities, from its stored ``offer_properties``."""
    return [
        _priced(entry, int(entry["value"]))
        for entry in offer_properties
        if _is_quantity(entry) and isinstance(entry.get("value"), int)
    ]


def form_prices(parameters: list[dict[str, Any]], values: dict[str, Any]) -> list[QuantityPrice]:
    """The prices of the quantities a form asks for; a quantity that is not valid
    (empty, too big) has no price yet."""
    prices = []
    for parameter in parameters:
        if not _is_quantity(parameter):
            continue
        try:
            [entry] = check_values([parameter], {parameter["id"]: values.get(parameter["id"])})
        except Invalid:
            continue
        prices.append(_priced(parameter, int(entry["value"])))
    return prices


def totals(prices: Iterable[QuantityPrice]) -> list[Total]:
    """The sum of the prices, one per currency, in the order the currencies come."""
    sums: dict[str, Decimal] = {}
    for price in prices:
        sums[price.currency] = sums.get(price.currency, Decimal(0)) + price.amount
    return [Total(currency, amount) for currency, amount in sums.items()]
