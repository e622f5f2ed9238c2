"""Search finds films, people and places, ignoring case and accents, on every database."""

import pytest
from django.db import connection

from films import views
from films.models import Film
from tests.builders import make_film, make_location, make_person, two_john_smiths

pytestmark = pytest.mark.django_db


def found(response):
    return (
        [film.title for film in response.context.get("films", [])],
        [person.name for person in response.context.get("people", [])],
        [location.name for location in response.context.get("locations", [])],
    )


@pytest.mark.parametrize("query", ["amelie", "AMELIE", "Amélie", "amÉlie", "méli"])
def test_accents_and_case_do_not_matter(client, query):
    """ "amelie" finds "Amélie", and the accented query finds the plain spelling too."""
    make_film(title="Amélie")
    make_film(title="Amelie Returns")
    make_film(title="Something else")
    titles, _, _ = found(client.get("/search/", {"q": query}))
    assert sorted(titles) == ["Amelie Returns", "Amélie"]


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Zoë Ñúñez", "zoe nun"),
        ("Søren Kierkegaard", "soren"),
        ("Łódź Film School", "lodz"),
        ("Straße der Pariser Kommune", "strasse"),
        ("Ærø Island", "aero"),
    ],
)
def test_letters_without_a_decomposition_fold_too(client, stored, query):
    """Letters like ø, ł and ß, which have no accent to strip, still match plain spellings."""
    make_person(name=stored)
    _, people, _ = found(client.get("/search/", {"q": query}))
    assert people == [stored]


def test_one_page_holds_films_people_and_places(client, mask):
    """A query matching a film, a person and a place lists all three."""
    make_person(name="Mask Maker")
    make_location(name="Mask Island")
    response = client.get("/search/", {"q": "mask"})
    assert response.status_code == 200
    assert found(response) == (["Mask"], ["Mask Maker"], ["Mask Island"])
    html = response.content.decode()
    assert 'href="/films/mask-1985/"' in html
    assert "Peter Bogdanovich" in html


def test_exact_matches_come_first(client):
    """The exact title leads, then titles starting with the query, then the rest by votes."""
    make_film(title="The Mask", vote_count=450_000)
    make_film(title="Mask of Zorro", vote_count=190_000)
    make_film(title="Mask", vote_count=12_168)
    titles, _, _ = found(client.get("/search/", {"q": "mask"}))
    assert titles == ["Mask", "Mask of Zorro", "The Mask"]


def test_a_single_exact_match_goes_to_its_page(client, mask):
    """When only one thing matches and it matches exactly, search opens its page."""
    response = client.get("/search/", {"q": "MASK"})
    assert response.status_code == 302
    assert response.url == "/films/mask-1985/"
    assert client.get("/search/", {"q": "cher"}).url == "/people/cher/"


def test_a_single_partial_match_is_listed(client, mask):
    """A match that is only part of a title is listed, not opened."""
    response = client.get("/search/", {"q": "mas"})
    assert response.status_code == 200
    assert found(response)[0] == ["Mask"]


def test_many_results_link_to_the_whole_list(client, django_assert_max_num_queries):
    """Twenty films of each kind are shown, with a link to the full filtered list."""
    for n in range(25):
        make_film(title=f"Moon {n}")
    with django_assert_max_num_queries(5):
        response = client.get("/search/", {"q": "moon"})
    assert len(response.context["films"]) == 20
    assert response.context["more_films"]
    assert 'href="/films/?title=moon"' in response.content.decode()
    assert Film.objects.title_matches("moon").count() == 25


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a film title"),
        ("   ", "Type a film title"),
        ("x" * 1000, "at most 200 characters"),
        ("nul\x00byte", "Null characters are not allowed"),
        ("zzzzzz", "Nothing matches"),
        ("%", "Nothing matches"),
        ("_", "Nothing matches"),
        ("'; DROP TABLE films_film; --", "Nothing matches"),
    ],
)
def test_empty_and_absurd_queries_get_a_message(client, mask, query, message):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Film.objects.count() == 1


