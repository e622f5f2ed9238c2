"""The page benchmark's bare view exists only under its own settings, and its pages are real."""

import pytest
from django.test import override_settings
from django.utils.text import slugify

from bench.generate import GENRES
from bench.pages import BARE_VIEW, FILM, FILM_LISTS
from tests.builders import make_genre

pytestmark = pytest.mark.django_db


def test_the_site_does_not_route_the_bare_view(client):
    assert client.get(BARE_VIEW).status_code == 404


def test_the_benchmark_settings_are_the_sites_with_the_bare_view_routed():
    from bench import settings as bench_settings
    from moviedb import settings as site_settings

    assert bench_settings.ROOT_URLCONF == "bench.urls"
    assert bench_settings.MIDDLEWARE == site_settings.MIDDLEWARE


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bare_view_answers_a_fixed_string_through_the_middleware(client):
    response = client.get(BARE_VIEW)
    assert response.status_code == 200
    assert response.content == b"moviedb"
    # The site's middleware ran: its security headers are on the response.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_benchmarked_film_page_shows_the_seed_film(client, mask):
    """The film page the benchmark loads renders Mask: a real page, not a redirect or a 404."""
    film = client.get(FILM)
    assert film.status_code == 200
    assert "Mask" in film.content.decode()


def test_the_random_film_lists_apply_every_filter_they_give(client):
    """The lists the benchmark loads are lists the filters understand, nearly all of them
    different combinations, so that no cached count of one serves the others."""
    for name in GENRES:
        make_genre(name=name, slug=slugify(name))
    assert len(set(FILM_LISTS)) > 0.8 * len(FILM_LISTS)
    for path in FILM_LISTS[:20]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.context["problems"] == [], path
        assert response.context["chips"], path


def test_the_made_up_parameters_the_benchmark_sends_reach_the_film_page(client, mask):
    from bench.pages import MADE_UP_PARAMETERS

    response = client.get(MADE_UP_PARAMETERS[-1])
    assert response.status_code == 200
    assert "Mask" in response.content.decode()


def test_the_catalogue_benchmark_measures_a_made_up_catalogue():
    """bench.catalogue builds an index of made-up films and times lists of it."""
    from bench.catalogue import measure

    row = measure(2000, lists=5)
    assert row["films"] == 2000
    assert 0 < row["megabytes"] < 1
    assert row["random_list_ms"] > 0


def test_the_import_benchmark_tells_each_merge_stage_how_busy_the_cores_were():
    """From samples of the machine's busy CPU time and the times the stages' lines came:
    one of two cores busy for the first ten seconds, both for the next ten. A file's line
    comes when the merges ask for it, and a stage under a second falls between samples:
    neither is told."""
    from bench import import_imdb

    busy = [(t / 10, t / 10) for t in range(101)]
    busy += [(10 + t / 10, 10 + 2 * t / 10) for t in range(1, 101)]
    lines = [
        (10.0, "merging films: 10.0 s\n"),
        (12.0, "title.principals.tsv: 1,000 rows, 500 rows/s, 2.0 s\n"),
        (15.0, "merging genres: 0.4 s\n"),
        (20.0, "merging people: 5.0 s\n"),
    ]
    use = import_imdb.core_use(lines, busy, cores=2)
    assert use == {"merging films": pytest.approx(0.5), "merging people": pytest.approx(1.0)}


def test_the_import_benchmark_names_each_process_in_the_peak():
    """The peak's breakdown names the import, and each worker of multiprocessing by the
    module it runs, and gives the process that samples itself its own resident memory."""
    import os

    from bench import import_imdb

    def cmdline(*args):
        return "\0".join(args).encode() + b"\0"

    manage = cmdline("/venv/bin/python", "/repo/manage.py", "importimdb", "--verbosity=2")
    assert import_imdb._command(manage) == "manage.py importimdb"
    worker = cmdline(
        "/venv/bin/python",
        "-c",
        "from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7)",
        "--multiprocessing-fork",
    )
    assert import_imdb._command(worker) == "multiprocessing.spawn"

    rss, pss, processes = import_imdb.tree_memory(os.getpid())
    (own,) = [p for p in processes if p[0] == os.getpid()]
    assert rss >= own[2] > 10 * 2**20
    assert pss >= own[3] > 0
