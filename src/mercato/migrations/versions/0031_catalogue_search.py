"""catalogue search: services and offers join the store's full-text index

One index for everything the marketplace shows: store_search (migration 0005)
gains rows for the catalogue's services and for the offers that are not store
offerings, under negative keys so the store's rows keep their offer ids:

- a store offering: its offer id (as before);
- a service: -2 * its id;
- an offer without a store offering: -2 * its id - 1.

Services index their name, then tagline and description; offers their name,
description and tags. Triggers keep the rows current, as 0005's do; every row is
kept whatever its status (the searches decide who sees what). On PostgreSQL the
key no longer references store_offerings (negative keys reference nothing): a
trigger removes an offering's row instead of the cascade.

A later migration that rebuilds services, offers or store_offerings on SQLite
(batch mode copies the table) drops their triggers: it must create them again.

Revision ID: 0031
Revises: 0032
Create Date: 2026-12-08 01:30:00.000000
"""

from alembic import op

revision = "0031"
down_revision = "0032"
branch_labels = None
depends_on = None

_SQLITE_SERVICE = """
    INSERT INTO store_search (rowid, name, description, tags, usdl)
    SELECT -2 * id, name, trim(tagline || ' ' || description), '', ''
    FROM services WHERE {where}
"""
_SQLITE_OFFER = """
    INSERT INTO store_search (rowid, name, description, tags, usdl)
    SELECT -2 * o.id - 1, o.name, o.description,
           coalesce((SELECT group_concat(value, ', ') FROM json_each(o.tags)), ''), ''
    FROM offers AS o
    WHERE {where}
      AND NOT EXISTS (SELECT 1 FROM store_offerings AS so WHERE so.offer_id = o.id)
"""

_SQLITE = [
    _SQLITE_SERVICE.format(where="1"),
    _SQLITE_OFFER.format(where="1"),
    f"""CREATE TRIGGER catalogue_search_service_insert AFTER INSERT ON services BEGIN
        {_SQLITE_SERVICE.format(where="id = NEW.id")};
    END""",
    f"""CREATE TRIGGER catalogue_search_service_update
        AFTER UPDATE OF name, tagline, description ON services BEGIN
        DELETE FROM store_search WHERE rowid = -2 * OLD.id;
        {_SQLITE_SERVICE.format(where="id = NEW.id")};
    END""",
    """CREATE TRIGGER catalogue_search_service_delete AFTER DELETE ON services BEGIN
        DELETE FROM store_search WHERE rowid = -2 * OLD.id;
    END""",
    f"""CREATE TRIGGER catalogue_search_offer_insert AFTER INSERT ON offers BEGIN
        {_SQLITE_OFFER.format(where="o.id = NEW.id")};
    END""",
    f"""CREATE TRIGGER catalogue_search_offer_update
        AFTER UPDATE OF name, description, tags ON offers BEGIN
        DELETE FROM store_search WHERE rowid = -2 * OLD.id - 1;
        {_SQLITE_OFFER.format(where="o.id = NEW.id")};
    END""",
    """CREATE TRIGGER catalogue_search_offer_delete AFTER DELETE ON offers BEGIN
        DELETE FROM store_search WHERE rowid = -2 * OLD.id - 1;
    END""",
    # An offer that becomes a store offering is indexed as one, and back.
    """CREATE TRIGGER catalogue_search_offering_insert AFTER INSERT ON store_offerings BEGIN
        DELETE FROM store_search WHERE rowid = -2 * NEW.offer_id - 1;
    END""",
    f"""CREATE TRIGGER catalogue_search_offering_delete AFTER DELETE ON store_offerings BEGIN
        {_SQLITE_OFFER.format(where="o.id = OLD.offer_id")};
    END""",
]

