"""Dumping the database as a data set: every record, without passwords and API tokens.

The records are written as they are read, kind after kind, so a dump's memory
does not grow with the database.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from mercato.datasets.accounts import dump_providers, dump_users
from mercato.datasets.catalogue import dump_bundles, dump_offers, dump_omses, dump_services
from mercato.datasets.commerce import dump_currencies, dump_tax_rates, dump_units
from mercato.datasets.ordering import dump_messages, dump_orders, dump_projects
from mercato.datasets.purchases import (
    dump_contracting_forms,
    dump_contracts,
    dump_invoices,
    dump_tax_addresses,
)
from mercato.datasets.schema import FORMAT, KINDS, VERSION, DataSet, Record
from mercato.datasets.store import dump_assets, dump_offerings
from mercato.store.assets import Files

# Each kind's records as the database holds them, read when written.
Dumped = dict[str, Iterable[Record]]


def dump_records(session: Session, files: Files, folder: Path) -> Dumped:
    """Every kind's records, read lazily; stored files are copied under ``folder``."""
    return {
        "currencies": dump_currencies(session),
        "units": dump_units(session),
        "tax_rates": dump_tax_rates(session),
        "users": dump_users(session),
        "providers": dump_providers(session),
        "services": dump_services(session),
        "omses": dump_omses(session),
        "offers": dump_offers(session),
        "bundles": dump_bundles(session),
        "projects": dump_projects(session),
        "orders": dump_orders(session),
        "messages": dump_messages(session),
        "assets": dump_assets(session, files, folder),
        "offerings": dump_offerings(session, files, folder),
        "tax_addresses": dump_tax_addresses(session),
        "contracts": dump_contracts(session),
        "invoices": dump_invoices(session),
        "contracting_forms": dump_contracting_forms(session),
    }


def dump_dataset(session: Session, files: Files, folder: Path) -> DataSet:
    """The whole database as a data set in memory; stored files are copied under ``folder``."""
    dumped = dump_records(session, files, folder)
    return DataSet(format=FORMAT, version=VERSION, **{k: list(v) for k, v in dumped.items()})


def write_dataset(dumped: Dumped, path: Path) -> dict[str, int]:
    """Write the records as ``DataSet.model_dump_json(indent=2, exclude_defaults=True)``
    would, one at a time; returns how many of each kind were written.

    Written beside ``path`` and then renamed, so a dump that fails leaves no half file.
    """
    counts = dict.fromkeys(KINDS, 0)
    part = path.with_name(f".{path.name}.part")
    try:
        with part.open("w") as out:
            out.write(f'{{\n  "format": "{FORMAT}",\n  "version": {VERSION}')
            for kind in KINDS:
                counts[kind] = _write_kind(out, kind, dumped[kind])
            out.write("\n}\n")
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    part.replace(path)
    return counts


def _write_kind(out: TextIO, kind: str, records: Iterable[Record]) -> int:
    written = 0
    for record in records:
        # An empty list is the default, left out: the key is written with the first record.
        out.write(f',\n  "{kind}": [\n    ' if written == 0 else ",\n    ")
        out.write(_indented(record))
        written += 1
    if written:
        out.write("\n  ]")
    return written


def _indented(record: Record) -> str:
    # JSON text holds no raw line breaks inside strings, so lines can be indented as they are.
    return record.model_dump_json(indent=2, exclude_defaults=True).replace("\n", "\n    ")
