"""bindings of assets to offerings keep the order they were made in; offerings keep the
unknown keys of their WStore description

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 18:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

import mercato.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLE = "store_offering_assets"
COPY = "store_offering_assets_copy"
PAIR = "uq_store_offering_assets_offer_id_asset_id"


def _binding_table(name: str, with_id: bool) -> None:
    id_column = [sa.Column("id", sa.Integer(), nullable=False)] if with_id else []
    op.create_table(
        name,
        *id_column,
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["store_assets.id"],
            name="fk_store_offering_assets_asset_id_store_assets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["store_offerings.offer_id"],
            name="fk_store_offering_assets_offer_id_store_offerings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            *(["id"] if with_id else ["offer_id", "asset_id"]), name="pk_" + TABLE
        ),
        *([sa.UniqueConstraint("offer_id", "asset_id", name=PAIR)] if with_id else []),
    )


def _copy_sqlite(with_id: bool, order: str) -> None:
    # Nothing points at this table and it carries no triggers, so a copy loses nothing.
    # SQLite's rowid is the order the rows were written in: the binding order so far.
    _binding_table(COPY, with_id)
    op.execute(
        f"INSERT INTO {COPY} (offer_id, asset_id) SELECT offer_id, asset_id FROM {TABLE} "
        f"ORDER BY {order}"
    )
    op.drop_table(TABLE)
    op.rename_table(COPY, TABLE)


def upgrade() -> None:
    # Rows already there keep an empty object; new rows get theirs from the model.
    op.add_column(
        "store_offerings",
        sa.Column(
            "description_extra",
            mercato.db.JSONDocument,
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
    )
    if op.get_bind().dialect.name == "sqlite":
        _copy_sqlite(with_id=True, order="rowid")
        return
    # SERIAL numbers the rows already there in their stored order.
    op.execute(f"ALTER TABLE {TABLE} ADD COLUMN id SERIAL")
    op.drop_constraint("pk_" + TABLE, TABLE, type_="primary")
    op.create_primary_key("pk_" + TABLE, TABLE, ["id"])
    op.create_unique_constraint(PAIR, TABLE, ["offer_id", "asset_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_sqlite(with_id=False, order="id")
    else:
        op.drop_constraint(PAIR, TABLE, type_="unique")
        op.drop_constraint("pk_" + TABLE, TABLE, type_="primary")
        op.drop_column(TABLE, "id")
        op.create_primary_key("pk_" + TABLE, TABLE, ["offer_id", "asset_id"])
    op.drop_column("store_offerings", "description_extra")
