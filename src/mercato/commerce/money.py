"""Money: ``Decimal`` amounts in a currency's minor unit, never floats.

WStore computed in floats and truncated payments to two decimals (store-ge.md §6.1,
§14.7); Mercato rounds half up to the currency's minor unit, as BAE quantises its
Decimal prices (§15.4), so 0.005 EUR is charged 0.01 and 1.10 stays 1.10.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mercato.errors import Invalid

HUNDRED = Decimal(100)


def quantize(amount: Decimal, minor_unit: int) -> Decimal:
    """``amount`` rounded half up to ``minor_unit`` digits after the point."""
    return amount.quantize(Decimal(1).scaleb(-minor_unit), rounding=ROUND_HALF_UP)


def to_decimal(value: object, field: str) -> Decimal:
    """A number from a plan or a usage record, exactly as written.

    JSON numbers arrive as floats: their shortest text (``0.1``, not the binary
    0.1000000000000000055...) is the value the provider wrote.
    """
    if isinstance(value, bool):
        # WStore's float(True) is 1.0: booleans pass its number check.
        return Decimal(int(value))
    if isinstance(value, Decimal | int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    raise Invalid.field(field, f"must be a number, found: {value}")


@dataclass(frozen=True)
class Currency:
    """What an amount needs of a currency: its code and the digits of its minor unit."""

    code: str
    minor_unit: int

    def amount(self, value: Decimal) -> Decimal:
        return quantize(value, self.minor_unit)


@dataclass(frozen=True)
class Tax:
    """The tax charged on a duty-free amount: a percentage and what invoices call it."""

    rate: Decimal = Decimal(0)
    label: str = "VAT"


NO_TAX = Tax()


@dataclass(frozen=True)
class Amount:
    """An amount as every charge shows it: duty-free, tax and total, in minor units."""

    currency: str
    duty_free: Decimal
    tax: Decimal
    total: Decimal
    tax_rate: Decimal


def taxed(duty_free: Decimal, currency: Currency, tax: Tax) -> Amount:
    """The tax is rounded once, on the whole duty-free amount; total = duty-free + tax."""
    net = currency.amount(duty_free)
    levied = currency.amount(net * tax.rate / HUNDRED)
    return Amount(currency.code, net, levied, net + levied, tax.rate)
