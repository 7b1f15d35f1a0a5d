"""The full-text index itself, which differs by database.

SQLite: an FTS5 table that reads its text from ``search_searchentry`` (external
content), triggers that keep it in step with every insert, update and delete
of an entry, and an ``fts5vocab`` view of its words for "did you mean".

PostgreSQL: a ``tsvector`` column on ``search_searchentry`` with a GIN index.
Vectors are compressed with lz4 where the server supports it, which makes
reading them for ranking several times faster than the default.

Note for later migrations: if Django ever has to rebuild ``search_searchentry``
on SQLite (to alter a column), the triggers go with the old table; recreate
them in the same migration.
"""

from django.db import migrations

SQLITE_FORWARDS = [
    """
    CREATE VIRTUAL TABLE search_entry_fts USING fts5(
        title, tags, author, body, facets,
        content='search_searchentry', content_rowid='key',
        tokenize='ascii', prefix='2 3'
    )
    """,
    "CREATE VIRTUAL TABLE search_entry_vocabulary USING fts5vocab(search_entry_fts, 'col')",
    """
    CREATE TRIGGER search_entry_after_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(rowid, title, tags, author, body, facets)
        VALUES (new.key, new.title, new.tags, new.author, new.body, new.facets);
    END
    """,
    """
    CREATE TRIGGER search_entry_after_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, tags, author, body, facets)
        VALUES ('delete', old.key, old.title, old.tags, old.author, old.body, old.facets);
    END
    """,
    """
    CREATE TRIGGER search_entry_after_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, tags, author, body, facets)
        VALUES ('delete', old.key, old.title, old.tags, old.author, old.body, old.facets);
        INSERT INTO search_entry_fts(rowid, title, tags, author, body, facets)
        VALUES (new.key, new.title, new.tags, new.author, new.body, new.facets);
    END
    """,
    # Entries that exist already (none, unless rows were written before this
    # migration) are read into the new index.
    "INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS search_entry_after_update",
    "DROP TRIGGER IF EXISTS search_entry_after_delete",
    "DROP TRIGGER IF EXISTS search_entry_after_insert",
    "DROP TABLE IF EXISTS search_entry_vocabulary",
    "DROP TABLE IF EXISTS search_entry_fts",
]

POSTGRES_FORWARDS = [
    "ALTER TABLE search_searchentry ADD COLUMN vector tsvector NOT NULL DEFAULT ''::tsvector",
    # New entries wait in GIN's pending list (fastupdate, the default) and are
    # merged in bulk; a reindex merges them at the end (gin_clean_pending_list).
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (vector)",
    """
    DO $$
    BEGIN
        ALTER TABLE search_searchentry ALTER COLUMN vector SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported THEN
        NULL;
    END
    $$
    """,
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS vector",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARDS, SQLITE_BACKWARDS),
    "postgresql": (POSTGRES_FORWARDS, POSTGRES_BACKWARDS),
}


def _run(direction: int):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in STATEMENTS:
            raise RuntimeError(f"Search supports SQLite and PostgreSQL, not {vendor}.")
        for statement in STATEMENTS[vendor][direction]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(0), _run(1), elidable=False),
    ]
