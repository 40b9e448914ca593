"""Dumping the database as a data set: every record, without passwords and API tokens.

The records are written as they are read, kind after kind, so a dump's memory
does not grow with the database.
"""

from collections.abc import Iterable
from itertools import chain
from pathlib import Path

from sqlalchemy.orm import Session

from mercato.datasets.accounts import dump_providers, dump_users
from mercato.datasets.catalogue import dump_offers, dump_omses, dump_services
from mercato.datasets.ordering import dump_messages, dump_orders, dump_projects
from mercato.datasets.schema import FORMAT, KINDS, VERSION, DataSet, Record
from mercato.datasets.store import dump_assets, dump_offerings
from mercato.store.assets import Files

# Each kind's records as the database holds them, read when written.
Dumped = dict[str, Iterable[Record]]


def dump_records(session: Session, files: Files, folder: Path) -> Dumped:
    """Every kind's records, read lazily; stored files are copied under ``folder``."""
    return {
        "users": dump_users(session),
        "providers": dump_providers(session),
        "services": dump_services(session),
        "omses": dump_omses(session),
        "offers": dump_offers(session),
        "projects": dump_projects(session),
        "orders": dump_orders(session),
        "messages": dump_messages(session),
        "assets": dump_assets(session, files, folder),
        "offerings": dump_offerings(session, files, folder),
    }


def dump_dataset(session: Session, files: Files, folder: Path) -> DataSet:
    """The whole database as a data set in memory; stored files are copied under ``folder``."""
    dumped = dump_records(session, files, folder)
    return DataSet(format=FORMAT, version=VERSION, **{k: list(v) for k, v in dumped.items()})


def write_dataset(dumped: Dumped, path: Path) -> dict[str, int]:
    """Write the records as ``DataSet.model_dump_json(indent=2, exclude_defaults=True)``
    would, one at a time; returns how many of each kind were written."""
    counts = dict.fromkeys(KINDS, 0)
    with path.open("w") as out:
        out.write(f'{{\n  "format": "{FORMAT}",\n  "version": {VERSION}')
        for kind in KINDS:
            records = iter(dumped[kind])
            first = next(records, None)
            if first is None:
                continue  # an empty list is the default, left out
            out.write(f',\n  "{kind}": [')
            for number, record in enumerate(chain([first], records)):
                out.write("\n    " if number == 0 else ",\n    ")
                out.write(_indented(record))
                counts[kind] += 1
            out.write("\n  ]")
        out.write("\n}\n")
    return counts


def _indented(record: Record) -> str:
    # JSON text holds no raw line breaks inside strings, so lines can be indented as they are.
    return record.model_dump_json(indent=2, exclude_defaults=True).replace("\n", "\n    ")
