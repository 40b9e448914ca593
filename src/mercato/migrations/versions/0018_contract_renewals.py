"""contract renewals: the next renewal date indexed for the worker, reminders once per date

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07 22:45:00.000000
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

import mercato.db

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(
            sa.Column("next_renewal_at", mercato.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("reminded_for", mercato.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.create_index("ix_contracts_next_renewal_at", ["next_renewal_at"])
    _fill_next_renewal()


def _fill_next_renewal() -> None:
    """Contracts bought before this revision: their earliest renewal date, read from the
    JSON list of ISO 8601 dates (no portable SQL for that)."""
    contracts = sa.table(
        "contracts",
        sa.column("id", sa.Integer()),
        sa.column("renewal_dates", sa.JSON()),
        sa.column("next_renewal_at", mercato.db.UTCDateTime(timezone=True)),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(contracts.c.id, contracts.c.renewal_dates)):
        if row.renewal_dates:
            earliest = min(datetime.fromisoformat(d) for d in row.renewal_dates)
            bind.execute(
                contracts.update().where(contracts.c.id == row.id).values(next_renewal_at=earliest)
            )


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.drop_index("ix_contracts_next_renewal_at")
        batch.drop_column("reminded_for")
        batch.drop_column("next_renewal_at")
