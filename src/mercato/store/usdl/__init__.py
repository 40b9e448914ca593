"""Linked USDL: an offering's description as RDF, written, read back and fetched.

The API (pure: no database, no settings):

- ``OfferingDescription``: what a Linked USDL document says about one offering:
  ``uri`` (the document's subject, e.g. ``{site}/api/offering/offerings/{org}/{name}/{ver}``),
  ``name``, ``version``, ``description`` (required, non-empty), ``abstract``,
  ``provider`` (organisation name), ``page`` (its web page, ``foaf:page``),
  ``image_url``, ``related_images``, ``tags``,
  ``includes`` (asset URIs), ``created``/``modified`` (UTC), ``legal``
  (``Legal(title, text)``) and ``price_plans`` (``PricePlan``; its JSON is
  WStore's ``offering_description.pricing.price_plans``, reference §2).
  Instances are canonical: sets (tags, images, includes, plans, components)
  are sorted, so ``parse_usdl(export_usdl(d, f), f) == d`` for every format.
- ``UsdlFormat`` and ``usdl_format(text)``: the four syntaxes, named by media
  type (``text/turtle``, ``application/rdf+xml``, ``text/n3``,
  ``application/ld+json``; parameters such as ``; charset=`` are ignored) or
  by short name (``turtle``, ``ttl``, ``xml``, ``rdf+xml``, ``n3``, ``json-ld``).
- ``parse_usdl(data, fmt) -> OfferingDescription``
- ``export_usdl(description, fmt) -> bytes`` (UTF-8)
- ``fetch_usdl(url, settings, fmt=None, ...) -> OfferingDescription``:
  GET over http(s) with httpx; the format comes from ``fmt``, else the
  response's Content-Type, else the URL's suffix (.ttl .rdf .n3 .jsonld).

Every problem raises ``mercato.errors.Invalid`` on the field ``usdl`` (or
``description_url`` for a document that cannot be fetched), with a message
that names it: too large (``MAX_USDL_BYTES``), unknown format, malformed
syntax, a DOCTYPE or entity declaration in RDF/XML, a remote JSON-LD
``@context``/``@import``, no or several ``usdl:ServiceOffering``, a missing
or repeated required triple. Parsing never opens a file or the network:
documents go to rdflib as data, RDF/XML is refused before rdflib sees it if
it declares a DTD (external entities, entity expansion bombs), and JSON-LD
may only carry inline contexts.

Vocabulary (that of WStore's generator, reference §11, plus a few standard
terms for what WStore left out): ``usdl:ServiceOffering`` with
``dcterms:title/description/abstract/created/modified``, ``pav:version``,
``foaf:depiction`` (logo), ``foaf:page`` (web page), ``schema:screenshot``, ``dcat:keyword`` (tags),
``usdl:includes`` (assets), ``usdl:hasProvider`` → ``gr:BusinessEntity``
(``foaf:name``), ``gr:hasBusinessFunction`` → ``gr:License`` (``rdfs:label``
title, ``dcterms:description`` text), ``usdl:hasPricePlan`` →
``price:PricePlan`` (``dcterms:title/description``, ``rdfs:label`` label,
``gr:hasCurrency``) with ``price:hasPriceComponent`` → ``price:PriceComponent``
or ``price:Deduction`` (``rdfs:label``, ``dcterms:description``) priced by
``price:hasPrice`` → ``gr:PriceSpecification`` (``gr:hasCurrency``,
``gr:hasCurrencyValue``, ``gr:hasUnitOfMeasurement``) or by
``price:hasTextFunction`` + ``price:hasPriceFunction`` → ``spin:Function``
whose ``price:hasVariable`` are ``price:Usage``/``price:Constant`` (``sp:varName``,
``rdfs:label``, ``price:hasValue`` → ``gr:hasValueFloat``) and whose
``spin:body`` is a tree of ``sp:Sum``/``sp:Minus``/``sp:Mul``/``sp:Div`` with
``sp:arg1``/``sp:arg2``.
"""

from mercato.store.usdl.description import (
    MAX_USDL_BYTES,
    Expression,
    Legal,
    OfferingDescription,
    PriceComponent,
    PriceFunction,
    PricePlan,
    Variable,
    check_price_plan,
)
from mercato.store.usdl.fetching import fetch_usdl
from mercato.store.usdl.formats import UsdlFormat, usdl_format

__all__ = [
    "MAX_USDL_BYTES",
    "Expression",
    "Legal",
    "OfferingDescription",
    "PriceComponent",
    "PriceFunction",
    "PricePlan",
    "UsdlFormat",
    "Variable",
    "check_price_plan",
    "export_usdl",
    "fetch_usdl",
    "parse_usdl",
    "usdl_format",
]


# rdflib (about 17 MB) is imported on the first document read or written, not at
# start: most requests need none. Callers are sync (a worker thread or the queue
# worker), so that first import does not block the event loop.
def parse_usdl(data: bytes | str, fmt: str) -> OfferingDescription:
    """The offering a Linked USDL document describes; ``Invalid`` on ``usdl`` otherwise."""
    from mercato.store.usdl import reading

    return reading.parse_usdl(data, fmt)


def export_usdl(description: OfferingDescription, fmt: str) -> bytes:
    """The description as a Linked USDL document in the given syntax, UTF-8."""
    from mercato.store.usdl import writing

    return writing.export_usdl(description, fmt)
