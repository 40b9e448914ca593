"""Linked USDL: documents in every syntax read, write and read back the same offering;
hostile or broken documents are refused without touching files or the network."""

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mercato.errors import Invalid
from mercato.settings import Settings
from mercato.store.usdl import (
    MAX_USDL_BYTES,
    Expression,
    Legal,
    OfferingDescription,
    PriceComponent,
    PriceFunction,
    PricePlan,
    UsdlFormat,
    Variable,
    export_usdl,
    fetch_usdl,
    parse_usdl,
    usdl_format,
)
from tests.store.loopback import LOOPBACK, Server, serving

# Fetching calls the loopback server, on a network an admin allowed.
LOOPBACK_ALLOWED = Settings(outgoing_allowed_networks=LOOPBACK)

OFFERING_URI = "http://store.example/api/offering/offerings/CoNWeT/SmartCityLights/1.0"

FULL = OfferingDescription(
    uri=OFFERING_URI,
    name="SmartCityLights",
    version="1.0",
    description="Manages the street lights of a smart city.",
    abstract="Smart street lights",
    provider="CoNWeT",
    image_url="http://store.example/media/CoNWeT__SmartCityLights__1.0/logo.png",
    related_images=[
        "http://store.example/media/CoNWeT__SmartCityLights__1.0/s2.png",
        "http://store.example/media/CoNWeT__SmartCityLights__1.0/s1.png",
    ],
    tags=["lights", "city", "smart"],
    includes=["http://store.example/api/offering/resources/CoNWeT/MapViewer/1.0.1"],
    created=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
    modified=datetime(2024, 3, 2, 10, 0, 15, tzinfo=UTC),
    legal=Legal(title="Terms and conditions", text="Use it kindly."),
    price_plans=[
        PricePlan(
            title="Subscription",
            description="Monthly fee plus calls",
            label="subscription",
            currency="EUR",
            price_components=[
                PriceComponent(
                    label="Fee", description="Each month", value="10.50", unit="per month"
                ),
                PriceComponent(
                    label="Calls",
                    description="Per call, after a base",
                    text_function="0.5 per call plus 2",
                    price_function=PriceFunction(
                        label="calls price",
                        variables={
                            "calls": Variable(label="Calls", type="usage"),
                            "rate": Variable(label="Rate", type="constant", value="0.5"),
                            "base": Variable(label="Base", type="constant", value="2"),
                        },
                        function=Expression(
                            operation="+",
                            arg1=Expression(operation="*", arg1="calls", arg2="rate"),
                            arg2="base",
                        ),
                    ),
                ),
            ],
            deductions=[
                PriceComponent(label="Discount", description="Bulk", value="1", unit="invocation")
            ],
        ),
        PricePlan(title="Developer", description="Free for developers", label="developer"),
    ],
)
MINIMAL = OfferingDescription(name="Plain", version="2.0.1", description="Just a text.")

TURTLE = b"""
@prefix usdl: <http://www.linked-usdl.org/ns/usdl-core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix pav: <http://purl.org/pav/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix gr: <http://purl.org/goodrelations/v1#> .
@prefix price: <http://www.linked-usdl.org/ns/usdl-pricing#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<http://store.example/api/offering/offerings/Acme/Weather/1.2> a usdl:ServiceOffering ;
    dcterms:title "Weather" ; pav:version "1.2" ;
    dcterms:description "Forecasts for every town." ; dcterms:abstract "Forecasts" ;
    foaf:depiction <http://store.example/media/weather.png> ;
    dcat:keyword "weather", "forecast" ;
    usdl:hasPricePlan [ a price:PricePlan ; dcterms:title "Pay per use" ; gr:hasCurrency "EUR" ;
        price:hasPriceComponent [ a price:PriceComponent ; rdfs:label "Call" ;
            price:hasPrice [ a gr:PriceSpecification ; gr:hasCurrency "EUR" ;
                gr:hasCurrencyValue 0.02 ; gr:hasUnitOfMeasurement "invocation" ] ] ] .
"""
WEATHER = OfferingDescription(
    uri="http://store.example/api/offering/offerings/Acme/Weather/1.2",
    name="Weather",
    version="1.2",
    description="Forecasts for every town.",
    abstract="Forecasts",
    image_url="http://store.example/media/weather.png",
    tags=["forecast", "weather"],
    price_plans=[
        PricePlan(
            title="Pay per use",
            currency="EUR",
            price_components=[PriceComponent(label="Call", value="0.02", unit="invocation")],
        )
    ],
)

