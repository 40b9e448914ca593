"""Nordic Research Cloud: virtual machines, GPUs, Kubernetes, object storage and backup."""

from mercato.catalogue.models import OfferCategory, OrderType
from mercato.demo.omses import NORDIC_DESK
from mercato.demo.parameters import (
    attribute,
    date,
    input_field,
    integer_range,
    multiselect,
    quantity_price,
    select,
)
from mercato.demo.people import INGRID
from mercato.demo.specs import OfferSpec, ProviderSpec, ServiceSpec

_WEB = "https://example.org/nordic-research-cloud"
_IMAGES = ["Ubuntu 24.04 LTS", "Rocky Linux 9", "Debian 12", "AlmaLinux 9"]
_SITES = ["Oslo", "Espoo", "Linköping"]

_VIRTUAL_MACHINES = ServiceSpec(
    name="NRC Virtual Machines",
    tagline="On-demand Linux virtual machines for research workloads",
    description=(
        "Self-service OpenStack virtual machines hosted in three Nordic data centres, "
        "powered by renewable energy. Projects get a quota of vCPUs, memory and block "
        "storage, root access and a public IPv4 address on request."
    ),
    webpage=f"{_WEB}/virtual-machines",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Compute",),
    scientific_domains=("Physical Sciences", "Engineering & Technology", "Life Sciences"),
    pid="nrc.virtual_machines",
    offers=(
        OfferSpec(
            name="Standard VM",
            description="A general-purpose virtual machine for services, pipelines and "
            "small simulations.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            oms=NORDIC_DESK,
            oms_params={"order_target": "iaas-team"},
            tags=("iaas", "openstack"),
            parameters=(
                attribute("vcpus", "Virtual CPUs", 4, unit="vCPU"),
                attribute("memory", "Memory", 16, unit="GB"),
                select("image", "Operating system", _IMAGES),
                date("start", "Start date", description="When the machine should be ready"),
            ),
        ),
        OfferSpec(
            name="Large memory VM",
            description="Up to 64 vCPUs and 512 GB of memory for genome assembly, "
            "in-memory databases and large simulations.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            oms=NORDIC_DESK,
            oms_params={"order_target": "iaas-team"},
            tags=("iaas", "high-memory"),
            parameters=(
                select("vcpus", "Virtual CPUs", [16, 32, 64], mode="buttons", unit="vCPU"),
                integer_range("memory", "Memory", 64, 512, unit="GB"),
                multiselect("sites", "Data centres", _SITES, max_items=2),
                select("image", "Operating system", _IMAGES),
                input_field(
                    "justification",
                    "Scientific justification",
                    description="Why the workload needs this much memory",
                ),
            ),
        ),
        OfferSpec(
            name="Trial VM",
            description="A small machine for 30 days to try the platform; no quota request.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            tags=("trial",),
            parameters=(
                attribute("duration", "Duration", 30, unit="days"),
                attribute("vcpus", "Virtual CPUs", 2, unit="vCPU"),
            ),
        ),
    ),
)

_OBJECT_STORAGE = ServiceSpec(
    name="NRC Object Storage",
    tagline="S3-compatible object storage close to your compute",
    description=(
        "Ceph-based object storage with an S3 and Swift API, bucket policies, versioning "
        "and lifecycle rules. Data stays in the Nordic region and is replicated between "
        "two sites on request."
    ),
    webpage=f"{_WEB}/object-storage",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Storage",),
    scientific_domains=("Physical Sciences", "Life Sciences", "Engineering & Technology"),
    pid="nrc.object_storage",
    offers=(
        OfferSpec(
            name="Project bucket",
            description="Hot object storage billed per terabyte and month.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            internal=True,
            oms=NORDIC_DESK,
            tags=("s3",),
            parameters=(
                quantity_price(
                    "capacity", "Capacity (TB)", start_price=0, step_price=18, max_quantity=500
                ),
                select("redundancy", "Redundancy", ["Single site", "Two sites"], mode="buttons"),
            ),
        ),
        OfferSpec(
            name="Archive tier",
            description="Write-once storage for data that must be kept for ten years.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            internal=True,
            oms=NORDIC_DESK,
            oms_params={"order_target": "storage-team"},
            parameters=(
                attribute("retention", "Retention", 10, unit="years"),
                quantity_price(
                    "capacity", "Capacity (TB)", start_price=50, step_price=6, max_quantity=2000
                ),
            ),
        ),
        OfferSpec(
            name="Cold tape storage (pilot)",
            description="Tape-backed storage for cold data, in a pilot with a few projects.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            internal=True,
            oms=NORDIC_DESK,
            is_draft=True,
        ),
    ),
)

