"""Mercato's own OpenAPI document: each WStore operation lists exactly the statuses it
sends, and every API names how a client signs in.

The statuses are those of the checks in store-wire.md (§2-§9), with Mercato's own
where the README lists them: a `provider` named in a body or query may be unknown
(404), `usdl` takes a `format` (400), and marketplace and repository calls made
from the outbox never answer 502 to the request that queued them.
"""

import pytest

RESOURCES = "/api/offering/resources"
RESOURCE = f"{RESOURCES}/{{provider}}/{{name}}/{{version}}"
OFFERINGS = "/api/offering/offerings"
OFFERING = f"{OFFERINGS}/{{provider}}/{{name}}/{{version}}"
REVIEW = f"{OFFERING}/review/{{review_id}}"
ADMIN = "/api/administration"
SEARCH = "/api/search"


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        # §2 resources
        ("get", RESOURCES, {200, 400, 401, 403, 404}),
        ("post", RESOURCES, {201, 400, 401, 403, 404, 409, 415}),
        ("get", f"{RESOURCES}/plugins", {200, 401}),
        ("post", RESOURCE, {200, 400, 401, 403, 404, 415}),
        ("put", RESOURCE, {200, 400, 401, 403, 404, 415}),
        ("delete", RESOURCE, {204, 400, 401, 403, 404}),
        ("get", RESOURCE, {200, 401, 403, 404}),
        ("get", "/media/resources/{stored}", {200, 401, 404}),
        # §3 offerings
        ("get", OFFERINGS, {200, 400, 401}),
        ("post", OFFERINGS, {201, 400, 401, 403, 404, 409, 415}),
        ("get", f"{OFFERINGS}/latest", {200, 401}),
        ("get", f"{OFFERINGS}/toprated", {200, 401}),
        ("get", OFFERING, {200, 401, 404}),
        ("put", OFFERING, {200, 400, 401, 403, 404, 415}),
        ("delete", OFFERING, {204, 400, 401, 403, 404}),
        ("post", f"{OFFERING}/publish", {200, 400, 401, 403, 404, 415}),
        ("post", f"{OFFERING}/bind", {200, 400, 401, 403, 404, 415}),
        # §7: no authentication at all.
        ("get", f"{OFFERING}/usdl", {200, 400, 404, 502}),
        # §5 reviews and replies (every write answers 201)
        ("post", f"{OFFERING}/review", {201, 400, 401, 403, 404, 415}),
        ("get", f"{OFFERING}/review", {200, 400, 401, 404}),
        ("put", REVIEW, {201, 400, 401, 403, 404, 415}),
        ("delete", REVIEW, {201, 400, 401, 403, 404}),
        ("put", f"{REVIEW}/reply", {201, 400, 401, 403, 404, 415}),
        ("delete", f"{REVIEW}/reply", {201, 400, 401, 403, 404}),
        # §6 tags
        ("get", f"{OFFERING}/tag", {200, 400, 401, 404}),
        ("put", f"{OFFERING}/tag", {200, 400, 401, 403, 404, 415}),
        # §8 search
        ("get", f"{SEARCH}/keyword/{{text}}", {200, 400, 401}),
        ("get", f"{SEARCH}/tag/{{tag}}", {200, 400, 401}),
        ("get", f"{SEARCH}/resource/{{provider}}/{{name}}/{{version}}", {200, 401, 404}),
        # §9 marketplaces and repositories
        ("get", f"{ADMIN}/marketplaces", {200, 401}),
        ("post", f"{ADMIN}/marketplaces", {201, 400, 401, 403, 409, 415, 502}),
        ("delete", f"{ADMIN}/marketplaces/{{name}}", {204, 401, 403, 404, 502}),
        ("get", f"{ADMIN}/repositories", {200, 401}),
        ("post", f"{ADMIN}/repositories", {201, 400, 401, 403, 409, 415}),
        ("post", f"{ADMIN}/repositories/{{name}}/default", {200, 401, 403, 404}),
        ("delete", f"{ADMIN}/repositories/{{name}}", {204, 401, 403, 404}),
    ],
)
def test_each_wstore_operation_lists_exactly_the_statuses_it_sends(client, method, path, statuses):
    document = client.get("/openapi.json").json()

    listed = document["paths"][path][method]["responses"]

    assert {int(status) for status in listed} == statuses


TOKEN_OR_SESSION = [{"apiToken": []}, {"session": []}]


@pytest.mark.parametrize(
    ("method", "path", "security"),
    [
        ("get", "/api/v1/resources", [{"userToken": []}]),
        ("patch", "/api/v1/oms/{oms_id}/messages/{m_id}", [{"userToken": []}]),
        ("get", OFFERINGS, TOKEN_OR_SESSION),
        ("post", RESOURCES, TOKEN_OR_SESSION),
        ("get", f"{ADMIN}/marketplaces", TOKEN_OR_SESSION),
        ("post", "/api/v2/store", [{"adminPassword": []}, *TOKEN_OR_SESSION]),
        ("get", f"{OFFERING}/usdl", None),
        ("get", "/api/v2/offering", None),
    ],
)
def test_each_operation_names_how_a_client_signs_in(client, method, path, security):
    document = client.get("/openapi.json").json()

    assert document["paths"][path][method].get("security") == security


def test_the_sign_in_schemes(client):
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]

    assert {
        name: {k: v for k, v in s.items() if k != "description"} for name, s in schemes.items()
    } == {
        "userToken": {"type": "apiKey", "in": "header", "name": "X-User-Token"},
        "apiToken": {"type": "http", "scheme": "bearer"},
        "session": {"type": "apiKey", "in": "cookie", "name": "mercato_session"},
        "adminPassword": {"type": "http", "scheme": "basic"},
    }