# As WStore's own template writes it: a nodeID licence and a datatype it misspells.
RDF_XML = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:foaf="http://xmlns.com/foaf/0.1/"
    xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
    xmlns:dcterms="http://purl.org/dc/terms/"
    xmlns:usdl="http://www.linked-usdl.org/ns/usdl-core#"
    xmlns:gr="http://purl.org/goodrelations/v1#"
    xmlns:pav="http://purl.org/pav/">
  <usdl:ServiceOffering rdf:about="http://wstore.example/api/offering/offerings/CoNWeT/Maps/1.0">
    <dcterms:title>Maps</dcterms:title>
    <dcterms:description>Maps of the city</dcterms:description>
    <dcterms:abstract>Maps</dcterms:abstract>
    <pav:version>1.0</pav:version>
    <foaf:depiction rdf:resource="http://wstore.example/media/CoNWeT__Maps__1.0/maps.png"/>
    <dcterms:created rdf:datatype="http://www.w3.org/2001/XMLSchema#datetime"
      >2015-06-01 10:00:00</dcterms:created>
    <gr:hasBusinessFunction rdf:nodeID="a1b2c3d401"/>
    <usdl:includes rdf:resource="http://wstore.example/api/offering/resources/CoNWeT/MapViewer/1.0"/>
  </usdl:ServiceOffering>
  <gr:License rdf:nodeID="a1b2c3d401">
    <rdfs:label>Licence</rdfs:label>
    <dcterms:description>Do not resell.</dcterms:description>
  </gr:License>
</rdf:RDF>
"""
MAPS = OfferingDescription(
    uri="http://wstore.example/api/offering/offerings/CoNWeT/Maps/1.0",
    name="Maps",
    version="1.0",
    description="Maps of the city",
    abstract="Maps",
    image_url="http://wstore.example/media/CoNWeT__Maps__1.0/maps.png",
    includes=["http://wstore.example/api/offering/resources/CoNWeT/MapViewer/1.0"],
    created=datetime(2015, 6, 1, 10, 0, tzinfo=UTC),
    legal=Legal(title="Licence", text="Do not resell."),
)

N3 = b"""
@prefix usdl: <http://www.linked-usdl.org/ns/usdl-core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix pav: <http://purl.org/pav/> .
@prefix gr: <http://purl.org/goodrelations/v1#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
[] a usdl:ServiceOffering ; dcterms:title "Backup" ; pav:version "3" ;
   dcterms:description "Nightly backups." ;
   usdl:hasProvider [ a gr:BusinessEntity ; foaf:name "Lowlands Archive" ] .