_GPU_CLOUD = ServiceSpec(
    name="NRC GPU Cloud",
    tagline="NVIDIA GPU nodes for machine learning and simulation",
    description=(
        "Bare-metal and virtualised GPU nodes with NVIDIA A100 and H100 accelerators, "
        "CUDA images and a shared high-speed scratch file system. Suited to deep "
        "learning training, molecular dynamics and image analysis."
    ),
    webpage=f"{_WEB}/gpu-cloud",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Compute", "Analytics"),
    scientific_domains=("Engineering & Technology", "Physical Sciences", "Life Sciences"),
    offers=(
        OfferSpec(
            name="GPU node allocation",
            description="Dedicated GPU nodes for a fixed period, charged per GPU-hour.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            tags=("gpu", "machine-learning"),
            parameters=(
                select("gpu", "GPU model", ["NVIDIA A100 80GB", "NVIDIA H100 94GB"]),
                select("gpus", "GPUs per node", [1, 2, 4, 8], mode="buttons"),
                quantity_price(
                    "hours", "GPU-hours", start_price=0, step_price=2, max_quantity=20000
                ),
                date("start", "First day"),
                date("end", "Last day"),
            ),
        ),
        OfferSpec(
            name="GPU test drive",
            description="Free access to a shared GPU queue, 100 GPU-hours per researcher.",
            order_type=OrderType.OPEN_ACCESS,
            category=OfferCategory.COMPUTE,
            order_url=f"{_WEB}/gpu-cloud/test-drive",
            parameters=(attribute("hours", "GPU-hours included", 100, unit="hours"),),
        ),
    ),
)

_KUBERNETES = ServiceSpec(
    name="NRC Managed Kubernetes",
    tagline="Kubernetes clusters operated for you",
    description=(
        "Upstream Kubernetes with automatic upgrades, an ingress controller, "
        "cert-manager and persistent volumes on the NRC block storage. Deploy science "
        "gateways and web services without running the control plane yourself."
    ),
    webpage=f"{_WEB}/kubernetes",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Compute",),
    scientific_domains=("Engineering & Technology",),
    offers=(
        OfferSpec(
            name="Namespace on the shared cluster",
            description="A namespace with resource quotas on the shared production cluster.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            order_url=f"{_WEB}/kubernetes/request-namespace",
            tags=("containers",),
        ),
        OfferSpec(
            name="Dedicated cluster",
            description="A cluster of your own, sized to your services and upgraded by us.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.COMPUTE,
            internal=True,
            oms=NORDIC_DESK,
            oms_params={"order_target": "platform-team"},
            tags=("containers",),
            parameters=(
                integer_range("nodes", "Worker nodes", 3, 50, unit="nodes"),
                select("version", "Kubernetes version", ["1.30", "1.31", "1.32"], mode="buttons"),
            ),
        ),
    ),
)

_BACKUP = ServiceSpec(
    name="NRC Backup as a Service",
    tagline="Encrypted, off-site backups of servers and file systems",
    description=(
        "Daily incremental backups of virtual machines and file systems to a second data "
        "centre, encrypted on the client. Restores are self-service through a web portal."
    ),
    webpage=f"{_WEB}/backup",
    order_type=OrderType.ORDER_REQUIRED,
    categories=("Storage", "Security"),
    scientific_domains=("Engineering & Technology", "Social Sciences"),
    offers=(
        OfferSpec(
            name="Daily backup",
            description="Daily backups kept for 30 days, priced per protected terabyte.",
            order_type=OrderType.ORDER_REQUIRED,
            category=OfferCategory.STORAGE,
            internal=True,
            oms=NORDIC_DESK,
            oms_params={"order_target": "storage-team"},
            parameters=(
                attribute("retention", "Retention", 30, unit="days"),
                quantity_price("protected", "Protected data (TB)", start_price=20, step_price=12),
                input_field("hosts", "Number of hosts", integer=True, unit="hosts"),
            ),
        ),
        OfferSpec(
            name="Backup design consultation",
            description="An hour with our storage engineers to plan retention and restores.",
            order_type=OrderType.OTHER,
            category=OfferCategory.OTHER,
            order_url=f"{_WEB}/backup/consultation",
        ),
    ),
)

PROVIDER = ProviderSpec(
    name="Nordic Research Cloud",
    abbreviation="NRC",
    website=_WEB,
    description=(
        "A consortium of Nordic national research computing centres offering cloud "
        "compute and storage to researchers of all disciplines."
    ),
    administrators=(INGRID,),
    services=(_VIRTUAL_MACHINES, _OBJECT_STORAGE, _GPU_CLOUD, _KUBERNETES, _BACKUP),
)
