"""Build Mercato's OpenAPI 3.0 documents of the EOSC Offering and Ordering APIs.

The wire contract is the EOSC Marketplace's: the same paths, tags, schema names,
fields, types, enums and required fields, so existing clients and SDKs generated
from either document agree. The wording is Mercato's. Mercato's additions to the
wire (the event feed's ``id`` and ``from_id``) are marked ``x-mercato-addition``.

After changing this module run ``python -m mercato.api.openapi.build``: it
rewrites ``eosc_offering.json`` and ``eosc_ordering.json`` beside it, which a
test keeps equal to what this module builds.
"""

import json
from pathlib import Path
from typing import Any

Schema = dict[str, Any]

HERE = Path(__file__).resolve().parent
OFFERING_FILE = HERE / "eosc_offering.json"
ORDERING_FILE = HERE / "eosc_ordering.json"

_TOKEN = "authentication_token"


# --- schema helpers ------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def typed(type_: str, description: str | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": type_, **extra}
    if description:
        schema["description"] = description
    return schema


def nullable(type_: str, description: str | None = None) -> Schema:
    return typed(type_, description, nullable=True)


def choice(*values: str, description: str | None = None) -> Schema:
    return typed("string", description, enum=list(values))


def array(items: Schema, description: str | None = None, **extra: Any) -> Schema:
    return typed("array", description, items=items, **extra)


def record(
    properties: Schema,
    required: list[str] | None = None,
    *,
    closed: bool = True,
    description: str | None = None,
) -> Schema:
    """An object with these properties; ``closed`` forbids any other key."""
    schema = typed("object", description, properties=properties)
    if closed:
        schema["additionalProperties"] = False
    if required:
        schema["required"] = required
    return schema


def listing(key: str, item: str, description: str) -> Schema:
    """A page of a list endpoint: one key holding the items."""
    return record({key: array(ref(item))}, [key], description=description)


def free_object(description: str | None = None) -> Schema:
    return typed("object", description)


# --- operations ----------------------------------------------------------------------


def path_parameter(name: str, description: str, type_: str = "string") -> Schema:
    return {
        "name": name,
        "in": "path",
        "description": description,
        "required": True,
        "schema": {"type": type_},
    }


def query_parameter(name: str, description: str, type_: str, *, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "required": required,
        "schema": {"type": type_},
    }


def response(description: str, schema: str | None = None) -> Schema:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def operation(
    summary: str,
    tag: str,
    responses: dict[int, Schema],
    *,
    parameters: list[Schema] | None = None,
    body: str | None = None,
) -> Schema:
    result: Schema = {"summary": summary, "tags": [tag], "security": [{_TOKEN: []}]}
    if parameters is not None:
        result["parameters"] = parameters
    result["responses"] = {str(status): answer for status, answer in responses.items()}
    if body is not None:
        result["requestBody"] = {"content": {"application/json": {"schema": ref(body)}}}
    return result


def _error(description: str) -> Schema:
    return response(description, "error")


UNAUTHENTICATED = _error("`X-User-Token` is missing or matches no user")
FORBIDDEN = _error("The caller may not do this")
INVALID = _error("The body or a query parameter is not acceptable")


def document(title: str, description: str, paths: Schema, schemas: Schema) -> Schema:
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "v1", "description": description},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {_TOKEN: {"type": "apiKey", "name": "X-User-Token", "in": "header"}},
        },
    }


# --- shared schemas ------------------------------------------------------------------

ERROR = record(
    {
        "error": {
            "description": "A message, or field names mapped to their messages",
            "oneOf": [{"type": "string"}, {"type": "object"}],
        }
    },
    ["error"],
    closed=False,
    description="The body of every error answer",
)

OMS_TYPE = choice("global", "provider_group", "resource_dedicated", description="Who it serves")


# --- the Offering API ----------------------------------------------------------------


def _offer_parameter(kind: str, required: list[str], description: str, **fields: Any) -> Schema:
    """One kind of technical parameter: the common fields plus its own."""
    return {
        "description": description,
        "allOf": [ref("stub_parameter")],
        "properties": {"type": choice(kind, description="The kind of parameter"), **fields},
        "required": ["type", *required],
    }


