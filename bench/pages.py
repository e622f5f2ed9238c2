"""Page benchmark: the site under wrk, each page compared with /healthz on the same server.

    python -m bench.pages [--duration S] [--connections N] [--films N] [--size N]

gunicorn serves the site with gunicorn.conf.py and production settings on 127.0.0.1, from a
scratch database beside the one DATABASE_URL names (created and dropped here) holding the
seed film and --films generated ones imported with `importfilms`; with --size (PostgreSQL),
the scratch database starts as a copy of bench.pages_scale's database of that many films
imported from generated IMDb files, so the site is measured at that size. wrk then loads,
one after another and with the same parameters:

1. `/healthz`, the reference: the process answers, through the same middleware, no database;
2. a bare view returning a fixed string through the same middleware (bench/urls.py);
3. the film page, rendered on every request (page cache off), of FILM_SAMPLE films drawn at
   random from the whole catalogue, as a crawler asks for them: no cache helps;
4. the film list under 5,000 random combinations of realistic filters (genre, a 15-year
   range, rating, votes, sort, page), so that no cached count or facet of one filter state
   helps, with its facet counts (page cache off);
5. `/healthz` again, on the second server;
6. the film page with the page cache on, in Redis as in production when Redis answers;
7. the same, asked for with `Accept-Encoding: gzip` (the cache keeps it compressed);
8. the same, under 5,000 addresses that differ in made-up parameters, as a cache-busting
   client sends them (the page understands none of them, so they share its entry).

Phases 1-4 run against one gunicorn with the page cache off, phases 5-8 against a second one
with it on. Each phase is reported as a ratio to `/healthz` on its own server: the machine
may be shared, so these ratios, measured minutes apart in one run, say more than the raw
figures; the load average is recorded beside them. The table is also written as JSON under
bench/results/.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import django
import redis
from django.utils.text import slugify

from bench.generate import GENRES
from bench.import_pages import CAST_SIZES, film_pages
from bench.pages_scale import database_for
from bench.results import machine, write
from bench.serving import (
    ROOT,
    Site,
    fresh_postgres_database,
    prepare_database,
    production_env,
    scratch_database_url,
)

HEALTHZ = "/healthz"
BARE_VIEW = "/bench/bare/"  # bench/urls.py
FILM = "/films/mask-1985/"


def random_film_lists(count=5000, seed=1985):
    """`count` film list addresses with random filters, as visitors and crawlers combine
    them: a genre of the generated films (sometimes two), a 15-year range, often a minimum
    rating or vote count, mostly sorted by rating; page 2 only where the list is long."""
    rng = random.Random(seed)
    genres = [slugify(name) for name in list(GENRES)[:12]]
    paths = []
    for _ in range(count):
        year = rng.randint(1920, 2010)
        query = {"genre": rng.choice(genres), "year_min": year, "year_max": year + 14}
        if rng.random() < 0.15:
            query["genre"] = [query["genre"], rng.choice(genres)]
        if rng.random() < 0.5:
            query["rating_min"] = rng.choice(["5", "6", "6.5", "7", "8"])
        if rng.random() < 0.25:
            query["votes_min"] = rng.choice([100, 1000])
        query["sort"] = rng.choice(["rating"] * 3 + ["votes", "newest"])
        long_list = year >= 1960 and query["genre"] in genres[:3] and len(query) == 4
        if long_list and rng.random() < 0.5:
            query["page"] = 2
        paths.append(f"/films/?{urlencode(query, doseq=True)}")
    return paths


FILM_LISTS = random_film_lists()
# How many films the uncached film page phase draws from the catalogue, and from what seed.
FILM_SAMPLE = 5000
FILM_SAMPLE_SEED = 1985
MADE_UP_PARAMETERS = [f"{FILM}?utm_source=bench&zzz={n}" for n in range(5000)]
REFERENCE = "/healthz"
PHASES = [
    # name, paths (wrk cycles through them; a function of the sampled film pages, or a
    # list), page cache on, request headers. Each server's first phase is the reference.
    (REFERENCE, [HEALTHZ], False, ()),
    ("bare view", [BARE_VIEW], False, ()),
    ("film page, uncached, random films", lambda films: films, False, ()),
    ("filtered film list, uncached", FILM_LISTS, False, ()),
    (REFERENCE, [HEALTHZ], True, ()),
    ("film page, cached", [FILM], True, ()),
    ("film page, cached, gzip", [FILM], True, ("Accept-Encoding: gzip",)),
    ("film page, made-up parameters", MADE_UP_PARAMETERS, True, ()),
]
# (phase, least ratio to /healthz on the same server)
GOALS = [
    ("film page, uncached, random films", 0.10),
    ("filtered film list, uncached", 0.08),
    ("film page, cached", 0.80),
]
WARMUP_SECONDS = 2


def generate_films(folder, films):
    """`films` generated film pages with their making-of pages, as bench/import_pages.py
    writes them, with casts of 5 to 300."""
    rng = random.Random(1985)
    folder.mkdir()
    for number in range(films):
        page, making_of = film_pages(number, CAST_SIZES[number % len(CAST_SIZES)], rng)
        (folder / f"{number:05}-page.txt").write_text(page, encoding="utf-8")
        (folder / f"{number:05}-making-of.txt").write_text(making_of, encoding="utf-8")


def random_film_paths(env, count=FILM_SAMPLE, seed=FILM_SAMPLE_SEED):
    """The addresses of `count` films drawn at random from every film in the database `env`
    names, in the order drawn."""
    script = (
        "import random, sys, django; django.setup(); from films.models import Film; "
        "ids = sorted(Film.objects.values_list('pk', flat=True)); "
        "drawn = random.Random(int(sys.argv[2])).sample(ids, min(int(sys.argv[1]), len(ids))); "
        "slugs = dict(Film.objects.filter(pk__in=drawn).values_list('pk', 'slug')); "
        "print(*(Film(slug=slugs[pk]).get_absolute_url() for pk in drawn), sep='\\n')"
    )
    listed = subprocess.run(
        [sys.executable, "-c", script, str(count), str(seed)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "moviedb.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return listed.stdout.split()


def load_average():
    return round(os.getloadavg()[0], 2)


def measure(site, name, paths, headers, args):
    """wrk against `paths` after a short warm-up that opens the database connections and
    fills the page cache."""
    status, body = site.get(paths[0])
    if status != 200:
        raise SystemExit(f"{name}: {paths[0]} answered {status}\n{body[:2000]}")
    with site.load(WARMUP_SECONDS, args.connections, headers=headers, paths=paths):
        pass
    load_before = load_average()
    with site.load(args.duration, args.connections, headers=headers, paths=paths) as load:
        pass
    r = load.result
    return {
        "phase": name,
        "path": paths[0] if len(paths) == 1 else f"{paths[0]} and {len(paths) - 1:,} more",
        "headers": list(headers),
        "requests": r["requests"],
        "requests_per_second": r["rps"],
        "p50_ms": r["p50_ms"],
        "p95_ms": r["p95_ms"],
        "p99_ms": r["p99_ms"],
        "errors": load.errors,
        "non_2xx_3xx": r["bad_status"],
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def run(database_url, cache_env, args):
    films = random_film_paths(production_env(database_url))
    rows = []
    for cached in (False, True):
        settings = {"DJANGO_SETTINGS_MODULE": "bench.settings", **cache_env}
        if not cached:
            settings["DJANGO_PAGE_CACHE_SECONDS"] = "0"
        # One port each, so each keeps its log (var/gunicorn-PORT.log).
        site = Site(production_env(database_url, **settings), args.port + cached).start()
        try:
            if cached:
                require_cacheable(site, FILM)
            server_rows = [
                measure(site, name, paths(films) if callable(paths) else paths, headers, args)
                for name, paths, with_cache, headers in PHASES
                if with_cache == cached
            ]
        finally:
            site.stop()
        reference = server_rows[0]["requests_per_second"]
        for row in server_rows:
            row["ratio_to_healthz"] = round(row["requests_per_second"] / reference, 3)
        rows += server_rows
    return rows


def require_cacheable(site, path):
    """A page the cache may not keep would be measured uncached under the cached label."""
    with urllib.request.urlopen(site.base + path, timeout=10) as response:
        cache_control = response.headers.get("Cache-Control", "")
    if "public" not in cache_control:
        raise SystemExit(f"{path} is not cacheable (Cache-Control: {cache_control!r})")


def redis_cache(url, prefix):
    """Environment for a page cache in Redis at `url`, or none when Redis does not answer."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return {}
    return {"REDIS_URL": url, "DJANGO_CACHE_KEY_PREFIX": prefix}


