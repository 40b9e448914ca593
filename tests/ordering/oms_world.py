"""A marketplace with three OMSes and their administrators, for the access tests.

- `default`: the operations team's OMS (administered by `operator`); it owns
  orders of offers that name no primary OMS.
- `provider_oms`: a provider-group OMS (administered by `provider`), primary OMS
  of `provider_offer`.
- `other_oms`: a global OMS (administered by `other`), primary OMS of `other_offer`.
- `nobody` administers no OMS.

`shared` holds an order of each of the three offers (iids 1: default, 2:
provider, 3: other); `default_only` holds one order of the default OMS's offer.
"""

from dataclasses import dataclass

from mercato.catalogue.models import Offer, Oms, OmsType
from mercato.ordering.models import Order, Project
from tests.factories import ALL_PARAMETERS, Factory, TokenUser


@dataclass
class World:
    default: Oms
    provider_oms: Oms
    other_oms: Oms
    operator: TokenUser
    provider: TokenUser
    other: TokenUser
    nobody: TokenUser
    default_offer: Offer
    provider_offer: Offer
    other_offer: Offer
    shared: Project
    default_only: Project
    default_order: Order
    provider_order: Order
    other_order: Order
    default_only_order: Order

    def caller(self, name: str) -> TokenUser:
        return {
            "operator": self.operator,
            "provider": self.provider,
            "other": self.other,
            "nobody": self.nobody,
        }[name]

    def oms(self, name: str) -> Oms:
        return {
            "default": self.default,
            "provider_oms": self.provider_oms,
            "other_oms": self.other_oms,
        }[name]


def build_world(make: Factory) -> World:
    operator = make.token_user(first_name="Olivia", last_name="Operator")
    provider = make.token_user(first_name="Paul", last_name="Provider")
    other = make.token_user(first_name="Otto", last_name="Other")
    nobody = make.token_user(first_name="Nora", last_name="Nobody")
    organisation = make.provider(name="Nordic Cloud")
    service = make.service(organisation, name="Cloud Compute")
    default = make.oms("SOMBO", is_default=True, administrators=[operator.user])
    provider_oms = make.oms(
        "Nordic OMS",
        type=OmsType.PROVIDER_GROUP,
        providers=[organisation],
        administrators=[provider.user],
    )
    other_oms = make.oms("Other OMS", administrators=[other.user])
    default_offer = make.offer(service, name="Basic", internal=True, parameters=ALL_PARAMETERS)
    provider_offer = make.offer(
        service, name="Large", internal=True, primary_oms_id=provider_oms.id
    )
    other_offer = make.offer(service, name="Huge", internal=True, primary_oms_id=other_oms.id)
    customer = make.user(first_name="Cleo", last_name="Customer", email="cleo@example.org")
    shared = make.project(customer, name="Dark matter")
    default_only = make.project(customer, name="Light matter")
    return World(
        default=default,
        provider_oms=provider_oms,
        other_oms=other_oms,
        operator=operator,
        provider=provider,
        other=other,
        nobody=nobody,
        default_offer=default_offer,
        provider_offer=provider_offer,
        other_offer=other_offer,
        shared=shared,
        default_only=default_only,
        default_order=make.order(default_offer, shared),
        provider_order=make.order(provider_offer, shared),
        other_order=make.order(other_offer, shared),
        default_only_order=make.order(default_offer, default_only),
    )
