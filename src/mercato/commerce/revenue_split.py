"""Splitting an amount between the parties of a revenue sharing model, exactly.

Every party but the provider gets its percent of the amount rounded *down* to the
currency's minor unit; the provider gets the rest. So the parts always add up to the
amount, none is negative, and the provider (whose sale it is) gets the rounding
remainder: at most one minor unit per other party more than its exact share.
"""

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from mercato.commerce.money import HUNDRED


def part_of(amount: Decimal, percentage: Decimal, minor_unit: int) -> Decimal:
    """``percentage`` percent of ``amount``, rounded toward zero to the minor unit."""
    exact = amount * percentage / HUNDRED
    return exact.quantize(Decimal(1).scaleb(-minor_unit), rounding=ROUND_DOWN)


def split(
    amount: Decimal, percentages: Sequence[Decimal], minor_unit: int
) -> tuple[Decimal, list[Decimal]]:
    """The provider's part and the other parties' parts, in the order of ``percentages``.

    ``percentages`` must each be 0-100 and add up to at most 100 (the rules check it).
    """
    if any(p < 0 for p in percentages) or sum(percentages, Decimal(0)) > HUNDRED:
        raise ValueError("percentages must be non-negative and add up to at most 100")
    others = [part_of(amount, p, minor_unit) for p in percentages]
    return amount - sum(others, Decimal(0)), others
