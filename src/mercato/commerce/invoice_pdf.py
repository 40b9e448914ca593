"""An invoice's PDF (store-ge.md §7), drawn with fpdf2 from the invoice's snapshot.

One table per kind of line, as WStore's templates have: single payments,
subscriptions (with unit and renewal date), usage (unit or "price function", unit
price or the function, use, price) and deductions, each with its subtotal; then the
duty-free amount, the tax with its rate, the total and the currency. Amounts are
shown in the currency's minor unit.

Text is set in DejaVu Sans when the system has it (any script); otherwise in the
PDF core font Helvetica, which has only Latin-1, so other characters become "?".
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from mercato.commerce.charges import PartKind
from mercato.commerce.invoice_models import Invoice, InvoiceLine
from mercato.commerce.money import quantize

FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)
FAMILY = "invoice"
WIDTH = 180  # mm of an A4 page between 15 mm margins
ROW = 6


def _money(value: Decimal, invoice: Invoice) -> str:
    return f"{quantize(value, invoice.minor_unit)} {invoice.currency}"


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _date(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d")


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, 15)
        font = next((f for f in FONT_FILES if f.is_file()), None)
        self.unicode = font is not None
        if font is not None:
            self.add_font(FAMILY, "", str(font))
            self.add_font(FAMILY, "B", str(font.with_name("DejaVuSans-Bold.ttf")))
        self.family = FAMILY if font is not None else "helvetica"
        self.add_page()

    def _shown(self, text: str) -> str:
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def text_line(self, text: str, size: int = 10, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(WIDTH, ROW, self._shown(text), new_x="LMARGIN", new_y="NEXT")

    def table(self, heading: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.ln(2)
        self.text_line(heading, 11, bold=True)
        self.set_font(self.family, "", 9)
        with super().table(text_align="LEFT", line_height=ROW) as table:
            for cells in [columns, *rows]:
                row = table.row()
                for cell in cells:
                    row.cell(self._shown(cell))


def _of(invoice: Invoice, kind: PartKind) -> list[InvoiceLine]:
    return [line for line in invoice.lines if line.kind == kind.value]


def _subtotal(lines: Sequence[InvoiceLine], invoice: Invoice) -> str:
    return f"Subtotal: {_money(sum((line.price for line in lines), Decimal(0)), invoice)}"


def _tables(document: _Document, invoice: Invoice) -> None:
    money = lambda value: _money(value, invoice)  # noqa: E731
    singles = _of(invoice, PartKind.SINGLE_PAYMENT)
    if singles:
        rows = [(line.label, money(line.price)) for line in singles]
        document.table("Single payments", ("Label", "Price"), rows)
        document.text_line(_subtotal(singles, invoice))
    subscriptions = _of(invoice, PartKind.SUBSCRIPTION)
    if subscriptions:
        rows = [
            (line.label, money(line.price), line.unit, _date(line.renewal_date))
            for line in subscriptions
        ]
        document.table("Subscriptions", ("Label", "Price", "Unit", "Renewal date"), rows)
        document.text_line(_subtotal(subscriptions, invoice))
    columns = ("Label", "Unit", "Unit price", "Use", "Price")
    for kind, heading in ((PartKind.PAY_PER_USE, "Usage"), (PartKind.DEDUCTION, "Deductions")):
        lines = _of(invoice, kind)
        if lines:
            rows = [
                (line.label, line.unit, line.unit_value, _number(line.use), money(line.price))
                for line in lines
            ]
            document.table(heading, columns, rows)
            document.text_line(_subtotal(lines, invoice))


def render_invoice(invoice: Invoice, store_name: str) -> bytes:
    """The PDF of an issued invoice (with its lines loaded)."""
    document = _Document()
    document.set_title(f"Invoice {invoice.number}")
    document.text_line(store_name, 16, bold=True)
    document.text_line(f"Invoice {invoice.number}", 13, bold=True)
    document.text_line(f"Date: {_date(invoice.issued_at)}")
    document.text_line(f"Ref: {invoice.reference}")
    document.text_line(f"Concept: {invoice.concept}")
    document.ln(2)
    document.text_line("Customer", 11, bold=True)
    for text in (
        invoice.buyer_organization,
        invoice.buyer_name,
        invoice.tax_street,
        f"{invoice.tax_postal} {invoice.tax_city}",
        invoice.tax_country,
    ):
        document.text_line(text)
    document.ln(2)
    document.text_line("Offering", 11, bold=True)
    document.text_line(f"Organization: {invoice.offering_organization}")
    document.text_line(f"Name: {invoice.offering_name}")
    document.text_line(f"Version: {invoice.offering_version}")
    if invoice.resources:
        document.table("Resources", ("Name", "Description"), invoice.resources)
    _tables(document, invoice)
    document.ln(2)
    document.text_line(f"Duty-free subtotal: {_money(invoice.duty_free, invoice)}", bold=True)
    document.text_line(f"Tax ({_number(invoice.tax_rate)}%): {_money(invoice.tax, invoice)}")
    document.text_line(f"Total: {_money(invoice.total, invoice)}", 12, bold=True)
    document.text_line(f"Currency: {invoice.currency}")
    return bytes(document.output())
