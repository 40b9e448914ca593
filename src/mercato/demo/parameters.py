"""Short builders for offer parameters in the EOSC write shape (reference §2.3)."""

from mercato.demo.specs import Parameter


def _value_type(values: list[str] | list[int]) -> str:
    return "integer" if all(isinstance(value, int) for value in values) else "string"


def attribute(
    id: str, label: str, value: str | int, *, unit: str | None = None, description: str = ""
) -> Parameter:
    return {
        "id": id,
        "type": "attribute",
        "label": label,
        "description": description or None,
        "value": str(value),
        "value_type": "integer" if isinstance(value, int) else "string",
        "unit": unit,
    }


def input_field(
    id: str,
    label: str,
    *,
    integer: bool = False,
    unit: str | None = None,
    sensitive: bool = False,
    description: str = "",
) -> Parameter:
    return {
        "id": id,
        "type": "input",
        "label": label,
        "description": description or None,
        "value_type": "integer" if integer else "string",
        "unit": unit,
        "sensitive": sensitive,
    }


def select(
    id: str,
    label: str,
    values: list[str] | list[int],
    *,
    mode: str = "dropdown",
    unit: str | None = None,
    description: str = "",
) -> Parameter:
    return {
        "id": id,
        "type": "select",
        "label": label,
        "description": description or None,
        "config": {"values": values, "mode": mode},
        "value_type": _value_type(values),
        "unit": unit,
    }


def multiselect(
    id: str,
    label: str,
    values: list[str] | list[int],
    *,
    min_items: int = 1,
    max_items: int | None = None,
    unit: str | None = None,
    description: str = "",
) -> Parameter:
    return {
        "id": id,
        "type": "multiselect",
        "label": label,
        "description": description or None,
        "config": {"values": values, "minItems": min_items, "maxItems": max_items},
        "value_type": _value_type(values),
        "unit": unit,
    }


def date(id: str, label: str, *, description: str = "") -> Parameter:
    return {
        "id": id,
        "type": "date",
        "label": label,
        "description": description or None,
        "value_type": "string",
    }


def integer_range(
    id: str,
    label: str,
    minimum: int,
    maximum: int,
    *,
    unit: str | None = None,
    description: str = "",
) -> Parameter:
    return {
        "id": id,
        "type": "range",
        "label": label,
        "description": description or None,
        "unit": unit,
        "value_type": "integer",
        "config": {"minimum": minimum, "maximum": maximum},
    }


def quantity_price(
    id: str,
    label: str,
    *,
    start_price: int,
    step_price: int,
    currency: str = "EUR",
    max_quantity: int | None = None,
    description: str = "",
) -> Parameter:
    return {
        "id": id,
        "type": "quantity_price",
        "label": label,
        "description": description or None,
        "value_type": "integer",
        "config": {
            "start_price": start_price,
            "step_price": step_price,
            "max": max_quantity,
            "currency": currency,
        },
    }