def forget_cache(cache_env):
    if cache_env:
        client = redis.Redis.from_url(cache_env["REDIS_URL"])
        for key in client.scan_iter(f"{cache_env['DJANGO_CACHE_KEY_PREFIX']}:*"):
            client.delete(key)


def revision():
    """The commit measured, marked dirty when the worktree has changes."""
    describe = ["git", "describe", "--always", "--dirty"]
    return subprocess.run(describe, cwd=ROOT, capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=12, help="seconds of load per phase")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--films", type=int, default=200, help="generated film pages besides the seed film"
    )
    parser.add_argument(
        "--size", type=int, help="start from this many films imported from IMDb files (PostgreSQL)"
    )
    parser.add_argument(
        "--port", type=int, default=8031, help="gunicorn's port on 127.0.0.1 (and the next one)"
    )
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/14", help="Redis for the page cache"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'db.sqlite3'}"
    vendor = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    if args.size and vendor != "postgresql":
        raise SystemExit("--size needs DATABASE_URL to name a PostgreSQL database.")
    cache_env = redis_cache(args.redis, f"moviedb-bench-{os.getpid()}")
    # Imported first: the import's load on the machine is not the benchmark's.
    template = args.size and database_for(url, args.size, seed=1)
    started_on = machine()
    with tempfile.TemporaryDirectory() as scratch:
        database_url = scratch_database_url(url, "bench_pages", scratch, template=template)
        try:
            generate_films(Path(scratch) / "films", args.films)
            imported = f"{args.size:,} imported films, " if args.size else ""
            print(f"Loading {imported}the seed film and {args.films} generated films ...")
            prepare_database(production_env(database_url), [Path(scratch) / "films"])
            rows = run(database_url, cache_env, args)
        except subprocess.CalledProcessError as error:
            raise SystemExit(error.stderr.decode()[-4000:]) from None
        finally:
            forget_cache(cache_env)
            if vendor == "postgresql":
                fresh_postgres_database(database_url, drop_only=True)

    goals = [
        {"phase": phase, "ratio_at_least": least, "ratio": ratio_of(rows, phase)}
        for phase, least in GOALS
    ]
    result = {
        "benchmark": "pages",
        "database": vendor,
        "page_cache": "redis" if cache_env else "local memory",
        "films": args.films + 1 + (args.size or 0),
        "wrk": {"threads": 2, "connections": args.connections, "seconds": args.duration},
        "gunicorn": {"workers": 2, "threads": 4},
        "machine": {**started_on, "load_average_after": machine()["load_average"]},
        "revision": revision(),
        "django": django.get_version(),
        "at": datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"),
        "reference": REFERENCE,
        "goals": goals,
        "phases": rows,
    }
    print_table(result)
    write(f"pages-{vendor}-{result['at']}", result)