_PG_TRIGGERS = (
    # (trigger, table, event, what it does with NEW / OLD)
    (
        "catalogue_search_service_changed",
        "services",
        "INSERT OR UPDATE OF name, tagline, description",
        "PERFORM catalogue_search_refresh(ARRAY[NEW.id], ARRAY[]::integer[]); RETURN NULL;",
    ),
    (
        "catalogue_search_service_deleted",
        "services",
        "DELETE",
        "DELETE FROM store_search WHERE offer_id = -2 * OLD.id; RETURN NULL;",
    ),
    (
        "catalogue_search_offer_changed",
        "offers",
        "INSERT OR UPDATE OF name, description, tags",
        "PERFORM catalogue_search_refresh(ARRAY[]::integer[], ARRAY[NEW.id]); RETURN NULL;",
    ),
    (
        "catalogue_search_offer_deleted",
        "offers",
        "DELETE",
        "DELETE FROM store_search WHERE offer_id = -2 * OLD.id - 1; RETURN NULL;",
    ),
    (
        "catalogue_search_offering_inserted",
        "store_offerings",
        "INSERT",
        "PERFORM catalogue_search_refresh(ARRAY[]::integer[], ARRAY[NEW.offer_id]); RETURN NULL;",
    ),
    (
        "catalogue_search_offering_deleted",
        "store_offerings",
        "DELETE",
        "DELETE FROM store_search WHERE offer_id = OLD.offer_id; "
        "PERFORM catalogue_search_refresh(ARRAY[]::integer[], ARRAY[OLD.offer_id]); "
        "RETURN NULL;",
    ),
)

_POSTGRESQL = [
    "ALTER TABLE store_search DROP CONSTRAINT store_search_offer_id_fkey",
    """CREATE FUNCTION catalogue_search_refresh(service_ids integer[], offer_ids integer[])
    RETURNS void LANGUAGE sql AS $$
        DELETE FROM store_search WHERE offer_id < 0 AND (
            offer_id IN (SELECT -2 * id FROM unnest(service_ids) AS id)
            OR offer_id IN (SELECT -2 * id - 1 FROM unnest(offer_ids) AS id));
        INSERT INTO store_search (offer_id, name, description, tags, usdl)
        SELECT -2 * id, name, trim(tagline || ' ' || description), '', ''
        FROM services WHERE id = ANY(service_ids);
        INSERT INTO store_search (offer_id, name, description, tags, usdl)
        SELECT -2 * o.id - 1, o.name, o.description,
               coalesce((SELECT string_agg(tag, ', ')
                         FROM jsonb_array_elements_text(o.tags) AS tag), ''), ''
        FROM offers AS o
        WHERE o.id = ANY(offer_ids)
          AND NOT EXISTS (SELECT 1 FROM store_offerings AS so WHERE so.offer_id = o.id);
    $$""",
    "SELECT catalogue_search_refresh(ARRAY(SELECT id FROM services), ARRAY(SELECT id FROM offers))",
    *(
        statement
        for trigger, table, when, body in _PG_TRIGGERS
        for statement in (
            f"""CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {body} END $$""",
            f"""CREATE TRIGGER {trigger} AFTER {when} ON {table}
            FOR EACH ROW EXECUTE FUNCTION {trigger}()""",
        )
    ),
]


def upgrade() -> None:
    statements = _POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table, _, _ in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
            op.execute(f"DROP FUNCTION {trigger}()")
        op.execute("DROP FUNCTION catalogue_search_refresh(integer[], integer[])")
        op.execute("DELETE FROM store_search WHERE offer_id < 0")
        op.execute(
            "ALTER TABLE store_search ADD CONSTRAINT store_search_offer_id_fkey FOREIGN KEY "
            "(offer_id) REFERENCES store_offerings (offer_id) ON DELETE CASCADE"
        )
        return
    for table in ("service", "offer", "offering"):
        for event in ("insert", "delete"):
            op.execute(f"DROP TRIGGER catalogue_search_{table}_{event}")
    for table in ("service", "offer"):
        op.execute(f"DROP TRIGGER catalogue_search_{table}_update")
    op.execute("DELETE FROM store_search WHERE rowid < 0")