def test_wildcards_are_literal(client):
    """% and _ in a query match themselves, not any text."""
    make_film(title="100% Wolf")
    make_film(title="100 Wolves")
    titles, _, _ = found(client.get("/search/", {"q": "100%"}))
    assert titles == ["100% Wolf"]


def test_queries_are_escaped_in_the_page(client):
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_words_match_in_any_order(client):
    """Every word of the query, in any order and without accents, finds a title."""
    make_film(title="Le Fabuleux Destin d'Amélie Poulain")
    make_film(title="Poulain Express")
    titles, _, _ = found(client.get("/search/", {"q": "poulain AMELIE"}))
    assert titles == ["Le Fabuleux Destin d'Amélie Poulain"]


def test_whole_matches_rank_before_matching_words(client):
    """A title containing the query as typed ranks before one holding its words apart."""
    make_film(title="Lost in the Queen's Garden", vote_count=900_000)
    make_film(title="The Lost Queen", vote_count=10)
    titles, _, _ = found(client.get("/search/", {"q": "lost queen"}))
    assert titles == ["The Lost Queen", "Lost in the Queen's Garden"]


def test_closer_titles_rank_first_on_postgresql(client):
    """Among titles that contain the query, PostgreSQL ranks the most similar first (trigram
    similarity); SQLite, without it, ranks them by votes."""
    make_film(title="A Long Night at the Old Opera House", vote_count=900_000)
    make_film(title="The Night", vote_count=10)
    titles, _, _ = found(client.get("/search/", {"q": "night"}))
    if connection.vendor == "postgresql":
        assert titles == ["The Night", "A Long Night at the Old Opera House"]
    else:
        assert titles == ["A Long Night at the Old Opera House", "The Night"]


# People told apart, in search and in the person box's suggestions.


def test_search_tells_namesakes_apart(client, django_assert_max_num_queries):
    """Two John Smiths are found each with their description, in the queries of one search
    however many people match."""
    two_john_smiths()
    with django_assert_max_num_queries(5):
        response = client.get("/search/", {"q": "john smith"})
    people = sorted(person.description for person in response.context["people"])
    assert people == [
        "actor and producer, b. 1985, Known For Title",
        "composer, 1921\N{EN DASH}1999, Major",
    ]
    assert "<cite>Known For Title</cite>" in response.content.decode()
    for _ in range(25):
        make_person(name="John Smith", professions="actor")
    with django_assert_max_num_queries(5):
        response = client.get("/search/", {"q": "john smith"})
    assert len(response.context["people"]) == 20


def test_person_suggestions_describe_people_most_prominent_first(client):
    actor, composer = two_john_smiths()
    response = client.get("/search/people/", {"q": "john sm"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "slug": composer.slug,
                "name": "John Smith",
                "description": "composer, 1921\N{EN DASH}1999, Major",
                "url": composer.get_absolute_url(),
            },
            {
                "slug": actor.slug,
                "name": "John Smith",
                "description": "actor and producer, b. 1985, Known For Title",
                "url": actor.get_absolute_url(),
            },
        ]
    }


def test_person_suggestions_are_capped_and_cost_one_query(client, django_assert_num_queries):
    for _ in range(15):
        make_person(name="Ann Lee", professions="actress")
    with django_assert_num_queries(1):
        response = client.get("/search/people/", {"q": "ann"})
    assert len(response.json()["results"]) == views.PERSON_SUGGESTIONS


@pytest.mark.parametrize("query", ["", "a", " ", "\x00", "nul\x00byte", "x" * 1000, "%", "_"])
def test_person_suggestions_answer_nothing_for_short_or_absurd_text(client, query):
    make_person(name="Ann Lee")
    response = client.get("/search/people/", {"q": query})
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_person_suggestions_answer_get_only(client):
    assert client.post("/search/people/", {"q": "ann"}).status_code == 405
