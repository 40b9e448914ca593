"""Helix Life Science Data Centre: sequencing analysis, archives, workflows, sensitive data."""

from mercato.catalogue.models import OfferCategory, OrderType
from mercato.demo.omses import HELIX_LIMS
from mercato.demo.parameters import (
    attribute,
    date,
    input_field,
    multiselect,
    quantity_price,
    select,
)
from mercato.demo.people import SOFIA
from mercato.demo.specs import OfferSpec, ProviderSpec, ServiceSpec

_WEB = "https://example.org/helix"

_SEQUENCE_ANALYSIS = ServiceSpec(
    name="Helix Sequence Analysis Platform",
    tagline="Validated pipelines from raw reads to variants",
    description=(
        "Send FASTQ or BAM files and get quality-controlled alignments, variant calls "
        "and reports from nf-core pipelines run on accredited infrastructure. Orders are "
        "tracked in the centre's own laboratory information system."
    ),
    webpage=f"{_WEB}/sequence-analysis",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Analytics", "Data"),
    scientific_domains=("Life Sciences", "Medical & Health Sciences"),
    pid="helix.sequence_analysis",
    offers=(
        OfferSpec(
            name="Whole-genome analysis",
            description="Short-read whole-genome analysis priced per sample.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            oms=HELIX_LIMS,
            oms_params={"lims_queue": "short-read"},
            tags=("genomics", "nf-core"),
            parameters=(
                multiselect(
                    "analyses",
                    "Analyses",
                    ["Germline variants", "Structural variants", "Copy number"],
                ),
                select("reference", "Reference genome", ["GRCh38", "GRCh37", "T2T-CHM13"]),
                quantity_price(
                    "samples", "Samples", start_price=50, step_price=35, max_quantity=1000
                ),
            ),
        ),
        OfferSpec(
            name="Long-read assembly",
            description="De novo assembly of Oxford Nanopore or PacBio HiFi reads.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            oms=HELIX_LIMS,
            oms_params={"lims_queue": "long-read"},
            tags=("genomics", "assembly"),
            parameters=(
                select("platform", "Platform", ["Oxford Nanopore", "PacBio HiFi"], mode="buttons"),
                input_field("species", "Species", description="Scientific name"),
                input_field("genome_size", "Expected genome size", integer=True, unit="Mb"),
            ),
        ),
        OfferSpec(
            name="Pilot analysis",
            description="A free analysis of up to five samples to check that the pipelines "
            "fit your study.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            parameters=(attribute("samples", "Samples included", 5),),
        ),
    ),
)

_PROTEIN_ARCHIVE = ServiceSpec(
    name="Helix Protein Structure Archive",
    tagline="Open archive of experimental and predicted protein structures",
    description=(
        "More than 200,000 experimentally determined structures and 50 million "
        "predictions, searchable by sequence, ligand and fold, with a REST API and "
        "weekly snapshots for bulk download."
    ),
    webpage=f"{_WEB}/protein-archive",
    order_type=OrderType.FULLY_OPEN_ACCESS,
    categories=("Data",),
    scientific_domains=("Life Sciences",),
    pid="helix.protein_archive",
    offers=(
        OfferSpec(
            name="Archive search and API",
            description="Search the archive on the web or through the REST API.",
            order_type=OrderType.FULLY_OPEN_ACCESS,
            category=OfferCategory.DATA_SOURCE,
            order_url=f"{_WEB}/protein-archive/search",
            tags=("proteins", "open-data"),
        ),
        OfferSpec(
            name="Bulk download",
            description="Weekly snapshots over Aspera or Globus after a short registration.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.DATA_SOURCE,
            order_url=f"{_WEB}/protein-archive/bulk",
            parameters=(attribute("size", "Snapshot size", 42, unit="TB"),),
        ),
    ),
)

