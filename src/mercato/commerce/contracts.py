"""Contracts: what a purchase bought (a snapshot of the plan), its charges, its state,
and the buyer's tax address (store-ge.md §2 ``Purchase``/``Contract``, §5.3, §6.7).

A purchase is an order in the buyer's project with a contract beside it: OMSes,
triggers and the event feed see it as any other order.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pycountry
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from mercato.accounts.models import User
from mercato.catalogue.models import Offer, Service
from mercato.commerce.charges import Charge, ChargedPart, Concept, PartKind
from mercato.commerce.models import (
    Contract,
    ContractCharge,
    ContractState,
    Payment,
    PaymentStatus,
    PricingModel,
    TaxAddress,
)
from mercato.commerce.money import Amount, Currency, Tax
from mercato.commerce.plans import Plan, Units, UnitTerms, is_function
from mercato.commerce.suspension import reinstate
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.ordering.models import Order, StatusType
from mercato.ordering.orders import update_order
from mercato.usage.records import mark_charged

NO_TAX_ADDRESS = "The customer does not have a tax address"
INVALID_TAX_ADDRESS = "The tax address is not valid"
ROLLED_BACK = "payment cancelled"
ADDRESS_FIELDS = ("street", "postal", "city", "country")

# Called once per purchase, in its transaction, when its first payment went through
# (or at once when nothing is due): invoices, provider notifications.
FirstPaymentHook = Callable[[Session, Contract], None]
_first_payment_hooks: list[FirstPaymentHook] = []


def on_first_payment(hook: FirstPaymentHook) -> FirstPaymentHook:
    """Register ``hook`` to run after each purchase's first payment; usable as a decorator."""
    if hook not in _first_payment_hooks:
        _first_payment_hooks.append(hook)
    return hook


def remove_first_payment_hook(hook: FirstPaymentHook) -> None:
    _first_payment_hooks.remove(hook)


# Called once per recorded charge (initial, renewal, usage; free ones too), in the
# transaction that records it, with the time it was charged: invoices, revenue sharing.
ChargeHook = Callable[[Session, Contract, Charge, datetime], None]
_charge_hooks: list[ChargeHook] = []


def on_charge(hook: ChargeHook) -> ChargeHook:
    """Register ``hook`` to run for each charge recorded; usable as a decorator."""
    if hook not in _charge_hooks:
        _charge_hooks.append(hook)
    return hook


# --- tax addresses ---------------------------------------------------------------------


@dataclass(frozen=True)
class TaxAddressData:
    street: str = ""
    postal: str = ""
    city: str = ""
    country: str = ""

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


def check_tax_address(address: TaxAddressData) -> TaxAddressData:
    """Every field given, the country an ISO 3166 code or name (kept as its code)."""
    fields = {name: value.strip() for name, value in address.as_dict().items()}
    if not all(fields.values()):
        raise Invalid.field("tax_address", INVALID_TAX_ADDRESS)
    try:
        country = pycountry.countries.lookup(fields["country"])
    except LookupError:
        raise Invalid.field("tax_address", INVALID_TAX_ADDRESS) from None
    return TaxAddressData(**{**fields, "country": country.alpha_2})


def stored_tax_address(session: Session, user: User) -> TaxAddressData | None:
    row = session.get(TaxAddress, user.id)
    if row is None:
        return None
    return TaxAddressData(row.street, row.postal, row.city, row.country)


def keep_tax_address(session: Session, user: User, address: TaxAddressData) -> None:
    """Store (or replace) the buyer's tax address for their next purchases."""
    row = session.get(TaxAddress, user.id) or TaxAddress(user_id=user.id)
    row.street, row.postal, row.city, row.country = (
        address.street,
        address.postal,
        address.city,
        address.country,
    )
    session.add(row)


# --- contracts ---------------------------------------------------------------------------


def new_ref() -> str:
    """An opaque purchase reference, as long as WStore's (a MongoDB ObjectId in hex)."""
    return secrets.token_hex(12)


def has_purchased(session: Session, user: User, offer_id: int) -> bool:
    """Whether the buyer holds a purchase of the offer that was not rolled back."""
    query = select(Contract.id).where(
        Contract.customer_id == user.id,
        Contract.offer_id == offer_id,
        Contract.state != ContractState.CANCELLED,
    )
    return session.scalar(query.limit(1)) is not None


def unit_snapshot(plan: Plan, units: Units) -> dict[str, dict[str, Any]]:
    """The terms of the units the plan's components are given in, as registered now."""
    components = [*(plan.get("price_components") or []), *(plan.get("deductions") or [])]
    used = {str(c["unit"]).lower() for c in components if not is_function(c) and "unit" in c}
    return {
        name: {"model": units[name].model.value, "renewal_days": units[name].renewal_days}
        for name in sorted(used)
        if name in units
    }


def contract_units(contract: Contract, registered: Callable[[], Units]) -> Units:
    """The units' terms as the contract was made with them, so an admin changing a unit
    later (its renewal period, its model) changes no contract. Contracts made before
    the snapshot was kept read the registry (``registered``)."""
    kept = contract.components.get("units")
    if kept is None:
        return registered()
    return {
        name: UnitTerms(PricingModel(terms["model"]), terms.get("renewal_days"))
        for name, terms in kept.items()
    }


