"""A Rich progress bar per kind of record, for loads that take a while."""

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from mercato.datasets.context import ProgressCallback


@contextmanager
def progress_bars(console: Console) -> Iterator[ProgressCallback]:
    """A callback for ``Loading.progress`` that draws one bar per kind as it starts."""
    columns = (
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        bars: dict[str, TaskID] = {}

        def advance(kind: str, done: int, total: int) -> None:
            if kind not in bars:
                bars[kind] = progress.add_task(kind, total=total)
            progress.update(bars[kind], completed=done)

        yield advance
