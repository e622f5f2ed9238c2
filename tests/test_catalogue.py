"""The catalogue index counts and pages the film list exactly as the SQL path does, and a
writer's change shows at the next list."""

import logging
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, connections
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from films import catalogue
from films.cards import CARD_COLUMNS, card_rows, film_cards
from films.filters import FilmFilter
from films.freshness import data_changed
from films.models import Credit, Film
from tests.builders import make_film, make_genre, make_person

pytestmark = pytest.mark.django_db

GENRES = ["Action", "Comedy", "Drama", "Film-Noir", "Horror", "Sci-Fi"]
# Titles that tie, differ only in case or accents, or sort differently by collation.
TITLES = ["Alpha", "alpha", "Álpha", "Beta", "beta", "Zeta", "Æon", "10 Days", "9 Days", "The End"]

RATINGS = [None, Decimal("0.0"), Decimal("5.0"), Decimal("6.5"), Decimal("7.0"), Decimal("7.0")]


@pytest.fixture
def films():
    """200 films with ties everywhere: few years (some undated), few ratings (some unrated),
    few vote counts, repeated titles, zero to three genres each."""
    rng = random.Random(1985)
    genres = [make_genre(name=name, slug=name.lower()) for name in GENRES]
    made = Film.objects.bulk_create(
        Film(
            title=rng.choice(TITLES),
            slug=f"film-{n}",
            year=rng.choice([None, 1899, 1900, 1955, 1959, 1960, 1987, 1987, 2001, 2009, 2010]),
            rating=rng.choice(RATINGS)
            if rng.random() < 0.9
            else Decimal(f"{rng.randint(0, 100) / 10:.1f}"),
            vote_count=rng.choice([0, 5, 100, 100, 1000, 25_000]),
        )
        for n in range(200)
    )
    through = Film.genres.through
    through.objects.bulk_create(
        through(film=film, genre=genre)
        for film in made
        for genre in rng.sample(genres, rng.choice([0, 1, 1, 2, 3]))
    )
    return made


def random_query(rng):
    """A film list's query string: what the index answers, in random combinations."""
    query = {}
    if rng.random() < 0.8:
        query["genre"] = rng.sample([name.lower() for name in GENRES], rng.choice([1, 1, 2, 3]))
        if rng.random() < 0.4:
            query["genre_match"] = "all"
    if rng.random() < 0.6:
        low = rng.choice([1880, 1899, 1900, 1950, 1960, 1987, 2005])
        query["year_min"] = low
        if rng.random() < 0.7:
            query["year_max"] = low + rng.choice([0, 9, 14, 60])
    elif rng.random() < 0.3:
        query["year_max"] = rng.choice([1899, 1960, 2100])
    if rng.random() < 0.4:
        query["decade"] = rng.choice([1890, 1900, 1950, 1980, 2000, 2010])
    if rng.random() < 0.5:
        query["rating_min"] = rng.choice(["0", "5", "6.5", "6.6", "7", "9.9"])
    if rng.random() < 0.3:
        query["votes_min"] = rng.choice([0, 6, 100, 1000, 10**6])
    query["sort"] = rng.choice([*catalogue.SORTS, None])
    data = QueryDict(mutable=True)
    for name, value in query.items():
        if value is not None:
            data.setlist(name, value if isinstance(value, list) else [str(value)])
    return data


def by_decade(decade_counts):
    return {row["decade"]: row["film_count"] for row in decade_counts}


@pytest.mark.usefixtures("films")
def test_the_index_counts_and_pages_as_the_database_does():
    """Over many random filter states (genres any or all, years, decades, ratings and votes,
    undated and unrated films, every sort, empty results), the index's facet counts, total
    and pages of films are the SQL path's, film for film."""
    rng = random.Random(12)
    empty = 0
    for _ in range(150):
        data = random_query(rng)
        films = FilmFilter(data, queryset=Film.objects.sorted_by(FilmFilter.DEFAULT_SORT))
        index, counts = films.from_catalogue()
        genre_counts, decade_counts = films.facet_counts()
        assert counts.genre_counts == genre_counts, data.urlencode()
        assert by_decade(counts.decade_counts) == by_decade(decade_counts), data.urlencode()
        ids = list(films.qs.values_list("pk", flat=True))
        assert counts.total == films.total(decade_counts) == len(ids), data.urlencode()
        ranked = index.ranked(counts, films.form.cleaned_data.get("sort"))
        for page in range(0, 4):  # pages of 7: argpartition's edge, past the end
            assert ranked[page * 7 : page * 7 + 7] == ids[page * 7 : page * 7 + 7], data
        empty += not ids
    assert 5 < empty < 100  # some lists are empty, most are not


