"""Hostile requests against the site served as in production (gunicorn, production settings,
the seed film): every public page with every method, bogus Host headers, made-up and huge
query strings, and hostile values for every parameter a page understands. Every answer must
be below 500 and carry an X-Request-ID, except gunicorn's own 414 for a request line over its
limit, which never reaches the site. Loopback only.

    python -m bench.hostile [--port 8030] [--threads 4]

against the database DATABASE_URL names (a scratch database beside it is created), or a
scratch SQLite file. Prints the answers counted by status, and exits 1 on any 5xx or any
answer without a request id.
"""

import argparse
import http.client
import itertools
import os
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from bench.serving import Site, prepare_database, production_env, scratch_database_url

PAGES = [
    "/",
    "/films/",
    "/films/mask-1985/",
    "/films/mask-1985/cast/",
    "/films/mask-1985/making-of/",
    "/films/mask-1985/trivia/",
    "/films/mask-1985/reviews/",
    # Item pages (the seed's first ids in a fresh database) and an id no database holds.
    "/films/mask-1985/trivia/1/",
    "/films/mask-1985/reviews/1/",
    "/films/mask-1985/trivia/99999999999999999999/",
    "/people/",
    "/people/cher/",
    "/people/cher/filmography/cast/",
    "/locations/",
    "/locations/azusa-california-usa/",
    "/search/",
    "/search/people/",
    "/sitemap.xml",
    "/sitemap-films.xml",
    "/robots.txt",
    "/films/no-such-film/",
    "/static/staticfiles.json",
    "/films.json",
    "/films.csv",
    "/films/mask-1985.json",
    "/films/mask-1985/cast.csv",
    "/films/mask-1985/trivia.json",
    "/films/mask-1985/reviews.json",
    "/people.json",
    "/people/cher.csv",
    "/people/cher/filmography/cast.json",
    "/locations.csv",
    "/locations/azusa-california-usa.json",
    "/films/no-such-film.json",
    "/api/",
    "/api/schema/",
]
# Every parameter some page understands, and one no page does.
PARAMETERS = [
    "q", "page", "title", "year_min", "year_max", "decade", "genre", "genre_match",
    "rating_min", "votes_min", "person", "role", "location", "making_of", "sort", "kind",
    "contributor", "goof_category", "p", "cursor", "utm_source",
]  # fmt: skip
VALUES = [
    "",
    "\x00",
    "\x1b[31m",
    "<script>alert(1)</script>",
    "'; DROP TABLE films_film; --",
    "9" * 5000,
    "-1",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "\u202eevil",
    "\ud800",
    "é" * 300,
    "%ff%fe",
    "cher",
    "drama",
]
METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"]
HOSTS = ["127.0.0.1:1", "evil.example", "127.0.0.1:99999", "", "a" * 300]


def requests():
    """(method, path, Host) of every hostile request."""
    for page, name, value in itertools.product(PAGES, PARAMETERS, VALUES):
        encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
        yield "GET", f"{page}?{name}={encoded}", None
    for page in PAGES:
        yield "GET", f"{page}?{'&'.join(f'x{i}={i}' for i in range(500))}", None
        yield "GET", f"{page}?genre=drama&genre=drama&page=1&page=2", None
        for method in METHODS:
            yield method, page, None
        for host in HOSTS:
            yield "GET", page, host


def send(port, method, path, host):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Request-ID")
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8030)
    parser.add_argument("--threads", type=int, default=4)
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="moviedb-hostile-")
    url = scratch_database_url(os.environ.get("DATABASE_URL", ""), "hostile", folder)
    env = production_env(url)
    prepare_database(env)
    site = Site(env, options.port).start()
    statuses, failures = Counter(), []
    try:
        with ThreadPoolExecutor(options.threads) as pool:
            answers = pool.map(lambda r: (r, send(options.port, *r)), requests())
            for request, (status, request_id) in answers:
                statuses[status] += 1
                if status >= 500 or (not request_id and status != 414):
                    failures.append((request, status, request_id))
    finally:
        site.stop()
    total = sum(statuses.values())
    print(f"{total} hostile requests on {url.split(':', 1)[0]}: " + ", ".join(
        f"{count} x {status}" for status, count in sorted(statuses.items())
    ))  # fmt: skip
    for (method, path, host), status, request_id in failures[:20]:
        print(f"FAILED {method} {path[:120]} Host={host!r}: {status}, request id {request_id}")
    print(f"{len(failures)} answers were a 5xx or carried no request id")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
