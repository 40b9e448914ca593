"""The bundle form: what the page offers to choose from, and reading what was submitted."""

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload
from starlette.datastructures import FormData

from mercato.catalogue.bundles import VOCABULARIES, BundleData
from mercato.catalogue.models import (
    Bundle,
    Offer,
    OfferStatus,
    OrderType,
    Service,
    ServiceStatus,
    Term,
)
from mercato.errors import Invalid

FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "order_type": "Order type",
    "main_offer": "Main offer",
    "offers": "Bundled offers",
    "bundle_goals": "Bundle goals",
    "capabilities_of_goals": "Capabilities of goals",
    "target_users": "Target users",
    "scientific_domains": "Scientific domains",
    "marketplace_locations": "Marketplace locations",
    "categories": "Categories",
    "helpdesk_url": "Helpdesk URL",
    "contact_email": "Contact e-mail",
    "related_training_url": "Related training URL",
}


@dataclass(frozen=True)
class BundleForm:
    """The form's inputs as text, so a refused form shows exactly what was chosen."""

    name: str = ""
    description: str = ""
    order_type: str = OrderType.ORDER_REQUIRED.value
    main_offer: str = ""  # an offer id
    offers: list[str] = field(default_factory=list)  # offer ids
    # Vocabularies' term names.
    categories: list[str] = field(default_factory=list)
    scientific_domains: list[str] = field(default_factory=list)
    bundle_goals: list[str] = field(default_factory=list)
    capabilities_of_goals: list[str] = field(default_factory=list)
    target_users: list[str] = field(default_factory=list)
    marketplace_locations: list[str] = field(default_factory=list)
    helpdesk_url: str = ""
    contact_email: str = ""
    related_training: bool = False
    related_training_url: str = ""


@dataclass(frozen=True)
class Choices:
    """What the form lets a data administrator pick."""

    main_offers: list[Offer]  # the service's current offers
    offers: list[Offer]  # published offers of published services, and the bundle's own
    terms: dict[str, list[Term]]  # every term of each vocabulary, by the bundle's field


def bundle_form(bundle: Bundle) -> BundleForm:
    return BundleForm(
        name=bundle.name,
        description=bundle.description,
        order_type=bundle.order_type.value,
        main_offer=str(bundle.main_offer_id),
        offers=[str(offer.id) for offer in bundle.offers],
        **{name: [term.name for term in getattr(bundle, name)] for name in VOCABULARIES},
        helpdesk_url=bundle.helpdesk_url,
        contact_email=bundle.contact_email,
        related_training=bundle.related_training,
        related_training_url=bundle.related_training_url,
    )


def submitted_form(submitted: FormData) -> BundleForm:
    def text(name: str) -> str:
        return str(submitted.get(name, ""))

    def chosen(name: str) -> list[str]:
        return [str(value) for value in submitted.getlist(name)]

    return BundleForm(
        name=text("name"),
        description=text("description"),
        order_type=text("order_type"),
        main_offer=text("main_offer"),
        offers=chosen("offers"),
        **{name: chosen(name) for name in VOCABULARIES},
        helpdesk_url=text("helpdesk_url"),
        contact_email=text("contact_email"),
        related_training="related_training" in submitted,
        related_training_url=text("related_training_url"),
    )


def choices(session: Session, service: Service, bundle: Bundle | None) -> Choices:
    """Only the bundle's own offers are shown whatever their status: the others of other
    providers are nobody's business here until published."""
    ids = [entry.offer_id for entry in bundle.bundle_offers] if bundle is not None else []
    offers = (
        select(Offer)
        .join(Service, Service.id == Offer.service_id)
        .where(
            or_(
                (Offer.status == OfferStatus.PUBLISHED)
                & (Service.status == ServiceStatus.PUBLISHED),
                Offer.id.in_(ids),
            )
        )
        .order_by(Service.name, Service.id, Offer.iid)
        .options(joinedload(Offer.service))
    )
    main_offers = (
        select(Offer)
        .where(Offer.service_id == service.id, Offer.status != OfferStatus.DELETED)
        .order_by(Offer.iid)
    )
    return Choices(
        main_offers=list(session.scalars(main_offers)),
        offers=list(session.scalars(offers)),
        terms={
            name: list(session.scalars(select(model).order_by(model.name)))
            for name, model in VOCABULARIES.items()
        },
    )


def _order_type(value: str) -> OrderType:
    try:
        return OrderType(value)
    except ValueError:
        raise Invalid.field("order_type", f"must be one of: {', '.join(OrderType)}") from None


def _main_offer(form: BundleForm, offered: Choices) -> Offer:
    if not form.main_offer:
        raise Invalid.field("main_offer", "can't be blank")
    for offer in offered.main_offers:
        if str(offer.id) == form.main_offer:
            return offer
    raise Invalid.field("main_offer", "must be an offer of the bundle's service")


def bundle_data(form: BundleForm, offered: Choices) -> BundleData:
    """What the form says; Invalid for a choice the form never offered."""
    by_id = {str(offer.id): offer for offer in offered.offers}
    return BundleData(
        name=form.name,
        description=form.description,
        order_type=_order_type(form.order_type),
        main_offer=_main_offer(form, offered),
        offers=[by_id[value] for value in form.offers if value in by_id],
        **{
            name: [term for term in terms if term.name in getattr(form, name)]
            for name, terms in offered.terms.items()
        },
        helpdesk_url=form.helpdesk_url,
        contact_email=form.contact_email,
        related_training=form.related_training,
        related_training_url=form.related_training_url,
    )
