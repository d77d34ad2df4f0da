"""A long list of ids as ONE query parameter: `agency_id__in=id_array(ids)`.

On PostgreSQL the ids travel as a single bigint[] (adapted in C by psycopg) and the filter reads
`IN (SELECT unnest(%s::bigint[]))`: no 20,000-placeholder SQL to build, send and parse, and no
subquery re-evaluated in every query that filters on the same population. Elsewhere (SQLite) the
plain list, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL

__all__ = ["id_array"]


def id_array(ids: Iterable[int]):
    """The right-hand side of an `__in` filter for these ids."""
    ids = [int(i) for i in ids]
    if connection.vendor != "postgresql":
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])