_VALUE_TYPE = choice("string", "integer", description="Type of the value the customer gives")
_UNIT = nullable("string", "Unit shown beside the value")
_CHOICES = array(
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "The values offered",
    minItems=1,
    uniqueItems=True,
)


def _config(properties: Schema, required: list[str]) -> Schema:
    return record(properties, required, closed=False, description="Settings of this kind")


OFFER_PARAMETERS: Schema = {
    "stub_parameter": record(
        {
            "id": typed("string", "Identifier, unique within the offer"),
            "label": typed("string", "Name shown to customers"),
            "description": nullable("string", "Help text shown to customers"),
        },
        ["id", "label"],
        closed=False,
        description="Fields every technical parameter has",
    ),
    "attribute_parameter": _offer_parameter(
        "attribute",
        ["value", "value_type"],
        "A fixed value shown to the customer",
        value=typed("string", "The value"),
        value_type=_VALUE_TYPE,
    ),
    "input_parameter": _offer_parameter(
        "input",
        ["value_type"],
        "A value the customer types",
        unit=_UNIT,
        value_type=_VALUE_TYPE,
    ),
    "select_parameter": _offer_parameter(
        "select",
        ["config", "value_type"],
        "One value picked from a list",
        config=_config(
            {
                "values": _CHOICES,
                "mode": choice("dropdown", "buttons", description="How the list is shown"),
            },
            ["values", "mode"],
        ),
        value_type=typed("string", "Type of the listed values"),
        unit=_UNIT,
    ),
    "multiselect_parameter": _offer_parameter(
        "multiselect",
        ["config", "value_type"],
        "Several values picked from a list",
        config=_config(
            {
                "values": _CHOICES,
                "minItems": nullable("integer", "Fewest values to pick"),
                "maxItems": nullable("integer", "Most values to pick"),
            },
            ["values"],
        ),
        value_type=_VALUE_TYPE,
        unit=_UNIT,
    ),
    "date_parameter": _offer_parameter(
        "date",
        ["value_type"],
        "A date the customer picks",
        value_type=choice("string", description="Dates travel as strings"),
    ),
    "range_parameter": _offer_parameter(
        "range",
        ["value_type", "config"],
        "A whole number between two bounds",
        unit=_UNIT,
        value_type=choice("integer", description="Ranges hold integers"),
        config=_config(
            {
                "minimum": typed("integer", "Lower bound"),
                "maximum": typed("integer", "Upper bound"),
                "exclusiveMinimum": nullable("boolean", "Whether the lower bound is excluded"),
                "exclusiveMaximum": nullable("boolean", "Whether the upper bound is excluded"),
            },
            ["minimum", "maximum"],
        ),
    ),
    "quantity_price_parameter": _offer_parameter(
        "quantity_price",
        ["value_type", "config"],
        "A quantity, priced by a start price and a price per step",
        unit=_UNIT,
        value_type=choice("integer", description="Quantities are integers"),
        config=_config(
            {
                "start_price": typed("integer", "Price of the first unit"),
                "step_price": typed("integer", "Price of each further unit"),
                "max": nullable("integer", "Largest quantity"),
                "currency": typed("string", "Currency of the prices"),
            },
            ["start_price", "step_price", "currency"],
        ),
    ),
}

_OFFER_FIELDS = ["name", "description", "order_type"]

OFFER: Schema = {
    "type": "object",
    "description": "The fields of an offer; a client never sends its status",
    "properties": {
        "name": typed("string", "Name of the offer"),
        "description": typed("string", "What the offer gives"),
        "order_type": choice(
            "open_access",
            "fully_open_access",
            "order_required",
            "other",
            description="How customers get it",
        ),
        "offer_category": choice(
            "service_category-compute",
            "service_category-data_source",
            "service_category-storage",
            "service_category-training",
            "service_category-other",
            description="Category of the offer",
        ),
        "primary_oms_id": typed("integer", "The OMS that handles its orders"),
        "oms_params": free_object("Values of that OMS's custom parameters"),
        "order_url": nullable("string", "Where customers order it outside the marketplace"),
        "internal": typed("boolean", "Whether the marketplace handles its orders"),
        # Spelled as upstream spells them: a generator names a class after the `oneOf`.
        "bundled_offers": array(
            {"oneOf": [{"type": "object"}]},
            "Offers ordered together with this one",
            uniqueItems=True,
        ),
        "parameters": array(
            {"oneOf": [ref(name) for name in OFFER_PARAMETERS if name != "stub_parameter"]},
            "Technical parameters the customer sees or sets when ordering",
            uniqueItems=True,
        ),
    },
    "not": {"required": ["status"]},
}

