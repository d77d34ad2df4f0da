"""Load run for the public directory [SPEC §7]: gunicorn with 2 workers on a free local port
against the bench database (seeded by bench/directory.py), a bounded number of requests from a
few client threads, then a crawler over its limit refused with 429 while others are still served.

    .venv/bin/python bench/directory_load.py [--requests 400] [--threads 4]

Clients are told apart by X-Forwarded-For, as nginx sets it in production. The rate-limit counters
live in Redis (REDIS_URL, or a local Redis on 6379) so both workers share them; without Redis a
file-based cache is shared instead. The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/bench_directory"
CLIENT_LIMIT = 200  # requests per client per minute, per scope, during the run

SETTINGS = '''
from portal.settings import *  # noqa: F401,F403
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
SECURE_SSL_REDIRECT = False
LOGGING = {{"version": 1, "disable_existing_loggers": False}}
DIRECTORY_RATE_LIMITS = {{"directory": ({limit}, 60), "api": ({limit}, 60), "export": (10, 60)}}
CACHES = {{"default": {cache}}}
'''

PATHS = [
    "/api/v1/directory/?" + urlencode({"q": "浦江"}),
    "/api/v1/directory/?" + urlencode({"occupation": "6-31-01-03"}),
    "/api/v1/directory/?" + urlencode({"level": 5, "region": "310115"}),
    "/api/v1/directory/",
    "/directory/?" + urlencode({"q": "电气", "region": "310115"}),
    "/directory/?" + urlencode({"occupation": "电工", "page": 2}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cache_config() -> str:
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        host, port = redis_url.split("//")[1].split("/")[0].split(":")
        socket.create_connection((host, int(port)), timeout=1).close()
        return repr({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                     "KEY_PREFIX": f"bench-load-{os.getpid()}"})
    except OSError:
        return repr({"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                     "LOCATION": tempfile.mkdtemp(prefix="bench-load-cache-")})


def get(port: int, path: str, client_ip: str) -> tuple[int, float, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"X-Forwarded-For": client_ip})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - t0) * 1000
    conn.close()
    return response.status, elapsed, f"Retry-After {response.getheader('Retry-After')}: " \
        + body.decode("utf-8", "replace")[:60]


def wait_until_up(port: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            get(port, "/api/v1/openapi.json", "192.0.2.250")
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start within 60 s")


def drive(port: int, total: int, threads: int) -> None:
    per_thread = total // threads
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(n: int):
        rng = random.Random(n)
        ip = f"198.51.100.{n + 1}"
        mine = [get(port, rng.choice(PATHS), ip)[:2] for _ in range(per_thread)]
        with lock:
            results.extend(mine)

    t0 = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    times = sorted(ms for _, ms in results)
    statuses = {s: sum(1 for x, _ in results if x == s) for s in {x for x, _ in results}}
    print(f"{len(results)} requests from {threads} clients in {wall:.1f} s: {len(results) / wall:.0f} req/s, "
          f"p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, "
          f"status counts {statuses}")


def crawler_is_refused(port: int) -> bool:
    crawler = [get(port, PATHS[0], "203.0.113.66") for _ in range(CLIENT_LIMIT + 20)]
    refused = [c for c in crawler if c[0] == 429]
    neighbour = [get(port, PATHS[3], "203.0.113.67") for _ in range(10)]
    print(f"crawler 203.0.113.66: {len(crawler)} requests, {len(crawler) - len(refused)} served, "
          f"{len(refused)} refused with 429 (e.g. {refused[0][2] if refused else '-'})")
    print(f"another client 203.0.113.67 meanwhile: {sum(1 for c in neighbour if c[0] == 200)}/10 served")
    return bool(refused) and all(c[0] == 200 for c in neighbour)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    settings_dir = tempfile.mkdtemp(prefix="bench-load-settings-")
    Path(settings_dir, "directory_load_settings.py").write_text(
        SETTINGS.format(limit=CLIENT_LIMIT, cache=cache_config()), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": DB_URL, "DJANGO_SETTINGS_MODULE": "directory_load_settings",
           "SECRET_KEY": "bench-only-" + "x" * 50, "PYTHONPATH": f"{settings_dir}:{ROOT}"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "portal.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                             "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        wait_until_up(port, proc)
        print(f"gunicorn, 2 workers, 127.0.0.1:{port}, database {DB_URL.rsplit('/', 1)[-1]}, "
              f"limit {CLIENT_LIMIT}/min per client")
        drive(port, args.requests, args.threads)
        ok = crawler_is_refused(port)
        print("rate limit: OK" if ok else "rate limit: NOT as expected")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
