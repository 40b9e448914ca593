"""Dumping the database as a data set: every record, without passwords and API tokens."""

from pathlib import Path

from sqlalchemy.orm import Session

from mercato.datasets.accounts import dump_providers, dump_users
from mercato.datasets.catalogue import dump_bundles, dump_offers, dump_omses, dump_services
from mercato.datasets.ordering import dump_messages, dump_orders, dump_projects
from mercato.datasets.schema import FORMAT, VERSION, DataSet
from mercato.datasets.store import dump_assets, dump_offerings
from mercato.store.assets import Files


def dump_dataset(session: Session, files: Files, folder: Path) -> DataSet:
    """The whole database as a data set; stored files are copied under ``folder``."""
    return DataSet(
        format=FORMAT,
        version=VERSION,
        users=dump_users(session),
        providers=dump_providers(session),
        services=dump_services(session),
        omses=dump_omses(session),
        offers=dump_offers(session),
        bundles=dump_bundles(session),
        projects=dump_projects(session),
        orders=dump_orders(session),
        messages=dump_messages(session),
        assets=dump_assets(session, files, folder),
        offerings=dump_offerings(session, files, folder),
    )


def write_dataset(data: DataSet, path: Path) -> None:
    # Defaults left out keep a dump as short as a hand-written file; loading restores them.
    path.write_text(data.model_dump_json(indent=2, exclude_defaults=True) + "\n")
