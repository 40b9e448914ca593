"""Acquiring an offering (WStore ``POST /api/contracting``, store-ge.md §4.4, §6.2,
store-wire.md §10.6): its preconditions and texts, in WStore's order, then an order in
the buyer's project, a contract, the initial charge and its payment.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import OfferStatus
from mercato.commerce.charges import Charge, initial_charge
from mercato.commerce.contracts import (
    NO_TAX_ADDRESS,
    TaxAddressData,
    charge_record,
    check_tax_address,
    create_contract,
    has_purchased,
    keep_tax_address,
    record_charge,
    stored_tax_address,
)
from mercato.commerce.models import Contract
from mercato.commerce.money import NO_TAX, Currency, Tax
from mercato.commerce.payments.gateway import Gateway, Gateways, PaymentRequest
from mercato.commerce.payments.lifecycle import start_payment
from mercato.commerce.plans import Plan, Units, check_reserved_plan, choose_plan
from mercato.commerce.registry import plan_currency, registered_units, tax_for
from mercato.errors import Invalid
from mercato.ordering.models import Project
from mercato.ordering.orders import OrderRequest, place_order
from mercato.ordering.projects import require_own_project
from mercato.store.models import StoreOffering
from mercato.store.naming import compare_versions
from mercato.usage.limits import check_limits

NOT_PUBLISHED = "This offering can't be purchased"
OPEN = "Open offerings cannot be purchased"
TERMS_NOT_ACCEPTED = "You must accept the terms and conditions of the offering to acquire it"
ALREADY_PURCHASED = "The offering has been already purchased"
NO_PROJECT = "choose the project the purchase goes to"
# An offering without plans is free: WStore's empty pricing model.
FREE_PLAN: Plan = {"label": "", "title": "Free"}


@dataclass(frozen=True)
class PurchaseRequest:
    """What a buyer asks for. No ``tax_address``: the stored one."""

    gateway: str
    project_id: int | None = None
    plan_label: str | None = None
    conditions_accepted: bool = False
    tax_address: TaxAddressData | None = None


@dataclass(frozen=True)
class Quote:
    """What the purchase would be, before anything is written."""

    plan: Plan
    currency: Currency
    tax: Tax
    charge: Charge
    tax_address: TaxAddressData
    gateway: Gateway
    project: Project
    units: Units


@dataclass(frozen=True)
class Estimate:
    """What a plan charges at purchase, before the buyer has checked out: taxed for the
    country of their stored tax address, untaxed (``country`` empty) when they have none."""

    plan: Plan
    currency: Currency
    tax: Tax
    charge: Charge
    country: str


@dataclass(frozen=True)
class Purchase:
    """A purchase made: paid already, or waiting for the buyer at ``redirect_url``."""

    contract: Contract
    redirect_url: str | None


def _check_offering(session: Session, buyer: User, offering: StoreOffering, accepted: bool) -> None:
    if offering.offer.status != OfferStatus.PUBLISHED:
        raise Invalid.field("offering", NOT_PUBLISHED)
    if offering.is_open:
        raise Invalid.field("offering", OPEN)
    if offering.legal and not accepted:
        raise Invalid.field("conditions_accepted", TERMS_NOT_ACCEPTED)
    if has_purchased(session, buyer, offering.offer_id):
        raise Invalid.field("offering", ALREADY_PURCHASED)


def _tax_address(session: Session, buyer: User, given: TaxAddressData | None) -> TaxAddressData:
    if given is None:
        stored = stored_tax_address(session, buyer)
        if stored is None:
            raise Invalid.field("tax_address", NO_TAX_ADDRESS)
        return stored
    return check_tax_address(given)


def _owns_earlier_version(session: Session, buyer: User, offering: StoreOffering) -> bool:
    versions = session.execute(
        select(StoreOffering.offer_id, StoreOffering.version).where(
            StoreOffering.service_id == offering.service_id
        )
    ).all()
    return any(
        compare_versions(version, offering.version) < 0 and has_purchased(session, buyer, offer_id)
        for offer_id, version in versions
    )


def _plan(offering: StoreOffering, label: str | None) -> Plan:
    if not offering.price_plans:
        return FREE_PLAN
    return choose_plan(offering.price_plans, label)


def _priced(
    session: Session, plan: Plan, country: str, now: datetime, units: Units
) -> tuple[Currency, Tax, Charge]:
    """The plan's currency, the tax of ``country`` (none when empty) and the charge at
    purchase."""
    currency = plan_currency(session, plan.get("currency"))
    tax = tax_for(session, country) if country else NO_TAX
    return currency, tax, initial_charge(plan, units, currency, tax, now)


def estimate(
    session: Session, buyer: User, offering: StoreOffering, label: str | None, now: datetime
) -> Estimate:
    """What ``quote`` would charge for the plan labelled ``label``, with the buyer's stored
    tax address if any; nothing else is checked yet (the acquire flow does)."""
    plan = _plan(offering, label)
    address = stored_tax_address(session, buyer)
    country = address.country if address else ""
    currency, tax, charge = _priced(session, plan, country, now, registered_units(session))
    return Estimate(plan, currency, tax, charge, country)


def quote(
    session: Session,
    buyer: User,
    offering: StoreOffering,
    wanted: PurchaseRequest,
    gateways: Gateways,
    now: datetime,
) -> Quote:
    """Check the request as WStore does, in its order, and price it; writes nothing."""
    label = wanted.plan_label or ""
    check_reserved_plan(
        {"label": label},
        owns_earlier_version=bool(label) and _owns_earlier_version(session, buyer, offering),
        # Mercato has no developer role: site admins stand for WStore's developers.
        is_developer=buyer.is_admin,
    )
    _check_offering(session, buyer, offering, wanted.conditions_accepted)
    address = _tax_address(session, buyer, wanted.tax_address)
    gateway = gateways.get(wanted.gateway)
    plan = _plan(offering, wanted.plan_label)
    units = registered_units(session)
    currency, tax, charge = _priced(session, plan, address.country, now, units)
    if wanted.project_id is None:
        raise Invalid.field("project", NO_PROJECT)
    project = require_own_project(session, buyer, wanted.project_id)
    return Quote(plan, currency, tax, charge, address, gateway, project, units)


def acquire(
    session: Session,
    buyer: User,
    offering: StoreOffering,
    wanted: PurchaseRequest,
    gateways: Gateways,
    *,
    base_url: str,
    timeout: timedelta,
    now: datetime,
) -> Purchase:
    """Buy the offering: an order in the buyer's project, its contract, and the initial
    charge's payment. Nothing to pay, or a gateway that settles at once: paid now."""
    found = quote(session, buyer, offering, wanted, gateways, now)
    check_limits(session, buyer.id, found.currency.code, found.charge.amount.total, now)
    if wanted.tax_address is not None:
        keep_tax_address(session, buyer, found.tax_address)
    order = place_order(session, buyer, found.project, offering.offer, OrderRequest(values={}))
    contract = create_contract(
        session,
        order,
        buyer,
        found.plan,
        found.currency,
        found.tax,
        found.tax_address,
        found.units,
    )
    record = charge_record(found.charge, now)
    if found.charge.amount.total == 0:
        record_charge(session, contract, record, now)
        return Purchase(contract, None)
    site = base_url.rstrip("/")
    request = PaymentRequest(
        purchase_ref=contract.ref,
        amount=found.charge.amount.total,
        currency=found.currency.code,
        description=f"{offering.service.name} {offering.version}",
        return_url=f"{site}/purchases/{contract.ref}/accept",
        cancel_url=f"{site}/purchases/{contract.ref}/cancel",
    )
    redirect = start_payment(
        session, contract, found.gateway, request, record, now=now, timeout=timeout
    )
    return Purchase(contract, redirect)
