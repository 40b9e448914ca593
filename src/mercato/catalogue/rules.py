"""Catalogue rules: services, offers and who may manage them."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, column, exists, or_, select, table
from sqlalchemy.orm import Session, joinedload, selectinload

from mercato.accounts.models import DataAdministrator, Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.catalogue.bundles import unbundle
from mercato.catalogue.iids import next_iid
from mercato.catalogue.models import (
    Category,
    Offer,
    OfferCategory,
    OfferStatus,
    Oms,
    OrderType,
    ScientificDomain,
    Service,
    ServiceStatus,
    Term,
)
from mercato.catalogue.omses import available_omses, default_oms, oms_params_problem
from mercato.catalogue.parameters import check_parameters
from mercato.catalogue.urls import NOT_A_URL, is_valid_url
from mercato.db import unique_slug
from mercato.errors import Conflict, Forbidden, Invalid, NotFound

_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class OfferData:
    """Everything a provider sets on an offer; rules normalise it before saving."""

    name: str
    description: str
    order_type: OrderType
    internal: bool = False
    order_url: str = ""
    primary_oms_id: int | None = None
    oms_params: dict[str, Any] = field(default_factory=dict)
    offer_category: OfferCategory | None = None
    parameters: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    bundle_exclusive: bool = False

    @classmethod
    def of(cls, offer: Offer) -> "OfferData":
        return cls(**{f.name: getattr(offer, f.name) for f in fields(cls)})


# --- who may do what -------------------------------------------------------------


def can_manage_service(session: Session, user: User, service: Service) -> bool:
    """Admins and the data administrators of the service's provider manage it."""
    return user.is_admin or service.provider_id in administered_provider_ids(session, user)


def check_can_manage_service(session: Session, user: User, service: Service) -> None:
    if not can_manage_service(session, user, service):
        raise Forbidden()


def _live_services() -> Select[tuple[Service]]:
    return (
        select(Service)
        .where(Service.status != ServiceStatus.DELETED)
        .order_by(Service.id)
        .options(selectinload(Service.provider))
    )


def managed_services(session: Session, user: User) -> list[Service]:
    """Services the user administers through their providers, by id, not deleted."""
    query = _live_services().join(Provider).join(DataAdministrator)
    return list(session.scalars(query.where(DataAdministrator.email == user.email)).unique())


def manageable_services(session: Session, user: User) -> list[Service]:
    """What the user may manage: every service for site admins, else their providers'."""
    if not user.is_admin:
        return managed_services(session, user)
    return list(session.scalars(_live_services()))


# --- services ----------------------------------------------------------------------


def matches_service(reference: str) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [Service.slug == reference, Service.pid == reference]
    if reference.isdigit():
        conditions.append(Service.id == int(reference))
    return or_(*conditions)


def find_service(session: Session, reference: str) -> Service | None:
    """A service by slug, numeric id or PID, as the EOSC API addresses resources."""
    query = select(Service).where(matches_service(reference)).order_by(Service.id)
    return session.scalars(query).first()


def require_service(session: Session, reference: str) -> Service:
    service = find_service(session, reference)
    if service is None:
        raise NotFound("Resource")
    return service


def named_rows(session: Session, model: type[Term], names: list[str]) -> list[Any]:
    """The vocabulary's terms of these names, in that order; missing ones are added."""
    rows = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        row = session.scalar(select(model).where(model.name == name))
        if row is None:
            row = model(name=name, slug=unique_slug(session, model.slug, name))
            session.add(row)
            session.flush()
        rows.append(row)
    return rows


