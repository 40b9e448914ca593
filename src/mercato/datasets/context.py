"""What every part of a load shares: the rows made so far by ref, and errors naming records."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mercato.errors import Invalid, MercatoError
from mercato.store.assets import Files

_ITEM = re.compile(r"\.(\d+)(?=\.|$)")

# (kind, records done, records of that kind in all)
ProgressCallback = Callable[[str, int, int], None]


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

    def advance(self, kind: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(kind, done, total)


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