@pytest.mark.usefixtures("films")
@pytest.mark.parametrize(
    "query", ["title=alpha", "person=nobody", "role=director", "location=paris", "making_of=on"]
)
def test_other_filters_take_the_sql_path(query):
    films = FilmFilter(QueryDict(query), queryset=Film.objects.all())
    assert films.from_catalogue() is None


@pytest.mark.usefixtures("films")
def test_a_list_shows_the_index_page_of_cards(client):
    """The list's cards are the index's films in its order, with their genres by name."""
    response = client.get("/films/?genre=drama&genre=comedy&sort=rating&page=2")
    shown = [card.slug for card in response.context["page_obj"]]
    expected = Film.objects.sorted_by("rating").filter(genres__slug__in=["drama", "comedy"])
    expected = list(dict.fromkeys(expected.values_list("slug", flat=True)))[24:48]
    assert shown == expected
    card = response.context["page_obj"][0]
    film = Film.objects.get(slug=card.slug)
    assert card.genres == sorted(genre.name for genre in film.genres.all())


@pytest.fixture
def background_reads(transactional_db, settings, local_caches, monkeypatch):
    """The index kept per data version, as in production: read by a thread of the worker's
    own, which sees only what has committed (so must the test's writes). Returns a function
    that waits for the read under way; every read has ended when the test does, and no
    failed read of the test holds off the next test's."""
    settings.COUNT_CACHE_SECONDS = 3600
    monkeypatch.setattr(catalogue, "_failed", {})

    def wait():
        for reader in list(catalogue._readers.values()):
            reader.join(timeout=30)
            assert not reader.is_alive(), "the index is still being read"

    yield wait
    wait()


class SlowRead:
    """catalogue.read as a million films make it: the rows read, it takes its time, here
    until the test lets it finish (or 5 s, where a request would wait for it). The reads
    numbered in `failing` (the first is 1) fail."""

    def __init__(self, monkeypatch, failing=()):
        self.real, self.failing = catalogue.read, set(failing)
        self.rows_read, self.finish = threading.Event(), threading.Event()
        self.started = self.finished = 0
        self.connection = None
        monkeypatch.setattr(catalogue, "read", self)

    def __call__(self, alias):
        self.started += 1
        self.connection = connections[alias]
        if self.started in self.failing:
            raise DatabaseError("the database went away")
        index = self.real(alias)
        self.rows_read.set()
        self.finish.wait(timeout=5)
        self.finished += 1
        return index


class Clock:
    """The catalogue's time.monotonic(), moved on by the test alone."""

    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(catalogue, "time", self)

    def monotonic(self):
        return self.now


def a_drama_list():
    """One film, "Shown", in a list of 1990s dramas; the list's address."""
    make_film(title="Shown", year=1990).genres.add(make_genre(name="Drama", slug="drama"))
    return "/films/?genre=drama&decade=1990"


def titles(response):
    return [card.title for card in response.context["page_obj"]]


def counted_in_database(queries):
    return any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def test_a_list_does_not_wait_for_the_index_of_a_new_version(client, background_reads, monkeypatch):
    """The first list after a change is counted by the database, fresh, while a thread of
    its own reads the index; the lists after the read are counted by the index."""
    drama = make_genre(name="Drama", slug="drama")
    make_film(title="Old", year=1990).genres.add(drama)
    url = "/films/?genre=drama&decade=1990&sort=title"
    assert titles(client.get(url)) == ["Old"]
    background_reads()
    make_film(title="New", year=1991).genres.add(drama)  # commits: a new data version
    slow = SlowRead(monkeypatch)
    began = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert time.monotonic() - began < 4
    assert (slow.started, slow.finished) == (1, 0)
    assert titles(response) == ["New", "Old"]  # not the index of the version before
    assert counted_in_database(queries)
    assert titles(client.get(url)) == ["New", "Old"]  # still being read: no second read
    assert slow.started == 1
    assert not catalogue._current  # the index of the version before is let go meanwhile
    slow.finish.set()
    background_reads()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert titles(response) == ["New", "Old"]
    assert not counted_in_database(queries)
    # The reader used a connection of its own, and closed it (an in-memory SQLite database
    # would not survive that: its connection stays open).
    assert slow.connection is not connection
    if connection.vendor != "sqlite":
        assert slow.connection.connection is None


