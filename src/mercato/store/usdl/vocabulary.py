"""The RDF vocabulary of Linked USDL documents and the four syntaxes they come in."""

import enum

from rdflib import RDFS, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF

from mercato.errors import Invalid

USDL = Namespace("http://www.linked-usdl.org/ns/usdl-core#")
PRICE = Namespace("http://www.linked-usdl.org/ns/usdl-pricing#")
GR = Namespace("http://purl.org/goodrelations/v1#")
PAV = Namespace("http://purl.org/pav/")
SCHEMA = Namespace("http://schema.org/")
SPIN = Namespace("http://spinrdf.org/spin#")
SP = Namespace("http://spinrdf.org/sp#")
PREFIXES = {
    "usdl": USDL,
    "price": PRICE,
    "gr": GR,
    "pav": PAV,
    "schema": SCHEMA,
    "spin": SPIN,
    "sp": SP,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "foaf": FOAF,
    "rdfs": RDFS,
}
OPERATIONS = {"+": SP.Sum, "-": SP.Minus, "*": SP.Mul, "/": SP.Div}


class UsdlFormat(enum.StrEnum):
    TURTLE = "text/turtle"
    RDF_XML = "application/rdf+xml"
    N3 = "text/n3"
    JSON_LD = "application/ld+json"


RDFLIB_NAMES = {
    UsdlFormat.TURTLE: "turtle",
    UsdlFormat.RDF_XML: "xml",
    UsdlFormat.N3: "n3",
    UsdlFormat.JSON_LD: "json-ld",
}
ALIASES = {
    "turtle": UsdlFormat.TURTLE,
    "ttl": UsdlFormat.TURTLE,
    "application/x-turtle": UsdlFormat.TURTLE,
    "xml": UsdlFormat.RDF_XML,
    "rdf+xml": UsdlFormat.RDF_XML,
    "rdf": UsdlFormat.RDF_XML,
    "n3": UsdlFormat.N3,
    "text/rdf+n3": UsdlFormat.N3,
    "json-ld": UsdlFormat.JSON_LD,
    "jsonld": UsdlFormat.JSON_LD,
    **{member.value: member for member in UsdlFormat},
}


def usdl_format(text: str) -> UsdlFormat:
    """The syntax named by a media type (parameters ignored) or a short name."""
    key = text.split(";", 1)[0].strip().lower()
    if key not in ALIASES:
        known = ", ".join(member.value for member in UsdlFormat)
        raise Invalid.field("usdl", f"format {text!r} is not supported; use one of {known}")
    return ALIASES[key]
