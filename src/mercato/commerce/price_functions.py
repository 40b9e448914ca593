"""WStore price functions: ``+ - * /`` over usage variables and constants.

A function is WStore's tree ``{"operation", "arg1", "arg2"}`` whose leaves are
variable ids (store-ge.md §2). Providers may also write it as text
(``calls * 2 - minutes``), which is read with Python's ``ast`` and refused unless
it holds only those four operations, declared names and numbers. Nothing is ever
evaluated by Python: the tree is walked here, in ``Decimal``.
"""

import ast
from collections.abc import Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from mercato.commerce.money import to_decimal
from mercato.errors import Invalid

OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
# Deeper trees are refused rather than walked: a plan is written by a person.
MAX_DEPTH = 32
MAX_TEXT = 1000
FIELD = "price_function"

Expression = dict[str, Any]


def _refuse(message: str) -> Invalid:
    return Invalid.field(FIELD, message)


def parse_function(text: str, variables: Mapping[str, Any]) -> tuple[Expression, dict[str, Any]]:
    """WStore's tree for ``text``, and the variables with a constant for each number in it.

    Names must be declared ``variables``; each number becomes a constant ``constN``.
    """
    if len(text) > MAX_TEXT:
        raise _refuse(f"is longer than {MAX_TEXT} characters")
    try:
        body = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise _refuse(f"is not a formula: {error.msg}") from None
    declared = dict(variables)
    tree = _tree(body, declared, 0)
    if not isinstance(tree, dict):
        raise _refuse("needs an operation: + - * or /")
    return tree, declared


def _tree(node: ast.expr, declared: dict[str, Any], depth: int) -> Expression | str:
    if depth > MAX_DEPTH:
        raise _refuse(f"nests more than {MAX_DEPTH} operations")
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return {
            "operation": OPERATORS[type(node.op)],
            "arg1": _tree(node.left, declared, depth + 1),
            "arg2": _tree(node.right, declared, depth + 1),
        }
    if isinstance(node, ast.Name):
        if node.id not in declared:
            raise _refuse(f"uses {node.id}, which is not a declared variable")
        return node.id
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        name = f"const{sum(1 for k in declared if k.startswith('const')) + 1}"
        declared[name] = {"label": name, "type": "constant", "value": node.value}
        return name
    raise _refuse(f"may only hold + - * /, variables and numbers, not {ast.unparse(node)}")


def evaluate(function: Mapping[str, Any], values: Mapping[str, Decimal]) -> Decimal:
    """The value of a checked price function (``variables`` and ``function``).

    ``values`` gives the use measured for each usage variable, by the variable's
    ``label`` (usage records name it in ``component_label``); none measured is 0.
    """
    variables = function["variables"]
    known = {
        name: values.get(variable["label"], Decimal(0))
        if str(variable["type"]).lower() == "usage"
        else to_decimal(variable["value"], FIELD)
        for name, variable in variables.items()
    }
    return _value(function["function"], known, 0)


def _value(node: Expression | str, known: Mapping[str, Decimal], depth: int) -> Decimal:
    if not isinstance(node, Mapping):
        return known[node]
    if depth > MAX_DEPTH:
        raise _refuse(f"nests more than {MAX_DEPTH} operations")
    left = _value(node["arg1"], known, depth + 1)
    right = _value(node["arg2"], known, depth + 1)
    match node["operation"]:
        case "+":
            return left + right
        case "-":
            return left - right
        case "*":
            return left * right
    try:
        return left / right
    except (DivisionByZero, InvalidOperation):
        raise _refuse("divides by zero") from None
