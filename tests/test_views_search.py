"""Search finds films, people and places, ignoring case and accents, on every database."""

import pytest
from django.db import connection

from films import search, views
from films.models import Credit, Film
from films.prominence import refresh_prominence
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


def test_more_voted_titles_rank_first_among_equally_good_matches(client):
    """Among titles that contain the query, the most voted comes first on every database."""
    make_film(title="The Night", vote_count=10)
    make_film(title="A Long Night at the Old Opera House", vote_count=900_000)
    titles, _, _ = found(client.get("/search/", {"q": "night"}))
    assert titles == ["A Long Night at the Old Opera House", "The Night"]


def test_closer_titles_rank_first_among_equal_votes_on_postgresql(client):
    """With equal votes, PostgreSQL ranks the most similar first (trigram similarity);
    SQLite, without it, by title."""
    make_film(title="A Long Night at the Old Opera House", vote_count=10)
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


def test_john_starts_with_the_most_prominent_johns(client):
    """People whose names start with "john" are ranked by the votes of their films, not by
    how short their names are: John Hurt before John Wu."""
    famous = make_film(title="Alien", vote_count=900_000)
    known = make_film(title="The Elephant Man", vote_count=250_000)
    small = make_film(title="A Short", vote_count=40)
    hurt = make_person(name="John Hurt")
    gielgud = make_person(name="John Gielgud")
    for name in ("John Wu", "John Al", "Jo Johnson", "Johnny Obscure"):
        Credit.objects.create(film=small, person=make_person(name=name), role="cast")
    Credit.objects.create(film=famous, person=hurt, role="cast", character="Kane")
    Credit.objects.create(film=known, person=hurt, role="cast", character="John Merrick")
    Credit.objects.create(film=known, person=gielgud, role="cast", character="Carr Gomm")
    refresh_prominence()
    _, people, _ = found(client.get("/search/", {"q": "john"}))
    assert people[:2] == ["John Hurt", "John Gielgud"]
    assert set(people[2:4]) == {"John Wu", "John Al"}
    assert set(people[4:]) == {"Johnny Obscure", "Jo Johnson"}


def test_an_original_title_is_found_without_its_accents(client):
    """A query without accents finds a film by its original title (Łódź, Kraków)."""
    make_film(title="The Promised Land", original_title="Ziemia obiecana (Łódź)", vote_count=9)
    make_film(title="Kraków Nights", vote_count=3)
    make_film(title="Lodge", vote_count=100)
    titles, _, _ = found(client.get("/search/", {"q": "lodz"}))
    assert titles == ["The Promised Land"]
    titles, _, _ = found(client.get("/search/", {"q": "ziemia obiecana"}))
    assert titles == ["The Promised Land"]
    titles, _, _ = found(client.get("/search/", {"q": "krakow"}))
    assert titles == ["Kraków Nights"]
    response = client.get("/search/", {"q": "lodz"})
    assert "Ziemia obiecana (Łódź)" in response.content.decode()


def test_an_exact_original_title_opens_its_film(client):
    film = make_film(title="The Promised Land", original_title="Ziemia obiecana")
    response = client.get("/search/", {"q": "ZIEMIA OBIECANA"})
    assert response.status_code == 302
    assert response.url == film.get_absolute_url()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's candidates")
def test_prominent_matches_far_from_the_query_are_ranked_on_postgresql(client, monkeypatch):
    """PostgreSQL ranks the nearest matches and the matches among the most prominent rows:
    a prominent person with a long name is among them even when many closer names are."""
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setattr(search, "PROMINENT", 5)
    monkeypatch.setattr(search, "PROMINENT_CANDIDATES", 2)
    blockbuster = make_film(title="Blockbuster", vote_count=2_000_000)
    star = make_person(name="John Ronald Reuel Tolkien-Smythe")
    Credit.objects.create(film=blockbuster, person=star, role="writer")
    for n in range(10):
        make_person(name=f"John {n}")
    refresh_prominence()
    _, people, _ = found(client.get("/search/", {"q": "john"}))
    assert people[0] == "John Ronald Reuel Tolkien-Smythe"
    assert len(people) <= 5  # three nearest and two of the most prominent, of 11 matches
