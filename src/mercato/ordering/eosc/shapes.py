"""The Ordering API's read shapes (reference §2, §3), built from Mercato's rows.

Strings are never `null` where EOSC clients' models declare `str` (§7), and
secrets and private messages are obfuscated here, at the one place that
renders them.
"""

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, Protocol

from mercato.catalogue.models import Oms
from mercato.ordering.events import OBFUSCATED
from mercato.ordering.models import EventResource, EventType, Message, MessageScope, Order, Project


def timestamp(moment: datetime) -> str:
    """UTC to the second with a `Z`, as Ruby's `iso8601` writes it."""
    # isoformat takes half the time of strftime, which shows on a 1,000-event page.
    return moment.astimezone(UTC).isoformat(timespec="seconds").removesuffix("+00:00") + "Z"


def oms_json(oms: Oms) -> dict[str, Any]:
    """An OMS in EOSC's key order: the trigger, then the custom params, each if any."""
    shown: dict[str, Any] = {
        "id": oms.id,
        "name": oms.name,
        "type": oms.type.value,
        "default": oms.is_default,
    }
    if oms.has_trigger:
        trigger: dict[str, Any] = {"url": oms.trigger_url, "method": oms.trigger_method.value}
        if oms.trigger_user or oms.trigger_password:
            # No `type`: the EOSC schema documents one, its serializer never sends it (§8.8).
            trigger["authorization"] = {
                "user": oms.trigger_user,
                "password": oms.trigger_password,
            }
        shown["trigger"] = trigger
    if oms.custom_params:
        shown["custom_params"] = oms.custom_params
    return shown


def project_json(project: Project) -> dict[str, Any]:
    owner = project.owner
    return {
        "id": project.id,
        "owner": {
            "uid": owner.uid,
            "email": owner.email,
            "name": owner.name,
            "first_name": owner.first_name,
            "last_name": owner.last_name,
        },
        # Every order's iid, also those the reading OMS cannot address (§2.4).
        "project_items": [order.iid for order in project.orders],
        "attributes": {
            "name": project.name,
            "customer_typology": project.customer_typology.value,
            "organization": project.organization,
            "department": project.department,
            "department_webpage": project.department_webpage,
            "scientific_domains": project.scientific_domains,
            "country": project.country,
            "collaboration_countries": project.collaboration_countries,
            "user_group_name": project.user_group_name,
        },
    }


def order_json(order: Order, shown_secrets: Collection[str] = ()) -> dict[str, Any]:
    """An order as a project item; only the secrets named in `shown_secrets` in clear."""
    service = order.offer.service
    attributes: dict[str, Any] = {
        "category": service.categories[0].name if service.categories else "",
        "service": service.name,
        "offer": order.offer.name,
        "offer_properties": order.offer_properties,
        "platforms": [],
        "request_voucher": order.request_voucher,
        "order_type": order.order_type,
    }
    if order.voucher_id:
        attributes["supplied_voucher_id"] = order.voucher_id
    shown: dict[str, Any] = {
        "id": order.iid,
        "project_id": order.project_id,
        "status": {"value": order.status_value, "type": order.status_type.value},
        "attributes": attributes,
    }
    if order.offer.oms_params:
        shown["oms_params"] = order.offer.oms_params
    shown["user_secrets"] = {
        key: value if key in shown_secrets else OBFUSCATED
        for key, value in order.user_secrets.items()
    }
    return shown


def message_json(message: Message, *, in_clear: bool = False) -> dict[str, Any]:
    """A message; `user_direct` content is obfuscated unless its writer is reading it back."""
    author = {
        "uid": message.author_uid,
        "email": message.author_email,
        "name": message.author_name,
    }
    hidden = message.scope == MessageScope.USER_DIRECT and not in_clear
    return {
        "id": message.id,
        "author": {**{k: v for k, v in author.items() if v}, "role": message.author_role.value},
        "content": OBFUSCATED if hidden else message.content,
        "scope": message.scope.value,
        "created_at": timestamp(message.created_at),
        "updated_at": timestamp(message.updated_at),
    }


class EventFields(Protocol):
    """An event's columns and its order's iid, as the feed reads them."""

    id: int
    created_at: datetime
    type: EventType
    resource: EventResource
    project_id: int
    message_id: int | None
    changes: list[dict[str, str]] | None
    order_iid: int | None


def event_json(event: EventFields, *, with_id: bool = False) -> dict[str, Any]:
    """An event in EOSC's key order; ``with_id`` adds Mercato's cursor for ``from_id``.

    EOSC events have no id (reference §8.8), so it is shown only to a client that
    pages by ``from_id`` and so knows the extension.
    """
    shown: dict[str, Any] = {"id": event.id} if with_id else {}
    shown["timestamp"] = timestamp(event.created_at)
    shown["type"] = event.type.value
    shown["resource"] = event.resource.value
    if event.changes is not None:
        shown["changes"] = event.changes
    shown["project_id"] = event.project_id
    if event.order_iid is not None:
        shown["project_item_id"] = event.order_iid
    if event.message_id is not None:
        shown["message_id"] = event.message_id
    return shown
