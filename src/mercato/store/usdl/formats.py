"""The four syntaxes of Linked USDL documents, apart from rdflib so naming one is cheap."""

import enum

from mercato.errors import Invalid


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
