"""contracting forms: the redirect_uri of a purchase started through /api/contracting/form

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

import mercato.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contracting_forms",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("created_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offering_id"], ["store_offerings.offer_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contracting_forms_user_id", "contracting_forms", ["user_id"])
    op.create_index("ix_contracting_forms_offering_id", "contracting_forms", ["offering_id"])


def downgrade() -> None:
    op.drop_index("ix_contracting_forms_offering_id", table_name="contracting_forms")
    op.drop_index("ix_contracting_forms_user_id", table_name="contracting_forms")
    op.drop_table("contracting_forms")
