"""Invoices (store-ge.md §7): issued in the purchase's transaction, rendered later.

``issue_invoice`` copies every name, line and amount of a charge into the invoice, so
a later change of the offering, the plan or the buyer never alters what was billed,
and gives it the seller's next number. The number comes from a counter row per seller
and year that the same transaction increments with one upsert: concurrent purchases
queue on that row, and a purchase that rolls back takes its number back with it, so
a seller's numbers have no gaps. The PDF is made by a worker after the commit
(``invoice_rendering``); until then the invoice says so.

Numbers read ``<seller slug>-<year>-<sequence>``, the sequence six digits or more and
restarting at 1 each calendar year (UTC) of issue, as invoice series usually do.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import (
    administered_provider_ids,
    check_can_manage_provider,
)
from mercato.commerce.charges import Charge, ChargedPart, PartKind
from mercato.commerce.invoice_models import Invoice, InvoiceLine, InvoiceSeries, RenderStatus
from mercato.commerce.money import Currency, to_decimal
from mercato.commerce.plans import Component, Plan, Units, is_function, plan_parts
from mercato.commerce.registry import check_admin
from mercato.errors import NotFound

# The session.info key counting invoices to render once the transaction commits.
NEW_INVOICES = "mercato.new_invoices"
FUNCTION_UNIT = "price function"
# Invoices a list shows at a time when the caller does not say.
PAGE_SIZE = 20


@dataclass(frozen=True)
class TaxAddress:
    street: str
    postal: str
    city: str
    country: str


@dataclass(frozen=True)
class OfferingName:
    """An offering as WStore names it: its provider's name, its name and its version."""

    organization: str
    name: str
    version: str


def invoice_number(slug: str, year: int, sequence: int) -> str:
    return f"{slug}-{year}-{sequence:06d}"


def _next_sequence(session: Session, seller_id: int, year: int) -> int:
    """The seller's next number for ``year``, taken with one atomic upsert.

    PostgreSQL locks the counter row until this transaction ends, so a concurrent
    purchase waits and then sees this one's number; SQLite's writers are serialised.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(InvoiceSeries)
        .values(seller_id=seller_id, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[InvoiceSeries.seller_id, InvoiceSeries.year],
            set_={"last_number": InvoiceSeries.last_number + 1},
        )
        .returning(InvoiceSeries.last_number)
    )
    return session.execute(statement).scalar_one()


def _components(plan: Plan, units: Units) -> dict[PartKind, tuple[Component, ...]]:
    split = plan_parts(plan, units)
    return {
        PartKind.SINGLE_PAYMENT: split.single_payment,
        PartKind.SUBSCRIPTION: split.subscription,
        PartKind.PAY_PER_USE: split.pay_per_use,
        PartKind.DEDUCTION: split.deductions,
    }


def _line(
    position: int,
    part: ChargedPart,
    components: dict[PartKind, tuple[Component, ...]],
    renewal_dates: Sequence[datetime],
) -> InvoiceLine:
    """The part with what its table shows of the component it charged (§7)."""
    candidates = components[part.kind]
    index = next((i for i, c in enumerate(candidates) if str(c["label"]) == part.label), None)
    if index is None:
        raise ValueError(f"the plan has no {part.kind} component {part.label!r}")
    component = candidates[index]
    if is_function(component):
        unit, unit_value = FUNCTION_UNIT, str(component.get("text_function", ""))
    else:
        unit, unit_value = str(component["unit"]), str(to_decimal(component["value"], "value"))
    renews = part.kind is PartKind.SUBSCRIPTION and index < len(renewal_dates)
    return InvoiceLine(
        position=position,
        kind=part.kind.value,
        label=part.label,
        unit=unit,
        unit_value=unit_value,
        use=part.use,
        price=part.price,
        renewal_date=renewal_dates[index] if renews else None,
    )


def issue_invoice(
    session: Session,
    *,
    seller: int,
    buyer: int,
    buyer_organization: str,
    buyer_name: str,
    order_id: int,
    reference: str,
    offering: OfferingName,
    resources: Sequence[tuple[str, str]],
    tax_address: TaxAddress,
    charge: Charge,
    plan: Plan,
    units: Units,
    currency: Currency,
    issued_at: datetime,
) -> Invoice:
    """Invoice ``charge`` (made with ``plan``, ``units`` and ``currency``) in the caller's
    transaction, numbered next for the ``seller`` provider; its PDF follows the commit.

    The plan and the units name each line's unit, unit price and renewal date.
    """
    provider = session.get(Provider, seller)
    if provider is None:
        raise NotFound("Provider")
    year = issued_at.year
    sequence = _next_sequence(session, seller, year)
    components = _components(plan, units)
    amount = charge.amount
    invoice = Invoice(
        number=invoice_number(provider.slug, year, sequence),
        seller_id=seller,
        year=year,
        sequence=sequence,
        buyer_id=buyer,
        order_id=order_id,
        reference=reference,
        concept=charge.concept.value,
        issued_at=issued_at,
        seller_name=provider.name,
        buyer_organization=buyer_organization,
        buyer_name=buyer_name,
        tax_street=tax_address.street,
        tax_postal=tax_address.postal,
        tax_city=tax_address.city,
        tax_country=tax_address.country,
        offering_organization=offering.organization,
        offering_name=offering.name,
        offering_version=offering.version,
        resources=[[name, description] for name, description in resources],
        currency=currency.code,
        minor_unit=currency.minor_unit,
        duty_free=amount.duty_free,
        tax_rate=amount.tax_rate,
        tax=amount.tax,
        total=amount.total,
        status=RenderStatus.PENDING,
        lines=[
            _line(i, part, components, charge.renewal_dates) for i, part in enumerate(charge.parts)
        ],
    )
    session.add(invoice)
    session.flush()
    note_new_invoices(session, 1)
    return invoice


def note_new_invoices(session: Session, count: int) -> None:
    """Count invoices to render, for the queue to hear of after commit."""
    session.info[NEW_INVOICES] = session.info.get(NEW_INVOICES, 0) + count


# --- who sees which invoice ------------------------------------------------------------


def _may_see(user: User, invoice: Invoice, administered: set[int]) -> bool:
    return user.is_admin or invoice.buyer_id == user.id or invoice.seller_id in administered


def may_see_invoice(session: Session, user: User, invoice: Invoice) -> bool:
    """The buyer, the seller's data administrators and site admins."""
    return _may_see(user, invoice, administered_provider_ids(session, user))


