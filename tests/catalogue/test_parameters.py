"""The seven parameter types: what each accepts, its defaults, and how it refuses."""

import pytest

from mercato.catalogue.parameters import check_parameters
from mercato.errors import Invalid
from tests.factories import ALL_PARAMETERS


def _one(**fields):
    return {"id": "p", "label": "Label", **fields}


def test_all_types_in_read_shape_are_kept_as_they_are():
    assert check_parameters(ALL_PARAMETERS) == ALL_PARAMETERS


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (
            _one(type="date"),
            {
                "id": "p",
                "label": "Label",
                "description": None,
                "type": "date",
                "value_type": "string",
            },
        ),
        (
            _one(type="range", config={"minimum": 0, "maximum": 9}),
            {
                "id": "p",
                "label": "Label",
                "description": None,
                "type": "range",
                "unit": None,
                "value_type": "integer",
                "config": {
                    "minimum": 0,
                    "maximum": 9,
                    "exclusiveMinimum": None,
                    "exclusiveMaximum": None,
                },
            },
        ),
        (
            _one(
                type="multiselect",
                value_type="integer",
                config={"values": [1, 2, 3], "minItems": 2},
            ),
            {
                "id": "p",
                "label": "Label",
                "description": None,
                "type": "multiselect",
                "value_type": "integer",
                "unit": None,
                "config": {"values": [1, 2, 3], "minItems": 2, "maxItems": 3},
            },
        ),
        (
            _one(
                type="quantity_price",
                unit="h",
                value_type="integer",
                config={"start_price": 0, "step_price": 5, "currency": "EUR"},
            ),
            {
                "id": "p",
                "label": "Label",
                "description": None,
                "type": "quantity_price",
                "value_type": "integer",
                "config": {"start_price": 0, "step_price": 5, "max": None, "currency": "EUR"},
            },
        ),
        (
            _one(type="input", value_type="integer", sensitive=True, label="  Padded  "),
            {
                "id": "p",
                "label": "Padded",
                "description": None,
                "type": "input",
                "unit": None,
                "value_type": "integer",
                "sensitive": True,
            },
        ),
    ],
    ids=["date", "range", "multiselect", "quantity_price", "input"],
)
def test_defaults_are_filled_in(given, stored):
    assert check_parameters([given]) == [stored]


@pytest.mark.parametrize(
    ("given", "detail"),
    [
        (
            _one(type="attribute", value="asd", value_type="integer"),
            ("parameters.0", "value must be an integer"),
        ),
        (_one(type="attribute", value_type="string"), ("parameters.0.value", "can't be blank")),
        (
            _one(type="attribute", value=12, value_type="integer"),
            ("parameters.0.value", "must be text"),
        ),
        (
            _one(type="input", value_type="float"),
            ("parameters.0.value_type", "must be 'string' or 'integer'"),
        ),
        (
            _one(type="select", value_type="string", config={"values": [], "mode": "dropdown"}),
            ("parameters.0.config.values", "needs at least one value"),
        ),
        (
            _one(
                type="select", value_type="string", config={"values": ["a", "a"], "mode": "buttons"}
            ),
            ("parameters.0.config", "values must be unique"),
        ),
        (
            _one(type="select", value_type="integer", config={"values": ["a"], "mode": "buttons"}),
            ("parameters.0", "every value must be of type integer"),
        ),
        (
            _one(type="select", value_type="string", config={"values": ["a"], "mode": "radio"}),
            ("parameters.0.config.mode", "must be 'dropdown' or 'buttons'"),
        ),
        (
            _one(
                type="multiselect",
                value_type="string",
                config={"values": ["a", "b"], "minItems": 3},
            ),
            ("parameters.0.config", "need 1 <= minItems <= maxItems <= number of values"),
        ),
        (
            _one(
                type="multiselect",
                value_type="string",
                config={"values": ["a", "b"], "minItems": 0},
            ),
            ("parameters.0.config", "need 1 <= minItems <= maxItems <= number of values"),
        ),
        (
            _one(type="range", config={"minimum": 5, "maximum": 1}),
            ("parameters.0.config", "minimum must not be greater than maximum"),
        ),
        (
            _one(type="range", config={"minimum": 5, "maximum": 5, "exclusiveMaximum": True}),
            ("parameters.0.config", "an exclusive bound leaves the range empty"),
        ),
        (
            _one(type="range", config={"minimum": "1", "maximum": 5}),
            ("parameters.0.config.minimum", "must be a whole number"),
        ),
        (
            _one(
                type="quantity_price",
                config={"start_price": -1, "step_price": 1, "currency": "EUR"},
            ),
            ("parameters.0.config.start_price", "must be at least 0"),
        ),
        (
            _one(
                type="quantity_price",
                config={"start_price": 1, "step_price": 1, "max": 0, "currency": "EUR"},
            ),
            ("parameters.0.config.max", "must be greater than 0"),
        ),
        (
            _one(
                type="quantity_price", config={"start_price": 1, "step_price": 1, "currency": " "}
            ),
            ("parameters.0.config.currency", "can't be blank"),
        ),
        (
            _one(type="colour"),
            ("parameters.0", "is not a parameter type"),
        ),
        ({"type": "date", "label": "No id"}, ("parameters.0.id", "can't be blank")),
        ({"id": "p", "label": "No type"}, ("parameters.0", "needs a type")),
        (
            _one(type="range", config={"minimum": 1, "maximum": 2, "exclusiveMinimum": "yes"}),
            ("parameters.0.config.exclusiveMinimum", "must be true or false"),
        ),
    ],
)
def test_a_broken_rule_is_reported_at_its_input(given, detail):
    with pytest.raises(Invalid) as raised:
        check_parameters([given])

    assert raised.value.errors == {"parameters": ["is invalid"]}
    assert raised.value.details[detail[0]] == detail[1]


def test_parameter_ids_must_be_unique_within_an_offer():
    with pytest.raises(Invalid) as raised:
        check_parameters([_one(type="date"), _one(type="date", label="Other")])

    assert raised.value.details == {"parameters.1.id": "repeats the id of parameter 1"}
