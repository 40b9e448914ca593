"""Mercato's own OpenAPI documents of the EOSC APIs: shipped, self-contained, up to date."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mercato.api.openapi import build, offering_document, ordering_document

DOCUMENTS = {"offering": offering_document, "ordering": ordering_document}


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


@pytest.mark.parametrize("api", DOCUMENTS)
def test_committed_document_is_what_build_makes(api: str) -> None:
    assert DOCUMENTS[api]() == json.loads(build.render(getattr(build, api)()))


@pytest.mark.parametrize("api", DOCUMENTS)
def test_every_reference_points_into_the_same_document(api: str) -> None:
    document = DOCUMENTS[api]()
    schemas = document["components"]["schemas"]
    references = set(_references(document))
    assert all(reference.startswith("#/components/schemas/") for reference in references)
    named = {reference.removeprefix("#/components/schemas/") for reference in references}
    assert named <= set(schemas)
    # Every schema is used by an operation or by another schema.
    assert named == set(schemas)


@pytest.mark.parametrize("api", DOCUMENTS)
def test_each_call_returns_a_fresh_copy(api: str) -> None:
    document = DOCUMENTS[api]()
    document["paths"].clear()
    assert DOCUMENTS[api]()["paths"]


def test_ordering_document_marks_mercatos_additions() -> None:
    document = ordering_document()
    event = document["components"]["schemas"]["event_read"]
    assert event["properties"]["id"]["x-mercato-addition"] is True
    # Shown only to a request that pages by `from_id`, so not required.
    assert "id" not in event["required"]
    parameters = document["paths"]["/api/v1/oms/{oms_id}/events"]["get"]["parameters"]
    assert [(p["name"], p["required"], "x-mercato-addition" in p) for p in parameters] == [
        ("from_timestamp", False, False),
        ("from_id", False, True),
        ("limit", False, False),
    ]
