"""The web offer form: what a provider typed, kept as text, and its parameter builder.

The builder works without JavaScript: every button (add a parameter, move one,
remove one) submits the whole form, which comes back re-rendered with the
change applied and nothing saved. So the form state lives in the fields
themselves: ``name``, ``order_type``, ... and ``parameters-<position>-<field>``.
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.datastructures import FormData

from mercato.catalogue.models import Offer, OfferCategory, OrderType
from mercato.catalogue.parameters import PARAMETER_TYPES
from mercato.catalogue.rules import OfferData
from mercato.errors import Invalid

OFFER_FIELDS = (
    "name",
    "description",
    "tags",
    "bundle_exclusive",
    "order_type",
    "internal",
    "primary_oms_id",
    "oms_params",
    "order_url",
    "offer_category",
)

ORDER_TYPE_NAMES = {
    OrderType.ORDER_REQUIRED: "Order required",
    OrderType.OPEN_ACCESS: "Open access",
    OrderType.FULLY_OPEN_ACCESS: "Fully open access",
    OrderType.OTHER: "Other",
}
OFFER_CATEGORY_NAMES = {
    OfferCategory.COMPUTE: "Compute",
    OfferCategory.DATA_SOURCE: "Data source",
    OfferCategory.STORAGE: "Storage",
    OfferCategory.TRAINING: "Training",
    OfferCategory.OTHER: "Other",
}
PARAMETER_TYPE_NAMES = {
    "attribute": "Constant",
    "input": "Input",
    "select": "Select",
    "multiselect": "Multiselect",
    "date": "Date",
    "range": "Range",
    "quantity_price": "Quantity price",
}
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "tags": "Tag list",
    "order_type": "Order type",
    "primary_oms_id": "Primary OMS",
    "oms_params": "OMS params",
    "order_url": "Order / access URL",
    "offer_category": "Offer category",
    "parameters": "Offer parameters",
}
PARAMETER_LABELS = {
    "label": "Name",
    "description": "Hint",
    "value": "Value",
    "value_type": "Value type",
    "unit": "Unit",
    "sensitive": "Sensitive",
    "values": "Values",
    "mode": "Mode",
    "min_items": "Min items",
    "max_items": "Max items",
    "minimum": "Min",
    "maximum": "Max",
    "exclusive_minimum": "Exclusive min",
    "exclusive_maximum": "Exclusive max",
    "start_price": "Start price",
    "step_price": "Step price",
    "max": "Max",
    "currency": "Currency",
}

# The inputs of each parameter card, after the label and hint every card has.
PARAMETER_FIELDS: dict[str, tuple[str, ...]] = {
    "attribute": ("value", "value_type", "unit"),
    "input": ("value_type", "unit", "sensitive"),
    "select": ("values", "value_type", "mode", "unit"),
    "multiselect": ("values", "value_type", "min_items", "max_items", "unit"),
    "date": (),
    "range": ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum", "unit"),
    "quantity_price": ("start_price", "step_price", "max", "currency"),
}
COMMON_FIELDS = ("label", "description")

# Form field name -> key inside the stored parameter's ``config``.
_CONFIG_KEYS = {
    "values": "values",
    "mode": "mode",
    "min_items": "minItems",
    "max_items": "maxItems",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusive_minimum": "exclusiveMinimum",
    "exclusive_maximum": "exclusiveMaximum",
    "start_price": "start_price",
    "step_price": "step_price",
    "max": "max",
    "currency": "currency",
}
_FIELD_FOR_CONFIG_KEY = {key: name for name, key in _CONFIG_KEYS.items()}
_CHECKBOXES = {"sensitive", "exclusive_minimum", "exclusive_maximum"}
_INTEGERS = {"min_items", "max_items", "minimum", "maximum", "start_price", "step_price", "max"}
_NEW_PARAMETER_DEFAULTS = {"value_type": "string", "mode": "dropdown"}
# Rules name some fields differently from the form.
_FIELD_FOR_RULE_KEY = {"primary_oms": "primary_oms_id"}
_TYPE_KEY = re.compile(r"^parameters-(\d+)-type$")


@dataclass
class ParameterInput:
    """One parameter card as typed: every value a string, checkboxes "on" or ""."""

    id: str
    type: str
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def fields(self) -> tuple[str, ...]:
        return COMMON_FIELDS + PARAMETER_FIELDS[self.type]


@dataclass
class OfferForm:
    """The whole offer form as typed, plus which input the browser should focus."""

    values: dict[str, str]
    parameters: list[ParameterInput]
    # Ids of parameters already saved on the offer: never handed out again, so
    # orders that refer to a removed parameter cannot be confused with a new one.
    saved_ids: frozenset[str] = frozenset()
    focus: str = ""

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def is_checked(self, name: str) -> bool:
        return self.get(name) == "on"


# --- from a new service, a saved offer or a submitted form ---------------------------


def blank_form(order_type: OrderType) -> OfferForm:
    return OfferForm({"order_type": order_type.value}, [])


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    return "on" if value is True else str(value)


def _parameter_input(stored: dict[str, Any]) -> ParameterInput:
    config = stored.get("config", {})
    values = {name: _text(stored.get(name)) for name in COMMON_FIELDS}
    for name in PARAMETER_FIELDS[stored["type"]]:
        if name == "values":
            values[name] = "\n".join(str(choice) for choice in config["values"])
        elif name in _CONFIG_KEYS:
            values[name] = _text(config.get(_CONFIG_KEYS[name]))
        else:
            values[name] = _text(stored.get(name))
    return ParameterInput(stored["id"], stored["type"], values)


def offer_form(offer: Offer) -> OfferForm:
    values = {
        "name": offer.name,
        "description": offer.description,
        "tags": ", ".join(offer.tags),
        "bundle_exclusive": _text(offer.bundle_exclusive),
        "order_type": offer.order_type.value,
        "internal": _text(offer.internal),
        "primary_oms_id": _text(offer.primary_oms_id),
        "oms_params": "\n".join(f"{key}={value}" for key, value in offer.oms_params.items()),
        "order_url": offer.order_url,
        "offer_category": _text(offer.offer_category and offer.offer_category.value),
    }
    return OfferForm(values, [_parameter_input(p) for p in offer.parameters], saved_ids(offer))


def saved_ids(offer: Offer) -> frozenset[str]:
    return frozenset(parameter["id"] for parameter in offer.parameters)


def submitted_form(form: FormData, saved_ids: frozenset[str] = frozenset()) -> OfferForm:
    values = {name: str(form.get(name, "")) for name in OFFER_FIELDS}
    positions = sorted(int(match[1]) for key in form if (match := _TYPE_KEY.match(key)))
    parameters = []
    for position in positions:
        prefix = f"parameters-{position}-"
        kind = str(form.get(prefix + "type", ""))
        if kind not in PARAMETER_FIELDS:
            continue
        names = COMMON_FIELDS + PARAMETER_FIELDS[kind]
        typed = {name: str(form.get(prefix + name, "")) for name in names}
        parameters.append(ParameterInput(str(form.get(prefix + "id", "")), kind, typed))
    return OfferForm(values, parameters, saved_ids)


# --- the builder ----------------------------------------------------------------------


def _next_id(form: OfferForm) -> str:
    taken = {p.id for p in form.parameters} | form.saved_ids
    numbers = [int(taken_id) for taken_id in taken if taken_id.isdigit()]
    return str(max(numbers, default=-1) + 1)


def _added(form: OfferForm, kind: str) -> OfferForm:
    defaults = {name: _NEW_PARAMETER_DEFAULTS.get(name, "") for name in PARAMETER_FIELDS[kind]}
    parameters = [*form.parameters, ParameterInput(_next_id(form), kind, defaults)]
    return replace(form, parameters=parameters, focus=f"parameters-{len(parameters) - 1}-label")


def _moved(form: OfferForm, position: int, offset: int) -> OfferForm:
    target = position + offset
    if not 0 <= target < len(form.parameters):
        return form
    parameters = list(form.parameters)
    parameters[position], parameters[target] = parameters[target], parameters[position]
    return replace(form, parameters=parameters, focus=f"parameters-{target}-label")


def _removed(form: OfferForm, position: int) -> OfferForm:
    parameters = [p for index, p in enumerate(form.parameters) if index != position]
    focus = f"parameters-{min(position, len(parameters) - 1)}-label" if parameters else ""
    return replace(form, parameters=parameters, focus=focus)


def builder_step(form: OfferForm, action: str) -> OfferForm:
    """The form after a builder action: ``add:select``, ``up:2``, ``down:2``, ``remove:2``.

    Anything else (a stale position, say) leaves the form as it is.
    """
    verb, _, argument = action.partition(":")
    if verb == "add" and argument in PARAMETER_TYPES:
        return _added(form, argument)
    if not argument.isdigit() or int(argument) >= len(form.parameters):
        return form
    position = int(argument)
    if verb == "up":
        return _moved(form, position, -1)
    if verb == "down":
        return _moved(form, position, 1)
    if verb == "remove":
        return _removed(form, position)
    return form


# --- to the rules' input --------------------------------------------------------------


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


def _choices(parameter: ParameterInput, path: str, problems: _Problems) -> list[str | int]:
    lines = [line.strip() for line in parameter.get("values").splitlines() if line.strip()]
    if parameter.get("value_type") != "integer":
        return list(lines)
    numbers = [problems.integer(line, f"{path}.config.values") for line in lines]
    return [number for number in numbers if number is not None]


def _config_value(parameter: ParameterInput, name: str, path: str, problems: _Problems) -> Any:
    text = parameter.get(name)
    if name in _CHECKBOXES:
        return text == "on"
    if name in _INTEGERS:
        return problems.integer(text, f"{path}.config.{_CONFIG_KEYS[name]}")
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
        if name in _CONFIG_KEYS:
            value = _config_value(parameter, name, path, problems)
            if value is not None:
                config[_CONFIG_KEYS[name]] = value
        elif name == "sensitive":
            raw[name] = parameter.get(name) == "on"
        else:
            raw[name] = parameter.get(name).strip() or None
    if any(name in _CONFIG_KEYS for name in PARAMETER_FIELDS[parameter.type]):
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


# --- errors, placed next to their inputs ----------------------------------------------


def _input_for(form: OfferForm, path: str) -> str:
    """The form input a rule's dotted error path points at (a card id if no single one)."""
    parts = path.split(".")
    if parts[0] != "parameters" or len(parts) < 2 or not parts[1].isdigit():
        return _FIELD_FOR_RULE_KEY.get(parts[0], parts[0])
    position = int(parts[1])
    card = f"parameter-{position}"
    rest = parts[2:]
    if rest[:1] == ["config"]:
        rest = [_FIELD_FOR_CONFIG_KEY.get(rest[1], "")] if len(rest) > 1 else []
    shown = form.parameters[position].fields if position < len(form.parameters) else ()
    return f"parameters-{position}-{rest[0]}" if rest and rest[0] in shown else card