def create_service(
    session: Session,
    *,
    provider: Provider,
    name: str,
    description: str,
    order_type: OrderType,
    pid: str | None = None,
    tagline: str = "",
    webpage: str = "",
    categories: list[str] | None = None,
    scientific_domains: list[str] | None = None,
    status: ServiceStatus = ServiceStatus.PUBLISHED,
    slug: str | None = None,
    service_id: int | None = None,
) -> Service:
    """Create a service; a data set may keep its numeric id (``service_id``)."""
    name = name.strip()
    if not name:
        raise Invalid.field("name", "can't be blank")
    if service_id is not None and session.get(Service, service_id) is not None:
        raise Conflict.field("id", "is already taken")
    if pid and session.scalar(select(Service.id).where(Service.pid == pid)):
        raise Invalid.field("pid", "is already taken")
    if webpage and not _URL.match(webpage):
        raise Invalid.field("webpage", "must start with http:// or https://")
    service = Service(
        id=service_id,
        provider=provider,
        slug=unique_slug(session, Service.slug, name, given=slug),
        pid=pid or None,
        name=name,
        tagline=tagline,
        description=description,
        webpage=webpage,
        order_type=order_type,
        status=status,
        categories=named_rows(session, Category, categories or []),
        scientific_domains=named_rows(session, ScientificDomain, scientific_domains or []),
    )
    session.add(service)
    session.flush()
    return service


# --- offers ------------------------------------------------------------------------


def find_offer(session: Session, service: Service, reference: str) -> Offer | None:
    if not reference.isdigit():
        return None
    return session.scalar(
        select(Offer).where(Offer.service_id == service.id, Offer.iid == int(reference))
    )


def require_offer(session: Session, service: Service, reference: str) -> Offer:
    offer = find_offer(session, service, reference)
    if offer is None:
        raise NotFound("Offer")
    return offer


def require_service_offer(session: Session, service_reference: str, reference: str) -> Offer:
    """``require_offer`` of ``require_service``'s service, with its service, in one query."""
    if reference.isdigit():
        service_id = (
            select(Service.id)
            .where(matches_service(service_reference))
            .order_by(Service.id)
            .limit(1)
            .scalar_subquery()
        )
        offer = session.scalar(
            select(Offer)
            .where(Offer.service_id == service_id, Offer.iid == int(reference))
            .options(joinedload(Offer.service))
        )
        if offer is not None:
            return offer
    # Not found: which of the two, as the EOSC API words it.
    return require_offer(session, require_service(session, service_reference), reference)


def published_offers(session: Session, service: Service) -> list[Offer]:
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.service_id == service.id, Offer.status == OfferStatus.PUBLISHED)
            .order_by(Offer.iid)
        )
    )


def standalone_offers(session: Session, service: Service) -> list[Offer]:
    """Published offers that may be ordered on their own: not those meant only for
    bundles (the EOSC Marketplace's ``inclusive`` offers)."""
    return [offer for offer in published_offers(session, service) if not offer.bundle_exclusive]


def normalised_offer(data: OfferData) -> OfferData:
    """Drop what the order type makes meaningless, as the EOSC Marketplace does silently."""
    internal = data.internal and data.order_type == OrderType.ORDER_REQUIRED
    return replace(
        data,
        name=data.name.strip(),
        description=data.description.strip(),
        internal=internal,
        order_url=data.order_url.strip(),
        primary_oms_id=data.primary_oms_id if internal else None,
        oms_params={k: v for k, v in data.oms_params.items() if v not in ("", None)}
        if internal
        else {},
        tags=list(dict.fromkeys(t.strip() for t in data.tags if t.strip())),
    )


def _oms_problems(
    data: OfferData, oms: Oms | None, available: Collection[Oms], default: Oms | None
) -> dict[str, str]:
    """``primary_oms``, then ``oms_params`` against the current OMS (reference §8.6)."""
    problems = {}
    current = default
    if data.primary_oms_id is not None:
        if oms is None:
            problems["primary_oms"] = "doesn't exist"
        else:
            current = oms
            if oms not in available:
                problems["primary_oms"] = "has to be available in the service scope"
    if data.internal:
        custom_params = current.custom_params if current is not None else {}
        problem = oms_params_problem(custom_params, data.oms_params)
        if problem:
            problems["oms_params"] = problem
    return problems


