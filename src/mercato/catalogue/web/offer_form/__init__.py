"""The web offer form: what a provider typed, kept as text, and its parameter builder.

The builder works without JavaScript: every button (add a parameter, move one,
remove one) submits the whole form, which comes back re-rendered with the
change applied and nothing saved. So the form state lives in the fields
themselves: ``name``, ``order_type``, ... and ``parameters-<position>-<field>``.
"""

from mercato.catalogue.web.offer_form.errors import error_summary, placed_errors
from mercato.catalogue.web.offer_form.fields import (
    OFFER_CATEGORY_NAMES,
    ORDER_TYPE_NAMES,
    PARAMETER_FIELDS,
    PARAMETER_LABELS,
    PARAMETER_TYPE_NAMES,
)
from mercato.catalogue.web.offer_form.reading import invalid, offer_data
from mercato.catalogue.web.offer_form.state import (
    OfferForm,
    blank_form,
    builder_step,
    offer_form,
    saved_ids,
    submitted_form,
)

__all__ = [
    "OFFER_CATEGORY_NAMES",
    "ORDER_TYPE_NAMES",
    "PARAMETER_FIELDS",
    "PARAMETER_LABELS",
    "PARAMETER_TYPE_NAMES",
    "OfferForm",
    "blank_form",
    "builder_step",
    "error_summary",
    "invalid",
    "offer_data",
    "offer_form",
    "placed_errors",
    "saved_ids",
    "submitted_form",
]
