"""The RDF vocabulary of Linked USDL documents."""

from rdflib import RDFS, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF

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
