"""WStore's rules for every endpoint (store-wire.md §0), expected values from the reference."""

import pytest

from tests.store.world import bearer

OFFERINGS = "/api/offering/offerings"
RESOURCES = "/api/offering/resources"
ONE = f"{OFFERINGS}/CoNWeT/Lights/1.0"
ENTRY = f"{RESOURCES}/CoNWeT/Map Viewer/1.0"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
CHALLENGE = 'Cookie realm="Acme" form-action="/login" cookie-name="mercato_session"'
ANONYMOUS_JSON = b'{"message": "Authentication required", "result": "error"}'
ANONYMOUS_XML = b'<?xml version="1.0" encoding="utf-8"?><error>Authentication required</error>'
PLUGINS = [
    {
        "name": "Downloadable",
        "plugin_id": "downloadable",
        "author": "Wstore",
        "version": "1",
        "media_types": [],
        "formats": ["FILE", "URL"],
        "overrides": [],
    },
    {
        "name": "API",
        "plugin_id": "api",
        "author": "Wstore",
        "version": "1",
        "media_types": [],
        "formats": ["URL"],
        "overrides": [],
    },
]


@pytest.fixture
def provider(store, seller):
    return store.provider(seller)


# §0.3: the envelope's format follows Accept; JSON where WStore crashes, says None or picks XML.
@pytest.mark.parametrize(
    ("headers", "content_type", "body"),
    [
        ({"Accept": "application/json"}, JSON_TYPE, ANONYMOUS_JSON),
        ({"Accept": "application/xml"}, XML_TYPE, ANONYMOUS_XML),
        ({"Accept": "text/plain"}, TEXT_TYPE, b"Error: Authentication required"),
        ({"Accept": "*/*"}, JSON_TYPE, ANONYMOUS_JSON),
        ({"Accept": "text/html"}, JSON_TYPE, ANONYMOUS_JSON),
        ({"Accept": ""}, JSON_TYPE, ANONYMOUS_JSON),
        (
            {"Accept": "application/xml;q=0.5, text/plain"},
            TEXT_TYPE,
            b"Error: Authentication required",
        ),
        ({"Accept": "application/*"}, JSON_TYPE, ANONYMOUS_JSON),
        (
            {"Accept": "application/xml", "X-Requested-With": "XMLHttpRequest"},
            JSON_TYPE,
            ANONYMOUS_JSON,
        ),
    ],
)
def test_error_envelope_follows_accept(client, headers, content_type, body):
    response = client.get(OFFERINGS, headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == content_type
    assert response.content == body
    assert response.headers["www-authenticate"] == CHALLENGE


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        ("application/json", JSON_TYPE, b'{"message": "OK", "result": "correct"}'),
        (
            "application/xml",
            XML_TYPE,
            b'<?xml version="1.0" encoding="utf-8"?><message>OK</message>',
        ),
        ("text/plain", TEXT_TYPE, b"Correct: OK"),
    ],
)
def test_success_envelope_follows_accept(
    client, store, provider, seller, accept, content_type, body
):
    store.asset(provider)

    response = client.put(
        ENTRY, json={"description": "New"}, headers={**bearer(seller), "Accept": accept}
    )

    assert (response.status_code, response.headers["content-type"]) == (200, content_type)
    assert response.content == body


def test_a_204_has_no_body(client, store, provider, seller):
    store.asset(provider)

    response = client.delete(ENTRY, headers=bearer(seller))

    assert (response.status_code, response.content) == (204, b"")


