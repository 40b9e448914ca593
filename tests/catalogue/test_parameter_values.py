"""A customer's values for an offer's parameters become the order's offer_properties."""

import pytest

from mercato.catalogue.parameter_values import check_values
from mercato.errors import Invalid
from tests.factories import ALL_PARAMETERS

VALID = {
    "1": " ABC-1 ",
    "2": "4",
    "3": ["eu-west", "eu-central"],
    "4": "2026-12-01",
    "5": 64,
    "6": "3",
}


def _problems(values: dict) -> dict[str, str]:
    with pytest.raises(Invalid) as raised:
        check_values(ALL_PARAMETERS, values)
    assert raised.value.errors == {"offer_properties": ["is invalid"]}
    return raised.value.details


def test_valid_values_become_properties_with_unset_keys_left_out():
    properties = check_values(ALL_PARAMETERS, VALID)

    assert properties == [
        {
            "id": "0",
            "type": "attribute",
            "label": "Storage",
            "description": "Disk per VM",
            "value": "100",
            "value_type": "integer",
            "unit": "GB",
        },
        {
            "id": "1",
            "type": "input",
            "label": "Project code",
            "value_type": "string",
            "value": "ABC-1",
        },
        {
            "id": "2",
            "type": "select",
            "label": "CPU cores",
            "description": "Cores per VM",
            "config": {"values": [1, 2, 4], "mode": "buttons"},
            "value_type": "integer",
            "unit": "CPUs",
            "value": 4,
        },
        {
            "id": "3",
            "type": "multiselect",
            "label": "Regions",
            "config": {"values": ["eu-west", "eu-central"], "minItems": 1, "maxItems": 2},
            "value_type": "string",
            "value": ["eu-west", "eu-central"],
        },
        {
            "id": "4",
            "type": "date",
            "label": "Start",
            "description": "First day of use",
            "value_type": "string",
            "value": "2026-12-01",
        },
        {
            "id": "5",
            "type": "range",
            "label": "Memory",
            "unit": "GB",
            "value_type": "integer",
            "config": {
                "minimum": 1,
                "maximum": 64,
                "exclusiveMinimum": False,
                "exclusiveMaximum": None,
            },
            "value": 64,
        },
        {
            "id": "6",
            "type": "quantity_price",
            "label": "Hours",
            "value_type": "integer",
            "config": {"start_price": 10, "step_price": 2, "max": 100, "currency": "EUR"},
            "value": 3,
        },
    ]


def test_every_parameter_but_an_attribute_needs_a_value():
    assert _problems({}) == {f"values.{n}": "can't be blank" for n in "123456"}


@pytest.mark.parametrize(
    ("changed", "problem"),
    [
        ({"2": "3"}, ("values.2", "is not one of the offered choices")),
        ({"2": "four"}, ("values.2", "must be a whole number")),
        ({"3": ["eu-west", "eu-west"]}, ("values.3", "repeats a choice")),
        ({"3": ["us-east"]}, ("values.3", "is not one of the offered choices")),
        ({"4": "01/12/2026"}, ("values.4", "must be a date (YYYY-MM-DD)")),
        ({"5": "0"}, ("values.5", "must be between 1 and 64")),
        ({"5": 65}, ("values.5", "must be between 1 and 64")),
        ({"6": "0"}, ("values.6", "must be at least 1 and at most 100")),
        ({"6": "101"}, ("values.6", "must be at least 1 and at most 100")),
        ({"6": True}, ("values.6", "must be a whole number")),
    ],
)
def test_a_value_breaking_its_parameter_rule_is_named(changed, problem):
    assert _problems(VALID | changed) == dict([problem])


def test_exclusive_bounds_leave_out_the_bound_itself():
    memory = {
        **ALL_PARAMETERS[5],
        "config": {"minimum": 1, "maximum": 4, "exclusiveMinimum": True, "exclusiveMaximum": True},
    }

    assert check_values([memory], {"5": 2})[0]["value"] == 2
    for bound in (1, 4):
        with pytest.raises(Invalid) as raised:
            check_values([memory], {"5": bound})
        assert raised.value.details == {"values.5": "must be between 1 and 4"}


def test_multiselect_needs_between_min_and_max_choices():
    regions = {
        **ALL_PARAMETERS[3],
        "config": {"values": ["a", "b", "c"], "minItems": 2, "maxItems": 2},
    }

    with pytest.raises(Invalid) as raised:
        check_values([regions], {"3": ["a"]})
    assert raised.value.details == {"values.3": "choose between 2 and 2 values"}
