"""Long lists are paged a bounded depth deep, with totals counted up to a bound, estimated
past it on PostgreSQL, and cached until the data changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from films import pagination, views
from films.freshness import _new_version
from films.models import Film
from films.pagination import CappedPaginator, count_total, two_significant_figures
from tests.builders import make_film, make_genre, make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("number", "shown"),
    [(0, 0), (7, 7), (99, 99), (100, 100), (149, 150), (98_765, 99_000), (1_004_321, 1_000_000)],
)
def test_estimates_keep_two_significant_figures(number, shown):
    assert two_significant_figures(number) == shown


def test_totals_up_to_the_bound_are_exact():
    for _ in range(3):
        make_film()
    assert count_total(Film.objects.all(), exact_up_to=3) == pagination.Total(3)


def test_totals_past_the_bound_are_estimated_on_postgresql_and_exact_on_sqlite():
    """Past the bound PostgreSQL's planner estimates the total (never below the bound);
    SQLite counts exactly."""
    for _ in range(5):
        make_film()
    total = count_total(Film.objects.all(), exact_up_to=2)
    if connection.vendor == "postgresql":
        assert total.estimated
        assert total.count >= 3
    else:
        assert total == pagination.Total(5)


@pytest.fixture
def small_pages(monkeypatch):
    """Two films a page, at most three pages, totals exact up to four films (six: as many
    as the pages show)."""
    monkeypatch.setattr(views, "FILMS_PER_PAGE", 2)
    monkeypatch.setattr(pagination, "MAX_PAGES", 3)
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 4)


@pytest.mark.usefixtures("small_pages")
def test_pages_stop_at_the_deepest_page(client):
    """Nine films make five pages of two, but only three are served; the last one is full
    and the pagination says the rest is reached by filtering."""
    for _ in range(9):
        make_film()
    deepest = client.get("/films/?page=3")
    assert deepest.status_code == 200
    page = deepest.context["page_obj"]
    assert (page.start_index(), page.end_index(), len(page)) == (5, 6, 2)
    assert not page.has_next()
    assert "filter or search to find the rest" in deepest.content.decode()
    assert client.get("/films/?page=4").status_code == 404


@pytest.mark.usefixtures("small_pages")
def test_a_short_list_shows_its_exact_total(client):
    for _ in range(3):
        make_film()
    response = client.get("/films/?page=2")
    html = response.content.decode()
    assert "3 films" in html
    assert "About" not in html
    assert "3\N{EN DASH}3 of 3 films" in html


@pytest.mark.usefixtures("small_pages")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates are PostgreSQL's")
def test_a_long_list_says_its_total_is_an_estimate(client, monkeypatch):
    monkeypatch.setattr(views, "NAMES_PER_PAGE", 2)
    for _ in range(9):
        make_person()
    html = client.get("/people/").content.decode()
    assert "of about " in html


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize("query", ["", "?decade=1980", "?year_min=1985"])
def test_the_film_list_shows_its_exact_total_however_long(client, query):
    """The film list's decade facet counts every film it shows, undated ones too: its total
    is exact past the bound, and takes no pass of its own."""
    for year in (1985, 1986, 1987, 1988, 1999, 2001, None):
        make_film(year=year)
    expected = {"": 7, "?decade=1980": 4, "?year_min=1985": 6}[query]
    response = client.get(f"/films/{query}")
    paginator = response.context["page_obj"].paginator
    assert (paginator.count, paginator.estimated) == (expected, False)
    assert f"of {expected} films" in response.content.decode()


def test_capped_pagination_of_a_plain_list():
    """end_index is the page's last row, not the total, when the last page is a capped one."""
    for _ in range(7):
        make_film()
    paginator = CappedPaginator(Film.objects.order_by("pk"), 2, max_pages=2, exact_up_to=100)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (7, 2, True)
    assert paginator.page(2).end_index() == 4
    empty = CappedPaginator(Film.objects.none(), 2)
    assert (empty.count, empty.num_pages, empty.page(1).end_index()) == (0, 1, 0)


@pytest.fixture
def count_cache(settings, local_caches):
    """Totals and facets cached, in caches of this test's own."""
    settings.COUNT_CACHE_SECONDS = 60


@pytest.mark.usefixtures("count_cache")
def test_totals_and_facets_are_counted_once_per_data_version(client):
    """A second request for the same filters, in another sort or on another page, takes
    fewer queries: the total and the facets come from the cache. After a change to the data
    they are counted again."""
    drama = make_genre(name="Drama", slug="drama")
    for year in (1985, 1987, 2001):
        make_film(year=year).genres.add(drama)
    with CaptureQueriesContext(connection) as first:
        response = client.get("/films/?genre=drama")
    with CaptureQueriesContext(connection) as second:
        again = client.get("/films/?genre=drama&sort=title")
    assert len(second) < len(first)
    assert not [q["sql"] for q in second.captured_queries if "COUNT(" in q["sql"].upper()]
    assert again.context["page_obj"].paginator.count == 3
    assert {f.label: f.count for f in again.context["decade_facets"]} == {"1980s": 2, "2000s": 1}

    make_film(year=1999).genres.add(drama)
    assert client.get("/films/?genre=drama").context["page_obj"].paginator.count == 3  # cached
    _new_version()  # what data_changed() does once the change commits
    response = client.get("/films/?genre=drama")
    assert response.context["page_obj"].paginator.count == 4
    assert {f.label: f.count for f in response.context["decade_facets"]} == {
        "1980s": 2,
        "1990s": 1,
        "2000s": 1,
    }


@pytest.mark.usefixtures("count_cache")
def test_the_film_list_after_the_home_page_counts_its_own_facets(client):
    """The home page caches its genre and decade counts for every film; the unfiltered film
    list, whose facets count the same films, reads its own."""
    drama = make_genre(name="Drama", slug="drama")
    make_film(year=1985).genres.add(drama)
    assert client.get("/").status_code == 200
    response = client.get("/films/")
    assert response.status_code == 200
    assert {f.label: f.count for f in response.context["genre_facets"]} == {"Drama": 1}
    assert {f.label: f.count for f in response.context["decade_facets"]} == {"1980s": 1}
