"""Bundles: offers of one or more services ordered together, fronted by a main offer.

The rules and their texts are the EOSC Marketplace's (reference §8.7). A bundle
belongs to the service of its main offer; its other offers may be any service's.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from mercato.catalogue.fulfilment import Fulfilment, fulfilment
from mercato.catalogue.iids import next_iid
from mercato.catalogue.models import (
    Bundle,
    BundleGoal,
    BundleOffer,
    BundleStatus,
    CapabilityOfGoal,
    Category,
    MarketplaceLocation,
    Offer,
    OrderType,
    ScientificDomain,
    Service,
    ServiceStatus,
    TargetUser,
    Term,
)
from mercato.catalogue.urls import NOT_A_URL, is_valid_url
from mercato.errors import Invalid, NotFound

CANNOT_BUNDLE_MAIN_OFFER = "cannot bundle main offer"
ONLY_PUBLISHED_OFFERS = "must have only published offers selected"
ONLY_PUBLIC_SERVICES = "must have offers with public services selected"
MUST_BE_PUBLISHED = "must be published"
VOCABULARY_REQUIRED = "are required. Please add at least one"
BLANK = "can't be blank"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The vocabularies a bundle needs a term of, in the EOSC Marketplace's validation order.
REQUIRED_VOCABULARIES: dict[str, type[Term]] = {
    "bundle_goals": BundleGoal,
    "capabilities_of_goals": CapabilityOfGoal,
    "target_users": TargetUser,
    "scientific_domains": ScientificDomain,
    "marketplace_locations": MarketplaceLocation,
}
# Every vocabulary of a bundle, by the field that holds its terms.
VOCABULARIES: dict[str, type[Term]] = {**REQUIRED_VOCABULARIES, "categories": Category}


@dataclass(frozen=True)
class BundleData:
    """Everything a data administrator sets on a bundle."""

    name: str
    description: str
    order_type: OrderType
    main_offer: Offer
    offers: list[Offer]
    categories: list[Category] = field(default_factory=list)
    scientific_domains: list[ScientificDomain] = field(default_factory=list)
    bundle_goals: list[BundleGoal] = field(default_factory=list)
    capabilities_of_goals: list[CapabilityOfGoal] = field(default_factory=list)
    target_users: list[TargetUser] = field(default_factory=list)
    marketplace_locations: list[MarketplaceLocation] = field(default_factory=list)
    helpdesk_url: str = ""
    contact_email: str = ""
    related_training: bool = False
    related_training_url: str = ""

    @classmethod
    def of(cls, bundle: Bundle) -> "BundleData":
        return cls(
            name=bundle.name,
            description=bundle.description,
            order_type=bundle.order_type,
            main_offer=bundle.main_offer,
            offers=bundle.offers,
            **{name: list(getattr(bundle, name)) for name in VOCABULARIES},
            helpdesk_url=bundle.helpdesk_url,
            contact_email=bundle.contact_email,
            related_training=bundle.related_training,
            related_training_url=bundle.related_training_url,
        )


def _normalised(data: BundleData) -> BundleData:
    return replace(
        data,
        name=data.name.strip(),
        description=data.description.strip(),
        offers=list({offer.id: offer for offer in data.offers}.values()),
        helpdesk_url=data.helpdesk_url.strip(),
        contact_email=data.contact_email.strip(),
        related_training_url=data.related_training_url.strip() if data.related_training else "",
    )


def _structure_problems(service: Service, data: BundleData) -> dict[str, list[str]]:
    """What no bundle may break, however old: its main offer is its service's, not bundled."""
    problems: dict[str, list[str]] = {}
    if data.main_offer.service_id != service.id:
        problems["main_offer"] = ["must be an offer of the bundle's service"]
    if not data.offers:
        problems["offers"] = [BLANK]
    elif any(offer.id == data.main_offer.id for offer in data.offers):
        problems["offers"] = [CANNOT_BUNDLE_MAIN_OFFER]
    return problems


def _field_problems(data: BundleData) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for name in ("name", "description", "helpdesk_url"):
        if not getattr(data, name):
            problems[name] = [BLANK]
    for name in REQUIRED_VOCABULARIES:
        if not getattr(data, name):
            problems[name] = [VOCABULARY_REQUIRED]
    if data.helpdesk_url and not is_valid_url(data.helpdesk_url):
        problems["helpdesk_url"] = [NOT_A_URL]
    if data.contact_email and not _EMAIL.match(data.contact_email):
        problems["contact_email"] = ["is invalid"]
    if data.related_training and not is_valid_url(data.related_training_url):
        problems["related_training_url"] = [NOT_A_URL]
    return problems