_GALAXY = ServiceSpec(
    name="Helix Galaxy Workflows",
    tagline="Point-and-click bioinformatics with Galaxy",
    description=(
        "A Galaxy server with 3,000 tools, shared workflows and training material. "
        "Analyses run on the centre's cluster; histories can be shared and published."
    ),
    webpage=f"{_WEB}/galaxy",
    order_type=OrderType.OPEN_ACCESS,
    categories=("Analytics",),
    scientific_domains=("Life Sciences",),
    offers=(
        OfferSpec(
            name="Public Galaxy server",
            description="Free accounts with a personal storage quota.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.COMPUTE,
            order_url=f"{_WEB}/galaxy/register",
            parameters=(attribute("quota", "Storage quota", 250, unit="GB"),),
        ),
        OfferSpec(
            name="Private Galaxy instance",
            description="A Galaxy of your own for a consortium, with your tools preinstalled.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            parameters=(
                select("size", "Size", ["Small (20 users)", "Medium (100 users)", "Large"]),
                date("start", "Start"),
                date("end", "End"),
            ),
        ),
    ),
)

_SENSITIVE_DATA = ServiceSpec(
    name="Sensitive Data Vault",
    tagline="Controlled access to human data, compliant with the GDPR",
    description=(
        "An isolated analysis environment for personal and clinical data: two-factor "
        "login, no internet egress, audited data transfers and an approval workflow "
        "for every export."
    ),
    webpage=f"{_WEB}/sensitive-data",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Storage", "Security"),
    scientific_domains=("Life Sciences", "Medical & Health Sciences", "Social Sciences"),
    offers=(
        OfferSpec(
            name="Controlled-access project",
            description="A project space with storage and compute for an approved study.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            internal=True,
            tags=("gdpr", "sensitive-data"),
            parameters=(
                attribute("encryption", "Encryption at rest", "AES-256"),
                select("data", "Data category", ["Human genomic", "Clinical", "Imaging"]),
                input_field(
                    "ethics",
                    "Ethics approval reference",
                    sensitive=True,
                    description="Shown only to the data access team",
                ),
            ),
        ),
        OfferSpec(
            name="Data access committee support",
            description="We run the data access committee for your controlled datasets.",
            order_type=OrderType.OTHER,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/sensitive-data/dac",
        ),
        OfferSpec(
            name="Federated analysis node",
            description="Run approved analyses on data that never leaves a partner hospital.",
            order_type=OrderType.OTHER,
            category=OfferCategory.COMPUTE,
            order_url=f"{_WEB}/sensitive-data/federated",
            tags=("federated-learning",),
        ),
    ),
)

_BIODIVERSITY = ServiceSpec(
    name="Biodiversity Occurrence Portal",
    tagline="Species observations from museums, surveys and citizen science",
    description=(
        "Two billion occurrence records harmonised to Darwin Core, with map search, "
        "citable downloads with DOIs and an API for modelling workflows."
    ),
    webpage=f"{_WEB}/biodiversity",
    order_type=OrderType.FULLY_OPEN_ACCESS,
    categories=("Data",),
    scientific_domains=("Life Sciences", "Earth & Environmental Sciences"),
    offers=(
        OfferSpec(
            name="Occurrence search and download",
            description="Search, map and download occurrence records.",
            order_type=OrderType.FULLY_OPEN_ACCESS,
            category=OfferCategory.DATA_SOURCE,
            order_url=f"{_WEB}/biodiversity/search",
            tags=("open-data", "darwin-core"),
        ),
        OfferSpec(
            name="Dataset publishing",
            description="Publish a checklist or occurrence dataset through our IPT.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.DATA_SOURCE,
            order_url=f"{_WEB}/biodiversity/publish",
        ),
    ),
)

PROVIDER = ProviderSpec(
    name="Helix Life Science Data Centre",
    abbreviation="HELIX",
    website=_WEB,
    description=(
        "A life-science data infrastructure hosting open archives, analysis platforms "
        "and a secure environment for sensitive human data."
    ),
    administrators=(SOFIA,),
    services=(_SEQUENCE_ANALYSIS, _PROTEIN_ARCHIVE, _GALAXY, _SENSITIVE_DATA, _BIODIVERSITY),
)
