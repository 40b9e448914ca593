"""Reading the EOSC documents' folder as a client does: from a document, follow each `$ref`.

A `$ref` names a file relative to the file it is written in, and maybe a JSON
pointer inside it (``offer_definitions.json#/offer``). The EOSC Marketplace
writes that pointer without its slash (``#offer``); both spellings are read.
"""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import httpx

Fetch = Callable[[str], Any]


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def fetch_over(client: httpx.Client) -> Fetch:
    def fetch(url: str) -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.json()

    return fetch


def fetch_file(url: str) -> Any:
    return json.loads(Path(urlparse(url).path).read_text())


def pointed(document: Any, fragment: str) -> Any:
    for part in (part for part in fragment.split("/") if part):
        document = document[part]
    return document


def bundle(url: str, fetch: Fetch) -> dict[str, Any]:
    """The document at ``url`` with every schema it reaches under ``components/schemas``.

    Each schema is named as generators that follow references name it: after its
    pointer's last part, else after its file (``message/message_write.json`` is
    ``message_write``), so the generated classes are named as from the folder.
    """
    files: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    names: dict[str, str] = {}

    def load(address: str) -> Any:
        if address not in files:
            files[address] = fetch(address)
        return files[address]

    def inline(node: Any, at: str) -> Any:
        if isinstance(node, list):
            return [inline(item, at) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" not in node:
            return {key: inline(value, at) for key, value in node.items()}
        target, fragment = urldefrag(urljoin(at, node["$ref"]))
        address = f"{target}#{fragment.lstrip('/')}"
        if address not in names:
            name = fragment.rsplit("/", 1)[-1] or Path(urlparse(target).path).stem
            assert name not in schemas, f"two schemas named {name}"
            names[address] = name
            schemas[name] = {}
            schemas[name] = inline(pointed(load(target), fragment), target)
        return {"$ref": f"#/components/schemas/{names[address]}"}

    document = load(url)
    paths = inline(document["paths"], url)
    components = {**document.get("components", {}), "schemas": schemas}
    return {**document, "paths": paths, "components": components}
