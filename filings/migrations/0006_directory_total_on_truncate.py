"""The directory's total follows a TRUNCATE of its search rows [SPEC §7].

A TRUNCATE fires no row or statement trigger for DELETE, so truncating the filings (which cascades
to the search rows, `filings_directoryentry`) left `DirectoryTotal` counting filings that were gone,
and the unfiltered directory then said it held twice as many after a reload. An AFTER TRUNCATE
trigger on the search rows empties the total with them; the first filing that enters the
directory again brings it back (`directory_add_to_total` is an upsert). PostgreSQL only, as 0005.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION directory_entries_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM filings_directorytotal;
      RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER directory_entry_truncate AFTER TRUNCATE ON filings_directoryentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION directory_entries_truncated()",
    # A total already wrong from an earlier TRUNCATE is counted afresh.
    "DELETE FROM filings_directorytotal",
    "INSERT INTO filings_directorytotal (id, listed) SELECT 1, count(*) FROM filings_directoryentry",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_entry_truncate ON filings_directoryentry",
    "DROP FUNCTION IF EXISTS directory_entries_truncated()",
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
        ("filings", "0005_directory_entries"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
