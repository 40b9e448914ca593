"""Schema changes only through migrations: the migrated database matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import mercato.models  # noqa: F401  (every table on the metadata)
from mercato.db import Base
from mercato.store.search_index import is_modelled


def test_migrations_create_exactly_the_modelled_schema(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": is_modelled}
        )
        differences = compare_metadata(context, Base.metadata)

    assert differences == []