def placed_errors(form: OfferForm, error: Invalid) -> dict[str, list[str]]:
    """Messages by the input (or parameter card) they belong to."""
    placed: dict[str, list[str]] = {}
    for path, message in error.details.items():
        placed.setdefault(_input_for(form, path), []).append(message)
    for name, messages in error.errors.items():
        if name not in error.details and not any(p.startswith(f"{name}.") for p in error.details):
            placed.setdefault(_FIELD_FOR_RULE_KEY.get(name, name), []).extend(messages)
    return placed


@dataclass(frozen=True)
class ErrorLine:
    """One message for the summary at the top of the form, linking to its input."""

    anchor: str
    where: str
    message: str


def _where(form: OfferForm, anchor: str) -> str:
    if not anchor.startswith(("parameter-", "parameters-")):
        return FIELD_LABELS.get(anchor, anchor)
    position = int(anchor.split("-")[1])
    parameter = form.parameters[position]
    card = f"Parameter {position + 1}"
    if parameter.get("label").strip():
        card += f" ({parameter.get('label').strip()})"
    name = anchor.split("-", 2)[2] if anchor.startswith("parameters-") else ""
    return f"{card} · {PARAMETER_LABELS[name]}" if name else card


def error_summary(form: OfferForm, placed: dict[str, list[str]]) -> list[ErrorLine]:
    return [
        ErrorLine(anchor, _where(form, anchor), message)
        for anchor, messages in placed.items()
        for message in messages
    ]
