"""What a recorded charge brings, in its transaction: every charge its invoice
(store-ge.md §7), a purchase's first payment the provider's notification (§8).

Imported by the app and the worker at start, which registers the hooks. The invoice is
made from the contract's snapshot (plan components, currency, tax address), so a
renewal bills what was bought even if the offering changed since.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.commerce.charges import Charge
from mercato.commerce.contracts import contract_units, on_charge, on_first_payment
from mercato.commerce.invoices import OfferingName, TaxAddress, issue_invoice
from mercato.commerce.models import Contract
from mercato.commerce.money import Currency
from mercato.commerce.notifications import notify_purchase
from mercato.commerce.registry import registered_units
from mercato.queue import queue_settings
from mercato.store.models import StoreOffering


def bought_offering(session: Session, contract: Contract) -> StoreOffering:
    return session.scalars(
        select(StoreOffering).where(StoreOffering.offer_id == contract.offer_id)
    ).one()


def buyer_organization(contract: Contract) -> str:
    """Mercato's buyers have no organization: the buyer's name stands for it, as the
    invoice's customer and the provider's notification show it."""
    return contract.customer.name or contract.customer.uid


@on_charge
def invoice_charge(session: Session, contract: Contract, charge: Charge, now: datetime) -> None:
    offering = bought_offering(session, contract)
    provider = offering.service.provider
    issue_invoice(
        session,
        seller=provider.id,
        buyer=contract.customer_id,
        buyer_organization=buyer_organization(contract),
        buyer_name=contract.customer.name,
        order_id=contract.id,
        reference=contract.ref,
        offering=OfferingName(provider.name, offering.service.name, offering.version),
        resources=[(asset.name, asset.description) for asset in offering.assets],
        tax_address=TaxAddress(**contract.tax_address),
        charge=charge,
        plan=dict(contract.components),
        # The units' terms as bought, as the charge was made with them.
        units=contract_units(contract, lambda: registered_units(session)),
        currency=Currency(contract.currency, contract.minor_unit),
        issued_at=now,
    )


@on_first_payment
def notify_provider(session: Session, contract: Contract) -> None:
    settings = queue_settings(session)
    # Only sessions that hand their commits to a queue can have the notification sent
    # (the app's, the worker's, the CLI's); others (tests arranging rows) owe none.
    if settings is None:
        return
    offering = bought_offering(session, contract)
    notify_purchase(
        session,
        settings,
        offering=offering,
        customer=buyer_organization(contract),
        reference=contract.ref,
        resources=offering.assets,
    )