def test_an_index_read_before_a_change_is_not_used_after_it(client, background_reads, monkeypatch):
    """A read that a writer's change overtakes is held for the version it was read at: the
    next list is counted by the database, with the change, and starts another read."""
    drama = make_genre(name="Drama", slug="drama")
    make_film(title="Old", year=1990).genres.add(drama)
    url = "/films/?genre=drama&sort=title"
    slow = SlowRead(monkeypatch)
    assert titles(client.get(url)) == ["Old"]
    assert slow.rows_read.wait(timeout=30)  # the reader has yet to finish
    make_film(title="New", year=1991).genres.add(drama)
    slow.finish.set()
    background_reads()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert titles(response) == ["New", "Old"]
    assert counted_in_database(queries)
    assert slow.started == 2
    background_reads()
    with CaptureQueriesContext(connection) as queries:
        assert titles(client.get(url)) == ["New", "Old"]
    assert not counted_in_database(queries)


def after_a_failed_first_read(client, background_reads, monkeypatch, caplog):
    """The one-film drama list once its first list (shown from SQL) has started a read of
    the index that failed and was logged: its URL, the reads (SlowRead) and the Clock."""
    url = a_drama_list()
    slow = SlowRead(monkeypatch, failing={1})
    slow.finish.set()
    clock = Clock(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="films.catalogue"):
        assert titles(client.get(url)) == ["Shown"]
        background_reads()
    return url, slow, clock


def test_a_failed_read_is_logged_and_read_again(client, background_reads, monkeypatch, caplog):
    """A read the database fails is logged with its traceback; the list is counted by the
    database, and the next list once the back-off has passed starts another read."""
    url, slow, clock = after_a_failed_first_read(client, background_reads, monkeypatch, caplog)
    (failed,) = caplog.records
    assert isinstance(failed.exc_info[1], DatabaseError)
    clock.now += 1
    assert titles(client.get(url)) == ["Shown"]
    background_reads()
    assert slow.started == 2
    with CaptureQueriesContext(connection) as queries:
        assert titles(client.get(url)) == ["Shown"]
    assert not counted_in_database(queries)


def failed_reads(caplog):
    """The log messages of the failed reads of the index."""
    return [record.getMessage() for record in caplog.records if record.name == "films.catalogue"]


def test_a_list_soon_after_a_failed_read_starts_no_read(
    client, background_reads, monkeypatch, caplog
):
    """A database that fails a read is not read in full again by the lists of the next
    second: they take the SQL path, and the log says when a list reads again."""
    url, slow, clock = after_a_failed_first_read(client, background_reads, monkeypatch, caplog)
    with caplog.at_level(logging.ERROR, logger="films.catalogue"):
        for _ in range(3):
            clock.now += 0.3
            assert titles(client.get(url)) == ["Shown"]
            background_reads()
    assert slow.started == 1
    assert failed_reads(caplog) == [
        "Reading the film list's index failed; the first list after 1 s reads it again"
    ]


