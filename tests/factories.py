"""Build real rows in one call each: users with tokens, providers, services, offers, bundles,
OMSes."""

import itertools
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider, User
from mercato.catalogue import bundles
from mercato.catalogue import rules as catalogue
from mercato.catalogue.bundles import REQUIRED_VOCABULARIES, BundleData
from mercato.catalogue.models import (
    Bundle,
    BundleStatus,
    Offer,
    OfferStatus,
    Oms,
    OmsType,
    OrderType,
    Service,
)
from mercato.catalogue.omses import create_oms
from mercato.catalogue.rules import OfferData
from mercato.ordering.messages import post_message
from mercato.ordering.models import AuthorRole, Message, MessageScope, Order, Project
from mercato.ordering.orders import OrderRequest, place_order
from mercato.ordering.projects import ProjectData, create_project
from mercato.settings import Settings

# The term a factory bundle has of each vocabulary it needs one of.
TERMS = {
    "bundle_goals": "Processing",
    "capabilities_of_goals": "Compute",
    "target_users": "Researchers",
    "scientific_domains": "Physics",
    "marketplace_locations": "Process and Analyse",
}

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


def sample_value(parameter: dict[str, Any]) -> Any:
    """A value the parameter accepts, as a customer would fill it in."""
    config = parameter.get("config", {})
    match parameter["type"]:
        case "input":
            return "42" if parameter["value_type"] == "integer" else "ABC-1"
        case "select":
            return config["values"][0]
        case "multiselect":
            return config["values"][: config["minItems"]]
        case "date":
            return "2026-12-01"
        case "range":
            return config["maximum"]
        case "quantity_price":
            return 1
    return None


def sample_values(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {p["id"]: sample_value(p) for p in parameters if p["type"] != "attribute"}


@dataclass
class TokenUser:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-User-Token": self.token}


# OMSes are arranged as an admin who allowed every network would save them, so
# triggers may call loopback receivers; tests of the allow-list call the rules themselves.
EVERY_NETWORK = Settings(outgoing_allowed_networks="0.0.0.0/0, ::/0")


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
        # A service's first published offer has the service's order type (EOSC's rule).
        service = service or self.service(order_type=fields["order_type"])
        return self._done(
            catalogue.create_offer(self.session, service, OfferData(**fields), status)
        )

    def bundle(
        self,
        main_offer: Offer,
        offers: list[Offer],
        *,
        status: BundleStatus = BundleStatus.PUBLISHED,
        **fields: Any,
    ) -> Bundle:
        fields.setdefault("name", f"Bundle {next(self._numbers)}")
        fields.setdefault("description", "A bundle for tests")
        fields.setdefault("order_type", main_offer.order_type)
        fields.setdefault("helpdesk_url", "https://helpdesk.example.org")
        for name, model in REQUIRED_VOCABULARIES.items():
            fields.setdefault(name, catalogue.named_rows(self.session, model, [TERMS[name]]))
        data = BundleData(main_offer=main_offer, offers=offers, **fields)
        return self._done(bundles.create_bundle(self.session, main_offer.service, data, status))

    def oms(self, name: str | None = None, *, type: OmsType = OmsType.GLOBAL, **fields: Any) -> Oms:
        return self._done(
            create_oms(
                self.session,
                EVERY_NETWORK,
                name=name or f"OMS {next(self._numbers)}",
                type=type,
                **fields,
            )
        )

    def project(self, owner: User | None = None, **fields: Any) -> Project:
        fields.setdefault("name", f"Project {next(self._numbers)}")
        return self._done(create_project(self.session, owner or self.user(), ProjectData(**fields)))

    def order(
        self,
        offer: Offer,
        project: Project | None = None,
        *,
        values: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Order:
        project = project or self.project()
        request = OrderRequest(
            values=sample_values(offer.parameters) if values is None else values, **fields
        )
        return self._done(place_order(self.session, project.owner, project, offer, request))

    def message(
        self,
        target: Project | Order,
        *,
        scope: MessageScope = MessageScope.PUBLIC,
        role: AuthorRole = AuthorRole.USER,
        author: User | None = None,
        content: str = "Hello",
    ) -> Message:
        order = target if isinstance(target, Order) else None
        project = target.project if isinstance(target, Order) else target
        return self._done(
            post_message(
                self.session,
                project=project,
                order=order,
                scope=scope,
                role=role,
                author=author or project.owner,
                content=content,
            )
        )
