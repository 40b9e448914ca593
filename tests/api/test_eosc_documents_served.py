"""The EOSC documents where EOSC clients look: the upstream folder's files, at its addresses.

The file list and the `$ref`s are the EOSC Marketplace's (reference §1 and
`../shared/reference/eosc-openapi/`), copied here so the suite runs without it.
"""

import json
from urllib.parse import urldefrag, urljoin

import pytest

from tests.api.eosc_folder import bundle, fetch_over, pointed, references
from tests.conftest import REFERENCE

UPSTREAM = REFERENCE / "eosc-openapi"
FOLDER = "http://testserver/api_docs/swagger/v1/"
DOCUMENTS = ["offering_swagger.json", "ordering_swagger.json"]
# The files of the EOSC Marketplace's `swagger/v1/` folder.
UPSTREAM_FILES = [
    "error.json",
    "event/event_index.json",
    "event/event_read.json",
    "message/message_index.json",
    "message/message_read.json",
    "message/message_update.json",
    "message/message_write.json",
    "offer/offer_definitions.json",
    "offer/offer_index.json",
    "offer/offer_read.json",
    "offer/offer_update.json",
    "offer/offer_write.json",
    "offering_swagger.json",
    "oms/offering/oms_read.json",
    "oms/ordering/oms_index.json",
    "oms/ordering/oms_read.json",
    "ordering_swagger.json",
    "project/project_index.json",
    "project/project_read.json",
    "project_item/project_item_index.json",
    "project_item/project_item_read.json",
    "project_item/project_item_update.json",
    "resource/resource_index.json",
    "resource/resource_read.json",
]
# The `$ref`s of the files that point at other files, as upstream writes them.
UPSTREAM_REFERENCES = {
    "offering_swagger.json": {
        "error.json",
        "offer/offer_index.json",
        "offer/offer_read.json",
        "offer/offer_update.json",
        "offer/offer_write.json",
        "resource/resource_index.json",
        "resource/resource_read.json",
    },
    "ordering_swagger.json": {
        "error.json",
        "event/event_index.json",
        "message/message_index.json",
        "message/message_read.json",
        "message/message_update.json",
        "message/message_write.json",
        "oms/ordering/oms_index.json",
        "oms/ordering/oms_read.json",
        "project/project_index.json",
        "project/project_read.json",
        "project_item/project_item_index.json",
        "project_item/project_item_read.json",
        "project_item/project_item_update.json",
    },
    "event/event_index.json": {"event_read.json"},
    "message/message_index.json": {"message_read.json"},
    "offer/offer_index.json": {"offer_read.json"},
    "offer/offer_read.json": {"offer_definitions.json#/offer"},
    "offer/offer_update.json": {"offer_definitions.json#/offer"},
    "offer/offer_write.json": {"offer_definitions.json#/offer"},
    "offer/offer_definitions.json": {
        "#/stub_parameter",
        "#/attribute_parameter",
        "#/input_parameter",
        "#/select_parameter",
        "#/multiselect_parameter",
        "#/date_parameter",
        "#/range_parameter",
        "#/quantity_price_parameter",
    },
    "oms/ordering/oms_index.json": {"oms_read.json"},
    "project/project_index.json": {"project_read.json"},
    "project_item/project_item_index.json": {"project_item_read.json"},
    "resource/resource_index.json": {"resource_read.json"},
    "resource/resource_read.json": {"../oms/offering/oms_read.json"},
}


def _served_references(client, file: str) -> set[str]:
    response = client.get(FOLDER + file)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    return set(references(response.json()))


@pytest.mark.parametrize("file", UPSTREAM_FILES)
def test_each_upstream_file_is_served_with_upstreams_references(client, file):
    assert _served_references(client, file) == UPSTREAM_REFERENCES.get(file, set())


def test_the_pinned_references_are_upstreams():
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} is missing, so the pinned file list was not compared with it")
    files = sorted(
        str(path.relative_to(UPSTREAM))
        for path in UPSTREAM.rglob("*.json")
        if path.parent.name != "bundled"
    )
    found = {
        file: {
            # Upstream writes `offer_definitions.json#offer`, which is no JSON pointer;
            # Mercato serves the pointer `#/offer` to the same schema.
            reference.replace("#offer", "#/offer")
            for reference in references(json.loads((UPSTREAM / file).read_text()))
        }
        for file in files
    }
    assert files == UPSTREAM_FILES
    assert {file: refs for file, refs in found.items() if refs} == UPSTREAM_REFERENCES


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_reference_resolves_over_http(client, document):
    fetch = fetch_over(client)
    seen, waiting = set(), [FOLDER + document]
    while waiting:
        url = waiting.pop()
        target, fragment = urldefrag(url)
        node = pointed(fetch(target), fragment)
        seen.add(url)
        waiting += {urljoin(url, reference) for reference in references(node)} - seen
    assert len(seen) > 10


@pytest.mark.parametrize("api", ["offering", "ordering"])
def test_the_bundled_document_is_the_folder_with_its_references_followed(client, api):
    served = client.get(f"{FOLDER}bundled/{api}.json").json()

    followed = bundle(f"{FOLDER}{api}_swagger.json", fetch_over(client))

    assert followed == served


def test_an_unknown_file_is_not_found(client):
    response = client.get(f"{FOLDER}message/message_delete.json")

    assert (response.status_code, response.json()) == (404, {"error": "No such document"})


def test_from_id_is_documented_as_mercatos_extension(client):
    document = client.get(FOLDER + "ordering_swagger.json").json()
    parameters = document["paths"]["/api/v1/oms/{oms_id}/events"]["get"]["parameters"]

    from_id = next(p for p in parameters if p["name"] == "from_id")

    assert (from_id["in"], from_id["required"], from_id["x-mercato-addition"]) == (
        "query",
        False,
        True,
    )
