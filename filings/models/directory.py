"""The directory's search row (机构目录检索行): one row per filing in force, kept by PostgreSQL [SPEC §7].

The row is not written by Django. On PostgreSQL, triggers on filings, agencies, scope rows and
regions (migration 0005) rebuild a filing's row in the same statement that changes what it is
built from, so a filing leaves the directory in the same transaction that ends it, whichever
code path ended it (a review decision, the set-based sweep, a change filing, a raw UPDATE).
On SQLite the table stays empty and the directory is searched with a live query over the
filings themselves (`filings.directory`).

`keys` holds everything a search can ask for, as text, so one GIN index answers any combination
of filters with a single containment probe:

- the characters and character pairs of the agency's name (`directory_name_grams`, lower-cased);
- `k:<kind>` and `s:<state>`;
- `r:<code>` for the filing's region and every region above it;
- `o:<occupation id>`, `l:<level>` and `o:<occupation id>:<level>` for every level of every scope
  row, so that "电工 at 三级" means the same scope row covers both.

A gram is one or two characters; every other key is at least three, so they cannot collide.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from .filing import Filing


class DirectoryEntry(models.Model):
    filing = models.OneToOneField(Filing, primary_key=True, on_delete=models.DO_NOTHING,
                                  related_name="directory_entry")
    name = models.CharField(max_length=100)
    number = models.CharField(max_length=40)
    valid_until = models.DateField(null=True)
    keys = ArrayField(models.TextField())

    class Meta:
        verbose_name = verbose_name_plural = "机构目录检索行"
        indexes = [
            models.Index(fields=["name", "filing"], name="directory_entry_name"),
            models.Index(fields=["valid_until", "filing"], name="directory_entry_valid_until"),
            models.Index(fields=["number"], name="directory_entry_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class DirectoryTotal(models.Model):
    """How many filings the directory lists: one row, kept by the same triggers as the search rows,
    so that the unfiltered directory (its busiest page) does not count every row on every request.
    It changes only when a filing enters or leaves the directory."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    listed = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "机构目录总数"
