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
- ``fetch_usdl(url, fmt=None, ..., check_address=None) -> OfferingDescription``:
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

import enum
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Literal as Choice
from typing import TypeVar
from urllib.parse import urlsplit
from xml.parsers import expat

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from rdflib.term import Node

from mercato.errors import Invalid

MAX_USDL_BYTES = 1024 * 1024
FETCH_TIMEOUT_SECONDS = 10.0

USDL = Namespace("http://www.linked-usdl.org/ns/usdl-core#")
PRICE = Namespace("http://www.linked-usdl.org/ns/usdl-pricing#")
GR = Namespace("http://purl.org/goodrelations/v1#")
PAV = Namespace("http://purl.org/pav/")
SCHEMA = Namespace("http://schema.org/")
SPIN = Namespace("http://spinrdf.org/spin#")
SP = Namespace("http://spinrdf.org/sp#")
_PREFIXES = {
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
_OPERATIONS = {"+": SP.Sum, "-": SP.Minus, "*": SP.Mul, "/": SP.Div}


class UsdlFormat(enum.StrEnum):
    TURTLE = "text/turtle"
    RDF_XML = "application/rdf+xml"
    N3 = "text/n3"
    JSON_LD = "application/ld+json"


_RDFLIB_NAMES = {
    UsdlFormat.TURTLE: "turtle",
    UsdlFormat.RDF_XML: "xml",
    UsdlFormat.N3: "n3",
    UsdlFormat.JSON_LD: "json-ld",
}
_ALIASES = {
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
    if key not in _ALIASES:
        known = ", ".join(member.value for member in UsdlFormat)
        raise Invalid.field("usdl", f"format {text!r} is not supported; use one of {known}")
    return _ALIASES[key]


# --- the description --------------------------------------------------------------

_Model = TypeVar("_Model", bound=BaseModel)


def _canonical(items: list[_Model]) -> list[_Model]:
    # RDF keeps no order: a total order on content makes round trips compare equal.
    return sorted(items, key=lambda item: item.model_dump_json())


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Legal(_Part):
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Variable(_Part):
    label: str
    type: Choice["usage", "constant"]
    value: Decimal | None = None

    @model_validator(mode="after")
    def _constants_have_values(self) -> "Variable":
        if self.type == "constant" and self.value is None:
            raise ValueError("a constant variable needs a value")
        return self


class Expression(_Part):
    operation: Choice["+", "-", "*", "/"]
    arg1: "str | Expression"
    arg2: "str | Expression"

    def variable_names(self) -> set[str]:
        names: set[str] = set()
        for arg in (self.arg1, self.arg2):
            names |= arg.variable_names() if isinstance(arg, Expression) else {arg}
        return names


class PriceFunction(_Part):
    label: str
    variables: dict[str, Variable]
    function: Expression

    @model_validator(mode="after")
    def _variables_are_declared(self) -> "PriceFunction":
        undeclared = self.function.variable_names() - self.variables.keys()
        if undeclared:
            raise ValueError(f"variables not declared: {', '.join(sorted(undeclared))}")
        return self


class PriceComponent(_Part):
    """Either basic (``value`` per ``unit``) or a price function, never both."""

    label: str
    description: str = ""
    value: Decimal | None = None
    unit: str | None = None
    text_function: str | None = None
    price_function: PriceFunction | None = None

    @model_validator(mode="after")
    def _one_way_of_pricing(self) -> "PriceComponent":
        basic = self.value is not None and self.unit is not None
        function = self.text_function is not None and self.price_function is not None
        if basic == function:
            raise ValueError(
                "a price component needs value and unit, or text_function and price_function"
            )
        return self


class PricePlan(_Part):
    title: str = Field(min_length=1)
    description: str = ""
    label: str | None = None
    currency: str | None = None
    price_components: list[PriceComponent] = []
    deductions: list[PriceComponent] = []

    @field_validator("price_components", "deductions")
    @classmethod
    def _sorted(cls, components: list[PriceComponent]) -> list[PriceComponent]:
        return _canonical(components)

    @model_validator(mode="after")
    def _priced_plans_name_a_currency(self) -> "PricePlan":
        if (self.price_components or self.deductions) and not self.currency:
            raise ValueError("a plan with price components needs a currency")
        return self


class OfferingDescription(_Part):
    uri: str | None = None
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = Field(min_length=1)
    abstract: str = ""
    provider: str | None = None
    page: str | None = None
    image_url: str | None = None
    related_images: list[str] = []
    tags: list[str] = []
    includes: list[str] = []
    created: datetime | None = None
    modified: datetime | None = None
    legal: Legal | None = None
    price_plans: list[PricePlan] = []

    @field_validator("price_plans")
    @classmethod
    def _sorted_plans(cls, plans: list[PricePlan]) -> list[PricePlan]:
        return _canonical(plans)

    @field_validator("related_images", "tags", "includes")
    @classmethod
    def _as_set(cls, values: list[str]) -> list[str]:
        return sorted(set(values))

    @field_validator("uri", "page", "image_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None:
            _check_web_address(value)
        return value

    @field_validator("related_images", "includes")
    @classmethod
    def _web_addresses(cls, values: list[str]) -> list[str]:
        for value in values:
            _check_web_address(value)
        return values

    @field_validator("created", "modified")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _plan_labels(self) -> "OfferingDescription":
        labels = [plan.label for plan in self.price_plans]
        if len(labels) > 1 and None in labels:
            raise ValueError("every price plan needs a label when there are several")
        if len(set(labels)) != len(labels):
            raise ValueError("price plan labels must be unique")
        return self


def _check_web_address(value: str) -> None:
    # These end up in links and <img> tags: only absolute web addresses.
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) address")


# --- reading ----------------------------------------------------------------------


def parse_usdl(data: bytes | str, fmt: str) -> OfferingDescription:
    """The offering a Linked USDL document describes; ``Invalid`` on ``usdl`` otherwise."""
    form = usdl_format(fmt)
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_USDL_BYTES:
        raise Invalid.field("usdl", f"is larger than {MAX_USDL_BYTES} bytes")
    if form is UsdlFormat.RDF_XML:
        _refuse_dtd(raw)
    elif form is UsdlFormat.JSON_LD:
        _refuse_remote_contexts(raw)
    graph = Graph()
    try:
        # Always as data: given a location, rdflib would open files and URLs.
        graph.parse(data=raw, format=_RDFLIB_NAMES[form])
    except Exception as error:  # rdflib raises many unrelated types for bad syntax
        raise Invalid.field("usdl", f"is not valid {form.value}: {_summary(error)}") from None
    return _read(graph)


def _summary(error: Exception) -> str:
    # rdflib's messages span lines and quote the input; one short line is enough.
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


class _Declared(Exception):
    pass


def _refuse_dtd(raw: bytes) -> None:
    """Refuse RDF/XML that declares a DTD, before rdflib's SAX parser reads it.

    Expat parses here exactly as it will inside rdflib, so no encoding trick can
    hide a declaration from this check.
    """

    def declared(*args: object) -> None:
        raise _Declared

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = declared
    parser.EntityDeclHandler = declared
    try:
        parser.Parse(raw, True)
    except _Declared:
        raise Invalid.field(
            "usdl", "RDF/XML may not declare a DOCTYPE or entities (no external references)"
        ) from None
    except expat.ExpatError as error:
        raise Invalid.field("usdl", f"is not valid XML: {error}") from None


def _refuse_remote_contexts(raw: bytes) -> None:
    """JSON-LD may only carry its contexts inline: rdflib would fetch the others."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise Invalid.field("usdl", f"is not valid JSON: {_summary(error)}") from None
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            if "@import" in node or _names_remote_context(node.get("@context")):
                raise Invalid.field(
                    "usdl", "JSON-LD may only use inline contexts (no remote @context or @import)"
                )
            pending.extend(node.values())


def _names_remote_context(context: object) -> bool:
    items = context if isinstance(context, list) else [context]
    return any(isinstance(item, str) for item in items)


def _read(graph: Graph) -> OfferingDescription:
    offerings = set(graph.subjects(RDF.type, USDL.ServiceOffering))
    if len(offerings) != 1:
        raise Invalid.field(
            "usdl", f"must describe exactly one usdl:ServiceOffering, found {len(offerings)}"
        )
    reader = _Reader(graph)
    node = offerings.pop()
    legal = reader.node(node, GR.hasBusinessFunction)
    provider = reader.node(node, USDL.hasProvider)
    fields = {
        "uri": str(node) if isinstance(node, URIRef) else None,
        "name": reader.text(node, DCTERMS.title, required=True),
        "version": reader.text(node, PAV.version, required=True),
        "description": reader.text(node, DCTERMS.description, required=True),
        "abstract": reader.text(node, DCTERMS.abstract) or "",
        "provider": reader.text(provider, FOAF.name) if provider is not None else None,
        "page": reader.text(node, FOAF.page),
        "image_url": reader.text(node, FOAF.depiction),
        "related_images": reader.texts(node, SCHEMA.screenshot),
        "tags": reader.texts(node, DCAT.keyword),
        "includes": reader.texts(node, USDL.includes),
        "created": reader.moment(node, DCTERMS.created),
        "modified": reader.moment(node, DCTERMS.modified),
        "legal": reader.legal(legal) if legal is not None else None,
        "price_plans": [reader.plan(plan) for plan in graph.objects(node, USDL.hasPricePlan)],
    }
    try:
        return OfferingDescription(**fields)
    except ValidationError as error:
        raise Invalid.field("usdl", _validation_message(error)) from None


def check_price_plan(plan: object, field: str) -> PricePlan:
    """A stored price plan as Linked USDL must be able to show it."""
    try:
        return PricePlan.model_validate(plan)
    except ValidationError as error:
        raise Invalid.field(field, _validation_message(error)) from None


def _validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


class _Reader:
    """Reads single and repeated values, naming the predicate when one is wrong."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def _one(self, subject: Node, predicate: URIRef, required: bool = False) -> Node | None:
        values = list(self.graph.objects(subject, predicate))
        name = self.graph.namespace_manager.normalizeUri(predicate)
        if len(values) > 1:
            raise Invalid.field("usdl", f"{name} must have one value, found {len(values)}")
        if not values:
            if required:
                raise Invalid.field("usdl", f"{name} is missing")
            return None
        return values[0]

    def text(self, subject: Node, predicate: URIRef, required: bool = False) -> str | None:
        value = self._one(subject, predicate, required)
        return None if value is None else str(value)

    def texts(self, subject: Node, predicate: URIRef) -> list[str]:
        return [str(value) for value in self.graph.objects(subject, predicate)]

    def node(self, subject: Node, predicate: URIRef) -> Node | None:
        return self._one(subject, predicate)

    def decimal(self, subject: Node, predicate: URIRef, required: bool = False) -> Decimal | None:
        text = self.text(subject, predicate, required)
        if text is None:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise Invalid.field("usdl", f"{text!r} is not a number") from None

    def moment(self, subject: Node, predicate: URIRef) -> datetime | None:
        text = self.text(subject, predicate)
        if text is None:
            return None
        try:
            # WStore's documents write a space instead of "T" and a bad datatype.
            return datetime.fromisoformat(text)
        except ValueError:
            raise Invalid.field("usdl", f"{text!r} is not a date and time") from None

    def legal(self, node: Node) -> dict[str, str | None]:
        return {
            "title": self.text(node, RDFS.label, required=True),
            "text": self.text(node, DCTERMS.description, required=True),
        }

    def plan(self, node: Node) -> dict[str, object]:
        components = list(self.graph.objects(node, PRICE.hasPriceComponent))
        parts = [
            (self.component(c), (c, RDF.type, PRICE.Deduction) in self.graph) for c in components
        ]
        return {
            "title": self.text(node, DCTERMS.title, required=True),
            "description": self.text(node, DCTERMS.description) or "",
            "label": self.text(node, RDFS.label),
            "currency": self.text(node, GR.hasCurrency) or self._component_currency(components),
            "price_components": [part for part, deduction in parts if not deduction],
            "deductions": [part for part, deduction in parts if deduction],
        }

    def _component_currency(self, components: list[Node]) -> str | None:
        for component in components:
            price = self.node(component, PRICE.hasPrice)
            if price is not None and (currency := self.text(price, GR.hasCurrency)):
                return currency
        return None

    def component(self, node: Node) -> dict[str, object]:
        part: dict[str, object] = {
            "label": self.text(node, RDFS.label, required=True),
            "description": self.text(node, DCTERMS.description) or "",
        }
        price = self.node(node, PRICE.hasPrice)
        function = self.node(node, PRICE.hasPriceFunction)
        if price is not None:
            part["value"] = self.decimal(price, GR.hasCurrencyValue, required=True)
            part["unit"] = self.text(price, GR.hasUnitOfMeasurement, required=True)
        if function is not None:
            part["text_function"] = self.text(node, PRICE.hasTextFunction, required=True)
            part["price_function"] = self.price_function(function)
        return part

    def price_function(self, node: Node) -> dict[str, object]:
        variables = {}
        for variable in self.graph.objects(node, PRICE.hasVariable):
            value = self.node(variable, PRICE.hasValue)
            constant = (variable, RDF.type, PRICE.Constant) in self.graph
            variables[self.text(variable, SP.varName, required=True)] = {
                "label": self.text(variable, RDFS.label, required=True),
                "type": "constant" if constant else "usage",
                "value": self.decimal(value, GR.hasValueFloat) if value is not None else None,
            }
        body = self.node(node, SPIN.body)
        if body is None:
            raise Invalid.field("usdl", "spin:body is missing")
        return {
            "label": self.text(node, RDFS.label, required=True),
            "variables": variables,
            "function": self.expression(body, depth=0),
        }

    def expression(self, node: Node, depth: int) -> dict[str, object] | str:
        if depth > 32:
            raise Invalid.field("usdl", "a price function is nested too deeply")
        kinds = {op for op, kind in _OPERATIONS.items() if (node, RDF.type, kind) in self.graph}
        if not kinds:
            return self.text(node, SP.varName, required=True) or ""
        if len(kinds) > 1:
            raise Invalid.field("usdl", "a price function step has several operations")
        return {
            "operation": kinds.pop(),
            **{
                name: self.expression(self._arg(node, predicate), depth + 1)
                for name, predicate in (("arg1", SP.arg1), ("arg2", SP.arg2))
            },
        }

    def _arg(self, node: Node, predicate: URIRef) -> Node:
        arg = self.node(node, predicate)
        if arg is None:
            raise Invalid.field("usdl", f"{predicate.n3(self.graph.namespace_manager)} is missing")
        return arg


# --- writing ----------------------------------------------------------------------


def export_usdl(description: OfferingDescription, fmt: str) -> bytes:
    """The description as a Linked USDL document in the given syntax, UTF-8."""
    form = usdl_format(fmt)
    graph = _graph(description)
    if form is UsdlFormat.JSON_LD:
        context = {prefix: str(namespace) for prefix, namespace in _PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return graph.serialize(format=_RDFLIB_NAMES[form], encoding="utf-8")


def _graph(description: OfferingDescription) -> Graph:
    graph = Graph()
    for prefix, namespace in _PREFIXES.items():
        # rdflib binds "schema" to https://schema.org/ by default; WStore's world is http.
        graph.bind(prefix, namespace, replace=True)
    node = URIRef(description.uri) if description.uri else BNode()
    add = graph.add
    add((node, RDF.type, USDL.ServiceOffering))
    add((node, DCTERMS.title, Literal(description.name)))
    add((node, PAV.version, Literal(description.version)))
    add((node, DCTERMS.description, Literal(description.description)))
    if description.abstract:
        add((node, DCTERMS.abstract, Literal(description.abstract)))
    if description.provider is not None:
        provider = BNode()
        add((node, USDL.hasProvider, provider))
        add((provider, RDF.type, GR.BusinessEntity))
        add((provider, FOAF.name, Literal(description.provider)))
    if description.page:
        add((node, FOAF.page, URIRef(description.page)))
    if description.image_url:
        add((node, FOAF.depiction, URIRef(description.image_url)))
    for image in description.related_images:
        add((node, SCHEMA.screenshot, URIRef(image)))
    for tag in description.tags:
        add((node, DCAT.keyword, Literal(tag)))
    for asset in description.includes:
        add((node, USDL.includes, URIRef(asset)))
    for predicate, moment in (
        (DCTERMS.created, description.created),
        (DCTERMS.modified, description.modified),
    ):
        if moment is not None:
            add((node, predicate, Literal(moment)))
    if description.legal is not None:
        legal = BNode()
        add((node, GR.hasBusinessFunction, legal))
        add((legal, RDF.type, GR.License))
        add((legal, RDFS.label, Literal(description.legal.title)))
        add((legal, DCTERMS.description, Literal(description.legal.text)))
    for plan in description.price_plans:
        _add_plan(graph, node, plan)
    return graph


def _add_plan(graph: Graph, offering: Node, plan: PricePlan) -> None:
    node = BNode()
    graph.add((offering, USDL.hasPricePlan, node))
    graph.add((node, RDF.type, PRICE.PricePlan))
    graph.add((node, DCTERMS.title, Literal(plan.title)))
    if plan.description:
        graph.add((node, DCTERMS.description, Literal(plan.description)))
    if plan.label is not None:
        graph.add((node, RDFS.label, Literal(plan.label)))
    if plan.currency is not None:
        graph.add((node, GR.hasCurrency, Literal(plan.currency)))
    for kind, components in (
        (PRICE.PriceComponent, plan.price_components),
        (PRICE.Deduction, plan.deductions),
    ):
        for component in components:
            part = BNode()
            graph.add((node, PRICE.hasPriceComponent, part))
            graph.add((part, RDF.type, kind))
            _add_component(graph, part, component, plan.currency)


def _add_component(
    graph: Graph, node: Node, component: PriceComponent, currency: str | None
) -> None:
    graph.add((node, RDFS.label, Literal(component.label)))
    if component.description:
        graph.add((node, DCTERMS.description, Literal(component.description)))
    if component.price_function is not None and component.text_function is not None:
        graph.add((node, PRICE.hasTextFunction, Literal(component.text_function)))
        graph.add((node, PRICE.hasPriceFunction, _function(graph, component.price_function)))
        return
    price = BNode()
    graph.add((node, PRICE.hasPrice, price))
    graph.add((price, RDF.type, GR.PriceSpecification))
    graph.add((price, GR.hasCurrency, Literal(currency)))
    graph.add((price, GR.hasCurrencyValue, Literal(component.value)))
    graph.add((price, GR.hasUnitOfMeasurement, Literal(component.unit)))


def _function(graph: Graph, function: PriceFunction) -> Node:
    node = BNode()
    graph.add((node, RDF.type, SPIN.Function))
    graph.add((node, RDFS.label, Literal(function.label)))
    for name, variable in function.variables.items():
        var = BNode()
        graph.add((node, PRICE.hasVariable, var))
        graph.add((var, RDF.type, PRICE.Constant if variable.type == "constant" else PRICE.Usage))
        graph.add((var, SP.varName, Literal(name)))
        graph.add((var, RDFS.label, Literal(variable.label)))
        if variable.value is not None:
            value = BNode()
            graph.add((var, PRICE.hasValue, value))
            graph.add((value, RDF.type, GR.QuantitativeValue))
            graph.add((value, GR.hasValueFloat, Literal(variable.value)))
    graph.add((node, SPIN.body, _expression(graph, function.function)))
    return node


def _expression(graph: Graph, expression: Expression | str) -> Node:
    node = BNode()
    if isinstance(expression, str):
        graph.add((node, SP.varName, Literal(expression)))
        return node
    graph.add((node, RDF.type, _OPERATIONS[expression.operation]))
    graph.add((node, SP.arg1, _expression(graph, expression.arg1)))
    graph.add((node, SP.arg2, _expression(graph, expression.arg2)))
    return node


# --- fetching ---------------------------------------------------------------------

_SUFFIXES = {
    ".ttl": UsdlFormat.TURTLE,
    ".rdf": UsdlFormat.RDF_XML,
    ".xml": UsdlFormat.RDF_XML,
    ".n3": UsdlFormat.N3,
    ".jsonld": UsdlFormat.JSON_LD,
}


def fetch_usdl(
    url: str,
    fmt: str | None = None,
    *,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    max_bytes: int = MAX_USDL_BYTES,
    check_address: Callable[[str], object] | None = None,
) -> OfferingDescription:
    """GET a USDL document (http or https only) and parse it.

    The body is read as a stream and dropped past ``max_bytes``; a refused,
    failed or slow fetch raises ``Invalid`` on ``description_url``.
    ``check_address`` sees the URL of every request, redirects included, and
    raises to refuse it (see ``mercato.outgoing``).
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise Invalid.field("description_url", "must be an http or https address")
    hooks = {"request": [lambda request: check_address(str(request.url))]} if check_address else {}
    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, max_redirects=3, event_hooks=hooks
            ) as client,
            client.stream("GET", url, headers={"Accept": _ACCEPT}) as response,
        ):
            if response.status_code != 200:
                raise Invalid.field(
                    "description_url", f"answered {response.status_code} instead of 200"
                )
            body = _read_capped(response, max_bytes)
            content_type = response.headers.get("content-type", "")
    except httpx.HTTPError as error:
        raise Invalid.field("description_url", f"could not be fetched: {_summary(error)}") from None
    return parse_usdl(body, fmt or _format_of(url, content_type))


_ACCEPT = ", ".join(member.value for member in UsdlFormat)


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise Invalid.field("usdl", f"is larger than {max_bytes} bytes")
    return bytes(body)


def _format_of(url: str, content_type: str) -> str:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _ALIASES:
        return media_type
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix].value
    raise Invalid.field(
        "description_url", f"serves {media_type or 'no content type'}, not a USDL format"
    )