OFFERING_SCHEMAS: Schema = {
    "error": ERROR,
    "offer": OFFER,
    **OFFER_PARAMETERS,
    "offer_write": {
        "description": "A new offer",
        "allOf": [ref("offer")],
        "required": _OFFER_FIELDS,
    },
    "offer_update": {
        "description": "Changes to an offer; `parameters` replaces the whole list",
        "allOf": [ref("offer")],
    },
    "offer_read": {
        "description": "An offer as the marketplace holds it",
        "allOf": [ref("offer")],
        "properties": {
            "id": typed("integer", "Number of the offer within its resource", readOnly=True)
        },
        "required": _OFFER_FIELDS,
    },
    "offer_index": listing("offers", "offer_read", "The published offers of a resource"),
    "oms_read": record(
        {
            "id": typed("integer", "Identifier of the OMS"),
            "name": typed("string", "Name of the OMS"),
            "type": OMS_TYPE,
            "custom_params": free_object("Parameters an offer sets for this OMS"),
        },
        ["id", "name", "type"],
        description="An OMS an offer of this resource may use",
    ),
    "resource_read": record(
        {
            "id": typed("string", "Identifier of the resource"),
            "name": typed("string", "Name of the resource"),
            "description": typed("string", "What the resource is"),
            "status": nullable("string", "Publication status"),
            "eid": nullable("string", "Persistent identifier, when it has one"),
            "available_omses": array(ref("oms_read"), "OMSes its offers may use"),
        },
        ["id", "name", "description", "status", "available_omses"],
        description="A resource (service) the caller administers",
    ),
    "resource_index": listing("resources", "resource_read", "The resources the caller administers"),
}

_RESOURCE_ID = path_parameter("resource_id", "The resource: its id or its eid")
_OFFER_ID = path_parameter("id", "The offer's number within the resource")

OFFERING_PATHS: Schema = {
    "/api/v1/resources/{resource_id}/offers": {
        "get": operation(
            "List the published offers of a resource the caller administers",
            "Offers",
            {
                200: response("The offers", "offer_index"),
                401: UNAUTHENTICATED,
                404: _error("No such resource"),
            },
            parameters=[_RESOURCE_ID],
        ),
        "post": operation(
            "Add an offer to a resource the caller administers",
            "Offers",
            {
                201: response("The new offer", "offer_read"),
                400: INVALID,
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such resource"),
            },
            parameters=[_RESOURCE_ID],
            body="offer_write",
        ),
    },
    "/api/v1/resources/{resource_id}/offers/{id}": {
        "get": operation(
            "Read one offer of a resource the caller administers",
            "Offers",
            {
                200: response("The offer", "offer_read"),
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such resource or offer"),
            },
            parameters=[_RESOURCE_ID, _OFFER_ID],
        ),
        "patch": operation(
            "Change some fields of an offer",
            "Offers",
            {
                200: response(
                    "The changed offer; the OMS fields and `internal` change only for "
                    "`order_required` offers",
                    "offer_read",
                ),
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such resource or offer"),
            },
            parameters=[_RESOURCE_ID, _OFFER_ID],
            body="offer_update",
        ),
        "delete": operation(
            "Remove an offer",
            "Offers",
            {
                200: response("Removed; the body is empty"),
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such resource or offer"),
            },
            parameters=[_RESOURCE_ID, _OFFER_ID],
        ),
    },
    "/api/v1/resources": {
        "get": operation(
            "List the resources the caller administers",
            "Resources",
            {200: response("The resources", "resource_index"), 401: UNAUTHENTICATED},
        ),
    },
    "/api/v1/resources/{id}": {
        "get": operation(
            "Read one resource the caller administers",
            "Resources",
            {
                200: response("The resource", "resource_read"),
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such resource"),
            },
            parameters=[path_parameter("id", "The resource: its id or its eid")],
        ),
    },
}


