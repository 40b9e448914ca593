"""Turning the typed offer form into the rules' input."""

from decimal import Decimal, InvalidOperation
from typing import Any

from mercato.catalogue.models import OfferCategory, OrderType
from mercato.catalogue.rules import OfferData
from mercato.catalogue.web.offer_form.fields import (
    CHECKBOXES,
    CONFIG_KEYS,
    INTEGERS,
    OFFER_CATEGORY_NAMES,
    ORDER_TYPE_NAMES,
    PARAMETER_FIELDS,
    PRICES,
)
from mercato.catalogue.web.offer_form.state import OfferForm, ParameterInput
from mercato.errors import Invalid


class _Problems:
    """Text that cannot even be handed to the rules, keyed as the rules key theirs."""

    def __init__(self) -> None:
        self.details: dict[str, str] = {}

    def integer(self, text: str, path: str) -> int | None:
        try:
            return int(text) if text.strip() else None
        except ValueError:
            self.details.setdefault(path, f"“{text.strip()}” is not a whole number")
            return None

    def price(self, text: str, path: str) -> int | None:
        """A quantity price as typed: ``10``, ``10.00`` (a decimal point) or ``10,00``
        (a decimal comma). The EOSC offer format keeps whole amounts of the currency
        (reference §2.3), so cents are refused, not rounded away."""
        typed = text.strip().replace(",", ".")
        if not typed:
            return None
        try:
            amount = Decimal(typed)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            self.details.setdefault(path, f"“{text.strip()}” is not an amount")
        elif amount != amount.to_integral_value():
            self.details.setdefault(
                path, f"“{text.strip()}”: quantity prices are whole amounts of the currency"
            )
        else:
            return int(amount)
        return None


def _choices(parameter: ParameterInput, path: str, problems: _Problems) -> list[str | int]:
    lines = [line.strip() for line in parameter.get("values").splitlines() if line.strip()]
    if parameter.get("value_type") != "integer":
        return list(lines)
    numbers = [problems.integer(line, f"{path}.config.values") for line in lines]
    return [number for number in numbers if number is not None]


def _config_value(parameter: ParameterInput, name: str, path: str, problems: _Problems) -> Any:
    text = parameter.get(name)
    if name in CHECKBOXES:
        return text == "on"
    if name in PRICES:
        return problems.price(text, f"{path}.config.{CONFIG_KEYS[name]}")
    if name in INTEGERS:
        return problems.integer(text, f"{path}.config.{CONFIG_KEYS[name]}")
    if name == "values":
        return _choices(parameter, path, problems)
    return text.strip() or None


def _raw_parameter(parameter: ParameterInput, path: str, problems: _Problems) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": parameter.id,
        "type": parameter.type,
        "label": parameter.get("label"),
        "description": parameter.get("description").strip() or None,
    }
    config: dict[str, Any] = {}
    for name in PARAMETER_FIELDS[parameter.type]:
        if name in CONFIG_KEYS:
            value = _config_value(parameter, name, path, problems)
            if value is not None:
                config[CONFIG_KEYS[name]] = value
        elif name == "sensitive":
            raw[name] = parameter.get(name) == "on"
        else:
            raw[name] = parameter.get(name).strip() or None
    if any(name in CONFIG_KEYS for name in PARAMETER_FIELDS[parameter.type]):
        raw["config"] = config
    return raw


def _oms_params(text: str, problems: _Problems) -> dict[str, str]:
    params = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, separator, value = line.partition("=")
        if not separator or not key.strip():
            problems.details.setdefault("oms_params", f"“{line.strip()}” is not key=value")
            continue
        params[key.strip()] = value.strip()
    return params


def invalid(details: dict[str, str]) -> Invalid:
    fields = sorted({path.split(".")[0] for path in details})
    return Invalid({name: ["is invalid"] for name in fields}, details)


def offer_data(form: OfferForm) -> tuple[OfferData, dict[str, str]]:
    """The rules' input for what was typed, and problems with text no rule could read.

    Unreadable text is left out of the data, so the rules can still judge the rest.
    """
    problems = _Problems()
    order_type = form.get("order_type")
    if order_type not in ORDER_TYPE_NAMES:
        problems.details["order_type"] = "choose one of the order types"
    category = form.get("offer_category")
    data = OfferData(
        name=form.get("name"),
        description=form.get("description"),
        order_type=OrderType(order_type) if order_type in ORDER_TYPE_NAMES else OrderType.OTHER,
        internal=form.is_checked("internal"),
        order_url=form.get("order_url"),
        primary_oms_id=problems.integer(form.get("primary_oms_id"), "primary_oms"),
        oms_params=_oms_params(form.get("oms_params"), problems),
        offer_category=OfferCategory(category) if category in OFFER_CATEGORY_NAMES else None,
        parameters=[
            _raw_parameter(parameter, f"parameters.{index}", problems)
            for index, parameter in enumerate(form.parameters)
        ],
        tags=form.get("tags").split(","),
        bundle_exclusive=form.is_checked("bundle_exclusive"),
    )
    return data, problems.details
