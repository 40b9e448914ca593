"""The `mercato` command: every area's commands on one Typer app."""

import typer

from mercato.cli import accounts, catalogue, datasets, invoices, server

app = typer.Typer(
    help="Mercato: a service marketplace with order management.", no_args_is_help=True
)
app.command(name="migrate")(server.migrate_schema)
app.command()(server.demo)
app.command()(server.serve)
app.command()(server.worker)
app.command(name="load")(datasets.load_data)
app.command(name="dump")(datasets.dump_data)
app.add_typer(accounts.user_app, name="user")
app.add_typer(accounts.token_app, name="token")
app.add_typer(accounts.provider_app, name="provider")
app.add_typer(catalogue.service_app, name="service")
app.add_typer(catalogue.oms_app, name="oms")
app.add_typer(invoices.invoice_app, name="invoice")