"""
BACKUP = OfferingDescription(
    name="Backup", version="3", description="Nightly backups.", provider="Lowlands Archive"
)

JSON_LD = json.dumps(
    {
        "@context": {
            "usdl": "http://www.linked-usdl.org/ns/usdl-core#",
            "dcterms": "http://purl.org/dc/terms/",
            "pav": "http://purl.org/pav/",
            "schema": "http://schema.org/",
        },
        "@id": "http://store.example/api/offering/offerings/Acme/Gallery/0.9",
        "@type": "usdl:ServiceOffering",
        "dcterms:title": "Gallery",
        "pav:version": "0.9",
        "dcterms:description": "Pictures.",
        "dcterms:modified": {
            "@value": "2024-05-06T07:08:09Z",
            "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
        },
        "schema:screenshot": [
            {"@id": "http://store.example/b.png"},
            {"@id": "http://store.example/a.png"},
        ],
    }
).encode()
GALLERY = OfferingDescription(
    uri="http://store.example/api/offering/offerings/Acme/Gallery/0.9",
    name="Gallery",
    version="0.9",
    description="Pictures.",
    modified=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
    related_images=["http://store.example/a.png", "http://store.example/b.png"],
)

DOCUMENTS = [
    pytest.param(TURTLE, "text/turtle", WEATHER, id="turtle"),
    pytest.param(RDF_XML, "application/rdf+xml", MAPS, id="rdf-xml"),
    pytest.param(N3, "text/n3", BACKUP, id="n3"),
    pytest.param(JSON_LD, "application/ld+json", GALLERY, id="json-ld"),
]


@pytest.mark.parametrize(("document", "fmt", "expected"), DOCUMENTS)
def test_documents_in_every_syntax_are_read(document, fmt, expected):
    assert parse_usdl(document, fmt) == expected


@pytest.mark.parametrize("target", list(UsdlFormat))
@pytest.mark.parametrize(("document", "fmt", "expected"), DOCUMENTS)
def test_read_documents_export_and_read_back_the_same_in_every_syntax(
    document, fmt, expected, target
):
    exported = export_usdl(parse_usdl(document, fmt), target)

    assert parse_usdl(exported, target) == expected


@pytest.mark.parametrize("description", [FULL, MINIMAL], ids=["full", "minimal"])
@pytest.mark.parametrize("fmt", list(UsdlFormat))
def test_import_of_export_gives_back_the_description(description, fmt):
    assert parse_usdl(export_usdl(description, fmt), fmt) == description


def test_sets_are_kept_sorted_so_order_never_matters():
    assert FULL.tags == ["city", "lights", "smart"]
    assert [plan.label for plan in FULL.price_plans] == ["developer", "subscription"]
    assert FULL.price_plans[1].price_components[0].label == "Calls"


def test_export_uses_the_wstore_vocabulary():
    turtle = export_usdl(MINIMAL.model_copy(update={"uri": OFFERING_URI}), "turtle").decode()

    assert f"<{OFFERING_URI}> a usdl:ServiceOffering" in turtle
    assert "@prefix usdl: <http://www.linked-usdl.org/ns/usdl-core#> ." in turtle
    assert 'pav:version "2.0.1"' in turtle


def test_price_plans_keep_wstores_json_shape():
    assert FULL.price_plans[0].model_dump(mode="json", exclude_none=True) == {
        "title": "Developer",
        "description": "Free for developers",
        "label": "developer",
        "price_components": [],
        "deductions": [],
    }
    assert FULL.price_plans[1].deductions[0].model_dump(mode="json", exclude_none=True) == {
        "label": "Discount",
        "description": "Bulk",
        "value": "1",
        "unit": "invocation",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("text/turtle; charset=utf-8", UsdlFormat.TURTLE),
        ("turtle", UsdlFormat.TURTLE),
        ("ttl", UsdlFormat.TURTLE),
        ("application/rdf+xml", UsdlFormat.RDF_XML),
        ("xml", UsdlFormat.RDF_XML),
        ("rdf+xml", UsdlFormat.RDF_XML),
        ("n3", UsdlFormat.N3),
        ("text/n3", UsdlFormat.N3),
        ("json-ld", UsdlFormat.JSON_LD),
        ("application/ld+json", UsdlFormat.JSON_LD),
    ],
)
def test_formats_are_named_by_media_type_or_short_name(name, expected):
    assert usdl_format(name) is expected


def test_unknown_format_is_refused():
    with pytest.raises(Invalid) as raised:
        parse_usdl(TURTLE, "text/plain")

    assert raised.value.errors == {
        "usdl": [
            "format 'text/plain' is not supported; use one of text/turtle, "
            "application/rdf+xml, text/n3, application/ld+json"
        ]
    }


# --- refused documents ----------------------------------------------------------------


def _problem(document: bytes | str, fmt: str) -> str:
    with pytest.raises(Invalid) as raised:
        parse_usdl(document, fmt)
    assert list(raised.value.errors) == ["usdl"]
    return raised.value.errors["usdl"][0]


def test_documents_over_the_size_limit_are_refused():
    huge = TURTLE + b"#" * MAX_USDL_BYTES

    assert _problem(huge, "turtle") == f"is larger than {MAX_USDL_BYTES} bytes"


DTD_REFUSED = "RDF/XML may not declare a DOCTYPE or entities (no external references)"


def _with_entity(system_id: str) -> bytes:
    return RDF_XML.replace(
        b'<?xml version="1.0"?>',
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{system_id}">]>'.encode(),
    ).replace(b"Maps of the city", b"&ext;")


def test_rdf_xml_with_a_file_entity_is_refused_and_the_file_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")

    problem = _problem(_with_entity(secret.as_uri()), "application/rdf+xml")

    assert problem == DTD_REFUSED


def test_rdf_xml_with_an_http_entity_is_refused_and_nothing_is_fetched(server):
    server.answers["/entity"] = (200, "text/plain", b"fetched")

    problem = _problem(_with_entity(f"{server.url}/entity"), "application/rdf+xml")

    assert problem == DTD_REFUSED
    assert server.requested == []


def test_rdf_xml_entity_expansion_bomb_is_refused():
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "boom"}">' for i in range(10))
    bomb = RDF_XML.replace(
        b'<?xml version="1.0"?>',
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>'.encode(),
    ).replace(b"Maps of the city", b"&e9;")

    assert _problem(bomb, "xml") == DTD_REFUSED


def test_rdf_xml_declaring_a_dtd_in_another_encoding_is_refused():
    utf16 = (
        _with_entity("file:///etc/passwd")
        .decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
        .encode("utf-16")
    )

    assert _problem(utf16, "xml") == DTD_REFUSED


@pytest.mark.parametrize(
    "context",
    [
        "{url}/context.jsonld",
        ["{url}/context.jsonld"],
        [{"dcterms": "http://purl.org/dc/terms/"}, "{url}/context.jsonld"],
        {"@import": "{url}/context.jsonld"},
    ],
    ids=["string", "list", "mixed-list", "import"],
)
def test_json_ld_with_a_remote_context_is_refused_and_nothing_is_fetched(server, context):
    server.answers["/context.jsonld"] = (200, "application/ld+json", b"{}")
    document = json.loads(JSON_LD)
    document["@context"] = json.loads(json.dumps(context).replace("{url}", server.url))

    problem = _problem(json.dumps(document), "json-ld")

    assert problem == "JSON-LD may only use inline contexts (no remote @context or @import)"
    assert server.requested == []


def test_json_ld_with_a_remote_context_deep_inside_is_refused(server):
    document = json.loads(JSON_LD)
    document["schema:screenshot"] = {"@context": f"{server.url}/c", "@id": "http://x.example/a"}

    assert _problem(json.dumps(document), "json-ld").startswith("JSON-LD may only use inline")
    assert server.requested == []


@pytest.mark.parametrize(
    ("document", "fmt", "problem"),
    [
        (b"<x> <y> .", "turtle", "is not valid text/turtle: "),
        (b"<rdf:RDF", "application/rdf+xml", "is not valid XML: "),
        (b"<a><b></a>", "application/rdf+xml", "is not valid XML: "),
        (b"{ <a> <b> ", "n3", "is not valid text/n3: "),
        (b'{"@id": ', "json-ld", "is not valid JSON: "),
        (b"\xff\xfe\x00garbage", "turtle", "is not valid text/turtle: "),
    ],
)
def test_malformed_documents_are_refused(document, fmt, problem):
    assert _problem(document, fmt).startswith(problem)


PREFIXES = """
@prefix usdl: <http://www.linked-usdl.org/ns/usdl-core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix pav: <http://purl.org/pav/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""


