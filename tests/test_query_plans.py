"""On PostgreSQL, the film list and search find their rows through indexes: their plans
read neither the film nor the credit table from end to end, whatever the sort or filter.

The plans are PostgreSQL's own choice over tables big enough for a sequential scan to lose
(20,000 films, 60,000 credits) with fresh statistics, as a real database has."""

import json

import pytest
from django.db import connection
from django.db.models import Count
from django.http import QueryDict

from films.filters import FilmFilter
from films.models import Credit, Film, Person
from films.pagination import EXACT_UP_TO, MAX_PAGES
from films.search import ranked_matches
from films.views import CREDITS_PER_ROLE, FILMS_PER_PAGE, SEARCHED_TITLES

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


def plan_nodes(queryset):
    """Every node of the plan of queryset. (QuerySet.explain() cannot explain a query that
    filters on a window function: it puts the EXPLAIN inside the subquery.)"""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found, nodes = [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        found.append(node)
        nodes += node.get("Plans", [])
    return found


def scanned_tables(queryset):
    """The tables the plan of queryset reads with a sequential scan."""
    return {
        node["Relation Name"] for node in plan_nodes(queryset) if node["Node Type"] == "Seq Scan"
    }


def indexes_used(queryset):
    return {node["Index Name"] for node in plan_nodes(queryset) if "Index Name" in node}


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
    "genre=drama&genre=comedy",
    "genre=drama&genre=comedy&genre_match=all",
]


def searched(text):
    return ranked_matches(
        Film.objects.all(), SEARCHED_TITLES, text, "title", "pk", prominence="vote_count"
    )


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
    queries["search people"] = ranked_matches(
        Person.objects.all(), "name", "person", "name", "pk", prominence="prominence"
    )[:21]
    scans = {name: scanned_tables(films) & BIG_TABLES for name, films in queries.items()}
    assert {name: tables for name, tables in scans.items() if tables} == {}


@pytest.mark.usefixtures("many_films")
def test_a_filmography_reads_only_the_persons_credits_and_their_films():
    """A person with 100 credits (80 cast, 20 directing): the newest of each role, the count
    of each role and a page of one role read only that person's credits and their films, by
    index; a page of one role finds its credits through credit_person_role_year_idx.

    100 of 20,000 films is 0.5%; a person with 500 credits among IMDb's millions of titles is
    far fewer. From about 1%, reading the whole film table once costs less than looking
    each film up, and PostgreSQL takes that plan."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO films_person (name, slug) VALUES ('Busy', 'busy');
            INSERT INTO films_credit (film_id, person_id, role, job, character, credited_as,
                uncredited, "order", is_star, year)
            SELECT f.id, p.id, CASE WHEN f.id % 1000 = 0 THEN 'director' ELSE 'cast' END,
                '', '', '', false, 1, false, f.year
            FROM films_film f, films_person p
            WHERE p.slug = 'busy' AND f.id % 200 = 0;
            ANALYZE films_person, films_credit;
            """
        )
    busy = Person.objects.get(slug="busy")
    assert busy.credits.count() == FILMS // 200
    roles = busy.credits.newest_years_by_role(CREDITS_PER_ROLE)
    newest = busy.credits.newest_of_each_role(
        CREDITS_PER_ROLE, from_years={role: year for role, (_, year) in roles.items()}
    )
    cast = busy.credits.filter(role=Credit.Role.CAST)
    page_of_cast = cast.select_related("film").in_filmography_order()
    queries = {
        "newest of each role": newest.select_related("film"),
        "count of each role": busy.credits.order_by().values("role").annotate(n=Count("*")),
        "page 2 of cast": page_of_cast[CREDITS_PER_ROLE : 2 * CREDITS_PER_ROLE],
        "count of cast": cast.order_by().values("pk")[:EXACT_UP_TO],
    }
    scans = {name: scanned_tables(credits) & BIG_TABLES for name, credits in queries.items()}
    assert {name: tables for name, tables in scans.items() if tables} == {}
    assert "credit_person_role_year_idx" in indexes_used(queries["page 2 of cast"])
    assert "credit_person_role_year_idx" in indexes_used(queries["newest of each role"])
