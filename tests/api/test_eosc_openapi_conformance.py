"""Mercato's EOSC OpenAPI documents against the EOSC Marketplace's own (upstream).

The upstream documents live outside the repository, in
`../shared/reference/eosc-openapi/` (CI has that folder); without it the
comparison is skipped. Compared, after dropping wording (summaries,
descriptions) and spelling each schema the same way (OpenAPI 3.0 `nullable`
for a `oneOf` with `null`, `enum` for `const`): the paths and their methods;
per operation its operation id, tags, security, parameters, request body and
responses, with the schema each one names; the schema names; and each schema
in full (properties, types, enums, required lists, `additionalProperties`,
`allOf`/`oneOf`/`anyOf`, array bounds). Upstream schemas are named as its files
and definitions are (`offer/offer_read.json` is `offer_read`,
`offer_definitions.json#offer` is `offer`).

Mercato's additions to the wire are listed in `ADDITIONS` and removed before
comparing; anything else that differs fails.
"""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mercato.api.openapi import offering_document, ordering_document
from tests.conftest import REFERENCE

UPSTREAM = REFERENCE / "eosc-openapi"
APIS = {
    "offering": (offering_document, "offering_swagger.json"),
    "ordering": (ordering_document, "ordering_swagger.json"),
}
COMPONENTS = "#/components/schemas/"
WORDING = {"description", "summary", "title", "example", "examples"}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
EVENTS = "/api/v1/oms/{oms_id}/events"


# --- Mercato's additions ---------------------------------------------------------------


def _remove_event_paging_by_id(document: dict[str, Any]) -> None:
    """README, "Paging the event feed by id": `from_id` may replace `from_timestamp`,
    and then each event carries its (optional) `id`."""
    event = document["components"]["schemas"]["event_read"]
    del event["properties"]["id"]
    parameters = document["paths"][EVENTS]["get"]["parameters"]
    parameters.remove(next(p for p in parameters if p["name"] == "from_id"))
    from_timestamp = next(p for p in parameters if p["name"] == "from_timestamp")
    assert from_timestamp["required"] is False
    from_timestamp["required"] = True


ADDITIONS: dict[str, list[Callable[[dict[str, Any]], None]]] = {
    "offering": [],
    "ordering": [_remove_event_paging_by_id],
}


def test_every_marked_addition_is_removed_before_comparing() -> None:
    for api, (document, _) in APIS.items():
        mine = document()
        for remove in ADDITIONS[api]:
            remove(mine)
        assert list(_marked(mine)) == [], api


