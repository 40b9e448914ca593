"""What every part of a load shares: the rows made so far by ref, and errors naming records."""

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import cast, func, select
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.orm import Session

from mercato.catalogue.models import Bundle, Oms, Service
from mercato.errors import Invalid, MercatoError
from mercato.ordering.models import Message, Project
from mercato.store.assets import Files

R = TypeVar("R")
_ITEM = re.compile(r"\.(\d+)(?=\.|$)")

# (kind, records done, records of that kind in all)
ProgressCallback = Callable[[str, int, int], None]
# Rows a dump reads at a time, so its memory stays flat however large the database.
DUMP_BATCH = 1000


class LoadError(MercatoError):
    """A record of the data set that cannot be loaded; nothing of the load is kept.

    ``kind`` and ``index`` are None when the problem is the file itself.
    """

    def __init__(
        self, kind: str | None, index: int | None, ref: str | None, field: str, message: str
    ) -> None:
        self.kind, self.index, self.ref, self.field = kind, index, ref, field
        self.message = message
        named = f" (ref {ref!r})" if ref is not None else ""
        where = f"{kind}[{index}]{named}" if kind is not None else "the data set"
        super().__init__(f"{where}, field {field!r}: {message}" if field else f"{where}: {message}")


@dataclass
class Loading:
    """One load in progress: the session, where files come from, and the rows made by ref."""

    session: Session
    files: Files
    # Asset, logo and screenshot paths in the data set are relative to this folder.
    folder: Path
    progress: ProgressCallback | None = None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def keep(self, kind: str, ref: str, row: Any) -> None:
        self.rows.setdefault(kind, {})[ref] = row

    def find(self, kind: str, ref: str, field: str) -> Any:
        """The row made for ``ref`` among the ``kind`` records, or an error on ``field``."""
        try:
            return self.rows[kind][ref]
        except KeyError:
            raise Invalid.field(field, f"names no {kind} record {ref!r} of this data set") from None

    def find_given(self, kind: str, ref: str | None, field: str) -> Any:
        """``find`` for a reference the record may leave out: None names no row."""
        return self.find(kind, ref, field) if ref is not None else None

    def each(
        self,
        kind: str,
        records: Sequence[R],
        create: Callable[[R], object],
        named_by: str = "ref",
    ) -> None:
        """Create each record in turn: errors name it, its row is kept by ref, progress shows.

        Records without a ref of their own are named in errors by ``named_by``.
        """
        for index, record in enumerate(records):
            name = getattr(record, named_by, None)
            with naming(kind, index, name):
                row = create(record)
            if named_by == "ref" and name is not None:
                self.keep(kind, name, row)
            self.advance(kind, index + 1, len(records))

    def advance(self, kind: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(kind, done, total)


@contextmanager
def renamed(rename: Callable[[str], str]) -> Iterator[None]:
    """Rename the fields of a rule's ``Invalid``: rules name API fields, a load the record's."""
    try:
        yield
    except Invalid as invalid:
        errors = {rename(name): messages for name, messages in invalid.errors.items()}
        details = {rename(name): message for name, message in invalid.details.items()}
        raise type(invalid)(errors, details) from None


def within(prefix: str) -> AbstractContextManager[None]:
    """Errors of a part of the record: ``token`` becomes ``tokens[0].token``."""
    return renamed(lambda name: f"{prefix}.{name}")


@contextmanager
def naming(kind: str, index: int, ref: str | None = None) -> Iterator[None]:
    """Report a rule's ``Invalid`` as an error of this record, with the field it names."""
    try:
        yield
    except Invalid as invalid:
        if invalid.details:
            field, message = next(iter(invalid.details.items()))
        else:
            field, messages = next(iter(invalid.errors.items()))
            message = ", ".join(messages)
        # Rules write "parameters.2.config"; paths in a data set read "parameters[2].config".
        raise LoadError(kind, index, ref, _ITEM.sub(r"[\1]", field), message) from None


def keep_ids_ahead(
    session: Session,
    model: type[Service] | type[Project] | type[Message] | type[Oms] | type[Bundle],
) -> None:
    """Move PostgreSQL's id sequence past ids given explicitly, which it did not hand out.

    Otherwise the next row made the usual way would take one of them. Never moves
    it back, so no id is handed out twice. SQLite takes the highest id plus one anyway.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
    highest = select(func.max(model.id)).scalar_subquery()
    handed_out = func.coalesce(func.pg_sequence_last_value(cast(sequence, REGCLASS)), 0)
    session.execute(select(func.setval(sequence, func.greatest(highest, handed_out))))
