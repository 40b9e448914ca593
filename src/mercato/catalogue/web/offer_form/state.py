"""The offer form as typed, where it comes from, and the parameter builder's steps."""

from dataclasses import dataclass, field, replace
from typing import Any

from starlette.datastructures import FormData

from mercato.catalogue.models import Offer, OrderType
from mercato.catalogue.parameters import PARAMETER_TYPES
from mercato.catalogue.web.offer_form.fields import (
    COMMON_FIELDS,
    CONFIG_KEYS,
    NEW_PARAMETER_DEFAULTS,
    OFFER_FIELDS,
    PARAMETER_FIELDS,
    TYPE_KEY,
)


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
        elif name in CONFIG_KEYS:
            values[name] = _text(config.get(CONFIG_KEYS[name]))
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
    positions = sorted(int(match[1]) for key in form if (match := TYPE_KEY.match(key)))
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
    defaults = {name: NEW_PARAMETER_DEFAULTS.get(name, "") for name in PARAMETER_FIELDS[kind]}
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
