"""Import during traffic: a large importfilms run beside a load run loses no request.

Each pass imports a batch of new generated films (film page and making-of page, as the
import benchmark makes them) in its own process, with the site's settings and cache, while
wrk reads film, list and search pages. The short form imports one batch; with
LOADTEST_SECONDS set (`make loadtest`), batches follow each other until that time is up.
"""

import os
import random
import subprocess
import sys
import time

from bench.import_pages import film_pages
from bench.serving import ROOT

from .conftest import assert_clean

FILMS_PER_PASS = 100
CAST_SIZES = (5, 20, 60)
SECONDS = int(os.environ.get("LOADTEST_SECONDS", 0))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", 16))
# Pages that change as films arrive: lists, searches, the newest films, shared people.
CHANGING_PAGES = [
    "/films/?sort=newest",
    "/films/?decade=1960",
    "/search/?q=film",
    "/people/",
    "/locations/azusa-california-usa/",
]


def write_batch(folder, first):
    """FILMS_PER_PASS new films, numbered from first, as page and making-of files."""
    rng = random.Random(first)
    folder.mkdir()
    for number in range(first, first + FILMS_PER_PASS):
        page, making_of = film_pages(number, CAST_SIZES[number % len(CAST_SIZES)], rng)
        (folder / f"{number:05}-page.txt").write_text(page, encoding="utf-8")
        (folder / f"{number:05}-making-of.txt").write_text(making_of, encoding="utf-8")
    return folder


def import_films(site, folder):
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "manage.py", "importfilms", str(folder), "--verbosity", "1"],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert f"{FILMS_PER_PASS} created" in run.stdout, run.stdout[-2000:]
    return time.monotonic() - started


def test_an_import_during_traffic_loses_no_request(site, tmp_path, capsys):
    paths = site.paths() + CHANGING_PAGES
    for path in CHANGING_PAGES:
        assert site.get(path)[0] == 200, path
    # wrk's own limit is only a backstop: the run is stopped once the imports are over.
    with site.load(max(SECONDS, 600), CONNECTIONS, paths=paths) as load:
        time.sleep(1)
        started, passes, import_seconds = time.monotonic(), 0, 0.0
        while passes == 0 or time.monotonic() - started < SECONDS:
            # Numbers past the generator's range of years keep every pass's films new.
            folder = write_batch(tmp_path / f"pass-{passes}", 10_000 + passes * FILMS_PER_PASS)
            import_seconds += import_films(site, folder)
            passes += 1
        time.sleep(1)
        load.stop()
    result = load.result
    with capsys.disabled():
        print(
            f"\n{passes * FILMS_PER_PASS} films imported in {import_seconds:.1f} s while "
            f"{result['requests']} requests were answered in {result['seconds']} s over "
            f"{CONNECTIONS} connections: {result['rps']} requests/s, p50 {result['p50_ms']} ms, "
            f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms"
        )
    assert_clean(load)
