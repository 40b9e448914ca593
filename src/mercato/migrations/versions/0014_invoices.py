"""invoices: a snapshot of each charge, numbered per seller and year, with its PDF's
render state

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:26:04.560153
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mercato.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_series",
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["providers.id"], name=op.f("fk_invoice_series_seller_id_providers")
        ),
        sa.PrimaryKeyConstraint("seller_id", "year", name=op.f("pk_invoice_series")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=300), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("concept", sa.String(length=32), nullable=False),
        sa.Column("issued_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seller_name", sa.String(length=255), nullable=False),
        sa.Column("buyer_organization", sa.String(length=255), nullable=False),
        sa.Column("buyer_name", sa.String(length=255), nullable=False),
        sa.Column("tax_street", sa.String(length=255), nullable=False),
        sa.Column("tax_postal", sa.String(length=64), nullable=False),
        sa.Column("tax_city", sa.String(length=255), nullable=False),
        sa.Column("tax_country", sa.String(length=255), nullable=False),
        sa.Column("offering_organization", sa.String(length=255), nullable=False),
        sa.Column("offering_name", sa.String(length=255), nullable=False),
        sa.Column("offering_version", sa.String(length=64), nullable=False),
        sa.Column(
            "resources",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=32), nullable=False),
        sa.Column("minor_unit", sa.Integer(), nullable=False),
        sa.Column("duty_free", sa.String(length=32), nullable=False),
        sa.Column("tax_rate", sa.String(length=32), nullable=False),
        sa.Column("tax", sa.String(length=32), nullable=False),
        sa.Column("total", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "rendered", "failed", name="renderstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", mercato.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("leased_until", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("rendered_at", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pdf_key", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_invoices_buyer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["providers.id"], name=op.f("fk_invoices_seller_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint(
            "seller_id", "year", "sequence", name=op.f("uq_invoices_seller_id_year_sequence")
        ),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_invoices_render_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.String(length=255), nullable=False),
        sa.Column("unit_value", sa.Text(), nullable=False),
        sa.Column("use", sa.String(length=32), nullable=True),
        sa.Column("price", sa.String(length=32), nullable=False),
        sa.Column("renewal_date", mercato.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_seller_id"))
        batch_op.drop_index("ix_invoices_render_due")
        batch_op.drop_index(batch_op.f("ix_invoices_order_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_buyer_id"))

    op.drop_table("invoices")
    op.drop_table("invoice_series")
