"""Mercato's own OpenAPI 3.0 documents of the EOSC Offering and Ordering APIs.

Each is one self-contained file (every ``$ref`` points into its own
``#/components/schemas``), shipped as package data and built by
``mercato.api.openapi.build``. Each call returns a fresh copy, which the caller
may change.

The EOSC Marketplace serves its documents as a folder of files: the two
documents and one file per schema, joined by relative ``$ref``s (reference §1).
Clients that regenerate their SDK from that folder name their classes after
those files, so `documents_folder` lays Mercato's documents out the same way.
"""

import json
import posixpath
from functools import cache
from importlib.resources import files
from typing import Any

OFFERING = "eosc_offering.json"
ORDERING = "eosc_ordering.json"
COMPONENTS = "#/components/schemas/"
# The file names of the upstream folder, and of a self-contained copy of each document.
FOLDER_DOCUMENTS = {"offering": "offering_swagger.json", "ordering": "ordering_swagger.json"}
BUNDLED = {"offering": "bundled/offering.json", "ordering": "bundled/ordering.json"}

Schema = dict[str, Any]


@cache
def _text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def offering_document() -> dict[str, Any]:
    """The EOSC Offering API (`/api/v1/resources`), as Mercato describes it."""
    return json.loads(_text(OFFERING))


def ordering_document() -> dict[str, Any]:
    """The EOSC Ordering API (`/api/v1/oms`), as Mercato describes it."""
    return json.loads(_text(ORDERING))


def schema_location(api: str, name: str) -> str:
    """Where the EOSC Marketplace keeps a schema: a file and, for a definition, a pointer.

    `offer_read` is `offer/offer_read.json`; the offer and its parameter kinds are
    definitions in `offer/offer_definitions.json`; each API has its own `oms_read`.
    """
    if name == "error":
        return "error.json"
    if name == "offer" or name.endswith("_parameter"):
        return f"offer/offer_definitions.json#/{name}"
    folder = name.rsplit("_", 1)[0]
    if folder == "oms":
        folder = f"oms/{api}"
    return f"{folder}/{name}.json"


def _relative(location: str, from_file: str) -> str:
    """``location`` as a `$ref` written in ``from_file`` (both relative to the folder)."""
    target, _, pointer = location.partition("#")
    fragment = f"#{pointer}" if pointer else ""
    if target == from_file:
        return fragment
    return posixpath.relpath(target, posixpath.dirname(from_file) or ".") + fragment


def _pointing_at_files(node: Any, api: str, from_file: str) -> Any:
    if isinstance(node, list):
        return [_pointing_at_files(item, api, from_file) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        location = schema_location(api, node["$ref"].removeprefix(COMPONENTS))
        return {**node, "$ref": _relative(location, from_file)}
    return {key: _pointing_at_files(value, api, from_file) for key, value in node.items()}


def _split(api: str, document: Schema) -> dict[str, Schema]:
    """One document as the folder's files: itself without schemas, and a file per schema."""
    name = FOLDER_DOCUMENTS[api]
    schemas = document["components"].pop("schemas")
    folder = {name: _pointing_at_files(document, api, name)}
    for schema_name, schema in schemas.items():
        file, _, pointer = schema_location(api, schema_name).partition("#")
        content = _pointing_at_files(schema, api, file)
        if pointer:
            folder.setdefault(file, {})[pointer.removeprefix("/")] = content
        else:
            folder[file] = content
    return folder


@cache
def _folder_text() -> dict[str, str]:
    documents = {"offering": offering_document, "ordering": ordering_document}
    folder: dict[str, str] = {}
    for api, document in documents.items():
        folder[BUNDLED[api]] = json.dumps(document())
        for file, content in _split(api, document()).items():
            text = json.dumps(content)
            # Both documents point at one `error.json`: it must say the same for both.
            assert folder.setdefault(file, text) == text, file
    return folder


def documents_folder() -> dict[str, str]:
    """Every file of the documents' folder, by path, as JSON text.

    The two documents and the schema files their `$ref`s name, laid out as the
    EOSC Marketplace's `/api_docs/swagger/v1/` is, plus `bundled/`: each document
    with every schema inside it, for tools that do not follow references to files.
    """
    return dict(_folder_text())
