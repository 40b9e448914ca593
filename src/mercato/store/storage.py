"""Where asset files and offering images live, behind one small interface.

Files are written only after the database accepted the change and are
forgotten with the transaction: written files are removed again if it rolls
back, files that a change replaced or deleted are removed only once it has
committed. So no file outlives its row and no row loses its file.
"""

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_PENDING = "mercato.store.pending_files"


class Storage(Protocol):
    """A flat key → bytes store; a local folder now, S3-compatible object storage later."""

    def save(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one folder; keys are relative paths made by ``new_key``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key escapes the storage folder: {key!r}")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            # Never written (its folder could not be made): a failed save's clean-up
            # must not hide why the save failed.
            return
        folder = path.parent
        if folder != self.root.resolve() and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def new_key(folder: str, file_name: str) -> str:
    """A fresh key: a random folder keeps the user's file name and never collides."""
    return f"{folder}/{secrets.token_hex(12)}/{file_name}"


@dataclass
class _Pending:
    storage: Storage
    written: list[str] = field(default_factory=list)
    doomed: list[str] = field(default_factory=list)
    committed: bool = False


def _pending(session: Session, storage: Storage) -> _Pending:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = _Pending(storage)
    if not event.contains(session, "after_transaction_end", _settle):
        event.listen(session, "after_commit", _mark_committed)
        event.listen(session, "after_transaction_end", _settle)
    return pending


def _mark_committed(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if pending is not None:
        pending.committed = True


def _settle(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    for key in pending.doomed if pending.committed else pending.written:
        pending.storage.delete(key)


def save_file(session: Session, storage: Storage, key: str, data: bytes) -> None:
    """Write now; removed again if the session's transaction does not commit."""
    pending = _pending(session, storage)
    pending.written.append(key)
    storage.save(key, data)


def delete_file_on_commit(session: Session, storage: Storage, key: str) -> None:
    _pending(session, storage).doomed.append(key)