def _order_type_problem(
    data: OfferData, service: Service, others: Collection[OrderType]
) -> dict[str, str]:
    """The EOSC rule that a service's first matching offer keeps the service's order type.

    ``others`` are the order types of the service's other published offers; once
    one of them has the service's order type, this offer may differ (§8.4).
    """
    if data.order_type == service.order_type or service.order_type in others:
        return {}
    return {"order_type": f"must be the same as in the service: {service.order_type.value}"}


def _other_order_types(session: Session, service: Service, offer: Offer | None) -> list[OrderType]:
    query = select(Offer.order_type).where(
        Offer.service_id == service.id, Offer.status == OfferStatus.PUBLISHED
    )
    if offer is not None and offer.id is not None:
        query = query.where(Offer.id != offer.id)
    return list(session.scalars(query))


def check_offer(
    session: Session,
    service: Service,
    data: OfferData,
    *,
    offer: Offer | None = None,
    status: OfferStatus = OfferStatus.DRAFT,
) -> OfferData:
    """Validate offer data against the catalogue's rules; returns the normalised data.

    Every broken field is reported at once, as a form needs (and as the EOSC
    Marketplace's model validation does). A published ``status`` adds the rule
    on the service's order type; ``offer`` is the offer being changed, if any.
    """
    data = normalised_offer(data)
    oms = session.get(Oms, data.primary_oms_id) if data.primary_oms_id is not None else None
    available = available_omses(session, service) if oms is not None else []
    # The URL rule governs new writes only: a data set keeps the URLs a site once took.
    related = (
        {"order_url": NOT_A_URL} if data.order_url and not is_valid_url(data.order_url) else {}
    )
    related.update(_oms_problems(data, oms, available, default_oms(session)))
    if status == OfferStatus.PUBLISHED:
        others = _other_order_types(session, service, offer)
        related.update(_order_type_problem(data, service, others))
    return check_offer_fields(data, related)


def check_offer_fields(data: OfferData, related: dict[str, str] | None = None) -> OfferData:
    """Check an offer's own fields; ``related`` are problems found against other rows.

    A data set checks only the fields: how an offer relates to its OMS and
    service is a rule for new writes, which a site's history may have outgrown.
    Keys follow the EOSC Marketplace's validation order (reference §8.6).
    """
    problems = {}
    if not data.name:
        problems["name"] = "can't be blank"
    if not data.description:
        problems["description"] = "can't be blank"
    details: dict[str, str] = {}
    try:
        parameters = check_parameters(data.parameters)
    except Invalid as invalid:
        problems["parameters"] = invalid.errors["parameters"][0]
        details = invalid.details
    problems.update(related or {})
    if problems:
        errors = {field: [message] for field, message in problems.items()}
        shown = {field: message for field, message in problems.items() if field != "parameters"}
        raise Invalid(errors, {**shown, **details})
    return replace(data, parameters=parameters)


def create_offer(
    session: Session,
    service: Service,
    data: OfferData,
    status: OfferStatus = OfferStatus.PUBLISHED,
) -> Offer:
    data = check_offer(session, service, data, status=status)
    offer = Offer(service=service, iid=next_iid(session, service, Offer.iid), status=status)
    session.add(offer)
    _apply(session, offer, data)
    session.flush()
    return offer


def update_offer(
    session: Session,
    offer: Offer,
    changes: dict[str, Any],
    status: OfferStatus | None = None,
) -> Offer:
    """Apply a partial change; ``parameters`` given replace the whole list."""
    if offer.status == OfferStatus.DELETED:
        raise Invalid.field("status", "a deleted offer cannot be changed")
    if changes.get("primary_oms_id") is not None:
        # An OMS without custom params takes none, whatever was sent (reference §8.3).
        new_oms = session.get(Oms, changes["primary_oms_id"])
        if new_oms is not None and not new_oms.custom_params:
            changes = {**changes, "oms_params": {}}
    data = check_offer(
        session,
        offer.service,
        replace(OfferData.of(offer), **changes),
        offer=offer,
        status=status or offer.status,
    )
    _apply(session, offer, data)
    if status is not None:
        offer.status = status
    session.flush()
    return offer


