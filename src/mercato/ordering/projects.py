"""Projects: a customer's folder of orders, described by the attributes OMSes read."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import ScientificDomain
from mercato.errors import Conflict, Invalid, NotFound
from mercato.ordering.events import record_event
from mercato.ordering.models import CustomerTypology, EventType, Project

if TYPE_CHECKING:
    import pycountry.db

_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class ProjectData:
    """A project's attributes as a customer gives them (EOSC `attributes`)."""

    name: str
    customer_typology: str = CustomerTypology.SINGLE_USER
    organization: str = ""
    department: str = ""
    department_webpage: str = ""
    scientific_domains: list[str] = field(default_factory=list)
    country: str = ""
    collaboration_countries: list[str] = field(default_factory=list)
    user_group_name: str = ""


def _countries() -> "pycountry.db.Database":
    # Imported on first use, not at start: only the project form and project writes
    # need pycountry's data. Its callers are sync (a worker thread), so the first
    # import does not block the event loop.
    import pycountry

    return pycountry.countries


def _country(name: str) -> str | None:
    """The country's ISO short name, whether given by name, code or common name."""
    try:
        return _countries().lookup(name.strip()).name
    except LookupError:
        return None


def _text_problems(data: ProjectData) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not data.name.strip():
        problems["name"] = "can't be blank"
    texts = {
        "name": data.name,
        "organization": data.organization,
        "department": data.department,
        "user_group_name": data.user_group_name,
    }
    problems |= {
        key: "is too long (255 characters at most)" for key, v in texts.items() if len(v) > 255
    }
    if data.customer_typology not in set(CustomerTypology):
        choices = ", ".join(CustomerTypology)
        problems["customer_typology"] = f"must be one of: {choices}"
    webpage = data.department_webpage.strip()
    if webpage and not _URL.match(webpage):
        problems["department_webpage"] = "must be an http:// or https:// address"
    return problems


def _checked_countries(data: ProjectData, problems: dict[str, str]) -> tuple[str, list[str]]:
    country = _country(data.country) if data.country.strip() else ""
    if country is None:
        problems["country"] = f"'{data.country}' is not a known country"
    partners = [_country(name) for name in data.collaboration_countries if name.strip()]
    unknown = [n for n, c in zip(data.collaboration_countries, partners, strict=False) if c is None]
    if unknown:
        problems["collaboration_countries"] = f"'{unknown[0]}' is not a known country"
    return country or "", sorted({c for c in partners if c})


def _checked_domains(session: Session, names: list[str], problems: dict[str, str]) -> list[str]:
    wanted = [name.strip() for name in names if name.strip()]
    known = set(
        session.scalars(select(ScientificDomain.name).where(ScientificDomain.name.in_(wanted)))
    )
    unknown = [name for name in wanted if name not in known]
    if unknown:
        problems["scientific_domains"] = f"'{unknown[0]}' is not a scientific domain"
    return list(dict.fromkeys(wanted))


def check_project(session: Session, data: ProjectData) -> ProjectData:
    """Validate every attribute at once; return them normalised."""
    problems = _text_problems(data)
    country, partners = _checked_countries(data, problems)
    domains = _checked_domains(session, data.scientific_domains, problems)
    if problems:
        raise Invalid({key: [message] for key, message in problems.items()}, problems)
    return ProjectData(
        name=data.name.strip(),
        customer_typology=data.customer_typology,
        organization=data.organization.strip(),
        department=data.department.strip(),
        department_webpage=data.department_webpage.strip(),
        scientific_domains=domains,
        country=country,
        collaboration_countries=partners,
        user_group_name=data.user_group_name.strip(),
    )


def create_project(
    session: Session,
    owner: User,
    data: ProjectData,
    *,
    project_id: int | None = None,
    created_at: datetime | None = None,
) -> Project:
    """Create the project; a data set may keep the project's id and creation time."""
    data = check_project(session, data)
    if project_id is not None and session.get(Project, project_id) is not None:
        raise Conflict.field("id", "is already taken")
    project = Project(
        id=project_id,
        created_at=created_at,
        updated_at=created_at,
        owner=owner,
        name=data.name,
        customer_typology=CustomerTypology(data.customer_typology),
        organization=data.organization,
        department=data.department,
        department_webpage=data.department_webpage,
        scientific_domains=data.scientific_domains,
        country=data.country,
        collaboration_countries=data.collaboration_countries,
        user_group_name=data.user_group_name,
    )
    session.add(project)
    session.flush()
    record_event(session, type=EventType.CREATE, project=project)
    return project


def projects_of(session: Session, owner: User) -> list[Project]:
    return list(
        session.scalars(
            select(Project).where(Project.owner_id == owner.id).order_by(Project.id.desc())
        )
    )


def require_own_project(session: Session, owner: User, project_id: int) -> Project:
    """The customer's own project; another customer's project does not exist for them."""
    project = session.get(Project, project_id)
    if project is None or project.owner_id != owner.id:
        raise NotFound("Project")
    return project


def country_names() -> list[str]:
    return sorted(country.name for country in _countries())
