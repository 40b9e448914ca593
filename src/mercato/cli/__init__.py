"""The `mercato` command line, one module per area's commands (put together in `commands`)."""


def main() -> None:
    """The `mercato` console script.

    Typer, rich and the commands are imported here, not at this package's import:
    with several workers, uvicorn spawns each web process, which re-runs the
    console script's imports (as multiprocessing's `__mp_main__`), and a web
    process needs none of them.
    """
    from mercato.cli.commands import app

    app(prog_name="mercato")