OFFERING = "[] a usdl:ServiceOffering ; pav:version '1' ; dcterms:description 'd'"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<a> dcterms:title 'x' .", "must describe exactly one usdl:ServiceOffering, found 0"),
        (
            "<a> a usdl:ServiceOffering . <b> a usdl:ServiceOffering .",
            "must describe exactly one usdl:ServiceOffering, found 2",
        ),
        (f"{OFFERING} .", "dcterms:title is missing"),
        (
            "[] a usdl:ServiceOffering ; dcterms:title 'x' ; dcterms:description 'd' .",
            "pav:version is missing",
        ),
        (
            "[] a usdl:ServiceOffering ; dcterms:title 'x' ; pav:version '1' .",
            "dcterms:description is missing",
        ),
        (f"{OFFERING} ; dcterms:title 'x', 'y' .", "dcterms:title must have one value, found 2"),
        (f"{OFFERING} ; dcterms:title '' .", "name: String should have at least 1 character"),
        (
            f"{OFFERING} ; dcterms:title 'x' ; foaf:depiction <javascript:alert(1)> .",
            "image_url: Value error, 'javascript:alert(1)' is not an http(s) address",
        ),
        (
            f"{OFFERING} ; dcterms:title 'x' ; dcterms:created 'yesterday' .",
            "'yesterday' is not a date and time",
        ),
    ],
    ids=[
        "no-offering",
        "two-offerings",
        "no-title",
        "no-version",
        "no-description",
        "two-titles",
        "empty-title",
        "script-image",
        "bad-date",
    ],
)
def test_documents_missing_or_breaking_required_triples_are_refused(body, problem):
    assert _problem(PREFIXES + body, "turtle") == problem


