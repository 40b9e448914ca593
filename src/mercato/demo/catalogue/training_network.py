"""Open Science Training Network: courses, workshops, bootcamps and a helpdesk."""

from mercato.catalogue.models import OfferCategory, OrderType
from mercato.demo.parameters import (
    attribute,
    date,
    input_field,
    integer_range,
    multiselect,
    quantity_price,
    select,
)
from mercato.demo.people import EMMA
from mercato.demo.specs import OfferSpec, ProviderSpec, ServiceSpec

_WEB = "https://example.org/open-science-training"

_RSE_COURSES = ServiceSpec(
    name="Research Software Engineering Courses",
    tagline="Version control, testing and packaging for researchers who code",
    description=(
        "Hands-on courses taught by research software engineers: Git, testing, "
        "continuous integration, packaging and writing maintainable Python and R."
    ),
    webpage=f"{_WEB}/rse",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Training",),
    scientific_domains=("Engineering & Technology", "Physical Sciences", "Life Sciences"),
    pid="ostn.rse_courses",
    offers=(
        OfferSpec(
            name="Introduction to Git",
            description="A self-paced course with exercises and a certificate.",
            order_type=OrderType.FULLY_OPEN_ACCESS,
            category=OfferCategory.TRAINING,
            order_url=f"{_WEB}/rse/git",
            tags=("git", "self-paced"),
            parameters=(
                attribute("format", "Format", "Self-paced online"),
                attribute("length", "Length", 6, unit="hours"),
            ),
        ),
        OfferSpec(
            name="Python for scientists",
            description="A four-week cohort course with weekly live sessions.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.TRAINING,
            internal=True,
            tags=("python", "cohort"),
            parameters=(
                select("format", "Format", ["Online", "On-site in Vienna"], mode="buttons"),
                date("start", "Preferred cohort start"),
                input_field("motivation", "Motivation"),
            ),
        ),
    ),
)

_FAIR_TRAINING = ServiceSpec(
    name="FAIR Data Stewardship Training",
    tagline="Make data findable, accessible, interoperable and reusable",
    description=(
        "Courses for researchers and data stewards on metadata, vocabularies, "
        "licences and repositories, with exercises on real datasets."
    ),
    webpage=f"{_WEB}/fair",
    order_type=OrderType.OTHER,
    categories=("Training", "Data"),
    scientific_domains=("Social Sciences", "Humanities", "Life Sciences"),
    offers=(
        OfferSpec(
            name="FAIR in a day",
            description="A one-day online workshop held every month.",
            order_type=OrderType.OTHER,
            category=OfferCategory.TRAINING,
            order_url=f"{_WEB}/fair/register",
        ),
        OfferSpec(
            name="Train-the-trainer programme",
            description="Six months of mentoring to teach FAIR at your institution.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.TRAINING,
            order_url=f"{_WEB}/fair/trainers",
        ),
    ),
)

_HPC_CARPENTRY = ServiceSpec(
    name="HPC Carpentry",
    tagline="Your first steps on a cluster",
    description=(
        "The shell, job schedulers and parallel programming basics, taught with the "
        "Carpentries' method by certified instructors."
    ),
    webpage=f"{_WEB}/hpc-carpentry",
    order_type=OrderType.OPEN_ACCESS,
    categories=("Training", "Compute"),
    scientific_domains=("Physical Sciences", "Engineering & Technology"),
    offers=(
        OfferSpec(
            name="Self-study lessons",
            description="The lesson material, free to use and adapt.",
            order_type=OrderType.FULLY_OPEN_ACCESS,
            category=OfferCategory.TRAINING,
            order_url=f"{_WEB}/hpc-carpentry/lessons",
        ),
        OfferSpec(
            name="Workshop at your institute",
            description="A two-day workshop on your own cluster.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.TRAINING,
            internal=True,
            parameters=(
                integer_range("participants", "Participants", 10, 40, unit="people"),
                date("date", "Workshop date"),
                multiselect(
                    "topics",
                    "Topics",
                    ["Unix shell", "Slurm", "MPI", "OpenMP", "Python on HPC"],
                    min_items=2,
                ),
            ),
        ),
    ),
)

_HELPDESK = ServiceSpec(
    name="Open Science Helpdesk",
    tagline="Ask a data steward anything",
    description=(
        "Data stewards and copyright specialists answer questions on data management, "
        "open access publishing and licensing within two working days."
    ),
    webpage=f"{_WEB}/helpdesk",
    order_type=OrderType.OTHER,
    categories=("Training",),
    scientific_domains=("Humanities", "Social Sciences"),
    offers=(
        OfferSpec(
            name="Ask a data steward",
            description="Send a question by e-mail or book a video call.",
            order_type=OrderType.OTHER,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/helpdesk/ask",
        ),
        OfferSpec(
            name="Licensing consultation",
            description="Advice on licences for data, software and publications.",
            order_type=OrderType.OTHER,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/helpdesk/licensing",
        ),
    ),
)

_BOOTCAMP = ServiceSpec(
    name="Research Data Analytics Bootcamp",
    tagline="From spreadsheets to reproducible analysis in two weeks",
    description=(
        "An intensive course on data wrangling, statistics and machine learning with "
        "Python and Jupyter, with a capstone project on your own data."
    ),
    webpage=f"{_WEB}/bootcamp",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Training", "Analytics"),
    scientific_domains=("Social Sciences", "Life Sciences", "Engineering & Technology"),
    offers=(
        OfferSpec(
            name="Two-week bootcamp",
            description="Seats in the next bootcamp, priced per participant.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.TRAINING,
            internal=True,
            tags=("machine-learning", "jupyter"),
            parameters=(
                quantity_price("seats", "Seats", start_price=0, step_price=450, max_quantity=30),
                select("language", "Language", ["English", "German"], mode="buttons"),
            ),
        ),
        OfferSpec(
            name="Recorded lectures",
            description="Recordings and notebooks of the last bootcamp.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.TRAINING,
            order_url=f"{_WEB}/bootcamp/recordings",
        ),
        OfferSpec(
            name="Advanced machine learning bootcamp",
            description="Deep learning and MLOps for researchers; dates to be announced.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.TRAINING,
            internal=True,
            is_draft=True,
        ),
    ),
)

PROVIDER = ProviderSpec(
    name="Open Science Training Network",
    abbreviation="OSTN",
    website=_WEB,
    description=(
        "A network of universities and research infrastructures that trains "
        "researchers and support staff in open science and research computing."
    ),
    administrators=(EMMA,),
    services=(_RSE_COURSES, _FAIR_TRAINING, _HPC_CARPENTRY, _HELPDESK, _BOOTCAMP),
)
