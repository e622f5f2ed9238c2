"""CPU time of the film page rendered from the database, against /healthz, in process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/moviedb \\
        python -m bench.film_cpu --size 10000 [--requests N] [--preparation KIND]

The film pages of --requests films drawn at random, page cache off, on bench.pages_scale's
database of --size films, measured as bench.list_cpu measures the film list: this process's
CPU time plus that of the PostgreSQL backend serving it. --preparation says how the film
page's statements reach PostgreSQL: `statements` (films/prepared.py's PREPARE and EXECUTE,
as the site runs), `psycopg` (psycopg's own automatic preparation, which needs server-side
binding for every query: `server_side_binding` and `prepare_threshold` in the connection's
OPTIONS), or `none` (parsed and planned for every film).
"""

import argparse
import logging
import os
import random

from bench.list_cpu import cpu_per_request, setup

PREPARATIONS = ("statements", "psycopg", "none")


def prepare_as(kind):
    """Make the film page's queries reach PostgreSQL as `kind` says, before any connects."""
    from django.conf import settings

    from films.prepared import PreparedQuery

    if kind != "statements":
        PreparedQuery._with_statement = staticmethod(lambda compiled: compiled)
    if kind == "psycopg":
        options = settings.DATABASES["default"]["OPTIONS"]
        options.update(server_side_binding=True, prepare_threshold=5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="films in the database")
    parser.add_argument("--requests", type=int, default=200, help="film pages to render")
    parser.add_argument("--preparation", choices=PREPARATIONS, default="statements")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database on this machine.")

    from bench.pages_scale import database_for

    setup(database_for(url, args.size, seed=1))
    prepare_as(args.preparation)
    from django.test import Client

    from bench.pages import HEALTHZ
    from films.models import Film

    logging.disable(logging.INFO)  # the access log: a line a request, for both alike
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(HEALTHZ)
    slugs = sorted(Film.objects.values_list("slug", flat=True))
    paths = [f"/films/{slug}/" for slug in random.Random(1985).sample(slugs, args.requests + 10)]
    for path in paths[:10]:  # opens the connection, loads the templates, prepares
        client.get(path)
    python_ms, database_ms, healthz_ms = cpu_per_request(client, paths[10:])
    page_ms = python_ms + database_ms
    print(
        f"{args.size:,} films, {args.requests} random film pages, {args.preparation}, load "
        f"average {os.getloadavg()[0]:.1f}: {python_ms:.2f} ms Python + {database_ms:.2f} ms "
        f"PostgreSQL = {page_ms:.2f} ms CPU a page; /healthz {healthz_ms:.3f} ms; "
        f"ratio {healthz_ms / page_ms:.3f}"
    )


if __name__ == "__main__":
    main()
