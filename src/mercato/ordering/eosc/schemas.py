"""JSON Schemas of the EOSC Ordering API's request bodies, written from its published facts.

Keys stay in the order the EOSC Marketplace's schema files use (type,
properties, additionalProperties, required): the json-schema gem reports the
first violation in that order, and ``mercato.api.eosc.check_schema`` does too.
"""

from typing import Any

from mercato.ordering.models import AuthorRole, MessageScope

# Every status type but `created`, in the order the gem prints them in its message.
_WRITABLE_STATUS_TYPES = [
    "rejected",
    "waiting_for_response",
    "registered",
    "in_progress",
    "ready",
    "closed",
    "approved",
]

ORDER_UPDATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {
            "type": "object",
            "properties": {
                "value": {"type": "string"},
                "type": {"type": "string", "enum": _WRITABLE_STATUS_TYPES},
            },
            "additionalProperties": False,
            "required": ["value", "type"],
        },
        "user_secrets": {"type": "object"},
    },
    "anyOf": [{"required": ["status"]}, {"required": ["user_secrets"]}],
    "additionalProperties": False,
}

_AUTHOR = {
    "type": "object",
    "properties": {
        "uid": {"type": "string"},
        "email": {"type": "string"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": [AuthorRole.PROVIDER.value, AuthorRole.MEDIATOR.value]},
    },
    "additionalProperties": False,
    "required": ["email", "name", "role"],
}

MESSAGE_WRITE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "project_id": {"type": "integer"},
        "project_item_id": {"type": "integer"},
        "author": _AUTHOR,
        "content": {"type": "string"},
        "scope": {"type": "string", "enum": [scope.value for scope in MessageScope]},
    },
    "additionalProperties": False,
    "required": ["project_id", "author", "content", "scope"],
}

MESSAGE_UPDATE: dict[str, Any] = {
    "type": "object",
    "properties": {"content": {"type": "string"}},
    "additionalProperties": False,
    "required": ["content"],
}
