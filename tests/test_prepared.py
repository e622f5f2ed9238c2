"""Prepared queries (films/prepared.py) and the film page's reads (films/film_page.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from films import cards  # noqa: F401 (registers the any_of lookup)
from films import film_page as reads
from films import prepared as prepared_module
from films.models import Credit, Film, Person, Review, Trivia
from films.prepared import PreparedQuery
from tests.builders import make_film, populate

pytestmark = pytest.mark.django_db

STAND_IN = -1_000_001


def test_a_prepared_query_returns_what_its_queryset_returns_for_each_value():
    """Compiled once, it is run for another film each time, with the ORM's conversions: a
    date is a date and a decimal a Decimal on every database."""
    films = [
        make_film(release_date=datetime.date(1985, 3, 8), rating=Decimal("7.0")),
        make_film(rating=Decimal("6.5")),
    ]

    def build(film_id):
        return Film.objects.filter(pk=film_id).values("title", "release_date", "rating")

    prepared = PreparedQuery(Film, build, stand_in=STAND_IN)
    for film in films:
        assert prepared.rows(film.pk) == list(build(film.pk))
    assert prepared.rows(films[0].pk)[0]["release_date"] == datetime.date(1985, 3, 8)
    assert prepared.rows(films[1].pk)[0]["rating"] == Decimal("6.5")


def test_the_film_pages_window_queries_match_their_querysets():
    """The headline credits and first trivia, whose SQL wraps a window function, come back
    as their querysets give them, for a small film and a big one."""
    small, big = make_film(), make_film()
    populate(small, credits=3, trivia=2)
    populate(big, credits=40, trivia=30)
    for film in (small, big):
        credits = Credit.objects.filter(film=film).headline(15).values("role", "billing")
        assert [
            {"role": row["role"], "billing": row["billing"]}
            for row in reads._headline_credits.rows(film.pk)
        ] == list(credits)
        firsts = Trivia.objects.filter(film=film).firsts_of_each_kind().values("text")
        assert sorted(row["text"] for row in reads._first_trivia.rows(film.pk)) == sorted(
            row["text"] for row in firsts
        )


def test_a_stand_in_the_query_does_not_hold_is_refused():
    prepared = PreparedQuery(Film, lambda film_id: Film.objects.values("title"), stand_in=STAND_IN)
    with pytest.raises(ValueError, match="stand-in"):
        prepared.rows(1)


def test_the_film_page_reads_nothing_for_a_slug_no_film_has():
    make_film(slug="here")
    assert reads.film_page("not-here") is None
    assert reads.film_page("here").film.slug == "here"


def test_the_film_page_reads_its_featured_review_and_section_counts():
    film = make_film()
    populate(film, credits=4, trivia=3, reviews=2)
    Review.objects.filter(film=film, order=1).update(title="First")
    page = reads.film_page(film.slug)
    assert page.review["title"] == "First"
    assert (page.film.credit_count, page.film.trivia_count, page.film.review_count) == (4, 3, 2)
    assert reads.film_page(make_film().slug).review is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
@pytest.mark.django_db(transaction=True)  # autocommit, as a request runs
def test_a_statement_the_session_lost_is_prepared_again():
    """On PostgreSQL each statement is prepared once per connection; one that a connection
    pooler or DEALLOCATE took away is prepared again."""
    film = make_film(title="Kept")
    prepared = PreparedQuery(
        Film, lambda film_id: Film.objects.filter(pk=film_id).values("title"), stand_in=STAND_IN
    )
    assert prepared.rows(film.pk) == [{"title": "Kept"}]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'moviedb_%%'")
        assert cursor.fetchone()[0] >= 1
        cursor.execute("DEALLOCATE ALL")
    assert prepared.rows(film.pk) == [{"title": "Kept"}]
    assert prepared.rows(film.pk) == [{"title": "Kept"}]


def test_the_film_page_asks_only_for_what_the_film_has(django_assert_num_queries):
    """A film of credits and nothing else (as most imported films are) costs four queries:
    its row, its genres, its credits, its sources; one with taglines, places and trivia
    costs seven."""
    bare, full = make_film(), make_film()
    populate(bare, credits=3)
    populate(full, credits=3, trivia=2, locations=1, taglines=1)
    reads.film_page(bare.slug)  # compiled and prepared before counting
    with django_assert_num_queries(4):
        page = reads.film_page(bare.slug)
    assert (page.taglines, page.filming_locations, page.first_trivia) == ([], [], [])
    assert len(page.headline_credits) == 3
    with django_assert_num_queries(7):
        page = reads.film_page(full.slug)
    assert [len(page.taglines), len(page.filming_locations), len(page.first_trivia)] == [1, 1, 1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
@pytest.mark.django_db(transaction=True)  # autocommit, as a request runs
def test_a_statement_the_session_has_already_is_executed():
    """A pooler may hand this process a server session in which another process prepared
    the same statement: it is executed there, not prepared twice."""
    film = make_film(title="Kept")
    prepared = PreparedQuery(
        Film, lambda film_id: Film.objects.filter(pk=film_id).values("title"), stand_in=STAND_IN
    )
    assert prepared.rows(film.pk) == [{"title": "Kept"}]
    # The session keeps the statement; the process forgets that it prepared it there.
    prepared_module._prepared_in.pop(connection.connection)
    assert prepared.rows(film.pk) == [{"title": "Kept"}]
    assert prepared.rows(film.pk) == [{"title": "Kept"}]


def test_any_of_is_a_lookup_of_the_film_id_alone():
    """The cards' `= ANY(ids)` lookup is registered on a film's id, which a credit's film
    reaches too, and on no other integer field of the site."""
    assert "= ANY(" in str(Film.objects.filter(pk__any_of=[1]).query)
    assert "= ANY(" in str(Credit.objects.filter(film__id__any_of=[1]).query)
    with pytest.raises(FieldError, match="any_of"):
        Person.objects.filter(pk__any_of=[1])
    with pytest.raises(FieldError, match="any_of"):
        Film.objects.filter(year__any_of=[1985])