def _offer_problems(data: BundleData, status: BundleStatus) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if status == BundleStatus.PUBLISHED and not data.main_offer.is_published:
        problems["main_offer"] = [MUST_BE_PUBLISHED]
    offers = []
    if any(not offer.is_published for offer in data.offers):
        offers.append(ONLY_PUBLISHED_OFFERS)
    if any(offer.service.status != ServiceStatus.PUBLISHED for offer in data.offers):
        offers.append(ONLY_PUBLIC_SERVICES)
    if offers:
        problems["offers"] = offers
    return problems


def check_bundle(service: Service, data: BundleData, status: BundleStatus) -> BundleData:
    """Every rule a bundle written now must keep; returns the normalised data.

    All broken fields are reported at once, as the form needs.
    """
    data = _normalised(data)
    problems = _field_problems(data)
    for more in (_offer_problems(data, status), _structure_problems(service, data)):
        for name, messages in more.items():
            problems.setdefault(name, []).extend(messages)
    if problems:
        details = {name: messages[0] for name, messages in problems.items()}
        raise Invalid(problems, details)
    return data


def _apply(bundle: Bundle, data: BundleData) -> None:
    bundle.name, bundle.description = data.name, data.description
    bundle.order_type, bundle.main_offer = data.order_type, data.main_offer
    for name in VOCABULARIES:
        setattr(bundle, name, getattr(data, name))
    bundle.helpdesk_url, bundle.contact_email = data.helpdesk_url, data.contact_email
    bundle.related_training = data.related_training
    bundle.related_training_url = data.related_training_url
    kept = {entry.offer_id: entry for entry in bundle.bundle_offers}
    entries = []
    for position, offer in enumerate(data.offers):
        entry = kept.get(offer.id) or BundleOffer(offer=offer, offer_id=offer.id)
        entry.position = position
        entries.append(entry)
    bundle.bundle_offers = entries


def create_bundle(
    session: Session,
    service: Service,
    data: BundleData,
    status: BundleStatus = BundleStatus.PUBLISHED,
) -> Bundle:
    data = check_bundle(service, data, status)
    bundle = Bundle(service=service, iid=next_iid(session, service, Bundle.iid), status=status)
    session.add(bundle)
    _apply(bundle, data)
    session.flush()
    return bundle


def update_bundle(
    session: Session, bundle: Bundle, data: BundleData, status: BundleStatus | None = None
) -> Bundle:
    status = status or bundle.status
    _apply(bundle, check_bundle(bundle.service, data, status))
    bundle.status = status
    session.flush()
    return bundle


def set_bundle_status(session: Session, bundle: Bundle, status: BundleStatus) -> Bundle:
    """Publishing checks the bundle as it stands; taking it down always works."""
    if status == BundleStatus.PUBLISHED:
        check_bundle(bundle.service, BundleData.of(bundle), status)
    bundle.status = status
    session.flush()
    return bundle


def delete_bundle(session: Session, bundle: Bundle) -> None:
    session.delete(bundle)
    session.flush()


def restore_bundle(
    session: Session,
    service: Service,
    data: BundleData,
    status: BundleStatus,
    *,
    iid: int | None = None,
    bundle_id: int | None = None,
) -> Bundle:
    """Put back a bundle as it stood elsewhere (a data set).

    Only the rules that hold for every bundle, however old, are checked: an offer
    unpublished after it was bundled, or a bundle kept while its vocabulary
    changed, loads as it was.
    """
    data = _normalised(data)
    problems = _structure_problems(service, data)
    if problems:
        raise Invalid(problems, {name: messages[0] for name, messages in problems.items()})
    taken = iid is not None and session.scalar(
        select(Bundle.id).where(Bundle.service_id == service.id, Bundle.iid == iid)
    )
    if taken:
        raise Invalid.field("iid", "is taken by another bundle of this service")
    bundle = Bundle(
        id=bundle_id,
        service=service,
        iid=iid or next_iid(session, service, Bundle.iid),
        status=status,
    )
    session.add(bundle)
    _apply(bundle, data)
    session.flush()
    return bundle


