"""Demo projects: customers' orders at different stages, with their conversations."""

from mercato.demo.people import CUSTOMER, EMMA, OMS_ADMIN, OPERATOR, SOFIA
from mercato.demo.specs import MessageSpec, OrderSpec, ProjectSpec
from mercato.ordering.models import AuthorRole, CustomerTypology, MessageScope, StatusType

PROJECTS: tuple[ProjectSpec, ...] = (
    ProjectSpec(
        owner=CUSTOMER,
        name="Rare disease genomes 2027",
        customer_typology=CustomerTypology.RESEARCH,
        organization="University of Vienna",
        department="Center for Medical Genetics",
        country="Austria",
        collaboration_countries=("Germany", "Italy"),
        scientific_domains=("Life Sciences", "Medical & Health Sciences"),
        messages=(
            MessageSpec(
                OPERATOR,
                AuthorRole.MEDIATOR,
                "Welcome to Mercato! Write here if you need help choosing services.",
            ),
        ),
        orders=(
            OrderSpec(
                "Helix Sequence Analysis Platform",
                "Whole-genome analysis",
                values={
                    "analyses": ["Germline variants", "Copy number"],
                    "reference": "GRCh38",
                    "samples": 24,
                },
                statuses=(
                    (StatusType.REGISTERED, "LIMS-2291 opened", SOFIA),
                    (StatusType.IN_PROGRESS, "Samples received", SOFIA),
                ),
                messages=(
                    MessageSpec(
                        SOFIA,
                        AuthorRole.PROVIDER,
                        "All 24 samples arrived in good condition; results in about 3 weeks.",
                    ),
                    MessageSpec(CUSTOMER, AuthorRole.USER, "Thank you! Can we add 6 more?"),
                    MessageSpec(
                        SOFIA,
                        AuthorRole.PROVIDER,
                        "Customer is a returning lab; priority queue approved.",
                        MessageScope.INTERNAL,
                    ),
                ),
            ),
            OrderSpec("Helix Sequence Analysis Platform", "Pilot analysis"),
        ),
    ),
    ProjectSpec(
        owner=EMMA,
        name="Regional climate downscaling",
        customer_typology=CustomerTypology.PROJECT,
        organization="Potsdam Institute",
        department="Earth System Analysis",
        country="Germany",
        scientific_domains=("Earth & Environmental Sciences",),
        orders=(
            OrderSpec(
                "NRC Virtual Machines",
                "Standard VM",
                values={"image": "Ubuntu 24.04 LTS", "start": "2027-01-11"},
                statuses=(
                    (StatusType.IN_PROGRESS, "Quota review", OMS_ADMIN),
                    (StatusType.WAITING_FOR_RESPONSE, "Need a public key", OMS_ADMIN),
                ),
                messages=(
                    MessageSpec(
                        OMS_ADMIN,
                        AuthorRole.PROVIDER,
                        "Please send us the SSH public key for the first login.",
                    ),
                ),
            ),
            OrderSpec("Alps JupyterHub", "Interactive notebooks"),
        ),
    ),
)
