"""CPU time per request through the whole middleware stack, in process.

    python -m bench.request_cpu [--requests N]

Production settings on a scratch SQLite database holding the seed film, the page cache in
local memory, requests through Django's test client. Throughput under wrk (bench/pages.py)
depends on what else the machine runs; the CPU time one request costs much less, so this
compares the cached film page, plain and gzip-compressed, with /healthz, and shows what an
address with made-up parameters costs. Each figure is the median of three runs.
"""

import argparse
import itertools
import os
import statistics
import tempfile
import time


def setup(folder):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "moviedb.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{folder}/request_cpu.sqlite3",
            "DJANGO_RATE_LIMIT": "0",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Rendered without collectstatic; the data version in a file of this run's own.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
    settings.CACHES["freshness"]["LOCATION"] = f"{folder}/freshness"
    call_command("migrate", verbosity=0)
    call_command("loaddata", "mask", verbosity=0)


def microseconds_each(client, paths, requests, **headers):
    """Median CPU time of a request in three runs of `requests`, cycling through `paths`."""
    addresses = itertools.cycle(paths)
    runs = []
    for _ in range(3):
        start = time.process_time()
        for _ in range(requests):
            response = client.get(next(addresses), **headers)
            assert response.status_code == 200, response.status_code
        runs.append((time.process_time() - start) / requests * 1e6)
    return round(statistics.median(runs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests a run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(folder)
        from django.test import Client

        client = Client()
        film = "/films/mask-1985/"
        gzip = {"HTTP_ACCEPT_ENCODING": "gzip"}
        plain, compressed = client.get(film), client.get(film, **gzip)
        print(f"film page: {len(plain.content):,} bytes, {len(compressed.content):,} with gzip")
        print(f"/healthz: {microseconds_each(client, ['/healthz'], args.requests)} µs")
        print(f"cached film page: {microseconds_each(client, [film], args.requests)} µs")
        each = microseconds_each(client, [film], args.requests, **gzip)
        print(f"cached film page, gzip: {each} µs")
        # A tenth as many: before made-up parameters shared the page's entry, each was a render.
        fresh = args.requests // 10
        made_up = [f"{film}?utm_source=bench&zzz={n}" for n in range(3 * fresh)]
        each = microseconds_each(client, made_up, fresh)
        print(f"film page under made-up parameters, each address new: {each} µs")


if __name__ == "__main__":
    main()
