"""Demo store offerings: versioned, with downloadable files or API links, tags and reviews."""

from mercato.demo.people import CUSTOMER, EMMA, INGRID, MARCO, SOFIA
from mercato.demo.specs import AssetSpec, ReviewSpec, StoreOfferingSpec

_ANNOTATOR = '''"""Annotate a VCF file with gene names from a GFF3 annotation."""
import sys


def main(vcf: str, gff: str) -> None:
    print(f"annotating {vcf} with {gff}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
'''

_HANDBOOK = """# FAIR Data Handbook

1. Findable: give every data set a persistent identifier.
2. Accessible: say how to get it, even when access is restricted.
3. Interoperable: use open formats and shared vocabularies.
4. Reusable: licence it and describe where it came from.
"""

STORE_OFFERINGS: tuple[StoreOfferingSpec, ...] = (
    StoreOfferingSpec(
        provider="Helix Life Science Data Centre",
        publisher=SOFIA,
        name="Variant Annotator",
        version="2.1",
        abstract="Gene names and consequences for every variant of a VCF file",
        description="A small command-line tool that annotates VCF files with gene names "
        "and predicted consequences from a GFF3 annotation. Runs anywhere Python runs.",
        is_open=True,
        assets=(
            AssetSpec(
                "variant-annotator",
                "2.1",
                "The annotator script",
                "text/x-python",
                is_open=True,
                file_name="annotate.py",
                content=_ANNOTATOR,
            ),
        ),
        tags=("genomics", "variants", "annotation"),
        legal=("Licence", "Apache License 2.0; cite the Helix Data Centre when you publish."),
        reviews=(
            ReviewSpec(
                CUSTOMER,
                5,
                "Saved us days",
                "Annotated 24 exomes in minutes.",
                reply="Thank you! Version 2.2 adds structural variants.",
            ),
            ReviewSpec(EMMA, 4, "Simple and fast", "Would love a Docker image."),
        ),
    ),
    StoreOfferingSpec(
        provider="Nordic Research Cloud",
        publisher=INGRID,
        name="NRC Cloud API",
        version="1.0",
        abstract="Manage virtual machines and buckets from your own scripts",
        description="The OpenStack-compatible REST API of the Nordic Research Cloud, with "
        "token authentication and per-project quotas.",
        is_open=True,
        assets=(
            AssetSpec(
                "nrc-api",
                "1.0",
                "API endpoint",
                "application/json",
                is_open=True,
                link="https://api.nrc.example/v1",
            ),
        ),
        tags=("iaas", "api", "openstack"),
        reviews=(ReviewSpec(CUSTOMER, 4, "Works with the OpenStack CLI", "Quotas are generous."),),
    ),
    StoreOfferingSpec(
        provider="Open Science Training Network",
        publisher=EMMA,
        name="FAIR Data Handbook",
        version="3.0",
        abstract="The FAIR principles in practice, for researchers",
        description="A short handbook that turns the FAIR principles into everyday habits: "
        "identifiers, access, formats and licences.",
        is_open=True,
        assets=(
            AssetSpec(
                "fair-handbook",
                "3.0",
                "The handbook in Markdown",
                "text/markdown",
                is_open=True,
                file_name="fair-handbook.md",
                content=_HANDBOOK,
            ),
        ),
        tags=("fair", "training", "data-management"),
    ),
    StoreOfferingSpec(
        provider="Alpine Supercomputing Centre",
        publisher=MARCO,
        name="Alps Container Registry",
        version="1.0",
        abstract="Optimised container images for the Alps system",
        description="A private registry of container images built for the Alps "
        "architecture: compilers, MPI and the common scientific stacks.",
        is_open=False,
        assets=(
            AssetSpec(
                "alps-registry",
                "1.0",
                "Registry endpoint",
                "application/json",
                is_open=False,
                link="https://registry.alps.example/v2",
            ),
        ),
        tags=("hpc", "containers"),
        is_published=False,
    ),
)
