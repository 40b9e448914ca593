"""Price functions: read from text with ``ast`` (never eval) and evaluated in Decimal."""

from decimal import Decimal

import pytest

from mercato.commerce.price_functions import evaluate, parse_function
from mercato.errors import Invalid

ONLY = "may only hold + - * /, variables and numbers, not"
USAGE = {
    "calls": {"label": "calls", "type": "usage"},
    "minutes": {"label": "minutes", "type": "usage"},
}


def test_text_becomes_wstores_tree_with_numbers_as_constants():
    tree, variables = parse_function("calls * 2 - minutes / 4", USAGE)

    assert tree == {
        "operation": "-",
        "arg1": {"operation": "*", "arg1": "calls", "arg2": "const1"},
        "arg2": {"operation": "/", "arg1": "minutes", "arg2": "const2"},
    }
    assert variables["const1"] == {"label": "const1", "type": "constant", "value": 2}
    assert variables["const2"] == {"label": "const2", "type": "constant", "value": 4}


def test_a_parsed_function_evaluates_in_decimal():
    tree, variables = parse_function("(calls + minutes) * 0.1", USAGE)

    value = evaluate(
        {"variables": variables, "function": tree}, {"calls": Decimal(1), "minutes": Decimal(2)}
    )

    assert value == Decimal("0.3")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("calls ** 2", f"{ONLY} calls ** 2"),
        ("__import__('os').system('true')", f"{ONLY} __import__('os').system('true')"),
        ("calls.real + 1", f"{ONLY} calls.real"),
        ("-calls", f"{ONLY} -calls"),
        ("'a' + calls", f"{ONLY} 'a'"),
        ("hours * 2", "uses hours, which is not a declared variable"),
        ("calls", "needs an operation: + - * or /"),
        ("calls +", "is not a formula: invalid syntax"),
        ("calls + " * 200 + "calls", "is longer than 1000 characters"),
        ("+".join(["calls"] * 40), "nests more than 32 operations"),
    ],
)
def test_anything_but_the_four_operations_is_refused_naming_the_problem(text, message):
    with pytest.raises(Invalid) as refused:
        parse_function(text, USAGE)

    assert refused.value.details == {"price_function": message}


def test_division_by_zero_is_an_error_not_a_crash():
    tree, variables = parse_function("calls / minutes", USAGE)

    with pytest.raises(Invalid) as refused:
        evaluate({"variables": variables, "function": tree}, {"calls": Decimal(1)})

    assert refused.value.details == {"price_function": "divides by zero"}
