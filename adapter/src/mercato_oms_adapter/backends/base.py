"""What a ticket system must offer the adapter: a small class with a dozen calls.

Every write the adapter makes carries a *marker* it can search for later, so a
write whose record was lost (the process died between the two) is found rather
than made again: tickets carry ``mp-<project>`` or ``mp-<project>-<iid>``
(a label, a subject prefix...), comments end with ``[MP message <id>]``.
"""

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class NewTicket:
    marker: str
    summary: str
    description: str
    parent: str | None = None
    # Backend field name -> value, from the configured field mapping.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketChange:
    """A change a person made on a ticket, for the marketplace."""

    key: str  # unique and stable in the ticket system: "journal:17", "comment:10002"
    ticket: str
    kind: str  # "status" or "comment"
    status: str = ""  # the new status's name
    text: str = ""
    private: bool = False
    author_name: str = ""
    author_email: str = ""


class TicketError(Exception):
    def __init__(self, answer: httpx.Response) -> None:
        request = answer.request
        super().__init__(
            f"{request.method} {request.url.path} answered {answer.status_code}:"
            f" {answer.text[:300]}"
        )
        self.status = answer.status_code


class Backend(ABC):
    """A ticket system. ``options`` is the backend's own section of the configuration."""

    def __init__(
        self, options: dict[str, Any], transport: httpx.BaseTransport | None = None
    ) -> None:
        self.options = options

    @staticmethod
    def checked(answer: httpx.Response) -> httpx.Response:
        if answer.status_code >= 300:
            raise TicketError(answer)
        return answer

    # --- marketplace -> tickets ---------------------------------------------------------

    @abstractmethod
    def find_ticket(self, marker: str) -> str | None:
        """The ticket carrying ``marker``, if one does."""

    @abstractmethod
    def create_ticket(self, ticket: NewTicket) -> str:
        """Create the ticket (carrying its marker) and return its reference."""

    @abstractmethod
    def find_comment(self, ticket: str, marker: str) -> bool:
        """Whether a comment of the ticket contains ``marker``."""

    @abstractmethod
    def add_comment(self, ticket: str, text: str, *, private: bool) -> None:
        """Add a comment; ``private``: visible to the service desk only."""

    @abstractmethod
    def status(self, ticket: str) -> str:
        """The ticket's status name."""

    @abstractmethod
    def set_status(self, ticket: str, status: str) -> None:
        """Move the ticket to the status of that name."""

    @abstractmethod
    def field(self, ticket: str, name: str) -> str:
        """A field's value as text ('' when empty)."""

    @abstractmethod
    def set_field(self, ticket: str, name: str, value: str) -> None: ...

    # --- tickets -> marketplace ---------------------------------------------------------

    @abstractmethod
    def changes_since(self, cursor: str) -> tuple[list[TicketChange], str]:
        """People's changes (not the adapter's own) on tickets updated since ``cursor``
        ('' at first), oldest first, with the next cursor. Changes may repeat: their
        ``key`` tells them apart."""


BACKENDS = {
    "jira": "mercato_oms_adapter.backends.jira:Jira",
    "redmine": "mercato_oms_adapter.backends.redmine:Redmine",
}


def backend_class(name: str) -> type[Backend]:
    """``jira``, ``redmine`` or ``package.module:Class`` (a third-party backend)."""
    module_name, _, class_name = BACKENDS.get(name, name).partition(":")
    if not class_name:
        raise ValueError(f"unknown backend {name!r}: use jira, redmine or package.module:Class")
    found = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(found, type) and issubclass(found, Backend)):
        raise ValueError(f"{name} is not a Backend subclass")
    return found
