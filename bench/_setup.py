"""Shared set-up for the benchmarks: a dedicated PostgreSQL database, migrated and seeded with the
reference data. Each benchmark is a plain script that prints its figures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_on_postgres(dbname: str) -> None:
    """Point Django at postgres://…/<dbname> (created if missing), migrate and load reference data."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{dbname}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.pop("REDIS_URL", None)
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.rsplit("/", 1)[1]]).fetchone():
            conn.execute(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from portal.celery import app

    # Background work (receipt rendering, e-mail) is queued, not run, so it doesn't pollute timings.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"


def machine() -> str:
    import platform

    from django.db import connection

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return f"{os.cpu_count()} cores, {mem:.0f} GiB, {platform.python_implementation()} {platform.python_version()}, PostgreSQL {pg}"
