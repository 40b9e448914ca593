"""Check responses against Mercato's own OpenAPI documents of the EOSC APIs.

Those documents (``mercato.api.openapi``) describe the EOSC Marketplace's wire
contract, and ``tests/api/test_eosc_openapi_conformance.py`` compares them with
the upstream ones. Here a response schema is turned into plain JSON Schema: its
``#/components/schemas/...`` references inlined and OpenAPI's ``nullable``
spelled as a ``null`` type.
"""

from functools import cache
from typing import Any

from jsonschema import Draft4Validator

from mercato.api.openapi import offering_document, ordering_document

COMPONENTS = "#/components/schemas/"


@cache
def _documents() -> dict[str, dict[str, Any]]:
    return {"offering": offering_document(), "ordering": ordering_document()}


def json_schema(node: Any, schemas: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema, with every component reference inlined."""
    if isinstance(node, list):
        return [json_schema(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return json_schema(schemas[node["$ref"].removeprefix(COMPONENTS)], schemas)
    schema = {key: json_schema(value, schemas) for key, value in node.items()}
    if schema.pop("nullable", False):
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def _schema_for(api: str, path: str, method: str, status: int) -> dict[str, Any]:
    """The schema of that answer; an error status the document leaves out gets `error`."""
    document = _documents()[api]
    schemas = document["components"]["schemas"]
    responses = document["paths"][path][method]["responses"]
    if str(status) in responses:
        schema = responses[str(status)]["content"]["application/json"]["schema"]
    else:
        assert status >= 400, status
        schema = {"$ref": COMPONENTS + "error"}
    return json_schema(schema, schemas)


def _assert_valid(body: Any, schema: dict[str, Any]) -> None:
    errors = sorted(Draft4Validator(schema).iter_errors(body), key=str)
    assert not errors, [error.message for error in errors]


def assert_offering_response(response: Any, path: str, method: str = "get") -> None:
    """The response validates against the Offering API document for its status."""
    responses = _documents()["offering"]["paths"][path][method]["responses"]
    assert str(response.status_code) in responses, response.status_code
    _assert_valid(response.json(), _schema_for("offering", path, method, response.status_code))


def assert_ordering_response(response: Any, path: str, method: str = "get") -> None:
    """The response validates against the Ordering API document for its status.

    Errors the document leaves out, as the EOSC one does (a 400 on paging, a 401
    on PATCH), are checked against its error schema.
    """
    _assert_valid(response.json(), _schema_for("ordering", path, method, response.status_code))