def unbundle(session: Session, offer: Offer) -> bool:
    """Take an offer that is going away out of the bundles, as the EOSC Marketplace does.

    The bundles it fronts are unpublished; those it is inside lose it and become
    drafts. Returns whether bundles still name it as their main offer: such an
    offer must never be removed.
    """
    session.execute(
        update(Bundle)
        .where(Bundle.main_offer_id == offer.id)
        .values(status=BundleStatus.UNPUBLISHED)
        .execution_options(synchronize_session="fetch")
    )
    containing = select(BundleOffer.bundle_id).where(BundleOffer.offer_id == offer.id)
    session.execute(
        update(Bundle)
        .where(Bundle.id.in_(containing))
        .values(status=BundleStatus.DRAFT)
        .execution_options(synchronize_session="fetch")
    )
    for entry in session.scalars(select(BundleOffer).where(BundleOffer.offer_id == offer.id)):
        session.delete(entry)
    session.flush()
    return fronts_bundles(session, offer)


def fronts_bundles(session: Session, offer: Offer) -> bool:
    """Whether bundles (any status) name the offer as their main offer."""
    return bool(session.scalar(select(Bundle.id).where(Bundle.main_offer_id == offer.id).limit(1)))


# --- reading ---------------------------------------------------------------------------


def _with_offers() -> tuple[object, ...]:
    # One query for the bundles' offers with their services and providers, whatever their number.
    offers = selectinload(Bundle.bundle_offers).joinedload(BundleOffer.offer)
    return (offers.joinedload(Offer.service).joinedload(Service.provider),)


def _with_vocabularies(names: Collection[str]) -> tuple[object, ...]:
    return tuple(selectinload(getattr(Bundle, name)) for name in names)


def service_bundles(
    session: Session,
    service: Service,
    statuses: Collection[BundleStatus] = tuple(BundleStatus),
    vocabularies: Collection[str] = (),
) -> list[Bundle]:
    """The bundles of a service in the given statuses, by iid, with their offers and the
    terms of the given vocabularies."""
    query = (
        select(Bundle)
        .where(Bundle.service_id == service.id, Bundle.status.in_(list(statuses)))
        .order_by(Bundle.iid)
        .options(
            selectinload(Bundle.main_offer), *_with_vocabularies(vocabularies), *_with_offers()
        )
    )
    return list(session.scalars(query))


def find_bundle(session: Session, service: Service, reference: str) -> Bundle | None:
    if not reference.isdigit():
        return None
    query = (
        select(Bundle)
        .where(Bundle.service_id == service.id, Bundle.iid == int(reference))
        .options(*_with_offers())
    )
    return session.scalar(query)


def require_bundle(session: Session, service: Service, reference: str) -> Bundle:
    bundle = find_bundle(session, service, reference)
    if bundle is None:
        raise NotFound("Bundle")
    return bundle


def offers_to_order(bundle: Bundle) -> list[Offer]:
    """What ordering the bundle orders: its main offer first, then its offers."""
    return [bundle.main_offer, *bundle.offers]


def is_orderable(bundle: Bundle) -> bool:
    """A published bundle whose every offer is published, of a published service.

    Any order type will do, as in the EOSC Marketplace: an offer ordered on the
    provider's own page is ordered there after the bundle (``external_offers``).
    """
    return bundle.is_published and all(
        offer.is_published and offer.service.status == ServiceStatus.PUBLISHED
        for offer in offers_to_order(bundle)
    )


def external_offers(bundle: Bundle) -> list[Offer]:
    """The bundle's offers the customer orders on the provider's own page."""
    return [o for o in offers_to_order(bundle) if fulfilment(o) == Fulfilment.EXTERNAL]


def bundles_containing(session: Session, offer: Offer) -> list[Bundle]:
    """The published bundles of published services that the offer is one of, by name."""
    query = (
        select(Bundle)
        .join(BundleOffer, BundleOffer.bundle_id == Bundle.id)
        .join(Service, Service.id == Bundle.service_id)
        .where(
            BundleOffer.offer_id == offer.id,
            Bundle.status == BundleStatus.PUBLISHED,
            Service.status == ServiceStatus.PUBLISHED,
        )
        .order_by(Bundle.name, Bundle.id)
        .options(selectinload(Bundle.service))
    )
    return list(session.scalars(query))


def require_orderable_bundle(session: Session, service: Service, reference: str) -> Bundle:
    """A bundle of a published service that can be ordered; not found otherwise."""
    bundle = find_bundle(session, service, reference)
    if bundle is None or service.status != ServiceStatus.PUBLISHED or not is_orderable(bundle):
        raise NotFound("Bundle")
    return bundle
