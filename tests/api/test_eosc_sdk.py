"""An SDK generated from what Mercato serves has the classes of one generated from upstream.

Clients regenerate their SDK from `/api_docs/swagger/v1/` (the backoffice
ordering system does) and import its classes by name (`MessageWrite`). Here
openapi-python-client generates one from the running server, over real HTTP,
and one from the EOSC Marketplace's folder in `../shared/reference/eosc-openapi/`
(or, without it, the names below, which were generated from it), and the two
must have the same modules and classes.

openapi-python-client does not follow references to other files, so each folder
is first read into one document by following its `$ref`s (`tests.api.eosc_folder`),
naming schemas after their files as generators that follow such references do.
It also generates straight from the bundled copy that Mercato serves.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.eosc_folder import bundle, fetch_file, fetch_over
from tests.conftest import REFERENCE

pytestmark = pytest.mark.slow

UPSTREAM = REFERENCE / "eosc-openapi"
GENERATION_SECONDS = 120
APIS = ["offering", "ordering"]

# What openapi-python-client 0.29 generates from the upstream folder: the API modules
# (one per operation, in a package per tag) and the model classes.
PINNED = {
    "offering": {
        "modules": [
            "api/offers/delete_api_v1_resources_resource_id_offers_id.py",
            "api/offers/get_api_v1_resources_resource_id_offers.py",
            "api/offers/get_api_v1_resources_resource_id_offers_id.py",
            "api/resources/get_api_v1_resources.py",
            "api/resources/get_api_v1_resources_id.py",
        ],
        "classes": [
            "Error",
            "ErrorErrorType1",
            "OfferBundledOffersItemType0",
            "OfferOfferCategory",
            "OfferOrderType",
            "OmsRead",
            "OmsReadCustomParams",
            "OmsReadType",
            "ResourceIndex",
            "ResourceRead",
            "StubParameter",
        ],
    },
    "ordering": {
        "modules": [
            "api/events/get_api_v1_oms_oms_id_events.py",
            "api/messages/get_api_v1_oms_oms_id_messages.py",
            "api/messages/get_api_v1_oms_oms_id_messages_m_id.py",
            "api/messages/patch_api_v1_oms_oms_id_messages_m_id.py",
            "api/messages/post_api_v1_oms_oms_id_messages.py",
            "api/oms/get_api_v1_oms.py",
            "api/oms/get_api_v1_oms_oms_id.py",
            "api/project_items/get_api_v1_oms_oms_id_projects_p_id_project_items.py",
            "api/project_items/get_api_v1_oms_oms_id_projects_p_id_project_items_pi_id.py",
            "api/project_items/patch_api_v1_oms_oms_id_projects_p_id_project_items_pi_id.py",
            "api/projects/get_api_v1_oms_oms_id_projects.py",
            "api/projects/get_api_v1_oms_oms_id_projects_p_id.py",
        ],
        "classes": [
            "Error",
            "ErrorErrorType1",
            "EventIndex",
            "EventRead",
            "EventReadChangesItem",
            "EventReadResource",
            "EventReadType",
            "MessageIndex",
            "MessageRead",
            "MessageReadAuthor",
            "MessageReadAuthorRole",
            "MessageReadScope",
            "MessageUpdate",
            "MessageWrite",
            "MessageWriteAuthor",
            "MessageWriteAuthorRole",
            "MessageWriteScope",
            "OmsIndex",
            "OmsRead",
            "OmsReadCustomParams",
            "OmsReadTrigger",
            "OmsReadTriggerAuthorization",
            "OmsReadTriggerMethod",
            "OmsReadType",
            "ProjectIndex",
            "ProjectItemIndex",
            "ProjectItemRead",
            "ProjectItemReadAttributes",
            "ProjectItemReadOmsParams",
            "ProjectItemReadStatus",
            "ProjectItemReadStatusType",
            "ProjectItemReadUserSecrets",
            "ProjectRead",
            "ProjectReadAttributes",
            "ProjectReadOwner",
        ],
    },
}


def _generate(source: list[str], folder: Path) -> dict[str, list[str]]:
    """Generate a client from ``source`` (``--url`` or ``--path``); its modules and classes."""
    config = folder / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))
    output = folder / "client"
    command = [sys.executable, "-m", "openapi_python_client", "generate", *source]
    command += ["--meta", "none", "--config", str(config)]
    command += ["--output-path", str(output)]
    subprocess.run(command, check=True, capture_output=True, timeout=GENERATION_SECONDS)
    modules = sorted(
        str(path.relative_to(output))
        for path in output.rglob("*.py")
        if path.name != "__init__.py" and path.parts[len(output.parts)] == "api"
    )
    models = (output / "models" / "__init__.py").read_text()
    classes = sorted(re.findall(r'^\s+"(\w+)",$', models, re.MULTILINE))
    return {"modules": modules, "classes": classes}


def _generate_from(document: dict, folder: Path) -> dict[str, list[str]]:
    folder.mkdir()
    path = folder / "document.json"
    path.write_text(json.dumps(document))
    return _generate(["--path", str(path)], folder)


@pytest.fixture(scope="module")
def upstream_names(tmp_path_factory) -> dict[str, dict[str, list[str]]]:
    """The names generated from the upstream folder, or the pinned ones without it."""
    if not UPSTREAM.is_dir():
        return PINNED
    folder = tmp_path_factory.mktemp("upstream")
    return {
        api: _generate_from(
            bundle((UPSTREAM / f"{api}_swagger.json").as_uri(), fetch_file), folder / api
        )
        for api in APIS
    }


def test_the_pinned_names_are_upstreams(upstream_names):
    if not UPSTREAM.is_dir():
        pytest.skip(f"{UPSTREAM} is missing, so the pinned names were not compared with it")
    assert upstream_names == PINNED


@pytest.mark.parametrize("api", APIS)
def test_sdks_generated_from_what_mercato_serves_have_upstreams_names(
    live_server, tmp_path, upstream_names, api
):
    folder = f"{live_server}/api_docs/swagger/v1"
    with httpx.Client(timeout=10) as client:
        document = bundle(f"{folder}/{api}_swagger.json", fetch_over(client))

    from_folder = _generate_from(document, tmp_path / "folder")
    from_bundle = _generate(["--url", f"{folder}/bundled/{api}.json"], tmp_path)

    assert from_folder == upstream_names[api]
    assert from_bundle == upstream_names[api]