def _marked(node: Any, where: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("x-mercato-addition"):
            yield where.lstrip(".")
        for key, value in node.items():
            yield from _marked(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _marked(value, f"{where}.{index}")


# --- one spelling for both sides ------------------------------------------------------


def normalize(node: Any) -> Any:
    """A schema or operation without wording, in one spelling of each constraint."""
    if isinstance(node, list):
        return [normalize(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {
        key: normalize(value)
        for key, value in node.items()
        if key not in WORDING and not key.startswith("x-")
    }
    if "const" in node:
        node["enum"] = [node.pop("const")]
    alternatives = node.get("oneOf")
    if alternatives is not None:
        types = [alternative.get("type") for alternative in alternatives]
        if len(alternatives) == 2 and "null" in types and "type" not in node:
            # JSON Schema's {"oneOf": [{"type": T}, {"type": "null"}]} is OpenAPI 3.0's
            # {"type": T, "nullable": true}.
            (other,) = (a for a in alternatives if a.get("type") != "null")
            if set(other) == {"type"}:
                del node["oneOf"]
                node.update(type=other["type"], nullable=True)
        elif "type" in node:
            # An alternative of another type than the schema's own can never match.
            alternatives = [a for a in alternatives if a.get("type", node["type"]) == node["type"]]
            node["oneOf"] = alternatives
        if len(node.get("oneOf", ())) == 1:
            # Exactly one of one alternative: that alternative's constraints apply.
            (only,) = node.pop("oneOf")
            for key, value in only.items():
                assert node.setdefault(key, value) == value, (key, node, only)
    if isinstance(node.get("required"), list):
        node["required"] = sorted(node["required"])
    return node


def differences(mine: Any, theirs: Any, where: str) -> Iterator[str]:
    """Every place where Mercato's (normalized) side differs from upstream's."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        for key in sorted(set(mine) | set(theirs)):
            if key not in mine:
                yield f"{where}: Mercato lacks {key!r} (upstream: {json.dumps(theirs[key])})"
            elif key not in theirs:
                yield f"{where}: Mercato has {key!r}, upstream does not"
            else:
                yield from differences(mine[key], theirs[key], f"{where}.{key}")
    elif isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        for index, (left, right) in enumerate(zip(mine, theirs, strict=True)):
            yield from differences(left, right, f"{where}[{index}]")
    elif mine != theirs:
        yield f"{where}: Mercato {json.dumps(mine)}, upstream {json.dumps(theirs)}"


# --- both sides as {operations, schemas}, references by schema name -------------------


def _operations(paths: dict[str, Any], convert: Callable[[Any], Any]) -> dict[str, Any]:
    """`METHOD path` -> the operation, its path's parameters merged in."""
    operations = {}
    for path, item in paths.items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method not in METHODS:
                continue
            merged = {**operation, "parameters": [*shared, *operation.get("parameters", [])]}
            operations[f"{method.upper()} {path}"] = normalize(convert(merged))
    return operations


def mercato_side(document: dict[str, Any]) -> dict[str, Any]:
    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            assert set(node) == {"$ref"}, node
            name = node["$ref"].removeprefix(COMPONENTS)
            assert name in document["components"]["schemas"], node["$ref"]
            return {"$ref": name}
        return {key: convert(value) for key, value in node.items()}

    schemas = document["components"]["schemas"]
    return {
        "operations": _operations(document["paths"], convert),
        "schemas": {name: normalize(convert(schema)) for name, schema in schemas.items()},
        "security": document["components"]["securitySchemes"],
    }


def upstream_side(file: Path) -> dict[str, Any]:
    """The upstream document with its relative `$ref`s between files followed."""
    loaded: dict[Path, Any] = {}
    schemas: dict[str, Any] = {}
    sources: dict[str, tuple[Path, str]] = {}

    def load(path: Path) -> Any:
        if path not in loaded:
            loaded[path] = json.loads(path.read_text())
        return loaded[path]

    def convert(node: Any, at: Path) -> Any:
        if isinstance(node, list):
            return [convert(item, at) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            assert set(node) == {"$ref"}, node
            target, _, fragment = node["$ref"].partition("#")
            target_file = (at.parent / target).resolve() if target else at
            parts = [part for part in fragment.split("/") if part]
            name = parts[-1] if parts else target_file.stem
            source = (target_file, fragment.strip("/"))
            if name not in sources:
                sources[name] = source
                target_node = load(target_file)
                for part in parts:
                    target_node = target_node[part]
                schemas[name] = normalize(convert(target_node, target_file))
            assert sources[name] == source, f"two upstream schemas named {name}"
            return {"$ref": name}
        return {key: convert(value, at) for key, value in node.items()}

    document = load(file.resolve())
    return {
        "operations": _operations(document["paths"], lambda node: convert(node, file.resolve())),
        "schemas": schemas,
        "security": document["components"]["securitySchemes"],
    }


# --- the comparison -------------------------------------------------------------------


@pytest.fixture(scope="module")
def upstream_dir() -> Path:
    if not UPSTREAM.is_dir():
        pytest.skip(
            f"upstream EOSC OpenAPI documents not found: {UPSTREAM} is missing "
            "(the folder ../shared/reference/eosc-openapi/ beside the repository; CI has it), "
            "so Mercato's documents were not compared with them"
        )
    return UPSTREAM


def _sides(api: str, upstream_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    document, upstream_file = APIS[api]
    mine = document()
    for remove in ADDITIONS[api]:
        remove(mine)
    return mercato_side(mine), upstream_side(upstream_dir / upstream_file)


@pytest.mark.parametrize("api", APIS)
def test_same_operations_as_upstream(api: str, upstream_dir: Path) -> None:
    mine, theirs = _sides(api, upstream_dir)
    assert sorted(mine["operations"]) == sorted(theirs["operations"])
    assert mine["security"] == theirs["security"]
    found = [
        difference
        for name, operation in theirs["operations"].items()
        for difference in differences(mine["operations"][name], operation, name)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("api", APIS)
def test_same_schemas_as_upstream(api: str, upstream_dir: Path) -> None:
    mine, theirs = _sides(api, upstream_dir)
    assert sorted(mine["schemas"]) == sorted(theirs["schemas"])
    found = [
        difference
        for name, schema in theirs["schemas"].items()
        for difference in differences(mine["schemas"][name], schema, name)
    ]
    assert not found, "\n".join(found)


# --- the comparison's own checks (no upstream needed) ---------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["components"]["schemas"]["message_read"]["properties"].update(
                text=d["components"]["schemas"]["message_read"]["properties"].pop("content")
            ),
            "message_read.properties: Mercato has 'text', upstream does not",
        ),
        (
            lambda d: d["components"]["schemas"]["project_item_read"]["required"].remove("status"),
            'project_item_read.required: Mercato ["id", "project_id"], '
            'upstream ["id", "project_id", "status"]',
        ),
        (
            lambda d: d["components"]["schemas"]["message_read"]["properties"]["scope"][
                "enum"
            ].append("private"),
            "message_read.properties.scope.enum: Mercato",
        ),
        (
            lambda d: d["components"]["schemas"]["oms_read"]["properties"]["default"].update(
                type="string"
            ),
            'oms_read.properties.default.type: Mercato "string", upstream "boolean"',
        ),
    ],
)
def test_comparison_names_a_changed_field(change: Callable[[Any], Any], expected: str) -> None:
    original = mercato_side(ordering_document())
    changed_document = ordering_document()
    change(changed_document)
    changed = mercato_side(changed_document)
    found = [
        difference
        for name, schema in original["schemas"].items()
        for difference in differences(changed["schemas"][name], schema, name)
    ]
    assert any(difference.startswith(expected) for difference in found), found


def test_normalize_spells_each_constraint_one_way() -> None:
    upstream = {"oneOf": [{"type": "string"}, {"type": "null"}]}
    assert normalize(upstream) == normalize({"type": "string", "nullable": True})
    assert normalize({"type": "string", "const": "basic"}) == {"type": "string", "enum": ["basic"]}
    assert normalize({"type": "string", "oneOf": [{"type": "string"}, {"type": "integer"}]}) == {
        "type": "string"
    }
