"""store search: the full-text index of offerings, kept up to date by triggers

SQLite: an FTS5 table (rowid = offer id). PostgreSQL: a table with a weighted
tsvector column and a GIN index. On both, triggers on store_offerings, offers
and services rewrite an offering's row whenever its name, description, tags or
USDL text change, so every writer (rules, the EOSC API, bulk loads) keeps the
index right. Neither is in the ORM metadata (see mercato.store.search_index).

A later migration that rebuilds store_offerings, offers or services on SQLite
(batch mode copies the table) drops their triggers: it must create them again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:10:00.000000
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The text of the offerings whose rows match `where`: name, description, tags, USDL.
_SQLITE_DOCUMENTS = """
    SELECT so.offer_id, s.name, o.description,
           coalesce((SELECT group_concat(value, ', ') FROM json_each(o.tags)), ''),
           trim(so.abstract || ' ' || so.usdl_text)
    FROM store_offerings AS so
    JOIN offers AS o ON o.id = so.offer_id
    JOIN services AS s ON s.id = so.service_id
    WHERE {where}
"""
_SQLITE_INSERT = "INSERT INTO store_search (rowid, name, description, tags, usdl)"

_SQLITE = [
    """CREATE VIRTUAL TABLE store_search USING fts5(
        name, description, tags, usdl,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )""",
    # Names weigh most, then tags, then the description, then the USDL's other text.
    "INSERT INTO store_search (store_search, rank) VALUES ('rank', 'bm25(10.0, 2.0, 5.0, 1.0)')",
    f"{_SQLITE_INSERT} {_SQLITE_DOCUMENTS.format(where='1')}",
    f"""CREATE TRIGGER store_search_offering_insert AFTER INSERT ON store_offerings BEGIN
        {_SQLITE_INSERT} {_SQLITE_DOCUMENTS.format(where="so.offer_id = NEW.offer_id")};
    END""",
    f"""CREATE TRIGGER store_search_offering_update
        AFTER UPDATE OF offer_id, service_id, abstract, usdl_text ON store_offerings BEGIN
        DELETE FROM store_search WHERE rowid = OLD.offer_id;
        {_SQLITE_INSERT} {_SQLITE_DOCUMENTS.format(where="so.offer_id = NEW.offer_id")};
    END""",
    """CREATE TRIGGER store_search_offering_delete AFTER DELETE ON store_offerings BEGIN
        DELETE FROM store_search WHERE rowid = OLD.offer_id;
    END""",
    f"""CREATE TRIGGER store_search_offer_update
        AFTER UPDATE OF description, tags ON offers BEGIN
        DELETE FROM store_search WHERE rowid = OLD.id;
        {_SQLITE_INSERT} {_SQLITE_DOCUMENTS.format(where="so.offer_id = NEW.id")};
    END""",
    f"""CREATE TRIGGER store_search_service_update AFTER UPDATE OF name ON services BEGIN
        DELETE FROM store_search
        WHERE rowid IN (SELECT offer_id FROM store_offerings WHERE service_id = NEW.id);
        {_SQLITE_INSERT} {_SQLITE_DOCUMENTS.format(where="so.service_id = NEW.id")};
    END""",
]

_POSTGRESQL = [
    """CREATE TABLE store_search (
        offer_id integer PRIMARY KEY
            REFERENCES store_offerings (offer_id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL,
        tags text NOT NULL,
        usdl text NOT NULL,
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', name), 'A')
            || setweight(to_tsvector('english', tags), 'B')
            || setweight(to_tsvector('english', description), 'C')
            || setweight(to_tsvector('english', usdl), 'D')
        ) STORED
    )""",
    "CREATE INDEX ix_store_search_document ON store_search USING gin (document)",
    """CREATE FUNCTION store_search_refresh(ids integer[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO store_search (offer_id, name, description, tags, usdl)
        SELECT so.offer_id, s.name, o.description,
               coalesce((SELECT string_agg(tag, ', ')
                         FROM jsonb_array_elements_text(o.tags) AS tag), ''),
               trim(so.abstract || ' ' || so.usdl_text)
        FROM store_offerings AS so
        JOIN offers AS o ON o.id = so.offer_id
        JOIN services AS s ON s.id = so.service_id
        WHERE so.offer_id = ANY(ids)
        ON CONFLICT (offer_id) DO UPDATE SET
            name = EXCLUDED.name, description = EXCLUDED.description,
            tags = EXCLUDED.tags, usdl = EXCLUDED.usdl
    $$""",
    "SELECT store_search_refresh(ARRAY(SELECT offer_id FROM store_offerings))",
    """CREATE FUNCTION store_search_offering_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM store_search_refresh(ARRAY[NEW.offer_id]);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER store_search_offering_changed
        AFTER INSERT OR UPDATE OF service_id, abstract, usdl_text ON store_offerings
        FOR EACH ROW EXECUTE FUNCTION store_search_offering_changed()""",
    """CREATE FUNCTION store_search_offer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM store_search_refresh(ARRAY[NEW.id]);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER store_search_offer_changed AFTER UPDATE OF description, tags ON offers
        FOR EACH ROW EXECUTE FUNCTION store_search_offer_changed()""",
    """CREATE FUNCTION store_search_service_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM store_search_refresh(
            ARRAY(SELECT offer_id FROM store_offerings WHERE service_id = NEW.id));
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER store_search_service_changed AFTER UPDATE OF name ON services
        FOR EACH ROW EXECUTE FUNCTION store_search_service_changed()""",
]


def upgrade() -> None:
    statements = _POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in (
            ("store_search_service_changed", "services"),
            ("store_search_offer_changed", "offers"),
            ("store_search_offering_changed", "store_offerings"),
        ):
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
            op.execute(f"DROP FUNCTION {trigger}()")
        op.execute("DROP FUNCTION store_search_refresh(integer[])")
    else:
        for trigger in ("offering_insert", "offering_update", "offering_delete", "offer_update"):
            op.execute(f"DROP TRIGGER store_search_{trigger}")
        op.execute("DROP TRIGGER store_search_service_update")
    op.execute("DROP TABLE store_search")
