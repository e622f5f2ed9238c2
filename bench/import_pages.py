"""Import benchmark: generated film pages imported into a fresh, empty database.

    DJANGO_DEBUG=1 python -m bench.import_pages --pages 1000

Each film is a film page (cast of 5 to 300 lines) with its making-of page, imported the way
`importfilms` imports them. Films are grouped by cast size so the table shows whether the
queries per film grow with the cast (they must not). A second pass imports every page again,
the idempotent path that writes nothing. The database is the one DATABASE_URL names, in a
scratch copy created and dropped by the benchmark; the table is also written as JSON under
bench/results/.
"""

import argparse
import datetime
import os
import random
import tempfile
import time
from pathlib import Path

import django

from bench.results import machine, write

CAST_SIZES = (5, 20, 60, 150, 300)
FIRST = "Ann Bob Cy Dee Eve Fay Gus Hal Ida Jon Kay Lee Max Ned Ora Pat Quin Rae Sam Tess"
LAST = "Lee Roe Poe Fox Day Kim Ray Cho Diaz Moss Hart Wolf Banks Stone Frost Vale Reed Lane"


def film_pages(number, cast_size, rng):
    """A film page and its making-of page, in the formats of shared/seeds."""
    year = 1950 + number % 70
    pool = [f"{first} {last}" for first in FIRST.split() for last in LAST.split()]
    names = rng.sample(pool, k=min(cast_size, len(pool)))
    names += [f"Extra {number}-{i}" for i in range(cast_size - len(names))]
    stars = [f"Star {number}-{i}" for i in range(3)]
    cast = [f"{name} - Character {i}" for i, name in enumerate(stars + names[: cast_size - 3])]
    cast[-1] += " (uncredited)"
    page = "\n\n".join(
        [
            "March 8th, 1985",
            "No valid json found",
            f"Logline of film {number}.",
            f"Release Year: {year}",
            f"Rating: {rng.randint(10, 99) / 10}/10 ({rng.randint(1, 99999):,} voted)",
            f"Director: {rng.choice(FIRST.split())} {rng.choice(LAST.split())}",
            f"Stars: {', '.join(stars)}",
            f"Plot of film {number}, at some length. " * 5,
            "\n".join(cast),
            f"Taglines: Tagline {number}.",
            f"Release Date: 8 March {year} (USA)",
            "Filming Locations: Azusa, California, USA",
            f"Gross: ${rng.randint(1, 10**8):,} (USA)",
            "Technical Specs",
            f"Runtime: {rng.randint(80, 200)} min",
            "Did You Know?",
            "A piece of trivia.",
            "Continuity: A goof.",
            f"{stars[0]}: [smiling] A quote.",
            "User Review",
            "A title",
            "A body. 8/10",
            "Comments are closed.",
        ]
    )
    making_of = "\n".join(
        [
            f"Film {number} Behind The Scenes",
            f"Go behind the scenes and learn what went on during the making of the {year} "
            f"Drama movie starring {', '.join(stars)} et al.",
            "A story.",
            "Contributed by: Someone",
            "Deleted Scenes",
            "When movies are made, scenes are often left on the cutting room floor.",
            "Alternate Versions",
            "Sometimes, there will be several versions of a movie floating about.",
        ]
    )
    return page, making_of


def measure(paths):
    from django.db import connection

    from films.importers.batch import import_files

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        reports = import_files(paths=[str(p) for p in paths])
        seconds = time.perf_counter() - started
    failed = [str(error) for report in reports for error in report.errors]
    return seconds, queries, failed


def row(label, films, seconds, queries):
    return {
        "cast_size": label,
        "films": films,
        "seconds": round(seconds, 3),
        "pages_per_second": round(films / seconds, 1),
        "queries_per_film": round(queries / films, 2),
    }


def run(pages, folder):
    rng = random.Random(1985)
    groups = {size: [] for size in CAST_SIZES}
    for number in range(pages):
        size = CAST_SIZES[number % len(CAST_SIZES)]
        page, making_of = film_pages(number, size, rng)
        for name, text in (
            (f"{number:05}-page.txt", page),
            (f"{number:05}-making-of.txt", making_of),
        ):
            (folder / name).write_text(text, encoding="utf-8")
        groups[size] += [folder / f"{number:05}-page.txt", folder / f"{number:05}-making-of.txt"]
    rows, failures, total_seconds, total_queries = [], [], 0.0, 0
    for size, paths in groups.items():
        if not paths:
            continue
        seconds, queries, failed = measure(paths)
        rows.append(row(size, len(paths) // 2, seconds, queries))
        failures += failed
        total_seconds, total_queries = total_seconds + seconds, total_queries + queries
    rows.append(row("all, first import", pages, total_seconds, total_queries))
    seconds, queries, failed = measure(sorted(folder.iterdir()))
    rows.append(row("all, again (unchanged)", pages, seconds, queries))
    return rows, failures + failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", "--size", type=int, default=1000, help="film pages to generate")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moviedb.settings")
    django.setup()
    from django.db import connection

    vendor = connection.vendor
    original = connection.settings_dict["NAME"]
    with tempfile.TemporaryDirectory() as scratch:
        test_name = (
            f"{Path(scratch) / 'bench.sqlite3'}" if vendor == "sqlite" else f"bench_{original}"
        )
        connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            pages_folder = Path(scratch) / "pages"
            pages_folder.mkdir()
            rows, failures = run(args.pages, pages_folder)
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
    print(f"{'cast size':>24} {'films':>6} {'seconds':>8} {'pages/s':>8} {'queries/film':>13}")
    for r in rows:
        print(
            f"{r['cast_size']!s:>24} {r['films']:>6} {r['seconds']:>8} "
            f"{r['pages_per_second']:>8} {r['queries_per_film']:>13}"
        )
    for failure in failures[:10]:
        print(f"failed: {failure}")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "benchmark": "import_pages",
        "database": vendor,
        "pages": args.pages,
        "failures": len(failures),
        "machine": machine(),
        "django": django.get_version(),
        "at": stamp,
        "rows": rows,
    }
    write(f"import_pages-{vendor}-{stamp}", result)


if __name__ == "__main__":
    main()
