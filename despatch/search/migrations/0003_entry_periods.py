"""On PostgreSQL, index each entry's vector together with the periods its key falls in.

A period is a span of entry keys, named by a lexeme such as ``_p47_1408``: the
key shifted right by 47 bits, so about 16 days of posts. Each entry is in one
period of each of five sizes, from an hour and a half to eleven years (shifts
of 39, 43, 47, 51 and 55 bits; ``PERIOD_SHIFTS`` in the PostgreSQL engine must
agree). A search for the newest matches adds "and in one of these periods" to
its query, and GIN then intersects the posting lists inside the index instead
of handing every match of a common word to the table to be sorted by date.

The periods are computed from the key by an immutable function and indexed as
an expression, so stored vectors stay as they are and nothing is rewritten
(changing the function later means rebuilding the index in the same
migration). The new index replaces the plain one on ``vector``. SQLite needs none of this:
FTS5 already walks its matches newest first.
"""

from django.db import migrations

POSTGRES_FORWARDS = [
    """
    CREATE FUNCTION search_entry_periods(key bigint) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$
            SELECT array_to_tsvector(ARRAY[
                '_p39_' || (key >> 39)::text,
                '_p43_' || (key >> 43)::text,
                '_p47_' || (key >> 47)::text,
                '_p51_' || (key >> 51)::text,
                '_p55_' || (key >> 55)::text
            ])
        $$
    """,
    """
    CREATE INDEX search_entry_vector_periods ON search_searchentry
        USING gin ((vector || search_entry_periods(key)))
    """,
    "DROP INDEX search_entry_vector",
]
POSTGRES_BACKWARDS = [
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (vector)",
    "DROP INDEX IF EXISTS search_entry_vector_periods",
    "DROP FUNCTION IF EXISTS search_entry_periods(bigint)",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_engine_indexes"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRES_FORWARDS), _run(POSTGRES_BACKWARDS), elidable=False),
    ]