def ratio_of(rows, phase):
    return next(r["ratio_to_healthz"] for r in rows if r["phase"] == phase)


def print_table(result):
    m, w = result["machine"], result["wrk"]
    print(
        f"\n{result['database']}, page cache in {result['page_cache']}, {result['films']} films; "
        f"wrk {w['threads']} threads, {w['connections']} connections, {w['seconds']} s a phase; "
        f"{m['nproc']} CPUs, {m['memory_gib']} GiB, load average {m['load_average']}"
    )
    print(
        f"{'phase':<32} {'requests/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'ratio':>6} {'errors':>6} {'load':>5}"
    )
    for r in result["phases"]:
        print(
            f"{r['phase']:<32} {r['requests_per_second']:>10} {r['p50_ms']:>8} {r['p95_ms']:>8} "
            f"{r['p99_ms']:>8} {r['ratio_to_healthz']:>6} "
            f"{r['errors'] + r['non_2xx_3xx']:>6} {r['load_average_before']:>5}"
        )
    print(f"ratio: requests/s as a share of {result['reference']} on the same server")
    for goal in result["goals"]:
        met = "met" if goal["ratio"] >= goal["ratio_at_least"] else "MISSED"
        print(f"goal: {goal['phase']} at least {goal['ratio_at_least']}: {goal['ratio']} ({met})")


if __name__ == "__main__":
    main()
