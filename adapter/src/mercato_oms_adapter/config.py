"""The adapter's configuration: one TOML file (see the README's example).

Every section maps onto a frozen dataclass; unknown keys are refused, so a typo
fails at start rather than silently doing nothing.
"""

import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

CURSOR_MODES = ("auto", "id", "timestamp")
STATUS_TYPES = (
    "registered",
    "in_progress",
    "waiting_for_response",
    "ready",
    "rejected",
    "closed",
    "approved",
)


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Marketplace:
    url: str
    token: str
    oms_id: int
    # "id": Mercato's exact from_id cursor; "timestamp": EOSC's from_timestamp with
    # de-duplication; "auto": from_id when the server answers it, else timestamp.
    cursor: str = "auto"
    # Where a fresh adapter starts reading the event feed (timestamp mode).
    start: str = "2020-01-01T00:00:00Z"
    page_size: int = 100
    timeout: float = 30.0


@dataclass(frozen=True)
class Service:
    database: str = "sqlite:///oms-adapter.db"
    poll_seconds: float = 30.0
    host: str = "127.0.0.1"
    port: int = 8088
    # Basic auth the marketplace's trigger (and the status page) must send, if set.
    user: str = ""
    password: str = ""
    # A Standard Webhooks secret (whsec_...): triggers must be signed with it, if set.
    signing_secret: str = ""
    max_attempts: int = 8
    retry_seconds: float = 5.0
    max_retry_seconds: float = 600.0


@dataclass(frozen=True)
class Author:
    """Who the marketplace sees writing a message copied from a ticket comment,
    when the ticket system does not say (Redmine shows no e-mail)."""

    name: str = "Service desk"
    email: str = "desk@example.org"
    role: str = "provider"


@dataclass(frozen=True)
class Workflow:
    # Ticket status name -> marketplace status {"type": ..., "value": ...}.
    to_marketplace: dict[str, dict[str, str]] = field(default_factory=dict)
    # Marketplace status type -> ticket status name (showing the order's status).
    to_ticket: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    marketplace: Marketplace
    service: Service
    # The backend used ("jira", "redmine" or "package.module:Class") and every
    # backend's own section ([jira], [redmine], ...), by name.
    backend: str
    backends: dict[str, dict[str, Any]]
    author: Author
    workflow: Workflow
    # Offer parameter id (or label) -> ticket field (backend's naming).
    fields: dict[str, str]
    # Ticket field holding "key: value" lines sent to the order as user secrets.
    secrets_field: str
    # Ticket field that shows the order's marketplace status ("type: value").
    status_field: str


def _section(cls: type, data: dict[str, Any], name: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"[{name}] has unknown keys: {', '.join(unknown)}")
    try:
        return cls(**data)
    except TypeError as error:
        raise ConfigError(f"[{name}]: {error}") from None


def _check(config: Config) -> Config:
    if config.marketplace.cursor not in CURSOR_MODES:
        raise ConfigError(f"[marketplace] cursor must be one of {', '.join(CURSOR_MODES)}")
    for name, status in config.workflow.to_marketplace.items():
        if status.get("type") not in STATUS_TYPES or "value" not in status:
            raise ConfigError(
                f"[workflow.to_marketplace] {name!r} needs a type (one of"
                f" {', '.join(STATUS_TYPES)}) and a value"
            )
    if not config.backend:
        raise ConfigError("backend is missing (jira, redmine or package.module:Class)")
    return config


_TOP_LEVEL = {
    "marketplace",
    "service",
    "backend",
    "author",
    "workflow",
    "fields",
    "secrets_field",
    "status_field",
}


def with_backend(config: Config, backend: str | None) -> Config:
    """The configuration with another backend chosen (``run --backend``)."""
    return config if not backend else replace(config, backend=backend)


def parse(data: dict[str, Any]) -> Config:
    """A Config from the TOML document's dictionary."""
    if "marketplace" not in data:
        raise ConfigError("[marketplace] is missing")
    workflow = data.get("workflow", {})
    backends = {name: value for name, value in data.items() if name not in _TOP_LEVEL}
    if any(not isinstance(value, dict) for value in backends.values()):
        raise ConfigError(f"unknown top-level keys: {', '.join(sorted(backends))}")
    return _check(
        Config(
            marketplace=_section(Marketplace, data["marketplace"], "marketplace"),
            service=_section(Service, data.get("service", {}), "service"),
            backend=str(data.get("backend", "")),
            backends=backends,
            author=_section(Author, data.get("author", {}), "author"),
            workflow=_section(Workflow, workflow, "workflow"),
            fields=dict(data.get("fields", {})),
            secrets_field=str(data.get("secrets_field", "")),
            status_field=str(data.get("status_field", "")),
        )
    )


def load(path: Path) -> Config:
    try:
        return parse(tomllib.loads(path.read_text()))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a TOML basic string


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    """A configuration (nested tables of scalars) as TOML text, for writing a file."""
    text = "".join(
        f"{name} = {_toml_value(value)}\n"
        for name, value in data.items()
        if not isinstance(value, dict)
    )
    for name, value in data.items():
        if isinstance(value, dict):
            table = f"{prefix}{json.dumps(name)}"
            text += f"\n[{table}]\n" + to_toml(value, f"{table}.")
    return text
