"""The directory's search rows, kept by PostgreSQL triggers [SPEC §7] (see filings/models/directory.py).

`directory_refresh(ids)` rebuilds the rows of the given filings from the filing, its agency, its
region and its scope, and moves `DirectoryTotal` by the difference; statement-level triggers with transition tables call it for exactly the
filings a statement touched, so a set-based UPDATE of 10,000 filings refreshes them in one go.
The states listed are `filings.choices.IN_FORCE` (tests/test_directory_entries.py checks that
they agree). SQLite gets the table and no triggers: it searches the filings live.

`directory_query_grams(q)` gives the keys a name fragment must find.
The bigram index on agency names and the scope index of migration 0004 served the live search
and are dropped; `directory_name_grams` stays, for the keys.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models


IN_FORCE_SQL = "('active', 'suspended', 'rectifying')"

FORWARD = [
    "DROP INDEX IF EXISTS directory_agency_name_grams",
    "DROP INDEX IF EXISTS directory_scope_occupation_levels",
    "CREATE INDEX directory_entry_keys ON filings_directoryentry USING gin (keys)",
    # The query side of the name keys: the pairs of a fragment (its one character if that is all),
    # lower-cased by the same lower() as the rows, whatever the database's locale.
    """
    CREATE OR REPLACE FUNCTION directory_query_grams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT CASE WHEN char_length(t) <= 1 THEN ARRAY[lower(t)]
             ELSE ARRAY(SELECT DISTINCT substr(lower(t), i, 2) FROM generate_series(1, char_length(t) - 1) AS i)
             END
    $$
    """,
    # The directory's size moves only when a filing enters or leaves it (an upsert: after a TRUNCATE
    # of both tables the missing row means 0, and the first change brings it back).
    """
    CREATE OR REPLACE FUNCTION directory_add_to_total(delta bigint) RETURNS void LANGUAGE sql AS $$
      INSERT INTO filings_directorytotal (id, listed) VALUES (1, delta)
      ON CONFLICT (id) DO UPDATE SET listed = filings_directorytotal.listed + EXCLUDED.listed
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION directory_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      removed bigint;
      added bigint;
    BEGIN
      IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
      END IF;
      DELETE FROM filings_directoryentry e USING unnest(ids) AS t(id) WHERE e.filing_id = t.id;
      GET DIAGNOSTICS removed = ROW_COUNT;
      INSERT INTO filings_directoryentry (filing_id, name, number, valid_until, keys)
      SELECT f.id, a.name, f.number, f.valid_until,
             directory_name_grams(a.name)
             || ARRAY['k:' || a.kind, 's:' || f.state]
             || ARRAY(SELECT 'r:' || c FROM unnest(string_to_array(rtrim(r.path, '/'), '/')) AS c)
             || ARRAY(SELECT DISTINCT v.k
                        FROM filings_scopeitem s
                        CROSS JOIN LATERAL generate_series(s.level_from::int, s.level_to::int) AS l
                        CROSS JOIN LATERAL (VALUES ('o:' || s.occupation_id), ('l:' || l),
                                                   ('o:' || s.occupation_id || ':' || l)) AS v(k)
                       WHERE s.filing_id = f.id)
        FROM filings_filing f
        JOIN filings_agency a ON a.id = f.agency_id
        JOIN portal_region r ON r.id = f.region_id
       WHERE f.id IN (SELECT unnest(ids))
         AND f.number IS NOT NULL AND f.state IN {IN_FORCE_SQL};
      GET DIAGNOSTICS added = ROW_COUNT;
      IF added <> removed THEN
        PERFORM directory_add_to_total(added - removed);
      END IF;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION directory_filing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM directory_refresh(ARRAY(SELECT id FROM new_rows));
      ELSIF TG_OP = 'UPDATE' THEN
        PERFORM directory_refresh(ARRAY(
          SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE (n.state, n.number, n.valid_until, n.region_id, n.agency_id)
                 IS DISTINCT FROM (o.state, o.number, o.valid_until, o.region_id, o.agency_id)));
      ELSE
        PERFORM directory_refresh(ARRAY(SELECT id FROM old_rows));
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION directory_agency_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM directory_refresh(ARRAY(
        SELECT f.id FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN filings_filing f ON f.agency_id = n.id
         WHERE (n.name, n.kind) IS DISTINCT FROM (o.name, o.kind)));
      RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION directory_scope_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM directory_refresh(ARRAY(SELECT DISTINCT filing_id FROM new_rows));
      ELSIF TG_OP = 'UPDATE' THEN
        PERFORM directory_refresh(ARRAY(SELECT filing_id FROM new_rows UNION SELECT filing_id FROM old_rows));
      ELSE
        PERFORM directory_refresh(ARRAY(SELECT DISTINCT filing_id FROM old_rows));
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION directory_region_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM directory_refresh(ARRAY(
        SELECT f.id FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN filings_filing f ON f.region_id = n.id
         WHERE n.path IS DISTINCT FROM o.path));
      RETURN NULL;
    END $$
    """,
]
# Transition tables need one trigger per event.
TRIGGERS = [
    ("directory_filing_insert", "INSERT", "filings_filing", "NEW TABLE AS new_rows", "directory_filing_changed"),
    ("directory_filing_update", "UPDATE", "filings_filing", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "directory_filing_changed"),
    ("directory_filing_delete", "DELETE", "filings_filing", "OLD TABLE AS old_rows", "directory_filing_changed"),
    ("directory_agency_update", "UPDATE", "filings_agency", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "directory_agency_changed"),
    ("directory_scope_insert", "INSERT", "filings_scopeitem", "NEW TABLE AS new_rows", "directory_scope_changed"),
    ("directory_scope_update", "UPDATE", "filings_scopeitem", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "directory_scope_changed"),
    ("directory_scope_delete", "DELETE", "filings_scopeitem", "OLD TABLE AS old_rows", "directory_scope_changed"),
    ("directory_region_update", "UPDATE", "portal_region", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
     "directory_region_changed"),
]
FORWARD += [f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {function}()" for name, event, table, tables, function in TRIGGERS]
FORWARD += ["SELECT directory_refresh(ARRAY(SELECT id FROM filings_filing))", "ANALYZE filings_directoryentry"]

BACKWARD = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, _, table, _, _ in TRIGGERS] + [
    "DROP FUNCTION IF EXISTS directory_region_changed()",
    "DROP FUNCTION IF EXISTS directory_scope_changed()",
    "DROP FUNCTION IF EXISTS directory_agency_changed()",
    "DROP FUNCTION IF EXISTS directory_filing_changed()",
    "DROP FUNCTION IF EXISTS directory_refresh(bigint[])",
    "DROP FUNCTION IF EXISTS directory_add_to_total(bigint)",
    "DROP FUNCTION IF EXISTS directory_query_grams(text)",
    "DROP INDEX IF EXISTS directory_entry_keys",
    "CREATE INDEX IF NOT EXISTS directory_agency_name_grams ON filings_agency USING gin (directory_name_grams(name))",
    "CREATE INDEX IF NOT EXISTS directory_scope_occupation_levels ON filings_scopeitem "
    "(occupation_id, level_from, level_to, filing_id)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('filings', '0004_directory_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='DirectoryEntry',
            fields=[
                ('filing', models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='directory_entry', serialize=False, to='filings.filing')),
                ('name', models.CharField(max_length=100)),
                ('number', models.CharField(max_length=40)),
                ('valid_until', models.DateField(null=True)),
                ('keys', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None)),
            ],
            options={
                'verbose_name': '机构目录检索行',
                'verbose_name_plural': '机构目录检索行',
                'indexes': [models.Index(fields=['name', 'filing'], name='directory_entry_name'), models.Index(fields=['valid_until', 'filing'], name='directory_entry_valid_until'), models.Index(fields=['number'], name='directory_entry_number')],
            },
        ),
        migrations.CreateModel(
            name='DirectoryTotal',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('listed', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': '机构目录总数',
                'verbose_name_plural': '机构目录总数',
            },
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
