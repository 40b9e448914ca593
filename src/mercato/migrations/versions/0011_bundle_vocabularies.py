"""bundle vocabularies: goals, capabilities of goals, target users, marketplace locations

The EOSC Marketplace's terms come with them (its db/internal_vocabulary.yml,
db/vocabulary.yml and landing page at 738a0db), so a new site can make bundles.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 18:11:28.257733
"""

import sqlalchemy as sa
from alembic import op
from slugify import slugify

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# vocabulary table, link table, link column, the EOSC Marketplace's terms
_VOCABULARIES = (
    (
        "bundle_goals",
        "bundle_bundle_goals",
        "bundle_goal_id",
        [
            "Processing",
            "Publishing",
            "Anonymisation",
            "Data Storage",
            "Computing Resources",
            "Discover & Re-use Data",
            "Data Management",
            "Produce Data",
        ],
    ),
    (
        "capabilities_of_goals",
        "bundle_capabilities_of_goals",
        "capability_of_goal_id",
        [
            "Data Transfer",
            "Compute",
            "Processing Tool",
            "Storage",
            "Big Data Storage",
            "Long Term Storage",
            "Anonimisation",
            "Pseudonimisation",
            "Metadata Removal Tool",
            "Data Discoverability",
            "Data Download",
            "Data Sources",
            "Publishing Service",
            "DOI",
            "Free",
            "Domain Availability",
            "Data Security",
            "Long Term",
            "Publishing",
            "Other",
        ],
    ),
    (
        "target_users",
        "bundle_target_users",
        "target_user_id",
        [
            "Funders",
            "Students",
            "Businesses",
            "Research Networks",
            "Other",
            "Resource Managers",
            "Resource Organisation Managers",
            "Research Infrastructure Managers",
            "Research Managers",
            "Researchers",
            "Innovators",
            "Policy Makers",
            "Research Communities",
            "Research Projects",
            "Research Groups",
            "Research Organisations",
            "Providers",
        ],
    ),
    (
        "marketplace_locations",
        "bundle_marketplace_locations",
        "marketplace_location_id",
        [
            "Discover Research Outputs",
            "Publish Research Outputs",
            "Access Computing and Storage Services",
            "Process and Analyse",
            "Access Research Infrastructures",
            "Manage Research Data",
            "Access Training Material",
            "Find Instruments & Equipment",
        ],
    ),
)


def upgrade() -> None:
    for name, link, column, terms in _VOCABULARIES:
        vocabulary = op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("slug", sa.String(length=255), nullable=False),
            sa.Column("name", sa.String(length=255), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
            sa.UniqueConstraint("name", name=op.f(f"uq_{name}_name")),
            sa.UniqueConstraint("slug", name=op.f(f"uq_{name}_slug")),
        )
        op.create_table(
            link,
            sa.Column("bundle_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["bundle_id"],
                ["bundles.id"],
                name=op.f(f"fk_{link}_bundle_id_bundles"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                [column],
                [f"{name}.id"],
                name=op.f(f"fk_{link}_{column}_{name}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("bundle_id", column, name=op.f(f"pk_{link}")),
        )
        op.bulk_insert(vocabulary, [{"name": term, "slug": slugify(term)} for term in terms])


def downgrade() -> None:
    for name, link, _, _ in reversed(_VOCABULARIES):
        op.drop_table(link)
        op.drop_table(name)
