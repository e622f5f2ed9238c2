"""CPU time of a filtered film list rendered from the database, against /healthz, in process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/moviedb \\
        python -m bench.list_cpu --size 100000 [--requests N]

The film list under bench.pages' random filters (no cached count or facet of one filter
state serves another), page cache off, on bench.pages_scale's database of --size films,
through Django's test client with production settings. Each request's CPU time is this
process's plus that of the PostgreSQL backend serving it (read from /proc; parallel query
workers are turned off so that the backend does all of the database's work). Under wrk
(bench.pages) the ratio to /healthz depends on what else the machine runs; CPU time much
less so. /healthz costs more under gunicorn than in process, so the ratio here is higher
than the one wrk measures on an idle machine.
"""

import argparse
import logging
import os
import time


def setup(database_url):
    from bench.serving import production_env

    os.environ.update(production_env(database_url, DJANGO_PAGE_CACHE_SECONDS="0"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "moviedb.settings"
    import django

    django.setup()
    from django.conf import settings

    # Rendered without collectstatic, as bench.request_cpu does.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}


def backend_cpu_seconds(pid):
    """User and system CPU time of the PostgreSQL backend process `pid` (on this machine)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_request(client, paths):
    """(Python, PostgreSQL, /healthz) CPU milliseconds per request: this process's and its
    PostgreSQL backend's over `paths`, then this process's over 2,000 /healthz requests."""
    from django.db import connection

    from bench.pages import HEALTHZ

    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    started, backend_started = time.process_time(), backend_cpu_seconds(backend)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    python_ms = (time.process_time() - started) / len(paths) * 1000
    database_ms = (backend_cpu_seconds(backend) - backend_started) / len(paths) * 1000
    started = time.process_time()
    for _ in range(2000):
        client.get(HEALTHZ)
    return python_ms, database_ms, (time.process_time() - started) / 2000 * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="films in the database")
    parser.add_argument("--requests", type=int, default=200, help="film lists to render")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database on this machine.")

    from bench.pages_scale import database_for

    setup(database_for(url, args.size, seed=1))
    from django.test import Client

    from bench.pages import FILM_LISTS, HEALTHZ

    logging.disable(logging.INFO)  # the access log: a line a request, for both alike
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(HEALTHZ)
    client.get(FILM_LISTS[-1])  # opens the connection, loads the templates
    python_ms, database_ms, healthz_ms = cpu_per_request(client, FILM_LISTS[: args.requests])
    list_ms = python_ms + database_ms
    print(
        f"{args.size:,} films, {args.requests} random film lists, load average "
        f"{os.getloadavg()[0]:.1f}: {python_ms:.1f} ms Python + {database_ms:.1f} ms PostgreSQL "
        f"= {list_ms:.1f} ms CPU a list; /healthz {healthz_ms:.2f} ms; "
        f"ratio {healthz_ms / list_ms:.3f}"
    )


if __name__ == "__main__":
    main()
