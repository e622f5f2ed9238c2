"""On PostgreSQL, the film list and search find their rows through indexes: their plans
read neither the film nor the credit table from end to end, whatever the sort or filter.

The plans are PostgreSQL's own choice over tables big enough for a sequential scan to lose
(20,000 films, 60,000 credits) with fresh statistics, as a real database has."""

import json

import pytest
from django.db import connection
from django.http import QueryDict

from films.filters import FilmFilter
from films.models import Film
from films.pagination import MAX_PAGES
from films.search import ranked_matches
from films.views import FILMS_PER_PAGE

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]

FILMS = 20_000
BIG_TABLES = {"films_film", "films_credit"}


@pytest.fixture
def many_films():
    """FILMS films over 125 years, three genres and three credits each, analyzed."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO films_genre (name, slug)
            SELECT initcap(g), g FROM unnest(ARRAY['drama', 'comedy', 'horror', 'western']) g;
            INSERT INTO films_film (title, slug, year, rating, vote_count, release_country,
                logline, plot, gross_region, original_title, title_type, added_at, updated_at)
            SELECT 'Film ' || md5(i::text), 'film-' || i, 1900 + i %% 125,
                CASE WHEN i %% 10 = 0 THEN NULL ELSE (i %% 100) / 10.0 END, (i * 7919) %% 100000,
                '', '', '', '', '', 'movie', now(), now()
            FROM generate_series(1, %(films)s) i;
            INSERT INTO films_film_genres (film_id, genre_id)
            SELECT f.id, g.id FROM films_film f JOIN films_genre g
                ON g.id %% 4 <> f.id %% 4;
            INSERT INTO films_person (name, slug)
            SELECT 'Person ' || md5(i::text), 'person-' || i FROM generate_series(1, 5000) i;
            INSERT INTO films_credit (film_id, person_id, role, job, character, credited_as,
                uncredited, "order", is_star)
            SELECT f.id, p.id, r.role, '', '', '', false, 1, false
            FROM films_film f
            CROSS JOIN (VALUES ('director', 0), ('cast', 1), ('writer', 2)) r(role, n)
            JOIN films_person p ON p.id = (SELECT min(id) FROM films_person)
                + (f.id * 3 + r.n) %% 5000;
            ANALYZE films_genre, films_film, films_film_genres, films_person, films_credit;
            """,
            {"films": FILMS},
        )


def scanned_tables(queryset):
    """The tables the plan of queryset reads with a sequential scan."""
    plan = json.loads(queryset.explain(format="json"))
    plan = plan[0] if isinstance(plan, list) else plan
    found, nodes = set(), [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        if node["Node Type"] == "Seq Scan":
            found.add(node["Relation Name"])
        nodes += node.get("Plans", [])
    return found


def film_list(query):
    """The rows of the film list's page for query, as the view asks for them."""
    filters = FilmFilter(QueryDict(query), queryset=Film.objects.sorted_by("votes"))
    return filters.qs


SORTS = [key for key, _ in FilmFilter.SORT_CHOICES]
FILTERS = [
    "genre=drama",
    "decade=1980",
    "genre=comedy&decade=1990",
    "year_min=1950&year_max=1960",
    "rating_min=8",
    "votes_min=90000",
    "title=abc",
    "role=director",
]


def searched(text):
    return ranked_matches(Film.objects.all(), "title", text, "-vote_count", "title", "pk")


@pytest.mark.usefixtures("many_films")
def test_lists_and_search_read_through_indexes():
    """Page 1 and the deepest page of every sort, page 1 of each filter, and search. (One
    test, as filling the tables takes seconds.)"""
    deepest = (MAX_PAGES - 1) * FILMS_PER_PAGE
    queries = {}
    for sort in SORTS:
        films = film_list(f"sort={sort}")
        queries[f"sort={sort}"] = films[:FILMS_PER_PAGE]
        queries[f"sort={sort}, deepest page"] = films[deepest : deepest + FILMS_PER_PAGE]
    for query in FILTERS:
        queries[query] = film_list(query)[:FILMS_PER_PAGE]
    queries["search"] = searched("abc")[:21]
    queries["search, two words"] = searched("film abc")[:21]
    scans = {name: scanned_tables(films) & BIG_TABLES for name, films in queries.items()}
    assert {name: tables for name, tables in scans.items() if tables} == {}