# --- fetching ---------------------------------------------------------------------------


def test_fetch_reads_the_format_from_the_content_type(server):
    server.answers["/usdl"] = (200, "text/turtle; charset=utf-8", TURTLE)

    assert fetch_usdl(f"{server.url}/usdl", LOOPBACK_ALLOWED) == WEATHER
    assert server.requested == ["/usdl"]


def test_fetch_falls_back_to_the_suffix_then_to_the_given_format(server):
    server.answers["/maps.rdf"] = (200, "application/octet-stream", RDF_XML)
    server.answers["/backup"] = (200, "text/plain", N3)

    assert fetch_usdl(f"{server.url}/maps.rdf", LOOPBACK_ALLOWED) == MAPS
    assert fetch_usdl(f"{server.url}/backup", LOOPBACK_ALLOWED, "n3") == BACKUP


def _fetch_problem(url: str, **options: object) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as raised:
        fetch_usdl(url, LOOPBACK_ALLOWED, **options)
    return raised.value.errors


def test_fetch_refuses_a_body_over_the_limit(server):
    server.answers["/big.ttl"] = (200, "text/turtle", TURTLE + b"#" * 5000)

    assert _fetch_problem(f"{server.url}/big.ttl", max_bytes=4096) == {
        "usdl": ["is larger than 4096 bytes"]
    }


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/passwd", "must be an http or https address"),
        ("ftp://127.0.0.1/usdl.ttl", "must be an http or https address"),
        ("{url}/missing", "answered 404 instead of 200"),
        ("{url}/plain", "serves text/plain, not a USDL format"),
    ],
)
def test_fetch_refuses_what_it_cannot_use(server, url, problem):
    server.answers["/plain"] = (200, "text/plain", TURTLE)

    assert _fetch_problem(url.replace("{url}", server.url)) == {"description_url": [problem]}


def test_fetch_from_a_closed_port_names_the_address_field(server):
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()

    errors = _fetch_problem(f"http://127.0.0.1:{port}/usdl.ttl")

    assert list(errors) == ["description_url"]
    assert errors["description_url"][0].startswith("could not be fetched: ")


