"""Loading a data set: the file is read and checked whole, then every record is created."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mercato.datasets.accounts import load_providers, load_users
from mercato.datasets.catalogue import load_bundles, load_offers, load_omses, load_services
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.ordering import load_messages, load_orders, load_projects
from mercato.datasets.schema import DataSet
from mercato.datasets.store import load_assets, load_offerings

# In the order of the DataSet's lists: each kind only names kinds loaded before it.
STEPS: tuple[tuple[str, Callable[[Loading, Any], None]], ...] = (
    ("users", load_users),
    ("providers", load_providers),
    ("services", load_services),
    ("omses", load_omses),
    ("offers", load_offers),
    ("bundles", load_bundles),
    ("projects", load_projects),
    ("orders", load_orders),
    ("messages", load_messages),
    ("assets", load_assets),
    ("offerings", load_offerings),
)


def read_dataset(path: Path) -> DataSet:
    """The data set in the file, checked against the format; LoadError names what is wrong."""
    raw = path.read_bytes()
    try:
        return DataSet.model_validate_json(raw)
    except ValidationError as error:
        raise _format_error(error, raw) from None


def _format_error(error: ValidationError, raw: bytes) -> LoadError:
    problem = error.errors(include_url=False)[0]
    message = problem["msg"]
    more = error.error_count() - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    location = problem["loc"]
    if len(location) < 2 or not isinstance(location[1], int):
        return LoadError(None, None, None, _field_path(location), message)
    kind, index = str(location[0]), location[1]
    return LoadError(kind, index, _ref_in(raw, kind, index), _field_path(location[2:]), message)


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def _ref_in(raw: bytes, kind: str, index: int) -> str | None:
    """The ref of a record the format refused, to name it; read again only on error."""
    record = json.loads(raw)[kind][index]
    ref = record.get("ref") if isinstance(record, dict) else None
    return ref if isinstance(ref, str) else None


def check_refs(data: DataSet) -> None:
    """Refs are unique within their kind, so every reference names one record."""
    for kind, _ in STEPS:
        first: dict[str, int] = {}
        for index, record in enumerate(getattr(data, kind)):
            ref = getattr(record, "ref", None)
            if ref is None:
                continue
            if ref in first:
                message = f"is already the ref of {kind}[{first[ref]}]"
                raise LoadError(kind, index, ref, "ref", message)
            first[ref] = index


def load_dataset(loading: Loading, data: DataSet) -> dict[str, int]:
    """Create every record of ``data``; returns how many of each kind were loaded.

    Flushes, never commits: the caller's transaction makes the load all or nothing.
    """
    check_refs(data)
    for kind, load in STEPS:
        records = getattr(data, kind)
        if records:
            load(loading, records)
    loading.session.flush()
    return data.counts()
