"""The film list's catalogue index (films/catalogue.py) at sizes no database here holds.

    python -m bench.catalogue [--films 10000 100000 1000000]

Made-up films (years 1900-2025, ratings and votes at random, zero to three of 24 genres)
go straight into a Catalogue, without a database: its memory, how long it takes to build
from the rows, and the time one list takes of it (its counts, then its first page), for
random lists like bench.pages' (one or two genres, a 15-year range, half of them with a
least rating; by rating) and for the deepest page (100) of every film by votes. The times
are what the index adds to a list at each size; the rest of a list does not grow with the
catalogue.
"""

import argparse
import os
import time

import numpy as np

from bench.results import machine, write


def made_up(films, rng):
    """(films, pairs, genres) rows as films.catalogue.read() gives them."""
    from films.catalogue import SORTS

    ids = np.arange(1, films + 1)
    year = np.sort(rng.integers(1900, 2026, films))
    columns = [ids, year, rng.integers(-1, 101, films), rng.integers(0, 100_000, films)]
    columns += [rng.permutation(films) + 1 for _ in SORTS]
    per_film = rng.integers(0, 4, films)
    film_ids = np.repeat(ids, per_film)
    pairs = np.unique(np.column_stack([film_ids, rng.integers(0, 24, len(film_ids))]), axis=0)
    genres = [(n, f"genre-{n}", f"Genre {n:02}") for n in range(24)]
    return np.column_stack(columns), pairs, genres


def random_lists(count, rng):
    from films.catalogue import Query

    lists = []
    for _ in range(count):
        year = int(rng.integers(1920, 2010))
        genres = tuple(int(g) for g in rng.choice(24, int(rng.integers(1, 3)), replace=False))
        rating = int(rng.choice([50, 60, 65, 70, 80])) if rng.random() < 0.5 else None
        lists.append(
            Query(
                year_min=year, year_max=year + 14, genres=genres, rating_min=rating, sort="rating"
            )
        )
    return lists


def measure(films, lists=300):
    from films.catalogue import Catalogue, Query

    rng = np.random.default_rng(1985)
    rows, pairs, genres = made_up(films, rng)
    started = time.process_time()
    index = Catalogue(rows, pairs, genres)
    built = time.process_time() - started
    queries = random_lists(lists, rng)
    started = time.process_time()
    for query in queries:
        index.page(index.count(query), query.sort, 0, 24)
    random_ms = (time.process_time() - started) / lists * 1000
    every_film = index.count(Query(sort="votes"))
    index.page(every_film, "votes", 0, 24)  # makes the order of that sort, once
    started = time.process_time()
    for _ in range(20):
        index.page(every_film, "votes", 99 * 24, 100 * 24)
    deepest_ms = (time.process_time() - started) / 20 * 1000
    return {
        "films": films,
        "megabytes": round(index.nbytes / 1e6, 1),
        "build_seconds": round(built, 2),
        "random_list_ms": round(random_ms, 3),
        "deepest_page_ms": round(deepest_ms, 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moviedb.settings")
    import django

    django.setup()
    started_on = machine()
    rows = [measure(films) for films in args.films]
    print(f"load average {started_on['load_average']}")
    print(f"{'films':>10} {'MB':>6} {'build s':>8} {'random list ms':>15} {'deepest page ms':>16}")
    for row in rows:
        print(
            f"{row['films']:>10,} {row['megabytes']:>6} {row['build_seconds']:>8} "
            f"{row['random_list_ms']:>15} {row['deepest_page_ms']:>16}"
        )
    sizes = "-".join(str(films) for films in args.films)
    write(f"catalogue-{sizes}", {"benchmark": "catalogue", "machine": started_on, "rows": rows})


if __name__ == "__main__":
    main()
