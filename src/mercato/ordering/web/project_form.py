"""The project form of the web UI: its choices, and reading what the customer typed."""

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mercato.catalogue.models import ScientificDomain
from mercato.ordering.models import CustomerTypology
from mercato.ordering.projects import ProjectData

TYPOLOGY_NAMES = {
    CustomerTypology.SINGLE_USER: "Single user",
    CustomerTypology.RESEARCH: "Representing a research community",
    CustomerTypology.PRIVATE_COMPANY: "Representing a private company",
    CustomerTypology.PROJECT: "Representing a project",
}
_TEXTS = ("name", "organization", "department", "department_webpage", "user_group_name")


def project_data(form: FormData) -> ProjectData:
    def text(name: str) -> str:
        return str(form.get(name, ""))

    return ProjectData(
        **{name: text(name) for name in _TEXTS},
        customer_typology=text("customer_typology"),
        scientific_domains=[str(v) for v in form.getlist("scientific_domains")],
        country=text("country"),
        collaboration_countries=[str(v) for v in form.getlist("collaboration_countries")],
    )


def scientific_domain_names(session: Session) -> list[str]:
    return list(session.scalars(select(ScientificDomain.name).order_by(ScientificDomain.name)))
