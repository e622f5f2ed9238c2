"""The person and location pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from films.models import Credit, FilmingLocation
from tests.builders import make_film, make_location, make_person
from tests.test_views_film import text_of

pytestmark = pytest.mark.django_db


def query_count(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def credit(person, film, role=Credit.Role.CAST, **fields):
    return Credit.objects.create(person=person, film=film, role=role, **fields)


def test_person_page_shows_the_filmography_with_characters_and_links(client, mask):
    cher = mask.credits.get(person__slug="cher").person
    response = client.get(cher.get_absolute_url())
    assert response.status_code == 200
    page = text_of(response)
    assert "Cher" in page
    assert "1985 Mask Florence 'Rusty' Dennis" in page
    assert f'href="{mask.get_absolute_url()}"' in response.content.decode()


def test_filmography_is_grouped_by_role_newest_first_with_counts(client):
    person = make_person(name="Ida Lupino")
    old, new, undated = make_film(title="Old", year=1950), make_film(title="New", year=1966), None
    undated = make_film(title="Undated", year=None)
    for film in (old, new, undated):
        credit(person, film, character=f"In {film.title}")
    credit(person, new, role=Credit.Role.DIRECTOR)
    page = text_of(client.get(person.get_absolute_url()))
    assert "Director 1 film 1966 New" in page
    assert "Cast 3 films 1966 New In New 1950 Old In Old — Undated" in page
    assert page.index("Director 1 film") < page.index("Cast 3 films")


def test_person_wrong_case_slug_redirects_and_unknown_is_not_found(client, mask):
    response = client.get("/people/CHER/")
    assert response.status_code == 301
    assert response["Location"] == "/people/cher/"
    assert client.get("/people/nobody-at-all/").status_code == 404


def test_person_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    few, many = make_person(), make_person()
    for i in range(3):
        credit(few, make_film(), order=i)
    for i in range(60):
        credit(many, make_film(), order=i, role=Credit.Role.values[i % 5])
    assert query_count(client, few.get_absolute_url()) == query_count(
        client, many.get_absolute_url()
    )
    with django_assert_max_num_queries(2):
        client.get(many.get_absolute_url())


def test_location_page_lists_every_film_shot_there(client, mask):
    place = mask.filming_locations.get().location
    other = make_film(title="Another Film", year=1990)
    FilmingLocation.objects.create(film=other, location=place, note="The diner scenes")
    response = client.get(place.get_absolute_url())
    assert response.status_code == 200
    page = text_of(response)
    assert "Azusa, California, USA" in page
    assert "2 films shot here" in page
    assert page.index("Another Film") < page.index("Mask")  # newest first
    assert "The diner scenes" in page
    assert "12,168 votes" in page


def test_location_wrong_case_slug_redirects_and_unknown_is_not_found(client, mask):
    assert client.get("/locations/AZUSA-california-usa/")["Location"] == (
        "/locations/azusa-california-usa/"
    )
    assert client.get("/locations/atlantis/").status_code == 404


def test_location_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    few, many = make_location(), make_location()
    for place, n in ((few, 2), (many, 40)):
        for _ in range(n):
            FilmingLocation.objects.create(film=make_film(), location=place)
    assert query_count(client, few.get_absolute_url()) == query_count(
        client, many.get_absolute_url()
    )
    # The location, the count, the page of films, their genres and their directors.
    with django_assert_max_num_queries(5):
        client.get(many.get_absolute_url())


def test_location_page_is_paginated(client):
    """Films shot at a busy location are listed 24 to a page; a page past the end is a 404."""
    place = make_location()
    for i in range(30):
        FilmingLocation.objects.create(
            film=make_film(title=f"Shot {i:02}", year=1990), location=place
        )
    first = text_of(client.get(place.get_absolute_url()))
    second = client.get(place.get_absolute_url() + "?page=2")
    assert "30 films shot here" in first
    assert "Shot 00" in first
    assert "Shot 29" not in first
    assert "Shot 29" in text_of(second)
    assert "25\u201330 of 30 films" in text_of(second)
    assert client.get(place.get_absolute_url() + "?page=9999").status_code == 404