def offering() -> Schema:
    """The Offering API: resources and their offers, for data administrators."""
    return document(
        "Mercato: EOSC Offering API",
        "Resources and their offers, as data administrators manage them from their own "
        "systems. Wire-compatible with the EOSC Marketplace's Offering API.",
        OFFERING_PATHS,
        OFFERING_SCHEMAS,
    )


# --- the Ordering API ----------------------------------------------------------------

_STATUS_TYPES = [
    "rejected",
    "waiting_for_response",
    "registered",
    "in_progress",
    "ready",
    "closed",
    "approved",
]
_SCOPE = choice("public", "internal", "user_direct", description="Who may read the message")


def _author(*roles: str) -> Schema:
    return record(
        {
            "uid": typed("string", "The author's user id"),
            "email": typed("string", "The author's e-mail"),
            "name": typed("string", "The author's name"),
            "role": choice(*roles, description="Whose side the author writes for"),
        },
        ["email", "name", "role"],
        description="Who wrote it",
    )


def _status(*types: str) -> Schema:
    return record(
        {
            "value": typed("string", "Free text shown to the customer"),
            "type": choice(*types, description="The status"),
        },
        ["value", "type"],
        description="Status of the project item",
    )


EVENT_ID = typed(
    "integer",
    "Mercato's addition, only when the request pages with `from_id`: grows with every event",
    **{"x-mercato-addition": True},
)

ORDERING_SCHEMAS: Schema = {
    "error": ERROR,
    "oms_read": record(
        {
            "id": typed("integer", "Identifier of the OMS"),
            "name": typed("string", "Name of the OMS"),
            "type": OMS_TYPE,
            "default": typed("boolean", "Whether it is the marketplace's default OMS"),
            "custom_params": free_object("Parameters offers set for this OMS"),
            "trigger": record(
                {
                    "url": typed("string", "Address called on every event"),
                    "method": choice("get", "post", "put", description="HTTP method of the call"),
                    "authorization": record(
                        {
                            # `const`, as upstream writes it: generators make no class of it.
                            "type": typed("string", "HTTP Basic", const="basic"),
                            "user": typed("string", "User name"),
                            "password": typed("string", "Password"),
                        },
                        ["type", "user", "password"],
                        closed=False,
                        description="Credentials sent with the call",
                    ),
                },
                ["url", "method"],
                description="How the marketplace tells the OMS that something changed",
            ),
        },
        ["id", "name", "type", "default"],
        description="An OMS the caller administers",
    ),
    "oms_index": listing("omses", "oms_read", "The OMSes the caller administers"),
    "event_read": record(
        {
            "id": EVENT_ID,
            "timestamp": typed("string", "When it happened (ISO 8601)"),
            "type": choice("create", "update", "delete", description="What happened"),
            "resource": choice(
                "project", "project_item", "message", description="What it happened to"
            ),
            "project_id": typed("integer", "The project concerned"),
            "project_item_id": typed("integer", "The project item concerned"),
            "message_id": typed("integer", "The message concerned"),
            "changes": array(
                record(
                    {
                        "field": typed("string", "Name of the field"),
                        "before": typed("string", "Its old value"),
                        "after": typed("string", "Its new value"),
                    },
                    ["field", "before", "after"],
                ),
                "The fields an update changed",
            ),
        },
        ["timestamp", "type", "resource"],
        description="A change the OMS may see",
    ),
    "event_index": listing("events", "event_read", "Events, oldest first"),
    "project_read": record(
        {
            "id": typed("integer", "Identifier of the project"),
            "owner": record(
                {
                    "uid": typed("string", "The customer's user id"),
                    "email": typed("string", "The customer's e-mail"),
                    "name": typed("string", "The customer's full name"),
                    "first_name": typed("string", "The customer's first name"),
                    "last_name": typed("string", "The customer's last name"),
                },
                ["uid", "email", "name", "first_name", "last_name"],
                description="The customer who owns the project",
            ),
            "project_items": array(typed("integer"), "Numbers of the project's items"),
            "attributes": free_object("What the customer said about the project"),
        },
        ["id", "owner", "project_items"],
        description="A customer's project",
    ),
    "project_index": listing("projects", "project_read", "Projects, by id"),
    "project_item_read": record(
        {
            "id": typed("integer", "Number of the item within its project"),
            "project_id": typed("integer", "Its project"),
            "status": _status("created", *_STATUS_TYPES),
            "attributes": free_object("The offer and the values the customer chose"),
            "user_secrets": free_object("Secrets for the customer; values read as obfuscated"),
            "oms_params": free_object("Values of the OMS's custom parameters"),
        },
        ["id", "project_id", "status"],
        description="An offer ordered into a project",
    ),
    "project_item_index": listing("project_items", "project_item_read", "Project items, by number"),
    "project_item_update": {
        **record(
            {
                "status": _status(*_STATUS_TYPES),
                "user_secrets": free_object("Secrets to add or change; `null` removes one"),
            },
        ),
        "description": "A new status, secrets, or both",
        "anyOf": [{"required": ["status"]}, {"required": ["user_secrets"]}],
    },
    "message_read": record(
        {
            "id": typed("integer", "Identifier of the message"),
            "author": _author("user", "provider", "mediator"),
            "content": typed("string", "The text"),
            "scope": _SCOPE,
            "created_at": typed("string", "When it was written (ISO 8601)"),
            "updated_at": typed("string", "When it was last changed (ISO 8601)"),
        },
        ["id", "author", "content", "scope", "created_at", "updated_at"],
        description="A message on a project or a project item",
    ),
    "message_index": listing("messages", "message_read", "Messages, by id"),
    "message_write": record(
        {
            "project_id": typed("integer", "The project it is on"),
            "project_item_id": typed("integer", "The project item it is on, if any"),
            "author": _author("provider", "mediator"),
            "content": typed("string", "The text"),
            "scope": _SCOPE,
        },
        ["project_id", "author", "content", "scope"],
        description="A new message",
    ),
    "message_update": record(
        {"content": typed("string", "The new text")},
        ["content"],
        description="A message's new text",
    ),
}

