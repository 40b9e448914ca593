"""Errors of the offer form, placed next to the inputs they are about."""

from dataclasses import dataclass

from mercato.catalogue.web.offer_form.fields import (
    FIELD_FOR_CONFIG_KEY,
    FIELD_FOR_RULE_KEY,
    FIELD_LABELS,
    PARAMETER_LABELS,
)
from mercato.catalogue.web.offer_form.state import OfferForm
from mercato.errors import Invalid


def _input_for(form: OfferForm, path: str) -> str:
    """The form input a rule's dotted error path points at (a card id if no single one)."""
    parts = path.split(".")
    if parts[0] != "parameters" or len(parts) < 2 or not parts[1].isdigit():
        return FIELD_FOR_RULE_KEY.get(parts[0], parts[0])
    position = int(parts[1])
    card = f"parameter-{position}"
    rest = parts[2:]
    if rest[:1] == ["config"]:
        rest = [FIELD_FOR_CONFIG_KEY.get(rest[1], "")] if len(rest) > 1 else []
    shown = form.parameters[position].fields if position < len(form.parameters) else ()
    return f"parameters-{position}-{rest[0]}" if rest and rest[0] in shown else card


def placed_errors(form: OfferForm, error: Invalid) -> dict[str, list[str]]:
    """Messages by the input (or parameter card) they belong to."""
    placed: dict[str, list[str]] = {}
    for path, message in error.details.items():
        placed.setdefault(_input_for(form, path), []).append(message)
    for name, messages in error.errors.items():
        if name not in error.details and not any(p.startswith(f"{name}.") for p in error.details):
            placed.setdefault(FIELD_FOR_RULE_KEY.get(name, name), []).extend(messages)
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
    card = f"Parameter {position + 1}"
    if position < len(form.parameters) and form.parameters[position].get("label").strip():
        card += f" ({form.parameters[position].get('label').strip()})"
    name = anchor.split("-", 2)[2] if anchor.startswith("parameters-") else ""
    return f"{card} · {PARAMETER_LABELS[name]}" if name else card


def error_summary(form: OfferForm, placed: dict[str, list[str]]) -> list[ErrorLine]:
    return [
        ErrorLine(anchor, _where(form, anchor), message)
        for anchor, messages in placed.items()
        for message in messages
    ]
