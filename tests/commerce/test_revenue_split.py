"""Property tests of the split: over thousands of random charges and sharing models, the
parts add up exactly to the charge, none is negative, and only the provider gets more
than its exact share (the rounding remainder)."""

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mercato.commerce.money import Currency, Tax, taxed
from mercato.commerce.revenue import Party, shares_of
from mercato.commerce.revenue_models import PartyKind
from mercato.commerce.revenue_split import split

HUNDREDTHS = 10_000  # 100 % in hundredths of a percent


@st.composite
def percentages(draw: st.DrawFn) -> list[Decimal]:
    """The aggregator's and up to six stakeholders' percents (two decimals), adding up to
    at most 100: cuts of a random budget."""
    budget = draw(st.integers(0, HUNDREDTHS))
    cuts = sorted(draw(st.lists(st.integers(0, budget), min_size=0, max_size=6)))
    bounds = [0, *cuts, budget]
    return [Decimal(b - a) / 100 for a, b in pairwise(bounds)]


@st.composite
def charges(draw: st.DrawFn) -> tuple[Currency, Decimal, Tax]:
    minor_unit = draw(st.integers(0, 4))
    minor = draw(st.integers(0, 10**12))
    rate = Decimal(draw(st.integers(0, HUNDREDTHS))) / 100
    return Currency("XTS", minor_unit), Decimal(minor).scaleb(-minor_unit), Tax(rate)


def _party(kind: PartyKind, percentage: Decimal) -> Party:
    return Party(kind, kind.value, percentage)


@settings(max_examples=3000, deadline=None)
@given(charges(), percentages())
def test_shares_add_up_to_the_charge_and_none_is_negative(charge, others):
    currency, duty_free, tax = charge
    amount = taxed(duty_free, currency, tax)
    seller = _party(PartyKind.PROVIDER, 100 - sum(others, Decimal(0)))
    parties = [_party(PartyKind.STAKEHOLDER, p) for p in others]

    shares = shares_of(amount, seller, parties, currency.minor_unit)

    assert sum((s.duty_free for s in shares), Decimal(0)) == amount.duty_free
    assert sum((s.tax for s in shares), Decimal(0)) == amount.tax
    assert sum((s.total for s in shares), Decimal(0)) == amount.total
    step = Decimal(1).scaleb(-currency.minor_unit)
    for share in shares:
        for part, whole in ((share.duty_free, amount.duty_free), (share.tax, amount.tax)):
            exact = whole * share.party.percentage / 100
            assert part >= 0
            assert part == part.quantize(step)
            if share.party is seller:
                # The remainder: at most one minor unit per other party over its share.
                assert exact <= part <= exact + step * len(parties)
            else:
                assert exact - step < part <= exact


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 4), percentages())
def test_split_gives_the_provider_the_rest(minor, minor_unit, others):
    amount = Decimal(minor).scaleb(-minor_unit)

    provider, parts = split(amount, others, minor_unit)

    assert provider + sum(parts, Decimal(0)) == amount
    assert provider >= 0 and all(p >= 0 for p in parts)


@pytest.mark.parametrize("others", [[Decimal(60), Decimal(41)], [Decimal(-1)]])
def test_split_refuses_shares_over_100_or_negative(others):
    with pytest.raises(ValueError):
        split(Decimal(10), others, 2)


def test_one_cent_goes_to_the_provider():
    # 1 cent shared 10 % / 20 %: both others round down to nothing.
    assert split(Decimal("0.01"), [Decimal(10), Decimal(20)], 2) == (
        Decimal("0.01"),
        [Decimal("0.00"), Decimal("0.00")],
    )
