"""Annotate a VCF file with gene names from a GFF3 annotation."""
import sys


def main(vcf: str, gff: str) -> None:
    print(f"annotating {vcf} with {gff}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