def test_a_list_after_the_back_off_reads_again_and_each_failure_doubles_it(
    client, background_reads, monkeypatch, caplog
):
    """Once the back-off after a failed read has passed, the next list starts a read; one
    failure after another, the back-off doubles, up to a minute."""
    url = a_drama_list()
    slow = SlowRead(monkeypatch, failing=range(1, 10))
    slow.finish.set()
    clock = Clock(monkeypatch)
    backed_off = [1, 2, 4, 8, 16, 32, 60, 60]
    with caplog.at_level(logging.ERROR, logger="films.catalogue"):
        client.get(url)
        background_reads()
        for reads, seconds in enumerate(backed_off, start=1):
            clock.now += seconds - 0.5
            client.get(url)
            background_reads()
            assert slow.started == reads
            clock.now += 0.5
            client.get(url)
            background_reads()
            assert slow.started == reads + 1
    assert failed_reads(caplog) == [
        f"Reading the film list's index failed; the first list after {seconds} s reads it again"
        for seconds in [*backed_off, 60]
    ]


def test_a_read_that_succeeds_resets_the_back_off(client, background_reads, monkeypatch, caplog):
    """After a read that succeeds, the next failed read backs off for a second again, not
    for twice the last back-off."""
    drama = make_genre(name="Drama", slug="drama")
    make_film(title="Old", year=1990).genres.add(drama)
    url = "/films/?genre=drama&decade=1990&sort=title"
    slow = SlowRead(monkeypatch, failing={1, 2, 4})
    slow.finish.set()
    clock = Clock(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="films.catalogue"):
        for seconds in [0, 1, 2]:  # failed, failed, read
            clock.now += seconds
            client.get(url)
            background_reads()
        assert slow.started == 3
        with CaptureQueriesContext(connection) as queries:
            assert titles(client.get(url)) == ["Old"]
        assert not counted_in_database(queries)
        make_film(title="New", year=1991).genres.add(drama)  # commits: a new data version
        assert titles(client.get(url)) == ["New", "Old"]
        background_reads()
        assert slow.started == 4
        for started in [4, 5]:
            clock.now += 0.5
            client.get(url)
            background_reads()
            assert slow.started == started
    assert failed_reads(caplog) == [
        f"Reading the film list's index failed; the first list after {seconds} s reads it again"
        for seconds in [1, 2, 1]
    ]
    with CaptureQueriesContext(connection) as queries:
        assert titles(client.get(url)) == ["New", "Old"]
    assert not counted_in_database(queries)


def test_a_change_shows_at_the_next_list_once_the_writer_says_so(
    client, background_reads, writers_announce_changes
):
    """The index is read once per data version: a film's new year, genre and rating show
    at the next list once its writer has said the data changed, and not before."""
    drama, comedy = make_genre(name="Drama", slug="drama"), make_genre(name="Comedy", slug="co")
    film = make_film(title="Moved", year=1950, rating=Decimal("5.0"), vote_count=10)
    film.genres.add(drama)
    make_film(title="Stays", year=1950, rating=Decimal("9.0"), vote_count=10).genres.add(drama)
    url = "/films/?genre=co&year_min=1980&year_max=1994&rating_min=8"

    def listed():
        response = client.get(url)
        return [card.title for card in response.context["page_obj"]], response.context

    assert listed()[0] == []
    background_reads()
    Film.objects.filter(pk=film.pk).update(year=1987, rating=Decimal("8.5"))
    film.genres.set([comedy])
    assert listed()[0] == []  # the index of this data version
    data_changed()  # outside a transaction: at once
    for _ in range(2):  # counted by the database, then by the index read since
        shown, context = listed()
        assert shown == ["Moved"]
        assert {facet.label: facet.count for facet in context["decade_facets"]} == {"1980s": 1}
        assert {facet.label: facet.count for facet in context["genre_facets"]} == {"Comedy": 1}
        background_reads()


def test_the_arrays_stay_small():
    """A film costs the index some fifty bytes, its genres a few more."""
    films = [(n, 1900 + n % 100, n % 100, n, *(n,) * len(catalogue.SORTS)) for n in range(1000)]
    pairs = [(n, n % 3) for n in range(1000)]
    index = catalogue.Catalogue(films, pairs, [(0, "a", "A"), (1, "b", "B"), (2, "c", "C")])
    assert index.nbytes / 1000 < 60