class RebindingResolver:
    """A DNS that answers each name with its first address once, then with the next:
    what a name under an attacker's control can do between a check and a connection."""

    def __init__(self, real, answers: dict[str, list[str]]) -> None:
        self.real, self.answers, self.asked = real, answers, []

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.asked.append(host)
        answers = self.answers[host]
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


# Only the first loopback address is allowed; 127.0.0.2 stands for a private network.
FIRST_LOOPBACK_ALLOWED = Settings(outgoing_allowed_networks="127.0.0.1/32")


@pytest.fixture
def allowed_and_private() -> Iterator[tuple[Server, Server]]:
    """A server on the allowed loopback address and one on a private one, on the same port."""
    with serving("127.0.0.1") as allowed:
        port = int(allowed.url.rsplit(":", 1)[1])
        with serving("127.0.0.2", port) as private:
            yield allowed, private


def test_fetch_connects_to_the_address_it_checked_when_the_name_rebinds(
    allowed_and_private, monkeypatch
):
    allowed, private = allowed_and_private
    port = allowed.url.rsplit(":", 1)[1]
    for server in (allowed, private):
        server.answers["/usdl.ttl"] = (200, "text/turtle", TURTLE)
    resolver = RebindingResolver(socket.getaddrinfo, {"usdl.test": ["127.0.0.1", "127.0.0.2"]})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    fetched = fetch_usdl(f"http://usdl.test:{port}/usdl.ttl", FIRST_LOOPBACK_ALLOWED)

    assert fetched == WEATHER
    assert (allowed.requested, allowed.hosts) == (["/usdl.ttl"], [f"usdl.test:{port}"])
    assert private.requested == []
    assert resolver.asked == ["usdl.test"]


def test_fetch_connects_to_the_address_it_checked_for_each_redirect(
    allowed_and_private, monkeypatch
):
    allowed, private = allowed_and_private
    port = allowed.url.rsplit(":", 1)[1]
    moved = {"Location": f"http://moved.test:{port}/usdl.ttl"}
    for server in (allowed, private):
        server.answers["/old.ttl"] = (301, moved, b"")
        server.answers["/usdl.ttl"] = (200, "text/turtle", TURTLE)
    rebinding = {"usdl.test": ["127.0.0.1", "127.0.0.2"], "moved.test": ["127.0.0.1", "127.0.0.2"]}
    resolver = RebindingResolver(socket.getaddrinfo, rebinding)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    fetched = fetch_usdl(f"http://usdl.test:{port}/old.ttl", FIRST_LOOPBACK_ALLOWED)

    assert fetched == WEATHER
    assert list(zip(allowed.requested, allowed.hosts, strict=True)) == [
        ("/old.ttl", f"usdl.test:{port}"),
        ("/usdl.ttl", f"moved.test:{port}"),
    ]
    assert private.requested == []
    assert resolver.asked == ["usdl.test", "moved.test"]


def test_fetch_refuses_a_redirect_to_a_name_that_resolves_outside_the_allowed_networks(
    allowed_and_private, monkeypatch
):
    allowed, private = allowed_and_private
    port = allowed.url.rsplit(":", 1)[1]
    allowed.answers["/old.ttl"] = (302, {"Location": f"http://inside.test:{port}/x.ttl"}, b"")
    resolver = RebindingResolver(socket.getaddrinfo, {"inside.test": ["127.0.0.2"]})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    with pytest.raises(Invalid) as raised:
        fetch_usdl(f"{allowed.url}/old.ttl", FIRST_LOOPBACK_ALLOWED)

    assert raised.value.errors == {
        "description_url": [
            "is refused: inside.test resolves to 127.0.0.2, which is not a public address;"
            " an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS"
        ]
    }
    assert (allowed.requested, private.requested) == (["/old.ttl"], [])


def test_decimal_values_survive_as_decimals():
    parsed = parse_usdl(export_usdl(FULL, "json-ld"), "json-ld")

    assert parsed.price_plans[1].price_components[1].value == Decimal("10.50")
