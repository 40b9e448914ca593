"""Fixtures for buying: a published, priced offering with terms, a buyer with a project,
the built-in gateways, and a shortcut to buy."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.commerce.contracts import TaxAddressData
from mercato.commerce.models import TaxRate
from mercato.commerce.payments.gateway import Gateways
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.purchases import Purchase, PurchaseRequest, acquire
from mercato.ordering.models import Project
from mercato.store.models import StoreOffering
from tests.factories import Factory
from tests.store.world import Store

MONTHLY = {
    "label": "monthly",
    "title": "Monthly",
    "description": "Setup and a monthly fee",
    "currency": "EUR",
    "price_components": [
        {"label": "setup", "description": "Once", "value": "5", "unit": "single payment"},
        {"label": "fee", "description": "Each month", "value": "10", "unit": "per month"},
    ],
}
FREE = {"label": "free", "title": "Free", "description": "No charge"}
LEGAL = {"title": "Licence", "text": "Use it well."}
MADRID = TaxAddressData("Calle Mayor 1", "28013", "Madrid", "ES")
TIMEOUT = timedelta(seconds=300)
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
OFFERING = "/store/offerings/conwet/Smart%20City%20Lights/1.0"


@dataclass
class Shop:
    session: Session
    offering: StoreOffering
    buyer: User
    project: Project
    gateways: Gateways

    def request(self, **changes: object) -> PurchaseRequest:
        wanted = PurchaseRequest(
            gateway="sandbox",
            project_id=self.project.id,
            plan_label="monthly",
            conditions_accepted=True,
            tax_address=MADRID,
        )
        return replace(wanted, **changes)

    def buy(self, now: datetime = NOW, **changes: object) -> Purchase:
        bought = acquire(
            self.session,
            self.buyer,
            self.offering,
            self.request(**changes),
            self.gateways,
            base_url="http://127.0.0.1:8000",
            timeout=TIMEOUT,
            now=now,
        )
        self.session.commit()
        return bought


@pytest.fixture
def shop(store: Store, seller, make: Factory, session: Session) -> Shop:
    session.add(TaxRate(country="ES", rate=Decimal(21), label="IVA"))
    session.commit()
    provider = store.provider(seller)
    asset = store.asset(provider)
    offering = store.offering(
        provider, seller, bound=[asset], publish=True, price_plans=[MONTHLY, FREE], legal=LEGAL
    )
    buyer = make.user("buyer@example.org")
    project = make.project(buyer, name="Smart city pilot")
    return Shop(session, offering, buyer, project, Gateways([SandboxGateway(), OfflineGateway()]))
