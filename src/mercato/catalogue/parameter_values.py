"""The values a customer fills in for an offer's parameters when ordering.

Each filled-in parameter is kept on the order as an ``offer_properties``
entry: the parameter in its read shape plus ``value``, with unset keys left
out, as the EOSC Marketplace stores them (reference §2.3).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from mercato.errors import Invalid

# A form sends text; an API sends JSON values. Both arrive here as Any.
Reader = Callable[[dict[str, Any], Any], Any]


class _Refused(ValueError):
    pass


def _as_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise _Refused("must be a whole number")
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise _Refused("must be a whole number") from None


def _typed(parameter: dict[str, Any], raw: Any) -> str | int:
    if parameter.get("value_type") == "integer":
        return _as_integer(raw)
    text = str(raw).strip()
    if not text:
        raise _Refused("can't be blank")
    return text


def _choice(parameter: dict[str, Any], raw: Any) -> str | int:
    value = _typed(parameter, raw)
    if value not in parameter["config"]["values"]:
        raise _Refused("is not one of the offered choices")
    return value


def _read_multiselect(parameter: dict[str, Any], raw: Any) -> Any:
    chosen = raw if isinstance(raw, list) else [raw]
    values = [_choice(parameter, item) for item in chosen if str(item).strip()]
    if len(set(values)) != len(values):
        raise _Refused("repeats a choice")
    low, high = parameter["config"]["minItems"], parameter["config"]["maxItems"]
    if not low <= len(values) <= high:
        raise _Refused(f"choose between {low} and {high} values")
    return values


def _read_date(parameter: dict[str, Any], raw: Any) -> Any:
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise _Refused("must be a date (YYYY-MM-DD)") from None


def _read_range(parameter: dict[str, Any], raw: Any) -> Any:
    value = _as_integer(raw)
    config = parameter["config"]
    low, high = config["minimum"], config["maximum"]
    too_low = value <= low if config.get("exclusiveMinimum") else value < low
    too_high = value >= high if config.get("exclusiveMaximum") else value > high
    if too_low or too_high:
        raise _Refused(f"must be between {low} and {high}")
    return value


def _read_quantity(parameter: dict[str, Any], raw: Any) -> Any:
    value = _as_integer(raw)
    highest = parameter["config"].get("max")
    if value < 1 or (highest is not None and value > highest):
        raise _Refused("must be at least 1" + (f" and at most {highest}" if highest else ""))
    return value


_READERS: dict[str, Reader] = {
    "input": _typed,
    "select": _choice,
    "multiselect": _read_multiselect,
    "date": _read_date,
    "range": _read_range,
    "quantity_price": _read_quantity,
}


def _property(parameter: dict[str, Any], value: Any) -> dict[str, Any]:
    entry = {key: item for key, item in parameter.items() if item is not None}
    if entry.get("type") == "input" and not entry.get("sensitive"):
        entry.pop("sensitive", None)
    return {**entry, "value": value}


def check_values(parameters: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Check the customer's values against the parameters; return ``offer_properties``.

    Every parameter but an attribute needs a value. Problems are reported per
    parameter id, all at once.
    """
    properties: list[dict[str, Any]] = []
    problems: dict[str, str] = {}
    for parameter in parameters:
        if parameter["type"] == "attribute":
            properties.append(_property(parameter, parameter["value"]))
            continue
        raw = values.get(parameter["id"])
        if raw is None or raw == "" or raw == []:
            problems[parameter["id"]] = "can't be blank"
            continue
        try:
            properties.append(_property(parameter, _READERS[parameter["type"]](parameter, raw)))
        except _Refused as refused:
            problems[parameter["id"]] = str(refused)
    if problems:
        raise Invalid(
            {"offer_properties": ["is invalid"]},
            {f"values.{key}": message for key, message in problems.items()},
        )
    return properties
