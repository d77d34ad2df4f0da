"""Indexes for the public directory's search [SPEC §7], PostgreSQL only; SQLite needs nothing.

`directory_name_grams(name)` is every character and every pair of adjacent characters of a name,
lower-cased. A GIN index over it answers "names containing 浦江" with `@> '{浦江}'`, for one- and
two-character queries too, which pg_trgm cannot (see filings/directory.py and docs/benchmarks.md).
Being an expression index, it is maintained by PostgreSQL itself in the same transaction as the row.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION directory_name_grams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
        SELECT substr(lower(t), i, 1) AS g FROM generate_series(1, char_length(t)) AS i
        UNION ALL
        SELECT substr(lower(t), i, 2) FROM generate_series(1, char_length(t) - 1) AS i
      ) AS grams
    $$
    """,
    "CREATE INDEX IF NOT EXISTS directory_agency_name_grams ON filings_agency USING gin (directory_name_grams(name))",
    # Scope filters probe by occupation and then check the level range on the same row.
    "CREATE INDEX IF NOT EXISTS directory_scope_occupation_levels ON filings_scopeitem "
    "(occupation_id, level_from, level_to, filing_id)",
    # The listing itself: in-force filings by state, region and validity.
    "CREATE INDEX IF NOT EXISTS directory_filing_listed ON filings_filing (state, region_id) "
    "WHERE number IS NOT NULL",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_filing_listed",
    "DROP INDEX IF EXISTS directory_scope_occupation_levels",
    "DROP INDEX IF EXISTS directory_agency_name_grams",
    "DROP FUNCTION IF EXISTS directory_name_grams(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("filings", "0003_change_requests")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
