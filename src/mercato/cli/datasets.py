"""Loading and dumping data sets."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from mercato.cli.common import console, fail, unit_of_work
from mercato.datasets.context import Loading
from mercato.datasets.dumping import dump_records, write_dataset
from mercato.datasets.loading import load_dataset, open_dataset
from mercato.datasets.progress import progress_bars
from mercato.settings import Settings
from mercato.store.assets import local_files

DataSetFile = Annotated[
    Path, typer.Argument(dir_okay=False, help="A data set file (see docs/dataset.md).")
]


def load_data(path: DataSetFile) -> None:
    """Load a data set: all of it in one transaction, or nothing if a record is wrong."""
    settings = Settings()
    if not path.is_file():
        fail(f"no file {path}")
    with unit_of_work(wakes_workers=True) as session:
        with console.status(f"Reading {path}"):
            data = open_dataset(path)
        with progress_bars(console) as progress:
            loading = Loading(session, local_files(settings), path.parent, progress)
            counts = load_dataset(loading, data)
    console.print(f"Loaded {_counted(counts)} from {escape(str(path))}.", soft_wrap=True)


def dump_data(path: DataSetFile) -> None:
    """Write the whole database as a data set; asset files go into files/ beside it."""
    settings = Settings()
    path.parent.mkdir(parents=True, exist_ok=True)
    with unit_of_work() as session, console.status(f"Writing {path}"):
        counts = write_dataset(dump_records(session, local_files(settings), path.parent), path)
    message = f"Wrote {_counted(counts)} to {escape(str(path))} (no passwords, no API tokens)."
    console.print(message, soft_wrap=True)


def _counted(counts: dict[str, int]) -> str:
    shown = (f"{count} {kind.replace('_', ' ')}" for kind, count in counts.items() if count)
    return ", ".join(shown) or "nothing"
