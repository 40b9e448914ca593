"""Mercato's own OpenAPI 3.0 documents of the EOSC Offering and Ordering APIs.

Each is one self-contained file (every ``$ref`` points into its own
``#/components/schemas``), shipped as package data and built by
``mercato.api.openapi.build``. Each call returns a fresh copy, which the caller
may change.
"""

import json
from functools import cache
from importlib.resources import files
from typing import Any

OFFERING = "eosc_offering.json"
ORDERING = "eosc_ordering.json"


@cache
def _text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def offering_document() -> dict[str, Any]:
    """The EOSC Offering API (`/api/v1/resources`), as Mercato describes it."""
    return json.loads(_text(OFFERING))


def ordering_document() -> dict[str, Any]:
    """The EOSC Ordering API (`/api/v1/oms`), as Mercato describes it."""
    return json.loads(_text(ORDERING))