def create_contract(
    session: Session,
    order: Order,
    customer: User,
    plan: Plan,
    currency: Currency,
    tax: Tax,
    address: TaxAddressData,
    units: Units,
) -> Contract:
    contract = Contract(
        ref=new_ref(),
        order_id=order.id,
        offer_id=order.offer_id,
        customer_id=customer.id,
        state=ContractState.PENDING,
        plan_label=str(plan.get("label", "")),
        plan_title=str(plan.get("title", "")),
        components={
            "price_components": list(plan.get("price_components") or []),
            "deductions": list(plan.get("deductions") or []),
            "units": unit_snapshot(plan, units),
        },
        currency=currency.code,
        minor_unit=currency.minor_unit,
        tax_rate=tax.rate,
        tax_label=tax.label,
        tax_address=address.as_dict(),
    )
    session.add(contract)
    session.flush()
    return contract


def charge_record(charge: Charge, start: datetime) -> dict[str, Any]:
    """A charge as a payment keeps it until paid; renewals count from the payment."""
    return {
        "concept": charge.concept.value,
        "duty_free": str(charge.amount.duty_free),
        "tax": str(charge.amount.tax),
        "total": str(charge.amount.total),
        "parts": [
            {
                "kind": p.kind.value,
                "label": p.label,
                "price": str(p.price),
                "use": None if p.use is None else str(p.use),
            }
            for p in charge.parts
        ],
        "renewal_seconds": [(due - start).total_seconds() for due in charge.renewal_dates],
    }


def record_charge(
    session: Session, contract: Contract, record: dict[str, Any], now: datetime
) -> None:
    """The charge paid: kept when it cost something (WStore), subscriptions renewed from now,
    and the usage records it rated (``record["usage"]``) marked charged, all in this
    transaction: use is never charged twice, nor marked without its charge."""
    kept = None
    if Decimal(record["total"]) > 0:
        kept = ContractCharge(
            contract_id=contract.id,
            concept=record["concept"],
            currency=contract.currency,
            duty_free=Decimal(record["duty_free"]),
            tax=Decimal(record["tax"]),
            total=Decimal(record["total"]),
            parts=record["parts"],
            charged_at=now,
        )
        session.add(kept)
    if record.get("usage"):
        session.flush()
        mark_charged(session, contract.id, record["usage"], kept.id if kept else None, now)
    dates = [now + timedelta(seconds=seconds) for seconds in record["renewal_seconds"]]
    contract.renewal_dates = [due.isoformat() for due in dates]
    contract.next_renewal_at = min(dates, default=None)
    mark_paid(session, contract, now)
    charge = recorded_charge(contract, record, now)
    for hook in list(_charge_hooks):
        hook(session, contract, charge, now)


def recorded_charge(contract: Contract, record: dict[str, Any], now: datetime) -> Charge:
    """The charge a record (``charge_record``) keeps, renewal dates counted from ``now``."""
    parts = tuple(
        ChargedPart(
            PartKind(part["kind"]),
            part["label"],
            Decimal(part["price"]),
            None if part.get("use") is None else Decimal(part["use"]),
        )
        for part in record["parts"]
    )
    amount = Amount(
        contract.currency,
        Decimal(record["duty_free"]),
        Decimal(record["tax"]),
        Decimal(record["total"]),
        contract.tax_rate,
    )
    renewals = tuple(now + timedelta(seconds=s) for s in record["renewal_seconds"])
    return Charge(Concept(record["concept"]), parts, amount, renewals)


def mark_paid(session: Session, contract: Contract, now: datetime) -> None:
    """Paid (a suspended purchase reinstated); the first time, the after-first-payment
    hooks run, once."""
    if contract.state == ContractState.SUSPENDED:
        reinstate(session, contract)
    contract.state = ContractState.PAID
    if contract.paid_at is not None:
        return
    contract.paid_at = now
    session.flush()
    for hook in list(_first_payment_hooks):
        hook(session, contract)


def roll_back(session: Session, contract: Contract) -> None:
    """A payment that never went through (WStore's rollback): a purchase with a charge
    stays as it was (paid, or suspended: a failed renewal never undoes a purchase); one
    without is cancelled and its order rejected, which OMSes see."""
    session.refresh(contract, ["charges"])
    if contract.charges or contract.paid_at is not None:
        return
    contract.state = ContractState.CANCELLED
    update_order(session, contract.order, author=None, status=(StatusType.REJECTED, ROLLED_BACK))


# --- reading purchases -----------------------------------------------------------------


def _with_offer(query: Select[tuple[Contract]]) -> Select[tuple[Contract]]:
    return query.options(
        joinedload(Contract.offer).joinedload(Offer.service).joinedload(Service.provider),
        joinedload(Contract.customer),
        joinedload(Contract.order),
        selectinload(Contract.charges),
    ).order_by(Contract.id.desc())


def purchases_of(session: Session, user: User) -> list[Contract]:
    """The buyer's purchases, newest first."""
    query = _with_offer(select(Contract).where(Contract.customer_id == user.id))
    return list(session.scalars(query).unique())


def sales_of(session: Session, provider_ids: set[int]) -> list[Contract]:
    """The purchases of the providers' offerings, newest first."""
    query = _with_offer(
        select(Contract)
        .join(Offer, Offer.id == Contract.offer_id)
        .join(Service, Service.id == Offer.service_id)
        .where(Service.provider_id.in_(provider_ids))
    )
    return list(session.scalars(query).unique())


def find_purchase(session: Session, ref: str) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.ref == ref))
    if contract is None:
        raise NotFound("Purchase")
    return contract


def require_own_purchase(session: Session, user: User, ref: str) -> Contract:
    """The buyer's purchase; someone else's is forbidden (WStore checked no owner)."""
    contract = find_purchase(session, ref)
    if contract.customer_id != user.id:
        raise Forbidden("You are not the buyer of this purchase")
    return contract


def pending_payment(contract: Contract) -> Payment | None:
    return next((p for p in contract.payments if p.status == PaymentStatus.PENDING), None)