_OMS_ID = path_parameter("oms_id", "Identifier of the OMS")
_PROJECT_ID = path_parameter("p_id", "Identifier of the project")
_ITEM_ID = path_parameter("pi_id", "Number of the project item within its project")
_MESSAGE_ID = path_parameter("m_id", "Identifier of the message")
_LIMIT = query_parameter("limit", "At most this many", "integer")
_NOT_ADMIN = _error("The caller does not administer this OMS")

ORDERING_PATHS: Schema = {
    "/api/v1/oms/{oms_id}/events": {
        "parameters": [_OMS_ID],
        "get": operation(
            "List the changes the OMS may see",
            "Events",
            {
                200: response("The events", "event_index"),
                400: INVALID,
                401: UNAUTHENTICATED,
                403: _NOT_ADMIN,
                404: _error("No such OMS"),
            },
            parameters=[
                query_parameter(
                    "from_timestamp",
                    "Events after this time, ISO 8601 (2021-04-07T15:31:46.123456Z); "
                    "required unless `from_id` is given",
                    "string",
                ),
                {
                    **query_parameter(
                        "from_id",
                        "Mercato's addition: events with a greater id, in id order",
                        "integer",
                    ),
                    "x-mercato-addition": True,
                },
                _LIMIT,
            ],
        ),
    },
    "/api/v1/oms/{oms_id}/messages": {
        "parameters": [_OMS_ID],
        "get": operation(
            "List the messages on a project or one of its items",
            "Messages",
            {
                200: response("The messages", "message_index"),
                401: UNAUTHENTICATED,
                403: _NOT_ADMIN,
                404: _error("No such OMS, project or project item"),
            },
            parameters=[
                query_parameter("project_id", "The project", "integer", required=True),
                query_parameter("project_item_id", "Only this item's messages", "integer"),
                query_parameter("from_id", "Messages with a greater id", "integer"),
                _LIMIT,
            ],
        ),
        "post": operation(
            "Write a message",
            "Messages",
            {
                201: response("The new message", "message_read"),
                400: INVALID,
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such OMS, project or project item"),
            },
            parameters=[],
            body="message_write",
        ),
    },
    "/api/v1/oms/{oms_id}/messages/{m_id}": {
        "parameters": [_OMS_ID, _MESSAGE_ID],
        "get": operation(
            "Read one message",
            "Messages",
            {
                200: response("The message", "message_read"),
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such OMS or message"),
            },
        ),
        "patch": operation(
            "Change a message's text",
            "Messages",
            {
                200: response("The changed message", "message_read"),
                400: INVALID,
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such OMS or message"),
            },
            body="message_update",
        ),
    },
    "/api/v1/oms/{oms_id}/projects/{p_id}/project_items": {
        "parameters": [_OMS_ID, _PROJECT_ID],
        "get": operation(
            "List the OMS's items of a project",
            "Project items",
            {
                200: response("The project items", "project_item_index"),
                401: UNAUTHENTICATED,
                403: _NOT_ADMIN,
                404: _error("No such OMS or project"),
            },
            parameters=[
                query_parameter("from_id", "Items with a greater number", "integer"),
                _LIMIT,
            ],
        ),
    },
    "/api/v1/oms/{oms_id}/projects/{p_id}/project_items/{pi_id}": {
        "parameters": [_OMS_ID, _PROJECT_ID, _ITEM_ID],
        "get": operation(
            "Read one project item",
            "Project items",
            {
                200: response("The project item", "project_item_read"),
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such OMS, project or project item"),
            },
        ),
        "patch": operation(
            "Set a project item's status or secrets",
            "Project items",
            {
                200: response("The changed project item", "project_item_read"),
                400: INVALID,
                403: FORBIDDEN,
                404: _error("No such OMS, project or project item"),
            },
            body="project_item_update",
        ),
    },
    "/api/v1/oms/{oms_id}/projects": {
        "parameters": [path_parameter("oms_id", "Identifier of the OMS", "integer")],
        "get": operation(
            "List the projects holding the OMS's items",
            "Projects",
            {
                200: response("The projects", "project_index"),
                401: UNAUTHENTICATED,
                403: _NOT_ADMIN,
                404: _error("No such OMS"),
            },
            parameters=[
                query_parameter("from_id", "Projects with a greater id", "integer"),
                _LIMIT,
            ],
        ),
    },
    "/api/v1/oms/{oms_id}/projects/{p_id}": {
        "parameters": [_OMS_ID, _PROJECT_ID],
        "get": operation(
            "Read one project",
            "Projects",
            {
                200: response("The project", "project_read"),
                401: UNAUTHENTICATED,
                403: _NOT_ADMIN,
                404: _error("No such OMS or project"),
            },
        ),
    },
    "/api/v1/oms": {
        "get": operation(
            "List the OMSes the caller administers",
            "OMS",
            {200: response("The OMSes", "oms_index"), 401: UNAUTHENTICATED},
        ),
    },
    "/api/v1/oms/{oms_id}": {
        "parameters": [_OMS_ID],
        "get": operation(
            "Read one OMS",
            "OMS",
            {
                200: response("The OMS", "oms_read"),
                401: UNAUTHENTICATED,
                403: FORBIDDEN,
                404: _error("No such OMS"),
            },
        ),
    },
}


def ordering() -> Schema:
    """The Ordering API: what an OMS reads and writes about the orders it handles."""
    return document(
        "Mercato: EOSC Ordering API",
        "What an order-management system (OMS) reads and writes about the orders it "
        "handles: projects, project items, messages and the event feed. "
        "Wire-compatible with the EOSC Marketplace's Ordering API.",
        ORDERING_PATHS,
        ORDERING_SCHEMAS,
    )


def render(doc: Schema) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    OFFERING_FILE.write_text(render(offering()), encoding="utf-8")
    ORDERING_FILE.write_text(render(ordering()), encoding="utf-8")


if __name__ == "__main__":
    main()
