"""The home page: a search box, the size of the catalogue, top rated, recently added, and
the ways into the film list."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.builders import make_film, make_genre, make_person

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_seed_film(client, mask):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/search/"' in html
    assert "1 film</a>" in html
    assert "16 people</a>" in html
    assert 'href="/films/mask-1985/"' in html
    assert "12,168 votes" in html
    assert 'href="/films/?decade=1980"' in html
    assert 'href="/films/?genre=drama"' in html


def test_totals_count_films_and_people(client):
    for _ in range(3):
        make_film()
    make_person()
    response = client.get("/")
    assert response.context["film_total"] == 3
    assert response.context["person_total"] == 1
    assert "3 films</a>" in response.content.decode()
    assert "1 person</a>" in response.content.decode()


def test_top_rated_needs_votes_and_breaks_ties_by_votes(client):
    """Films are ranked by rating, then votes; a film with few votes is not ranked."""
    make_film(title="Few votes", rating=Decimal("9.9"), vote_count=10)
    make_film(title="Unrated", rating=None, vote_count=50_000)
    make_film(title="Good", rating=Decimal("7.5"), vote_count=5_000)
    make_film(title="Great, popular", rating=Decimal("8.5"), vote_count=90_000)
    make_film(title="Great", rating=Decimal("8.5"), vote_count=2_000)
    top = [film.title for film in client.get("/").context["top_rated"]]
    assert top == ["Great, popular", "Great", "Good"]


def test_recently_added_are_newest_first(client):
    now = timezone.now()
    for days, title in [(3, "Older"), (1, "Newest"), (2, "Middle")]:
        make_film(title=title, added_at=now - datetime.timedelta(days=days))
    recent = [film.title for film in client.get("/").context["recently_added"]]
    assert recent == ["Newest", "Middle", "Older"]


def test_browse_by_decade_and_genre_with_counts(client):
    drama, comedy = make_genre(name="Drama"), make_genre(name="Comedy")
    for year, genres in [(1985, [drama]), (1989, [drama, comedy]), (2001, [comedy]), (None, [])]:
        make_film(year=year).genres.set(genres)
    response = client.get("/")
    decades = {row["decade"]: row["film_count"] for row in response.context["decade_counts"]}
    genres = {genre.name: genre.film_count for genre in response.context["genre_counts"]}
    assert decades == {1980: 2, 2000: 1}
    assert genres == {"Drama": 2, "Comedy": 2}
    html = response.content.decode()
    assert 'href="/films/?decade=2000"' in html
    assert f'href="/films/?genre={comedy.slug}"' in html


def test_home_page_query_count_is_fixed(client, django_assert_max_num_queries):
    genre = make_genre()
    for n in range(30):
        make_film(rating=Decimal("7.0"), vote_count=5000 + n).genres.add(genre)
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200


def test_empty_site_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No film has enough votes to rank yet." in response.content.decode()
