"""Turn the demo specs into rows through the same rules that check users' own data."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider, User
from mercato.catalogue import rules as catalogue
from mercato.catalogue.models import Offer, OfferStatus, Service
from mercato.catalogue.rules import OfferData
from mercato.demo.catalogue import PROVIDERS
from mercato.demo.omses import OMSES
from mercato.demo.people import PEOPLE
from mercato.demo.projects import PROJECTS
from mercato.demo.specs import (
    MessageSpec,
    OfferSpec,
    OmsSpec,
    OrderSpec,
    PersonSpec,
    ProjectSpec,
    ProviderSpec,
    ServiceSpec,
)
from mercato.demo.store_loader import load_store
from mercato.ordering.messages import post_message
from mercato.ordering.models import Oms, Order, Project
from mercato.ordering.orders import OrderRequest, place_order, update_order
from mercato.ordering.projects import ProjectData, create_project
from mercato.ordering.registry import create_oms
from mercato.store.assets import Files

TOKEN_LABEL = "demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str
    password: str
    token: str


def load_demo(session: Session, files: Files) -> list[DemoAccount]:
    """Create the demo users, providers, services, OMSes, offers, orders and store offerings.

    Flushes, never commits; files are stored in ``files`` once the transaction commits.

    Returns one account per demo user, with the password and a fresh API token.
    """
    users = {person.email: _create_user(session, person) for person in PEOPLE}
    providers = {spec.name: _create_provider(session, spec) for spec in PROVIDERS}
    services = {
        spec.name: _create_service(session, providers[provider.name], spec)
        for provider in PROVIDERS
        for spec in provider.services
    }
    # After the services, which a dedicated OMS names; before the offers, which name OMSes.
    omses = {spec.name: _create_oms(session, spec, users, providers, services) for spec in OMSES}
    for provider in PROVIDERS:
        for service in provider.services:
            for offer in service.offers:
                _create_offer(session, services[service.name], offer, omses)
    for project in PROJECTS:
        _create_project(session, project, users, services)
    load_store(session, files, users, providers)
    return [_account(session, person, users[person.email]) for person in PEOPLE]


def _create_user(session: Session, person: PersonSpec) -> User:
    return accounts.create_user(
        session,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        password=person.password,
        is_admin=person.is_admin,
    )


def _create_provider(session: Session, spec: ProviderSpec) -> Provider:
    return accounts.create_provider(
        session,
        name=spec.name,
        description=spec.description,
        website=spec.website,
        abbreviation=spec.abbreviation,
        data_administrator_emails=list(spec.administrators),
    )


def _create_service(session: Session, provider: Provider, spec: ServiceSpec) -> Service:
    return catalogue.create_service(
        session,
        provider=provider,
        name=spec.name,
        description=spec.description,
        order_type=spec.order_type,
        pid=spec.pid,
        tagline=spec.tagline,
        webpage=spec.webpage,
        categories=list(spec.categories),
        scientific_domains=list(spec.scientific_domains),
    )


def _create_oms(
    session: Session,
    spec: OmsSpec,
    users: dict[str, User],
    providers: dict[str, Provider],
    services: dict[str, Service],
) -> Oms:
    return create_oms(
        session,
        name=spec.name,
        type=spec.type,
        is_default=spec.is_default,
        custom_params=spec.custom_params,
        administrators=[users[email] for email in spec.administrators],
        providers=[providers[name] for name in spec.providers],
        service=services[spec.service] if spec.service else None,
    )


def _create_offer(
    session: Session, service: Service, spec: OfferSpec, omses: dict[str, Oms]
) -> Offer:
    data = OfferData(
        name=spec.name,
        description=spec.description,
        order_type=spec.order_type,
        internal=spec.internal,
        order_url=spec.order_url,
        primary_oms_id=omses[spec.oms].id if spec.oms else None,
        oms_params=dict(spec.oms_params),
        offer_category=spec.category,
        parameters=list(spec.parameters),
        tags=list(spec.tags),
    )
    status = OfferStatus.DRAFT if spec.is_draft else OfferStatus.PUBLISHED
    return catalogue.create_offer(session, service, data, status)


def _create_project(
    session: Session, spec: ProjectSpec, users: dict[str, User], services: dict[str, Service]
) -> Project:
    data = ProjectData(
        name=spec.name,
        customer_typology=spec.customer_typology,
        organization=spec.organization,
        department=spec.department,
        country=spec.country,
        collaboration_countries=list(spec.collaboration_countries),
        scientific_domains=list(spec.scientific_domains),
    )
    project = create_project(session, users[spec.owner], data)
    for message in spec.messages:
        _post(session, project, None, message, users)
    for order in spec.orders:
        _create_order(session, project, order, users, services[order.service])
    return project


def _create_order(
    session: Session, project: Project, spec: OrderSpec, users: dict[str, User], service: Service
) -> Order:
    offer = next(offer for offer in service.offers if offer.name == spec.offer)
    order = place_order(session, project.owner, project, offer, OrderRequest(values=spec.values))
    for status_type, value, author in spec.statuses:
        update_order(session, order, author=users[author], status=(status_type, value))
    for message in spec.messages:
        _post(session, project, order, message, users)
    return order


def _post(
    session: Session,
    project: Project,
    order: Order | None,
    spec: MessageSpec,
    users: dict[str, User],
) -> None:
    post_message(
        session,
        project=project,
        order=order,
        scope=spec.scope,
        role=spec.role,
        author=users[spec.author],
        content=spec.content,
    )


def _roles_of(user: User) -> str:
    """What the user may do, in words: "operator, OMS admin: Mercato Operations"."""
    roles = list(user.site_roles)
    if any(spec.is_default and user.email in spec.administrators for spec in OMSES):
        roles.append("operator")
    omses = [spec.name for spec in OMSES if user.email in spec.administrators]
    providers = [spec.name for spec in PROVIDERS if user.email in spec.administrators]
    if omses:
        roles.append("OMS admin: " + " and ".join(omses))
    if providers:
        roles.append("data administrator: " + " and ".join(providers))
    return ", ".join(roles) or "customer"


def _account(session: Session, person: PersonSpec, user: User) -> DemoAccount:
    _, token = accounts.issue_token(session, user, TOKEN_LABEL)
    return DemoAccount(
        email=user.email,
        name=user.name,
        roles=_roles_of(user),
        password=person.password,
        token=token,
    )
