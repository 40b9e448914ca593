"""The inputs of the offer form, their names and labels, and the words shown for codes."""

import re

from mercato.catalogue.models import OfferCategory, OrderType

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
CONFIG_KEYS = {
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
FIELD_FOR_CONFIG_KEY = {key: name for name, key in CONFIG_KEYS.items()}
CHECKBOXES = {"sensitive", "exclusive_minimum", "exclusive_maximum"}
INTEGERS = {"min_items", "max_items", "minimum", "maximum", "max"}
# Money, typed with or without decimals (whole amounts of the currency).
PRICES = {"start_price", "step_price"}
NEW_PARAMETER_DEFAULTS = {"value_type": "string", "mode": "dropdown"}
# Rules name some fields differently from the form.
FIELD_FOR_RULE_KEY = {"primary_oms": "primary_oms_id"}
TYPE_KEY = re.compile(r"^parameters-(\d+)-type$")
