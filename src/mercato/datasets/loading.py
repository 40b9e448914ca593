"""Loading a data set: every record is checked, then created, in the order of the kinds.

A file is read record by record (``open_dataset``): only its text and each
record's place in it stay in memory, not every record at once. Whatever goes
wrong, the error is the one reading the whole file first would give.
"""

import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, get_args, overload

from pydantic import ValidationError

from mercato.datasets.accounts import load_providers, load_users
from mercato.datasets.catalogue import load_bundles, load_offers, load_omses, load_services
from mercato.datasets.commerce import load_currencies, load_tax_rates, load_units
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.ordering import load_messages, load_orders, load_projects
from mercato.datasets.purchases import (
    load_contracting_forms,
    load_contracts,
    load_invoices,
    load_tax_addresses,
)
from mercato.datasets.schema import FORMAT, KINDS, VERSION, DataSet, Record
from mercato.datasets.store import load_assets, load_offerings

# In the order of the DataSet's lists: each kind only names kinds loaded before it.
STEPS: tuple[tuple[str, Callable[[Loading, Any], None]], ...] = (
    ("currencies", load_currencies),
    ("units", load_units),
    ("tax_rates", load_tax_rates),
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
    ("tax_addresses", load_tax_addresses),
    ("contracts", load_contracts),
    ("invoices", load_invoices),
    ("contracting_forms", load_contracting_forms),
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
            _check_ref(kind, index, record, first)


def _check_ref(kind: str, index: int, record: Record, first: dict[str, int]) -> None:
    ref = getattr(record, "ref", None)
    if ref is None:
        return
    if ref in first:
        raise LoadError(kind, index, ref, "ref", f"is already the ref of {kind}[{first[ref]}]")
    first[ref] = index


class _Unreadable(Exception):
    """A record of a data set file that the format refuses (reading it whole names why)."""


class _Records(Sequence[Record]):
    """One kind's records of a data set file, each checked when it is reached."""

    def __init__(self, text: str, kind: str, spans: list[tuple[int, int]]) -> None:
        self._text, self._kind, self._spans = text, kind, spans
        self._model: type[Record] = get_args(DataSet.model_fields[kind].annotation)[0]

    def __len__(self) -> int:
        return len(self._spans)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | Sequence[Record]:
        if isinstance(index, slice):
            return _Records(self._text, self._kind, self._spans[index])
        start, end = self._spans[index]
        try:
            return self._model.model_validate_json(self._text[start:end])
        except ValidationError:
            raise _Unreadable from None

    def __iter__(self) -> Iterator[Record]:
        first: dict[str, int] = {}
        for index in range(len(self._spans)):
            record = self[index]
            _check_ref(self._kind, index, record, first)
            yield record


class DataSetFile:
    """A data set file read record by record: its text, and where each record is in it."""

    def __init__(self, path: Path, text: str, spans: dict[str, list[tuple[int, int]]]) -> None:
        self.path = path
        self._records = {kind: _Records(text, kind, spans.get(kind, [])) for kind in KINDS}

    def records(self, kind: str) -> Sequence[Record]:
        return self._records[kind]

    def counts(self) -> dict[str, int]:
        return {kind: len(self._records[kind]) for kind in KINDS}


_TOKEN = re.compile(r"[^ \t\n\r]")
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _skip_space(text: str, at: int) -> int:
    token = _TOKEN.search(text, at)
    return token.start() if token is not None else len(text)


def open_dataset(path: Path) -> DataSet | DataSetFile:
    """The data set in the file, to be read record by record as it is loaded.

    A file not laid out as a dump is (one object, the format and version, then
    kinds each at most once, each a list) is read whole, as ``read_dataset`` does.
    """
    try:
        text = path.read_bytes().decode()
        spans = _spans(text)
    except (UnicodeDecodeError, ValueError, IndexError, StopIteration):
        spans = None
    if spans is None:
        return read_dataset(path)
    return DataSetFile(path, text, spans)


def _spans(text: str) -> dict[str, list[tuple[int, int]]] | None:
    """Where each record of each kind starts and ends in ``text``; None if laid out otherwise."""
    at = _skip_space(text, 0)
    if text[at] != "{":
        return None
    header, spans = {}, {}
    while True:
        key, at = _scan(text, _skip_space(text, at + 1))
        at = _skip_space(text, at)
        if not isinstance(key, str) or text[at] != ":" or key in header or key in spans:
            return None
        at = _skip_space(text, at + 1)
        if key in KINDS and text[at] == "[":
            spans[key], at = _elements(text, at)
        elif key in ("format", "version"):
            header[key], at = _scan(text, at)
        else:
            return None
        at = _skip_space(text, at)
        if text[at] == "}":
            break
        if text[at] != ",":
            return None
    ends = _skip_space(text, at + 1) == len(text)
    version = header.get("version")
    is_known = header.get("format") == FORMAT and type(version) is int and version == VERSION
    return spans if ends and is_known else None


def _elements(text: str, at: int) -> tuple[list[tuple[int, int]], int]:
    """The spans of a list's elements, the list starting at ``at``; and the index after it."""
    spans: list[tuple[int, int]] = []
    at = _skip_space(text, at + 1)
    if text[at] == "]":
        return spans, at + 1
    while True:
        _, end = _scan(text, at)
        spans.append((at, end))
        at = _skip_space(text, end)
        if text[at] == "]":
            return spans, at + 1
        if text[at] != ",":
            raise ValueError("not a list")
        at = _skip_space(text, at + 1)


def load_dataset(loading: Loading, data: DataSet | DataSetFile) -> dict[str, int]:
    """Create every record of ``data``; returns how many of each kind were loaded.

    Flushes, never commits: the caller's transaction makes the load all or nothing.
    """
    if isinstance(data, DataSet):
        check_refs(data)
        _load_each_kind(loading, lambda kind: getattr(data, kind))
        return data.counts()
    try:
        _load_each_kind(loading, data.records)
    except (LoadError, _Unreadable):
        # Reading the file whole would have stopped at a refused record or a ref
        # given twice, anywhere in the file, before loading anything.
        check_refs(read_dataset(data.path))
        raise
    return data.counts()


def _load_each_kind(loading: Loading, records_of: Callable[[str], Sequence[Record]]) -> None:
    for kind, load in STEPS:
        records = records_of(kind)
        if records:
            load(loading, records)
    loading.session.flush()