def _apply(session: Session, offer: Offer, data: OfferData) -> None:
    for item in fields(OfferData):
        if item.name != "primary_oms_id":
            setattr(offer, item.name, getattr(data, item.name))
    # Through the relationship, so the loaded offer never shows a stale OMS.
    offer.primary_oms = session.get(Oms, data.primary_oms_id) if data.primary_oms_id else None


def delete_offer(session: Session, offer: Offer) -> None:
    """Remove the offer, or mark it deleted when orders or bundles refer to it.

    It leaves its bundles first (``unbundle``). A main offer is never removed while
    bundles name it: the EOSC Marketplace refuses that too, but keeps the offer
    published; Mercato marks it deleted, as it does for an offer with orders.
    When a single published offer is left, it takes the service's order type
    again, as the EOSC Marketplace does.
    """
    service = offer.service
    if unbundle(session, offer) or offer_has_orders(session, offer):
        offer.status = OfferStatus.DELETED
    else:
        session.delete(offer)
    session.flush()
    remaining = published_offers(session, service)
    if len(remaining) == 1 and remaining[0].order_type != service.order_type:
        update_offer(session, remaining[0], {"order_type": service.order_type})


def can_view_service(session: Session, user: User | None, service: Service) -> bool:
    """Published services are public; the others only to those who manage them."""
    if service.status == ServiceStatus.PUBLISHED:
        return True
    return user is not None and can_manage_service(session, user, service)


def current_offers(session: Session, service: Service) -> list[Offer]:
    """Published and draft offers, as their managers see them."""
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.service_id == service.id, Offer.status != OfferStatus.DELETED)
            .order_by(Offer.iid)
        )
    )


def require_current_offer(session: Session, service: Service, reference: str) -> Offer:
    offer = find_offer(session, service, reference)
    if offer is None or offer.status == OfferStatus.DELETED:
        raise NotFound("Offer")
    return offer


def require_visible_service(session: Session, user: User | None, reference: str) -> Service:
    """The service named, if ``user`` (None: anyone) may see it; not found otherwise."""
    service = find_service(session, reference)
    if service is None or not can_view_service(session, user, service):
        raise NotFound("Service")
    return service


def require_managed_service(session: Session, user: User, reference: str) -> Service:
    """The service named (not found), if ``user`` manages it (forbidden)."""
    service = find_service(session, reference)
    if service is None:
        raise NotFound("Service")
    check_can_manage_service(session, user, service)
    return service


def require_managed_offer(
    session: Session, user: User, service_reference: str, offer_reference: str
) -> tuple[Service, Offer]:
    """A published or draft offer (not found) of a service ``user`` manages (forbidden),
    with that service."""
    service = require_managed_service(session, user, service_reference)
    return service, require_current_offer(session, service, offer_reference)


def require_orderable_offer(
    session: Session, service_reference: str, offer_reference: str
) -> Offer:
    """A published offer of a published service; not found otherwise."""
    service = find_service(session, service_reference)
    offer = find_offer(session, service, offer_reference) if service is not None else None
    if (
        offer is None
        or offer.status != OfferStatus.PUBLISHED
        or offer.service.status != ServiceStatus.PUBLISHED
    ):
        raise NotFound("Offer")
    return offer


# An order names its offer by foreign key; the catalogue asks the table by name rather
# than import the ordering area, which builds on the catalogue.
_ORDERS = table("orders", column("offer_id"))


def offer_has_orders(session: Session, offer: Offer) -> bool:
    return bool(session.scalar(select(exists().where(_ORDERS.c.offer_id == offer.id))))
