"""Invoices: where a PDF is, and rendering one again."""

from typing import Annotated

import typer

from mercato.cli.common import console, unit_of_work
from mercato.commerce import invoices
from mercato.db import utcnow

invoice_app = typer.Typer(
    help="Inspect invoices and render their PDFs again.", no_args_is_help=True
)

Number = Annotated[str, typer.Argument(help="The invoice number, e.g. acme-2026-000001.")]


@invoice_app.command("show")
def invoice_show(number: Number) -> None:
    """Print an invoice's total and the state of its PDF."""
    with unit_of_work() as session:
        invoice = invoices.find_invoice(session, number)
        console.print(
            f"{invoice.number}: {invoice.total} {invoice.currency}, PDF {invoice.status.value}"
            f" after {invoice.attempts} attempt(s)",
            highlight=False,
        )
        if invoice.last_error:
            console.print(f"Last error: {invoice.last_error}", highlight=False, soft_wrap=True)


@invoice_app.command("render")
def invoice_render(number: Number) -> None:
    """Queue the invoice's PDF to be rendered again from what was invoiced."""
    with unit_of_work(wakes_workers=True) as session:
        invoices.queue_render(session, invoices.find_invoice(session, number), utcnow())
    console.print(f"Invoice {number} will be rendered again.", highlight=False)
