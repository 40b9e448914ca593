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
from mercato.demo.specs import OfferSpec, OmsSpec, PersonSpec, ProviderSpec, ServiceSpec
from mercato.ordering.models import Oms
from mercato.ordering.rules import create_oms

TOKEN_LABEL = "demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str
    password: str
    token: str


def load_demo(session: Session) -> list[DemoAccount]:
    """Create the demo users, providers, services, OMSes and offers; flushes, never commits.

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
    return [_account(session, person, users[person.email]) for person in PEOPLE]


def _create_user(session: Session, person: PersonSpec) -> User:
    return accounts.create_user(
        session,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        password=person.password,
        is_admin=person.is_admin,
        is_operator=person.is_operator,
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


def _roles_of(user: User) -> str:
    """What the user may do, in words: "operator, OMS admin: Mercato Operations"."""
    roles = list(user.site_roles)
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
