"""The two directions, as queue handlers: marketplace events -> tickets, ticket changes
-> the marketplace.

Every handler is idempotent: it first looks for its own record (a Link), then
for its effect on the other side (a ticket's marker, a comment's marker, a
message with the same author and text), and only then makes the call. The
record is written in the session the worker commits with the task, so a crash
anywhere either leaves the task to run again (and find the effect) or finishes it.
"""

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato_oms_adapter import crash
from mercato_oms_adapter.backends.base import Backend, NewTicket
from mercato_oms_adapter.config import Config
from mercato_oms_adapter.marketplace import Json, OrderingApi
from mercato_oms_adapter.queue import PENDING
from mercato_oms_adapter.store import Link, Task, add_link, find_link, set_link

STATUS_FIELDS = {"status.type", "status.value"}


class WaitForTask(Exception):
    """Retry later: an earlier task that may have caused this event has not finished."""


def message_marker(message_id: int, edited: str = "") -> str:
    return f"[MP message {message_id} edited {edited}]" if edited else f"[MP message {message_id}]"


def _properties_text(item: Json) -> str:
    lines = []
    for prop in item["attributes"].get("offer_properties", []):
        value = prop.get("value")
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        unit = f" {prop['unit']}" if prop.get("unit") else ""
        lines.append(f"* {prop.get('label', prop.get('id'))}: {shown}{unit}")
    return "\n".join(lines)


def _secrets(text: str) -> dict[str, str]:
    """``key: value`` lines (or a JSON object) of the configured secrets field."""
    text = text.strip()
    if text.startswith("{"):
        return {str(key): str(value) for key, value in json.loads(text).items()}
    pairs = (line.partition(":") for line in text.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, _, value in pairs if key.strip()}


