"""Alembic environment: runs against the engine Mercato hands over."""

from alembic import context

import mercato.models  # noqa: F401  (registers every table on the metadata)
from mercato.db import Base
from mercato.store.search_index import is_modelled

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
