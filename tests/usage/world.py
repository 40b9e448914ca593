"""A purchase of a metered plan (store-ge.md §6.5 examples 2 and 3), bought by bank
transfer from a country without a tax rate, so totals are duty-free."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from mercato.commerce.contracts import TaxAddressData
from mercato.commerce.models import Contract, PriceUnit, PricingModel
from tests.commerce.purchase_world import FREE, NOW, Shop
from tests.factories import TokenUser

DAY = timedelta(days=1)
PARIS = TaxAddressData("1 rue de Rivoli", "75001", "Paris", "FR")
SITE = "http://127.0.0.1:8000"


def basic(label: str, value: object, unit: str) -> dict:
    return {"label": label, "description": label, "value": value, "unit": unit}


def function(label: str, variables: dict, tree: dict) -> dict:
    return {
        "label": label,
        "description": label,
        "text_function": label,
        "price_function": {"label": label, "variables": variables, "function": tree},
    }


# §6.5 example 2: {call: 0.01} with deduction {megabyte: 0.02}.
EXAMPLE_2 = {
    "label": "calls",
    "title": "Per call",
    "description": "Pay per call",
    "currency": "EUR",
    "price_components": [basic("calls", 0.01, "call")],
    "deductions": [basic("traffic", 0.02, "megabyte")],
}
# §6.5 example 3 (WStore's price_function.json fixture).
EXAMPLE_3 = {
    "label": "mixed",
    "title": "Monthly and metered",
    "description": "A monthly fee and a price function",
    "currency": "EUR",
    "price_components": [
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
    ],
    "deductions": [
        function(
            "minutes back",
            {
                "tenth": {"label": "tenth", "type": "constant", "value": 0.1},
                "minutes": {"label": "minutes", "type": "usage"},
            },
            {"operation": "*", "arg1": "tenth", "arg2": "minutes"},
        ),
        basic("per call back", 0.2, "call"),
    ],
}


@dataclass
class Metered:
    shop: Shop
    seller: TokenUser

    @property
    def session(self) -> Session:
        return self.shop.session

    def buy(self, plan: str = "calls") -> Contract:
        contract = self.shop.buy(gateway="offline", plan_label=plan, tax_address=PARIS).contract
        return contract


@pytest.fixture
def metered(shop: Shop, seller: TokenUser) -> Metered:
    for unit in ("call", "megabyte", "minute"):
        shop.session.add(PriceUnit(name=unit, model=PricingModel.PAY_PER_USE))
    shop.offering.price_plans = [EXAMPLE_2, EXAMPLE_3, FREE]
    shop.session.commit()
    return Metered(shop, seller)


def record(transaction_id: str, unit: str, value: object, label: str = "", **more) -> dict:
    return {
        "transaction_id": transaction_id,
        "unit": unit,
        "component_label": label,
        "value": value,
        **more,
    }


__all__ = ["NOW", "metered"]