class Sync:
    def __init__(self, config: Config, api: OrderingApi, backend: Backend) -> None:
        self.config = config
        self.api = api
        self.backend = backend
        self.handlers = {"event": self.on_event, "ticket_change": self.on_ticket_change}

    # --- marketplace -> tickets --------------------------------------------------------

    def on_event(self, session: Session, event: Json) -> None:
        project_id, iid = event["project_id"], event.get("project_item_id")
        if event["resource"] == "project":
            self.project_ticket(session, project_id)
        elif event["resource"] == "project_item":
            ticket = self.order_ticket(session, project_id, iid)
            changed = {change["field"] for change in event.get("changes", [])}
            if changed & STATUS_FIELDS:
                self.show_status(session, project_id, iid, ticket)
        elif event["resource"] == "message":
            self.copy_message(session, event)

    def project_ticket(self, session: Session, project_id: int) -> str:
        ticket = find_link(session, "project", str(project_id))
        if ticket is None:
            ticket = self._ticket_for(f"mp-{project_id}", lambda: self._project_ticket(project_id))
            add_link(session, "project", str(project_id), ticket)
        return ticket

    def _project_ticket(self, project_id: int) -> NewTicket:
        project = self.api.project(project_id)
        attributes, owner = project["attributes"], project["owner"]
        description = "\n".join(
            [f"Customer: {owner.get('name')} <{owner.get('email')}>"]
            + [f"* {name}: {value}" for name, value in attributes.items()]
        )
        return NewTicket(f"mp-{project_id}", f"Project: {attributes['name']}", description)

    def _ticket_for(self, marker: str, describe: Any) -> str:
        """The ticket with ``marker``: found (made before a crash lost its record) or made."""
        ticket = self.backend.find_ticket(marker)
        if ticket is None:
            ticket = self.backend.create_ticket(describe())
            crash.point("created-ticket")
        return ticket

    def order_ticket(self, session: Session, project_id: int, iid: int) -> str:
        key = f"{project_id}/{iid}"
        ticket = find_link(session, "order", key)
        if ticket is not None:
            return ticket
        parent = self.project_ticket(session, project_id)
        item = self.api.item(project_id, iid)
        marker = f"mp-{project_id}-{iid}"
        ticket = self._ticket_for(marker, lambda: self._order_ticket(marker, item, parent))
        if item["status"]["type"] == "created":
            # The OMS registers the order it took (EOSC's own JIRA job does the same).
            self._update_item(session, project_id, iid, {"status": self._registered()})
            crash.point("registered-order")
        self.show_status(session, project_id, iid, ticket)
        add_link(session, "order", key, ticket)
        return ticket

    def _registered(self) -> dict[str, str]:
        for status in self.config.workflow.to_marketplace.values():
            if status["type"] == "registered":
                return dict(status)
        return {"type": "registered", "value": "registered"}

    def _order_ticket(self, marker: str, item: Json, parent: str) -> NewTicket:
        attributes = item["attributes"]
        summary = f"Order: {attributes['service']} - {attributes['offer']}"
        description = f"Order {item['project_id']}/{item['id']}\n{_properties_text(item)}"
        fields = {}
        for prop in attributes.get("offer_properties", []):
            target = self.config.fields.get(prop.get("id", "")) or self.config.fields.get(
                prop.get("label", "")
            )
            if target is not None and prop.get("value") is not None:
                value = prop["value"]
                fields[target] = (
                    ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                )
        return NewTicket(marker, summary, description, parent, fields)

    def show_status(self, session: Session, project_id: int, iid: int, ticket: str) -> None:
        """Show the order's current status on its ticket: the status field, and the
        mapped ticket status when the change came from the marketplace."""
        status = self.api.item(project_id, iid)["status"]
        shown = f"{status['type']}: {status['value']}"
        field = self.config.status_field
        if field and self.backend.field(ticket, field) != shown:
            self.backend.set_field(ticket, field, shown)
        target = self.config.workflow.to_ticket.get(status["type"])
        if not target or find_link(session, "set_status", f"{project_id}/{iid}") == shown:
            return  # the adapter set this status itself, from the ticket: it is the source
        if self._status_change_waiting(session, ticket):
            return  # a newer change on the ticket is on its way to the marketplace
        current = self.backend.status(ticket)
        # A ticket status that already means this status type stays.
        means = self.config.workflow.to_marketplace.get(current, {}).get("type")
        if current != target and means != status["type"]:
            self.backend.set_status(ticket, target)

    @staticmethod
    def _status_change_waiting(session: Session, ticket: str) -> bool:
        query = select(Task.payload).where(Task.state == PENDING, Task.kind == "ticket_change")
        changes = (json.loads(payload) for payload in session.scalars(query))
        return any(c["ticket"] == ticket and c["kind"] == "status" for c in changes)

    def _update_item(self, session: Session, project_id: int, iid: int, body: Json) -> None:
        """PATCH the order, remembering the status the adapter set (see show_status)."""
        self.api.update_item(project_id, iid, body)
        status = body["status"]
        set_link(
            session, "set_status", f"{project_id}/{iid}", f"{status['type']}: {status['value']}"
        )

    def copy_message(self, session: Session, event: Json) -> None:
        message_id, edited = event["message_id"], ""
        if event["type"] == "update":
            edited = event["timestamp"]
        key = f"{message_id}@{edited}" if edited else str(message_id)
        if find_link(session, "message", key) or find_link(session, "posted", str(message_id)):
            return  # copied already, or the adapter itself posted it from a comment
        message = self.api.message(message_id)
        self._wait_for_own_post(session, message)
        project_id, iid = event["project_id"], event.get("project_item_id")
        ticket = (
            self.order_ticket(session, project_id, iid)
            if iid is not None
            else self.project_ticket(session, project_id)
        )
        marker = message_marker(message_id, edited)
        if not self.backend.find_comment(ticket, marker):
            author = message["author"]
            heading = f"{author.get('name')} ({author['role']}, {message['scope']})"
            if edited:
                heading += ", edited"
            text = f"{heading}:\n{message['content']}\n\n{marker}"
            private = message["scope"] != "public"
            self.backend.add_comment(ticket, text, private=private)
            crash.point("added-comment")
        add_link(session, "message", key, ticket)

    def _wait_for_own_post(self, session: Session, message: Json) -> None:
        """A message the adapter is still posting from a ticket comment (its task failed
        after the call) must not come back as a comment: wait for that task."""
        query = select(Task.id, Task.payload).where(
            Task.state == PENDING, Task.kind == "ticket_change"
        )
        for task_id, payload in session.execute(query):
            change = json.loads(payload)
            if change["kind"] == "comment" and change["text"] == message["content"]:
                raise WaitForTask(f"message {message['id']} may come from task {task_id}")

    # --- tickets -> marketplace --------------------------------------------------------

    def _order_of(self, session: Session, ticket: str) -> tuple[int, int | None] | None:
        row = session.execute(
            select(Link.kind, Link.key).where(
                Link.kind.in_(("order", "project")), Link.ref == ticket
            )
        ).first()
        if row is None:
            return None
        project, _, iid = row.key.partition("/")
        return int(project), int(iid) if iid else None

    def on_ticket_change(self, session: Session, change: Json) -> None:
        order = self._order_of(session, change["ticket"])
        if order is None or find_link(session, "change", change["key"]):
            return  # not a ticket of the adapter's, or done already
        project_id, iid = order
        if change["kind"] == "status" and iid is not None:
            result = self._set_status(session, project_id, iid, change)
        elif change["kind"] == "comment" and "[MP message " not in change["text"]:
            result = self._post_message(session, project_id, iid, change)
        else:
            result = "ignored"
        add_link(session, "change", change["key"], result)

    def _set_status(self, session: Session, project_id: int, iid: int, change: Json) -> str:
        status = self.config.workflow.to_marketplace.get(change["status"])
        if status is None:
            return "unmapped"
        body: dict[str, Any] = {"status": dict(status)}
        if self.config.secrets_field:
            secrets = _secrets(self.backend.field(change["ticket"], self.config.secrets_field))
            if secrets:
                body["user_secrets"] = secrets
        # Setting the same status again changes nothing: a retry after a crash is harmless.
        self._update_item(session, project_id, iid, body)
        crash.point("updated-order")
        return f"{status['type']}: {status['value']}"

    def _post_message(
        self, session: Session, project_id: int, iid: int | None, change: Json
    ) -> str:
        author = self.config.author
        signed = {
            "name": change["author_name"] or author.name,
            "email": change["author_email"] or author.email,
            "role": author.role,
        }
        found = self._posted_before(session, project_id, iid, signed, change["text"])
        if found is None:
            body: Json = {
                "project_id": project_id,
                "author": signed,
                "content": change["text"],
                "scope": "internal" if change["private"] else "public",
            }
            if iid is not None:
                body["project_item_id"] = iid
            found = self.api.post_message(body)["id"]
            crash.point("posted-message")
        add_link(session, "posted", str(found), change["key"])
        return str(found)

    def _posted_before(
        self, session: Session, project_id: int, iid: int | None, author: Json, text: str
    ) -> int | None:
        """A message posted from this comment before a crash lost its record: same
        author and text, and not the record of another comment."""
        for message in self.api.messages(project_id, iid):
            same = message["content"] == text and message["author"].get("email") == author["email"]
            if same and not find_link(session, "posted", str(message["id"])):
                return message["id"]
        return None
