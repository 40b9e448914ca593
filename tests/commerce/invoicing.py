"""What the invoice tests share: issuing §6.5's charges, and reading a PDF back line by line."""

import io
import re
from datetime import datetime
from decimal import Decimal

import pypdf
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.commerce.charges import Charge, Usage, initial_charge
from mercato.commerce.invoice_models import Invoice
from mercato.commerce.invoices import OfferingName, TaxAddress, issue_invoice
from mercato.commerce.money import Tax
from mercato.commerce.plans import Plan
from mercato.store.storage import Storage
from tests.commerce.test_charges import EUR, EXAMPLE_1, EXAMPLE_3, T0, UNITS

VAT_21 = Tax(Decimal(21), "VAT")
ADDRESS = TaxAddress("C/Los alamos n 17", "39011", "Santander", "Spain")
OFFERING = OfferingName("CoNWeT", "SmartCityLights", "1.0")
RESOURCES = [("Map", "The city map"), ("Lights API", "Street lights")]
# Example 3 with the texts a provider writes for its functions.
TEXTS = {"calls and minutes": "calls * 2 - minutes", "minutes back": "0.1 * minutes"}
EXAMPLE_3_TEXTS = {
    **EXAMPLE_3,
    **{
        part: [{**c, "text_function": TEXTS.get(c["label"], "")} for c in EXAMPLE_3[part]]
        for part in ("price_components", "deductions")
    },
}
EXAMPLE_3_USAGE = [
    Usage("call", "calls", Decimal(15)),
    Usage("call", "calls", Decimal(5)),
    Usage("minute", "minutes", Decimal(7)),
]


def example_1_initial() -> Charge:
    return initial_charge(EXAMPLE_1, UNITS, EUR, VAT_21, T0)


def issue(
    session: Session,
    seller: Provider,
    buyer: User,
    charge: Charge | None = None,
    *,
    plan: Plan = EXAMPLE_1,
    order_id: int = 1,
    issued_at: datetime = T0,
) -> Invoice:
    return issue_invoice(
        session,
        seller=seller.id,
        buyer=buyer.id,
        buyer_organization="Santander City Council",
        buyer_name=buyer.name,
        order_id=order_id,
        reference=f"ref-{order_id}",
        offering=OFFERING,
        resources=RESOURCES,
        tax_address=ADDRESS,
        charge=charge or example_1_initial(),
        plan=plan,
        units=UNITS,
        currency=EUR,
        issued_at=issued_at,
    )


def pdf_lines(data: bytes) -> list[tuple[str, ...]]:
    """Each line of text of the PDF, split into its cells (table columns are far apart)."""
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)
    return [tuple(re.split(r"\s{2,}", line.strip())) for line in text.splitlines() if line.strip()]


def stored_pdf(storage: Storage, invoice: Invoice) -> bytes:
    assert invoice.pdf_key is not None
    with storage.open(invoice.pdf_key) as file:
        return file.read()
