"""JSON Schemas of the EOSC Offering API's request bodies, written from its published facts.

The first violation is reported in the json-schema gem's words (see
``mercato.api.eosc.check_schema``), so the structure here (``allOf`` around the
offer definition, ``required`` beside it) decides which message a client sees.
"""

from typing import Any

from mercato.catalogue.models import OfferCategory, OrderType

_NULLABLE_STRING = {"oneOf": [{"type": "string"}, {"type": "null"}]}
_NULLABLE_INTEGER = {"oneOf": [{"type": "integer"}, {"type": "null"}]}
_NULLABLE_BOOLEAN = {"oneOf": [{"type": "boolean"}, {"type": "null"}]}
_CHOICES = {
    "type": "array",
    "minItems": 1,
    "uniqueItems": True,
    "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
}
_VALUE_TYPE = {"type": "string", "enum": ["string", "integer"]}


def _parameter(kind: str, required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "label": {"type": "string"},
            "description": _NULLABLE_STRING,
            "type": {"type": "string", "enum": [kind]},
            **properties,
        },
        "required": ["id", "label", "type", *required],
    }


_PARAMETERS = [
    _parameter(
        "attribute",
        ["value", "value_type"],
        value={"type": "string"},
        value_type=_VALUE_TYPE,
        unit=_NULLABLE_STRING,
    ),
    _parameter("input", ["value_type"], unit=_NULLABLE_STRING, value_type=_VALUE_TYPE),
    _parameter(
        "select",
        ["config", "value_type"],
        config={
            "type": "object",
            "properties": {
                "values": _CHOICES,
                "mode": {"type": "string", "enum": ["dropdown", "buttons"]},
            },
            "required": ["values", "mode"],
        },
        value_type={"type": "string"},
        unit=_NULLABLE_STRING,
    ),
    _parameter(
        "multiselect",
        ["config", "value_type"],
        config={
            "type": "object",
            "properties": {
                "values": _CHOICES,
                "minItems": _NULLABLE_INTEGER,
                "maxItems": _NULLABLE_INTEGER,
            },
            "required": ["values"],
        },
        value_type=_VALUE_TYPE,
        unit=_NULLABLE_STRING,
    ),
    _parameter("date", ["value_type"], value_type={"type": "string", "enum": ["string"]}),
    _parameter(
        "range",
        ["value_type", "config"],
        unit=_NULLABLE_STRING,
        value_type={"type": "string", "enum": ["integer"]},
        config={
            "type": "object",
            "properties": {
                "minimum": {"type": "integer"},
                "maximum": {"type": "integer"},
                "exclusiveMinimum": _NULLABLE_BOOLEAN,
                "exclusiveMaximum": _NULLABLE_BOOLEAN,
            },
            "required": ["minimum", "maximum"],
        },
    ),
    _parameter(
        "quantity_price",
        ["value_type", "config"],
        unit=_NULLABLE_STRING,
        value_type={"type": "string", "enum": ["integer"]},
        config={
            "type": "object",
            "properties": {
                "start_price": {"type": "integer"},
                "step_price": {"type": "integer"},
                "max": _NULLABLE_INTEGER,
                "currency": {"type": "string"},
            },
            "required": ["start_price", "step_price", "currency"],
        },
    ),
]

_OFFER = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "order_type": {"type": "string", "enum": [t.value for t in OrderType]},
        "offer_category": {"type": "string", "enum": [c.value for c in OfferCategory]},
        "primary_oms_id": {"type": "integer"},
        "oms_params": {"type": "object"},
        "order_url": _NULLABLE_STRING,
        "internal": {"type": "boolean"},
        # Read-only: object items pass and are ignored, as upstream (§8.7).
        "bundled_offers": {
            "type": "array",
            "uniqueItems": True,
            "items": {"oneOf": [{"type": "object"}]},
        },
        "parameters": {"type": "array", "uniqueItems": True, "items": {"oneOf": _PARAMETERS}},
    },
    # An offer's status is the Marketplace's business, never the client's.
    "not": {"required": ["status"]},
}

OFFER_WRITE: dict[str, Any] = {
    "allOf": [_OFFER],
    "required": ["name", "description", "order_type"],
}
OFFER_UPDATE: dict[str, Any] = {"allOf": [_OFFER]}
