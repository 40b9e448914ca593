"""The shapes of demo data: plain descriptions that the loader turns into rows through the rules.

Specs name each other (an OMS names its providers, an offer its OMS) so the
catalogue reads as data, without ids that only exist once rows are created.
"""

from dataclasses import dataclass, field
from typing import Any

from mercato.catalogue.models import OfferCategory, OrderType
from mercato.ordering.models import AuthorRole, CustomerTypology, MessageScope, OmsType, StatusType

Parameter = dict[str, Any]


@dataclass(frozen=True)
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    password: str
    is_admin: bool = False


@dataclass(frozen=True)
class OmsSpec:
    name: str
    type: OmsType
    administrators: tuple[str, ...]
    is_default: bool = False
    custom_params: dict[str, Any] = field(default_factory=dict)
    providers: tuple[str, ...] = ()
    service: str | None = None


@dataclass(frozen=True)
class OfferSpec:
    name: str
    description: str
    order_type: OrderType
    category: OfferCategory
    parameters: tuple[Parameter, ...] = ()
    internal: bool = False
    order_url: str = ""
    # An OMS by name; None leaves internal orders with the default OMS.
    oms: str | None = None
    oms_params: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    is_draft: bool = False


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    tagline: str
    description: str
    webpage: str
    order_type: OrderType
    categories: tuple[str, ...]
    scientific_domains: tuple[str, ...]
    offers: tuple[OfferSpec, ...]
    pid: str | None = None


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    abbreviation: str
    website: str
    description: str
    administrators: tuple[str, ...]
    services: tuple[ServiceSpec, ...]


@dataclass(frozen=True)
class MessageSpec:
    author: str  # an e-mail
    role: AuthorRole
    content: str
    scope: MessageScope = MessageScope.PUBLIC


@dataclass(frozen=True)
class OrderSpec:
    service: str
    offer: str
    values: dict[str, Any] = field(default_factory=dict)
    # (type, value, by whom) steps after the order is placed
    statuses: tuple[tuple[StatusType, str, str], ...] = ()
    messages: tuple[MessageSpec, ...] = ()


@dataclass(frozen=True)
class ProjectSpec:
    owner: str
    name: str
    customer_typology: CustomerTypology
    organization: str
    department: str
    country: str
    scientific_domains: tuple[str, ...]
    orders: tuple[OrderSpec, ...]
    collaboration_countries: tuple[str, ...] = ()
    messages: tuple[MessageSpec, ...] = ()


@dataclass(frozen=True)
class AssetSpec:
    """A store asset: a small file shipped with the demo, or a link for an API."""

    name: str
    version: str
    description: str
    content_type: str
    is_open: bool
    file_name: str = ""
    content: str = ""
    link: str = ""


@dataclass(frozen=True)
class ReviewSpec:
    author: str  # an e-mail
    rating: int
    title: str
    comment: str
    reply: str = ""


@dataclass(frozen=True)
class StoreOfferingSpec:
    provider: str
    publisher: str  # a data administrator's e-mail
    name: str
    version: str
    abstract: str
    description: str
    is_open: bool
    assets: tuple[AssetSpec, ...]
    tags: tuple[str, ...] = ()
    legal: tuple[str, str] | None = None  # (title, text)
    reviews: tuple[ReviewSpec, ...] = ()
    is_published: bool = True
