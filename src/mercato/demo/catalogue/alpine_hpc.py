"""Alpine Supercomputing Centre: HPC allocations, notebooks, scratch, software and consulting."""

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
from mercato.demo.people import MARCO
from mercato.demo.specs import OfferSpec, ProviderSpec, ServiceSpec

_WEB = "https://example.org/alpine-hpc"
_PARTITIONS = ["CPU (AMD Genoa)", "GPU (NVIDIA GH200)", "Large memory"]

_ALLOCATION = ServiceSpec(
    name="Alps Tier-0 HPC Allocation",
    tagline="Node-hours on a pre-exascale supercomputer",
    description=(
        "Compute time on the Alps system: over 2,500 CPU nodes and 10,000 NVIDIA Grace "
        "Hopper superchips on a Slingshot network. Allocations are granted through "
        "preparatory access or the twice-yearly production calls."
    ),
    webpage=f"{_WEB}/allocations",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Compute",),
    scientific_domains=(
        "Physical Sciences",
        "Engineering & Technology",
        "Earth & Environmental Sciences",
    ),
    pid="asc.tier0_allocation",
    offers=(
        OfferSpec(
            name="Preparatory access",
            description="Up to 50,000 node-hours to port, test and scale codes before "
            "applying for production time.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            tags=("hpc", "preparatory"),
            parameters=(
                integer_range("node_hours", "Node-hours", 1000, 50000, unit="node-hours"),
                select("partition", "Partition", _PARTITIONS),
                input_field(
                    "orcid", "Principal investigator ORCID", description="e.g. 0000-0002-1825-0097"
                ),
                date("start", "Preferred start"),
            ),
        ),
        OfferSpec(
            name="Production access",
            description="Large allocations for one year, granted by peer review in the "
            "spring and autumn calls.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            order_url=f"{_WEB}/calls",
            tags=("hpc", "call-for-proposals"),
        ),
        OfferSpec(
            name="Benchmark access",
            description="Short access for vendors and code teams to benchmark new releases.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            is_draft=True,
        ),
    ),
)

_JUPYTER = ServiceSpec(
    name="Alps JupyterHub",
    tagline="Notebooks next to the supercomputer",
    description=(
        "JupyterLab sessions that start on Alps compute nodes, with kernels for Python, "
        "Julia and R, Dask and direct access to your project's file systems."
    ),
    webpage=f"{_WEB}/jupyter",
    order_type=OrderType.OPEN_ACCESS,
    categories=("Analytics", "Compute"),
    scientific_domains=("Physical Sciences", "Earth & Environmental Sciences"),
    offers=(
        OfferSpec(
            name="Interactive notebooks",
            description="CPU notebooks for every holder of an Alps account.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.COMPUTE,
            order_url=f"{_WEB}/jupyter/login",
            tags=("jupyter", "notebooks"),
            parameters=(attribute("session", "Longest session", 8, unit="hours"),),
        ),
        OfferSpec(
            name="GPU notebooks",
            description="Notebooks on GPU nodes for interactive deep learning.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            tags=("jupyter", "gpu"),
            parameters=(
                select("gpu", "GPU", ["GH200", "A100"], mode="buttons"),
                integer_range("hours", "Session length", 1, 72, unit="hours"),
            ),
        ),
        OfferSpec(
            name="Classroom hub",
            description="A JupyterHub for a course, with accounts for every student.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.TRAINING,
            internal=True,
            tags=("jupyter", "teaching"),
            parameters=(
                input_field("course", "Course name"),
                integer_range("students", "Students", 5, 300, unit="people"),
                date("start", "First lecture"),
                date("end", "Last lecture"),
            ),
        ),
    ),
)

_SCRATCH = ServiceSpec(
    name="HPC Scratch and Project Storage",
    tagline="Fast parallel file systems for running jobs",
    description=(
        "Lustre scratch for job I/O at over 1 TB/s and a GPFS project file system with "
        "snapshots for data that outlives a job."
    ),
    webpage=f"{_WEB}/storage",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Storage",),
    scientific_domains=("Physical Sciences", "Engineering & Technology"),
    offers=(
        OfferSpec(
            name="Project scratch",
            description="Scratch space for the lifetime of an allocation; files unused for "
            "90 days are purged.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            internal=True,
            parameters=(
                attribute("purge", "Purge policy", "Files unused for 90 days"),
                quantity_price(
                    "capacity",
                    "Capacity (TB)",
                    start_price=0,
                    step_price=9,
                    currency="CHF",
                    max_quantity=200,
                ),
            ),
        ),
        OfferSpec(
            name="Long-term project storage",
            description="Snapshotted storage kept for the duration of a research project.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            order_url=f"{_WEB}/storage/request",
        ),
    ),
)

_SOFTWARE = ServiceSpec(
    name="Scientific Software Stack",
    tagline="Optimised builds of 800 scientific packages",
    description=(
        "A Spack-built module tree with compilers, MPI, numerical libraries and "
        "applications such as GROMACS, CP2K, ICON and OpenFOAM, tuned for each Alps "
        "partition and also published as containers."
    ),
    webpage=f"{_WEB}/software",
    order_type=OrderType.FULLY_OPEN_ACCESS,
    categories=("Compute",),
    scientific_domains=("Physical Sciences", "Engineering & Technology", "Life Sciences"),
    offers=(
        OfferSpec(
            name="Module catalogue",
            description="Browse and load any module; no request needed.",
            order_type=OrderType.FULLY_OPEN_ACCESS,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/software/modules",
        ),
        OfferSpec(
            name="Software installation request",
            description="Ask the applications team to build and maintain a package.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            parameters=(
                input_field("package", "Package"),
                input_field("version", "Version"),
                multiselect("systems", "Target partitions", _PARTITIONS),
            ),
        ),
    ),
)

_CONSULTING = ServiceSpec(
    name="HPC Performance Consulting",
    tagline="Experts who make your code scale",
    description=(
        "Application engineers profile, optimise and port research codes, from MPI "
        "tuning to moving Fortran kernels to GPUs, working side by side with your team."
    ),
    webpage=f"{_WEB}/consulting",
    order_type=OrderType.OTHER,
    categories=("Training", "Compute"),
    scientific_domains=("Physical Sciences", "Engineering & Technology"),
    offers=(
        OfferSpec(
            name="Optimisation sprint",
            description="A one-week sprint with two engineers on your code.",
            order_type=OrderType.OTHER,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/consulting/sprints",
            parameters=(attribute("duration", "Duration", 5, unit="days"),),
        ),
        OfferSpec(
            name="GPU porting project",
            description="Three months of help to port a code to GPUs.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.OTHER,
            internal=True,
            parameters=(
                multiselect("languages", "Languages", ["C", "C++", "Fortran", "Python", "Julia"]),
                select("model", "Programming model", ["CUDA", "OpenACC", "OpenMP offload"]),
                date("start", "Preferred start"),
            ),
        ),
    ),
)

PROVIDER = ProviderSpec(
    name="Alpine Supercomputing Centre",
    abbreviation="ASC",
    website=_WEB,
    description=(
        "A national supercomputing centre running Tier-0 systems for European research, "
        "with a user support and application engineering team."
    ),
    administrators=(MARCO,),
    services=(_ALLOCATION, _JUPYTER, _SCRATCH, _SOFTWARE, _CONSULTING),
)
