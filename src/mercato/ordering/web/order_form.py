"""The order form of the web UI, generated from an offer's parameters.

Each parameter gets one input named by its position (``value-0``, ``value-1``,
...): offer authors choose parameter ids freely, positions are always safe in
HTML. Errors that `check_values` reports by parameter id are placed back on
those inputs.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.accounts.models import User
from mercato.catalogue.parameter_values import check_values
from mercato.catalogue.quantity_prices import QuantityPrice, form_prices
from mercato.errors import Invalid
from mercato.ordering.models import Project
from mercato.ordering.orders import OrderRequest
from mercato.ordering.projects import ProjectData, create_project, require_own_project

NEW_PROJECT = "new"
EXISTING_PROJECT = "existing"


@dataclass(frozen=True)
class QuantityPrices:
    """What the form shows of the offer's quantity prices: those priced, of how many."""

    prices: list[QuantityPrice]
    asked: int

    @property
    def is_complete(self) -> bool:
        return len(self.prices) == self.asked


@dataclass(frozen=True)
class Control:
    """One parameter as an input of the form."""

    name: str
    parameter: dict[str, Any]
    kind: str  # attribute, text, secret, dropdown, buttons, checkboxes, date, number
    minimum: int | None = None
    maximum: int | None = None

    @property
    def label(self) -> str:
        return str(self.parameter["label"])


def _bounds(parameter: dict[str, Any]) -> tuple[int | None, int | None]:
    config = parameter.get("config", {})
    if parameter["type"] == "quantity_price":
        return 1, config.get("max")
    low, high = config["minimum"], config["maximum"]
    # Values are whole numbers, so an excluded bound moves by one.
    return low + bool(config.get("exclusiveMinimum")), high - bool(config.get("exclusiveMaximum"))


def _kind(parameter: dict[str, Any]) -> str:
    match parameter["type"]:
        case "input":
            return "secret" if parameter.get("sensitive") else "text"
        case "select":
            return "buttons" if parameter["config"].get("mode") == "buttons" else "dropdown"
        case "multiselect":
            return "checkboxes"
        case "range" | "quantity_price":
            return "number"
    return str(parameter["type"])


def controls(parameters: list[dict[str, Any]], prefix: str = "") -> list[Control]:
    """The inputs of an offer's parameters; ``prefix`` tells apart the offers of a bundle."""
    shown = []
    for position, parameter in enumerate(parameters):
        kind = _kind(parameter)
        low, high = _bounds(parameter) if kind == "number" else (None, None)
        shown.append(Control(f"{prefix}value-{position}", parameter, kind, low, high))
    return shown


def submitted_values(
    parameters: list[dict[str, Any]], form: FormData, prefix: str = ""
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for control in controls(parameters, prefix):
        if control.kind == "checkboxes":
            values[control.parameter["id"]] = [str(v) for v in form.getlist(control.name)]
        elif control.kind != "attribute":
            values[control.parameter["id"]] = str(form.get(control.name, ""))
    return values


def quantity_prices(parameters: list[dict[str, Any]], form: FormData) -> QuantityPrices:
    """The quantities asked for and their prices; an unsent quantity is 1, as the form
    fills it in."""
    values = submitted_values(parameters, form)
    for control in controls(parameters):
        if control.parameter["type"] == "quantity_price" and control.name not in form:
            values[control.parameter["id"]] = 1
    asked = sum(1 for parameter in parameters if parameter["type"] == "quantity_price")
    return QuantityPrices(form_prices(parameters, values), asked)


def order_request(form: FormData, values: dict[str, Any], offers_voucher: bool) -> OrderRequest:
    if not offers_voucher:
        return OrderRequest(values=values)
    return OrderRequest(
        values=values,
        request_voucher=form.get("request_voucher") == "on",
        voucher_id=str(form.get("voucher_id", "")),
    )


def value_errors(
    parameters: list[dict[str, Any]], values: dict[str, Any], prefix: str = ""
) -> dict[str, str]:
    """What `check_values` says of the values, by the name of the input they came from."""
    try:
        check_values(parameters, values)
    except Invalid as error:
        names = {f"values.{c.parameter['id']}": c.name for c in controls(parameters, prefix)}
        return {names[path]: message for path, message in error.details.items()}
    return {}


def project_mode(form: FormData) -> str:
    """Which way the customer chose: an existing project or a new one (the radio
    ``project_choice``; forms without it say "new" in the ``project`` select)."""
    mode = str(form.get("project_choice", ""))
    if mode in (NEW_PROJECT, EXISTING_PROJECT):
        return mode
    return NEW_PROJECT if str(form.get("project", "")) == NEW_PROJECT else EXISTING_PROJECT


def chosen_project(session: Session, customer: User, form: FormData) -> Project:
    """The customer's project picked in the form, or a new one named there.

    A name typed for a new project is never dropped while an existing project is
    chosen: the form is refused, naming the field, so the customer says which.
    """
    name = str(form.get("project_name", "")).strip()
    if project_mode(form) == NEW_PROJECT:
        try:
            return create_project(session, customer, ProjectData(name))
        except Invalid as error:
            raise Invalid.field("project_name", error.details["name"]) from None
    if name:
        raise Invalid.field(
            "project_name",
            f"you chose an existing project and typed the new project name “{name}”: "
            "choose “New project” to create it, or clear the name",
        )
    choice = str(form.get("project", ""))
    if not choice.isdecimal():
        raise Invalid.field("project", "choose one of your projects, or a new project")
    return require_own_project(session, customer, int(choice))


def offer_prefix(position: int) -> str:
    """The prefix of the inputs of a bundle's offer at ``position`` (the main offer is 0)."""
    return f"offer-{position}-"
