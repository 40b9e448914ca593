"""Reading a Linked USDL document: refused early when dangerous, then read triple by triple."""

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.parsers import expat

from pydantic import ValidationError
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from rdflib.term import Node

from mercato.errors import Invalid
from mercato.store.usdl.description import (
    MAX_USDL_BYTES,
    OfferingDescription,
    summary,
    validation_message,
)
from mercato.store.usdl.formats import RDFLIB_NAMES, UsdlFormat, usdl_format
from mercato.store.usdl.vocabulary import (
    GR,
    OPERATIONS,
    PAV,
    PRICE,
    SCHEMA,
    SP,
    SPIN,
    USDL,
)

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
        graph.parse(data=raw, format=RDFLIB_NAMES[form])
    except Exception as error:  # rdflib raises many unrelated types for bad syntax
        raise Invalid.field("usdl", f"is not valid {form.value}: {summary(error)}") from None
    return _read(graph)


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
        raise Invalid.field("usdl", f"is not valid JSON: {summary(error)}") from None
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
        raise Invalid.field("usdl", validation_message(error)) from None


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
        kinds = {op for op, kind in OPERATIONS.items() if (node, RDF.type, kind) in self.graph}
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
