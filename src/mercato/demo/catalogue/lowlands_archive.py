"""Lowlands Social Data Archive: survey data, text corpora, data management and deposit."""

from mercato.catalogue.models import OfferCategory, OrderType
from mercato.demo.parameters import (
    attribute,
    date,
    input_field,
    multiselect,
    quantity_price,
    select,
)
from mercato.demo.people import JAN
from mercato.demo.specs import OfferSpec, ProviderSpec, ServiceSpec

_WEB = "https://example.org/lowlands-archive"

_SURVEY_ARCHIVE = ServiceSpec(
    name="Survey Data Archive",
    tagline="Decades of social surveys, documented and citable",
    description=(
        "Microdata and documentation of national and European social surveys, election "
        "studies and panel studies, described in DDI and citable with DOIs. Open data "
        "can be downloaded at once; restricted data needs a signed agreement."
    ),
    webpage=f"{_WEB}/surveys",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Data",),
    scientific_domains=("Social Sciences",),
    pid="lsda.survey_archive",
    offers=(
        OfferSpec(
            name="Open survey datasets",
            description="Download public-use files after accepting the terms of use.",
            order_type=OrderType.FULLY_OPEN_ACCESS,
            category=OfferCategory.DATA_SOURCE,
            order_url=f"{_WEB}/surveys/open",
            tags=("surveys", "open-data"),
        ),
        OfferSpec(
            name="Restricted microdata",
            description="Detailed microdata for approved research, under a data use agreement.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.DATA_SOURCE,
            internal=True,
            tags=("surveys", "restricted"),
            parameters=(
                input_field("purpose", "Research purpose"),
                select(
                    "mode",
                    "Access mode",
                    ["Secure download", "Remote access", "On-site"],
                    mode="buttons",
                ),
                date("from", "Access from"),
            ),
        ),
    ),
)

_CORPORA = ServiceSpec(
    name="Digital Humanities Text Corpora",
    tagline="Historical newspapers, parliamentary debates and literature, searchable",
    description=(
        "Annotated corpora of 400 years of Dutch, German and French text with a "
        "concordance search, named-entity layers and exports for text mining."
    ),
    webpage=f"{_WEB}/corpora",
    order_type=OrderType.OPEN_ACCESS,
    categories=("Data", "Analytics"),
    scientific_domains=("Humanities", "Social Sciences"),
    offers=(
        OfferSpec(
            name="Corpus search",
            description="Concordance and collocation search in the browser.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.DATA_SOURCE,
            order_url=f"{_WEB}/corpora/search",
            tags=("text-mining",),
        ),
        OfferSpec(
            name="Full-text bulk export",
            description="Complete corpora as TEI XML for text and data mining.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.DATA_SOURCE,
            order_url=f"{_WEB}/corpora/export-request",
            parameters=(
                multiselect("languages", "Languages", ["Dutch", "German", "French"], max_items=3),
            ),
        ),
    ),
)

_DMP_TOOL = ServiceSpec(
    name="Data Management Plan Tool",
    tagline="Write funder-compliant data management plans together",
    description=(
        "A collaborative editor with templates for Horizon Europe, ERC and national "
        "funders, guidance from data stewards and machine-actionable DMP export."
    ),
    webpage=f"{_WEB}/dmp",
    order_type=OrderType.FULLY_OPEN_ACCESS,
    categories=("Data", "Training"),
    scientific_domains=("Social Sciences", "Humanities", "Life Sciences"),
    offers=(
        OfferSpec(
            name="DMP authoring",
            description="Write and share plans with any institutional login.",
            order_type=OrderType.FULLY_OPEN_ACCESS,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/dmp/start",
        ),
        OfferSpec(
            name="Institutional set-up",
            description="Your institution's templates, guidance and branding.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            parameters=(
                input_field("institution", "Institution"),
                multiselect(
                    "funders",
                    "Funder templates",
                    ["Horizon Europe", "ERC", "NWO", "DFG", "Wellcome"],
                    max_items=5,
                ),
            ),
        ),
    ),
)

_DEPOSIT = ServiceSpec(
    name="Trusted Data Deposit",
    tagline="A CoreTrustSeal-certified home for your research data",
    description=(
        "Deposit datasets for long-term preservation with a DOI, a licence of your "
        "choice and format migration. Curators check documentation and privacy."
    ),
    webpage=f"{_WEB}/deposit",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Storage", "Data"),
    scientific_domains=("Social Sciences", "Humanities"),
    pid="lsda.trusted_deposit",
    offers=(
        OfferSpec(
            name="Self-deposit",
            description="Upload and publish datasets up to 50 GB yourself.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.STORAGE,
            order_url=f"{_WEB}/deposit/upload",
            parameters=(attribute("limit", "Size limit", 50, unit="GB"),),
        ),
        OfferSpec(
            name="Curated deposit",
            description="Curators prepare, document and anonymise your data before publishing.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            internal=True,
            tags=("curation",),
            parameters=(
                select("licence", "Licence", ["CC BY 4.0", "CC0 1.0", "CC BY-NC 4.0"]),
                quantity_price(
                    "curation", "Curation hours", start_price=0, step_price=65, max_quantity=80
                ),
            ),
        ),
    ),
)

_SURVEY_PLATFORM = ServiceSpec(
    name="Online Survey Platform",
    tagline="Run questionnaires with academic data protection",
    description=(
        "Design multilingual questionnaires, send them to your own sample or a "
        "recruited panel, and export responses to SPSS, Stata or R. Hosted in the EU."
    ),
    webpage=f"{_WEB}/survey-platform",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Analytics",),
    scientific_domains=("Social Sciences",),
    offers=(
        OfferSpec(
            name="Academic licence",
            description="A yearly licence for a research group.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/survey-platform/licence",
            parameters=(attribute("responses", "Responses per year", 10000),),
        ),
        OfferSpec(
            name="Panel recruitment",
            description="Representative samples from our probability-based panel; ask for a quote.",
            order_type=OrderType.OTHER,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/survey-platform/panel",
        ),
    ),
)

PROVIDER = ProviderSpec(
    name="Lowlands Social Data Archive",
    abbreviation="LSDA",
    website=_WEB,
    description=(
        "A national data archive for the social sciences and humanities, certified "
        "as a trustworthy repository."
    ),
    administrators=(JAN,),
    services=(_SURVEY_ARCHIVE, _CORPORA, _DMP_TOOL, _DEPOSIT, _SURVEY_PLATFORM),
)