def test_a_list_from_the_held_index_costs_two_queries(
    client, background_reads, django_assert_num_queries
):
    """With the index read for this data version, a list of 24 films with directors reads
    their cards and their directors, and nothing else, however many films match."""
    drama = make_genre(name="Drama", slug="drama")
    for n in range(60):
        film = make_film(year=1980 + n % 15, rating=Decimal("7.5"), vote_count=n)
        film.genres.add(drama)
        Credit.objects.create(film=film, person=make_person(), role=Credit.Role.DIRECTOR)
    url = "/films/?genre=drama&year_min=1980&year_max=1994&rating_min=7&sort=rating&page=2"
    client.get(url)
    background_reads()
    with django_assert_num_queries(2):
        response = client.get(url)
    assert len(response.context["page_obj"]) == 24
    assert all(card.directors for card in response.context["page_obj"])


def test_a_list_inside_a_transaction_takes_the_sql_path(client, settings, local_caches):
    """A thread reading the index would not see what the request's transaction wrote (a
    test's, which never commits): the database counts the list, and no read starts."""
    settings.COUNT_CACHE_SECONDS = 3600
    response = client.get(a_drama_list())
    assert [card.title for card in response.context["page_obj"]] == ["Shown"]
    assert response.context["filters"].from_catalogue() is None
    assert not any(reader.is_alive() for reader in catalogue._readers.values())


def test_a_new_genre_is_chosen_once_its_writer_says_so(
    client, settings, local_caches, writers_announce_changes, django_capture_on_commit_callbacks
):
    """The genre choices are kept in the worker per data version, like the index."""
    settings.COUNT_CACHE_SECONDS = 3600
    make_film(title="Old", year=1950).genres.add(make_genre(name="Drama", slug="drama"))
    assert client.get("/films/").status_code == 200
    film = make_film(title="New", year=1951)
    film.genres.add(make_genre(name="Noir", slug="noir"))
    assert "noir is not one of" in client.get("/films/?genre=noir").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        data_changed()
    response = client.get("/films/?genre=noir")
    assert [card.title for card in response.context["page_obj"]] == ["New"]


@pytest.mark.usefixtures("films")
def test_card_rows_are_the_querysets_rows_in_the_order_asked():
    """A page's cards read (prepared on PostgreSQL) the rows the ORM reads for those ids, in
    the order of the ids given, with their directors in billing order."""
    ids = list(Film.objects.order_by("?").values_list("pk", flat=True)[:24])
    director = make_person(name="Cher", slug="cher")
    Credit.objects.create(film_id=ids[3], person=director, role=Credit.Role.DIRECTOR, order=2)
    other = make_person(name="Agnès", slug="agnes")
    Credit.objects.create(film_id=ids[3], person=other, role=Credit.Role.DIRECTOR, order=1)
    expected = {row["pk"]: row for row in Film.objects.values(*CARD_COLUMNS)}
    rows = card_rows([*ids, -1])
    assert rows == [expected[pk] for pk in ids]
    cards = film_cards(rows, lambda film_ids: {})
    assert [name for name, _ in cards[3].directors] == ["Agnès", "Cher"]
    assert cards[3].directors[1][1] == "/people/cher/"


def test_with_the_cache_down_the_list_is_counted_by_the_database(client, settings):
    """The data version lives in the cache: without it the index cannot tell whether it is
    fresh, and the list is counted and read by the database, with the same films."""
    down = {
        "BACKEND": "moviedb.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    settings.CACHES = {"default": down, "freshness": down}
    settings.COUNT_CACHE_SECONDS = 3600
    response = client.get(a_drama_list())
    assert response.status_code == 200
    assert [card.title for card in response.context["page_obj"]] == ["Shown"]
    assert response.context["filters"].from_catalogue() is None


def test_pairs_of_films_or_genres_read_apart_are_left_out():
    """A (film, genre) pair whose film or genre is not among the rows read with it (written
    between two reads) is left out, not put on another film."""
    films = [(n, 1990, 70, 10, *(n,) * len(catalogue.SORTS)) for n in (10, 20)]
    pairs = [(10, 1), (20, 2), (30, 1), (10, 99)]
    index = catalogue.Catalogue(films, pairs, [(1, "a", "A"), (2, "b", "B")])
    assert index.genres_of([10, 20]) == {10: [("a", "A")], 20: [("b", "B")]}
    assert index.count(catalogue.Query()).genre_counts == [("a", "A", 1), ("b", "B", 1)]