def find_invoice(session: Session, number: str) -> Invoice:
    invoice = session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise NotFound("Invoice")
    return invoice


def require_invoice(session: Session, user: User, number: str) -> Invoice:
    """The invoice, or NotFound for whoever may not see it: its existence stays private."""
    invoice = find_invoice(session, number)
    if not may_see_invoice(session, user, invoice):
        raise NotFound("Invoice")
    return invoice


def _page(
    session: Session, where: ColumnElement[bool], page: int, page_size: int
) -> tuple[list[Invoice], int]:
    """One page of the invoices matching ``where``, newest first; and how many match."""
    total = session.scalar(select(func.count(Invoice.id)).where(where)) or 0
    query = (
        select(Invoice)
        .where(where)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(session.scalars(query)), total


def buyer_invoices(
    session: Session, user: User, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[Invoice], int]:
    """One page of what ``user`` was invoiced, newest first; and how many in all."""
    return _page(session, Invoice.buyer_id == user.id, page, page_size)


def seller_invoices(
    session: Session, user: User, provider_id: int, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[Invoice], int]:
    """One page of what the provider invoiced, newest first, and how many in all; for
    its data administrators and admins."""
    check_can_manage_provider(session, user, provider_id)
    return _page(session, Invoice.seller_id == provider_id, page, page_size)


def order_invoices(session: Session, user: User, order_id: int) -> list[Invoice]:
    """The invoices of one purchase that ``user`` may see, oldest first."""
    query = select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id)
    administered = administered_provider_ids(session, user)
    return [i for i in session.scalars(query) if _may_see(user, i, administered)]


def render_again(session: Session, user: User, invoice: Invoice, now: datetime) -> None:
    """Queue the PDF to be made again from the snapshot (site admins): after a failure
    that was fixed, or to replace a file that was lost."""
    check_admin(user)
    queue_render(session, invoice, now)


def queue_render(session: Session, invoice: Invoice, now: datetime) -> None:
    """Make the invoice's PDF due now, with a fresh retry schedule (the operator's way)."""
    invoice.status = RenderStatus.PENDING
    invoice.attempts = 0
    invoice.next_attempt_at = now
    invoice.leased_until = None
    note_new_invoices(session, 1)


def unrendered_invoices(session: Session, user: User) -> list[Invoice]:
    """Invoices whose PDF is still to come or was given up on (site admins), oldest first."""
    check_admin(user)
    query = select(Invoice).where(Invoice.status != RenderStatus.RENDERED).order_by(Invoice.id)
    return list(session.scalars(query))