# §0.1: a known route with another method: 405 before authentication, empty, WStore's Allow.
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", OFFERINGS, "GET, POST"),
        ("DELETE", f"{OFFERINGS}/", "GET, POST"),
        ("POST", ONE, "GET, PUT, DELETE"),
        ("GET", f"{ONE}/publish", "POST"),
        ("PUT", f"{ONE}/bind", "POST"),
        ("POST", f"{ONE}/usdl", "GET"),
        ("POST", f"{OFFERINGS}/latest", "GET"),
        ("DELETE", f"{OFFERINGS}/toprated", "GET"),
        ("PUT", RESOURCES, "GET, POST"),
        ("POST", f"{RESOURCES}/plugins", "GET"),
        ("DELETE", f"{RESOURCES}/plugin", "GET"),
        # WStore's entry has DELETE, POST, PUT; Mercato's GET of one resource comes last.
        ("PATCH", ENTRY, "DELETE, POST, PUT, GET"),
    ],
)
def test_other_method_is_405_with_allow(client, method, path, allow):
    response = client.request(method, path)

    assert (response.status_code, response.content) == (405, b"")
    assert response.headers["allow"] == allow


# §0.4: the media type before ";" is compared exactly; 401 first or 415 first per endpoint.
@pytest.mark.parametrize(
    ("method", "path", "content_type", "signed_in", "status"),
    [
        ("POST", OFFERINGS, "text/plain", False, 401),
        ("POST", OFFERINGS, "text/plain", True, 415),
        ("POST", OFFERINGS, None, True, 415),
        ("POST", OFFERINGS, "Application/json", True, 415),
        ("POST", OFFERINGS, "application/json ; charset=utf-8", True, 415),
        ("PUT", ONE, "text/plain", False, 401),
        ("PUT", ONE, "multipart/form-data; boundary=x", True, 415),
        ("POST", f"{ONE}/publish", "text/plain", True, 415),
        ("POST", f"{ONE}/bind", "application/xml", True, 415),
        ("POST", RESOURCES, "text/plain", False, 415),
        ("POST", RESOURCES, "application/xml", True, 415),
        ("POST", ENTRY, "text/plain", False, 415),
        ("PUT", ENTRY, "multipart/form-data; boundary=x", False, 415),
    ],
)
def test_request_media_type(
    client, provider, seller, method, path, content_type, signed_in, status
):
    headers = {**(bearer(seller) if signed_in else {}), "Accept": "application/json"}
    if content_type is not None:
        headers["Content-Type"] = content_type

    response = client.request(method, path, content=b"{}", headers=headers)

    message = "Unsupported request media type" if status == 415 else "Authentication required"
    assert (response.status_code, response.json()) == (
        status,
        {"message": message, "result": "error"},
    )


# §0.5: undecodable JSON answers Python 2's texts.
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{a:1}", "Expecting property name: line 1 column 2 (char 1)"),
        (b'{"a":1,}', "Expecting property name: line 1 column 8 (char 7)"),
        (b"", "No JSON object could be decoded"),
        (b"[1,]", "No JSON object could be decoded"),
        (b'{"a": [1,],}', "No JSON object could be decoded"),
        (b"<offering/>", "No JSON object could be decoded"),
    ],
)
def test_undecodable_json_texts(client, provider, seller, body, message):
    response = client.post(
        OFFERINGS,
        content=body,
        headers={**bearer(seller), "Content-Type": "application/json"},
    )

    assert (response.status_code, response.json()) == (400, {"message": message, "result": "error"})


# §0.2: the Authorization header alone decides, whatever its type word.
@pytest.mark.parametrize(
    ("scheme", "status"), [("Bearer", 200), ("Token", 200), ("Basic", 200), ("", 401)]
)
def test_any_authorization_type_word(client, seller, scheme, status):
    header = f"{scheme} {seller.token}" if scheme else seller.token

    response = client.get(OFFERINGS, headers={"Authorization": header})

    assert response.status_code == status


def test_a_failing_header_makes_the_request_anonymous(client, seller):
    client.get(OFFERINGS, headers=bearer(seller))

    response = client.get(OFFERINGS, headers={"Authorization": "Bearer wrong"})

    assert response.status_code == 401


# §0.6 and §1.6: the plugins list, under both spellings of the route.
@pytest.mark.parametrize("path", [f"{RESOURCES}/plugins", f"{RESOURCES}/plugin"])
def test_plugins(client, seller, path):
    response = client.get(path, headers=bearer(seller))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/JSON; charset=UTF-8"
    assert response.json() == PLUGINS
