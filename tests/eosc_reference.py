"""Check responses against the real EOSC Marketplace's OpenAPI documents.

The upstream files use relative `$ref`s between files and a fragment style
(`offer_definitions.json#offer`) that general resolvers reject, so they are
inlined here before validation.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

from tests.conftest import REFERENCE

OPENAPI_DIR = REFERENCE / "eosc-openapi"


@cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def _pointer(document: Any, fragment: str) -> Any:
    for part in filter(None, fragment.split("/")):
        document = document[part]
    return document


def _inline(node: Any, file: Path, root: Any) -> Any:
    if isinstance(node, list):
        return [_inline(item, file, root) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, _, fragment = node["$ref"].partition("#")
        target_file = (file.parent / target).resolve() if target else file
        target_root = _load(target_file) if target else root
        resolved = _inline(_pointer(target_root, fragment), target_file, target_root)
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**resolved, **_inline(rest, file, root)} if rest else resolved
    return {key: _inline(value, file, root) for key, value in node.items()}


def response_schema(document: str, path: str, method: str, status: int) -> dict[str, Any]:
    file = OPENAPI_DIR / document
    operation = _load(file)["paths"][path][method]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return _inline(schema, file, _load(file))


def assert_offering_response(response: Any, path: str, method: str = "get") -> None:
    """The response validates against the Offering API document for its status."""
    schema = response_schema("offering_swagger.json", path, method, response.status_code)
    errors = sorted(Draft4Validator(schema).iter_errors(response.json()), key=str)
    assert not errors, [error.message for error in errors]


def _with_mercato_additions(schema: dict[str, Any]) -> dict[str, Any]:
    """Mercato's one addition to the wire: every event carries its `id` (the `from_id` cursor)."""
    events = schema.get("properties", {}).get("events")
    if events is None:
        return schema
    event = events["items"]
    event = {**event, "properties": {**event["properties"], "id": {"type": "integer"}}}
    event["required"] = [*event["required"], "id"]
    return {**schema, "properties": {**schema["properties"], "events": {**events, "items": event}}}


def assert_ordering_response(response: Any, path: str, method: str = "get") -> None:
    """The response validates against the Ordering API document for its status.

    Errors the document leaves out (a 400 on paging, a 401 on PATCH) are checked
    against its error schema.
    """
    file = OPENAPI_DIR / "ordering_swagger.json"
    responses = _load(file)["paths"][path][method]["responses"]
    if str(response.status_code) in responses:
        schema = response_schema("ordering_swagger.json", path, method, response.status_code)
    else:
        assert response.status_code >= 400, response.status_code
        schema = _load(OPENAPI_DIR / "error.json")
    errors = sorted(
        Draft4Validator(_with_mercato_additions(schema)).iter_errors(response.json()), key=str
    )
    assert not errors, [error.message for error in errors]
