"""Writing an offering's description as a Linked USDL document."""

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from rdflib.term import Node

from mercato.store.usdl.description import (
    Expression,
    OfferingDescription,
    PriceComponent,
    PriceFunction,
    PricePlan,
)
from mercato.store.usdl.formats import RDFLIB_NAMES, UsdlFormat, usdl_format
from mercato.store.usdl.vocabulary import (
    GR,
    OPERATIONS,
    PAV,
    PREFIXES,
    PRICE,
    SCHEMA,
    SP,
    SPIN,
    USDL,
)

# --- writing ----------------------------------------------------------------------


def export_usdl(description: OfferingDescription, fmt: str) -> bytes:
    """The description as a Linked USDL document in the given syntax, UTF-8."""
    form = usdl_format(fmt)
    graph = _graph(description)
    if form is UsdlFormat.JSON_LD:
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return graph.serialize(format=RDFLIB_NAMES[form], encoding="utf-8")


def _graph(description: OfferingDescription) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
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
    graph.add((node, RDF.type, OPERATIONS[expression.operation]))
    graph.add((node, SP.arg1, _expression(graph, expression.arg1)))
    graph.add((node, SP.arg2, _expression(graph, expression.arg2)))
    return node
