"""Build real rows in one call each: users with tokens, providers, services, offers, OMSes."""

import itertools
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider, User
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Offer, OfferStatus, OrderType, Service
from mercato.catalogue.rules import OfferData
from mercato.ordering.models import Oms, OmsType, Order, Project
from mercato.ordering.rules import create_oms

T = TypeVar("T")

PASSWORD = "correct horse battery"

ALL_PARAMETERS: list[dict[str, Any]] = [
    {
        "id": "0",
        "type": "attribute",
        "label": "Storage",
        "description": "Disk per VM",
        "value": "100",
        "value_type": "integer",
        "unit": "GB",
    },
    {
        "id": "1",
        "type": "input",
        "label": "Project code",
        "description": None,
        "unit": None,
        "value_type": "string",
        "sensitive": False,
    },
    {
        "id": "2",
        "type": "select",
        "label": "CPU cores",
        "description": "Cores per VM",
        "config": {"values": [1, 2, 4], "mode": "buttons"},
        "value_type": "integer",
        "unit": "CPUs",
    },
    {
        "id": "3",
        "type": "multiselect",
        "label": "Regions",
        "description": None,
        "config": {"values": ["eu-west", "eu-central"], "minItems": 1, "maxItems": 2},
        "value_type": "string",
        "unit": None,
    },
    {
        "id": "4",
        "type": "date",
        "label": "Start",
        "description": "First day of use",
        "value_type": "string",
    },
    {
        "id": "5",
        "type": "range",
        "label": "Memory",
        "description": None,
        "unit": "GB",
        "value_type": "integer",
        "config": {
            "minimum": 1,
            "maximum": 64,
            "exclusiveMinimum": False,
            "exclusiveMaximum": None,
        },
    },
    {
        "id": "6",
        "type": "quantity_price",
        "label": "Hours",
        "description": None,
        "value_type": "integer",
        "config": {"start_price": 10, "step_price": 2, "max": 100, "currency": "EUR"},
    },
]


@dataclass
class TokenUser:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-User-Token": self.token}


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._numbers = itertools.count(1)

    def _done(self, row: T) -> T:
        self.session.commit()
        return row

    def user(self, email: str | None = None, **fields: Any) -> User:
        number = next(self._numbers)
        fields.setdefault("first_name", "User")
        fields.setdefault("last_name", str(number))
        return self._done(
            accounts.create_user(
                self.session,
                email=email or f"user{number}@example.org",
                password=PASSWORD,
                **fields,
            )
        )

    def token_user(self, email: str | None = None, **fields: Any) -> TokenUser:
        user = self.user(email, **fields)
        _, plain = accounts.issue_token(self.session, user)
        return self._done(TokenUser(user, plain))

    def provider(self, *administrators: User, name: str | None = None) -> Provider:
        return self._done(
            accounts.create_provider(
                self.session,
                name=name or f"Provider {next(self._numbers)}",
                data_administrator_emails=[user.email for user in administrators],
            )
        )

    def service(
        self, provider: Provider | None = None, *, name: str | None = None, **fields: Any
    ) -> Service:
        fields.setdefault("description", "A service for tests")
        fields.setdefault("order_type", OrderType.ORDER_REQUIRED)
        return self._done(
            catalogue.create_service(
                self.session,
                provider=provider or self.provider(),
                name=name or f"Service {next(self._numbers)}",
                **fields,
            )
        )

    def offer(
        self,
        service: Service | None = None,
        *,
        status: OfferStatus = OfferStatus.PUBLISHED,
        **fields: Any,
    ) -> Offer:
        fields.setdefault("name", f"Offer {next(self._numbers)}")
        fields.setdefault("description", "An offer for tests")
        fields.setdefault("order_type", OrderType.ORDER_REQUIRED)
        return self._done(
            catalogue.create_offer(
                self.session, service or self.service(), OfferData(**fields), status
            )
        )

    def oms(self, name: str | None = None, *, type: OmsType = OmsType.GLOBAL, **fields: Any) -> Oms:
        return self._done(
            create_oms(self.session, name=name or f"OMS {next(self._numbers)}", type=type, **fields)
        )

    def order(self, offer: Offer, owner: User | None = None) -> Order:
        project = Project(owner=owner or self.user(), name="Test project")
        order = Order(project=project, iid=1, offer_id=offer.id)
        self.session.add(order)
        return self._done(order)
