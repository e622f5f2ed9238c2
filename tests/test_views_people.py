"""The person and location pages."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from films.models import Credit, Film, FilmingLocation
from films.views import CREDITS_PER_ROLE
from tests.builders import make_film, make_location, make_person
from tests.test_views_film import json_ld, text_of

pytestmark = pytest.mark.django_db


def query_count(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def credit(person, film, role=Credit.Role.CAST, **fields):
    return Credit.objects.create(person=person, film=film, role=role, year=film.year, **fields)


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


def credits_in_bulk(person, films, role=Credit.Role.CAST, **fields):
    Credit.objects.bulk_create(
        Credit(person=person, film=film, role=role, order=i, year=film.year, **fields)
        for i, film in enumerate(films)
    )


def films_in_bulk(n, prefix="Film"):
    """n films released a hundred days apart from 1900, titled `{prefix} 000` (the oldest)
    to `{prefix} n-1`."""
    released = [date(1900, 1, 1) + timedelta(days=100 * i) for i in range(n)]
    return Film.objects.bulk_create(
        Film(
            title=f"{prefix} {i:03}",
            slug=f"{prefix.lower()}-{i:03}",
            year=day.year,
            release_date=day,
        )
        for i, day in enumerate(released)
    )


def filmography_titles(response):
    """The film titles the page lists, in its order."""
    return re.findall(
        r'<li class="filmography__item">.*?<a href="[^"]+">([^<]+)</a>',
        response.content.decode(),
        re.S,
    )


def test_person_page_query_count_does_not_grow(client, django_assert_num_queries):
    """The person, their newest credits of each role, the count of each role and the films
    they are known for: four queries, for 3 credits in one role or 300 in every role."""
    few, many = make_person(), make_person()
    for film in films_in_bulk(3, "Few"):
        credit(few, film)
    films = films_in_bulk(300, "Many")
    for role in Credit.Role:
        credits_in_bulk(many, films[:25] if role != Credit.Role.CAST else films, role=role)
    assert query_count(client, few.get_absolute_url()) == query_count(
        client, many.get_absolute_url()
    )
    with django_assert_num_queries(4):
        client.get(many.get_absolute_url())


def test_person_page_shows_the_newest_credits_of_a_role_and_links_to_all_of_them(client):
    """A role with more credits than a page holds shows its newest CREDITS_PER_ROLE and a
    link to the whole list; a shorter role lists all of its credits and no link."""
    person = make_person(slug="prolific")
    films = films_in_bulk(120)
    credits_in_bulk(person, films)
    credits_in_bulk(person, films[:2], role=Credit.Role.DIRECTOR)
    response = client.get(person.get_absolute_url())
    page = text_of(response)
    titles = filmography_titles(response)
    newest = [f"Film {i:03}" for i in range(119, 119 - CREDITS_PER_ROLE, -1)]
    assert titles == ["Film 001", "Film 000", *newest]  # directing comes first
    assert "Cast 120 films" in page
    assert "Director 2 films" in page
    html = response.content.decode()
    assert html.count('class="more"') == 1
    assert '<a href="/people/prolific/filmography/cast/">All 120 cast credits</a>' in html


def test_the_person_page_reads_only_the_newest_credits_of_each_role(client):
    """Of 300 cast credits over 83 years, the page reads those from the year of its 50th
    newest on: the same 50 as reading them all, and not many more than 50."""
    person = make_person(slug="busy")
    films = films_in_bulk(300)
    credits_in_bulk(person, films)
    credits_in_bulk(person, films[:3], role=Credit.Role.DIRECTOR)
    roles = person.credits.newest_years_by_role(CREDITS_PER_ROLE)
    years = {role: year for role, (_, year) in roles.items()}
    assert {role: total for role, (total, _) in roles.items()} == {"cast": 300, "director": 3}
    assert years["director"] is None  # fewer than a page: all of them
    read = person.credits.from_years(years)
    assert CREDITS_PER_ROLE + 3 <= read.count() < CREDITS_PER_ROLE + 3 + 4  # a year's films
    bounded = person.credits.newest_of_each_role(CREDITS_PER_ROLE, from_years=years)
    everything = person.credits.newest_of_each_role(CREDITS_PER_ROLE)
    assert list(bounded) == list(everything)
    titles = filmography_titles(client.get(person.get_absolute_url()))
    assert titles[3:] == [f"Film {i:03}" for i in range(299, 299 - CREDITS_PER_ROLE, -1)]


def test_all_credits_of_a_role_are_paged_newest_first_without_gaps_or_repeats(client):
    """The "All N" link's list: every credit once, CREDITS_PER_ROLE to a page; page 1 is
    what the person page shows."""
    person = make_person(slug="prolific")
    films = films_in_bulk(120)
    credits_in_bulk(person, films)
    credits_in_bulk(person, films[:2], role=Credit.Role.DIRECTOR)
    path = "/people/prolific/filmography/cast/"
    pages = [client.get(path), client.get(f"{path}?page=2"), client.get(f"{path}?page=3")]
    assert [response.status_code for response in pages] == [200, 200, 200]
    titles = [title for response in pages for title in filmography_titles(response)]
    assert titles == [f"Film {i:03}" for i in range(119, -1, -1)]
    assert (
        filmography_titles(pages[0])
        == filmography_titles(client.get(person.get_absolute_url()))[2:]
    )
    last = text_of(pages[2])
    assert "101\u2013120 of 120 credits" in last
    assert "<title>Cast, page 3 · " in pages[2].content.decode()
    # The other roles are a click away, and so is the whole filmography.
    assert 'href="/people/prolific/filmography/director/">Director' in pages[0].content.decode()
    assert '<a href="/people/prolific/">All roles</a>' in pages[0].content.decode()
    assert client.get(f"{path}?page=4").status_code == 404


def test_filmography_pages_are_each_their_own_canonical_page(client):
    """Page 1 of a role is canonical without `?page=`; later pages keep their number; other
    parameters are dropped. The person page stays canonical at its own address."""
    person = make_person(slug="prolific")
    credits_in_bulk(person, films_in_bulk(60))
    path = "/people/prolific/filmography/cast/"

    def canonical(url):
        found = re.search(r'<link rel="canonical" href="([^"]+)">', client.get(url).text)
        return found.group(1)

    assert canonical(path) == f"http://testserver{path}"
    assert canonical(f"{path}?page=1&utm_source=x") == f"http://testserver{path}"
    assert canonical(f"{path}?utm_source=x&page=2") == f"http://testserver{path}?page=2"
    assert canonical("/people/prolific/?page=2") == "http://testserver/people/prolific/"


def test_filmography_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    """The person, the count of each role, the role's total and its page of credits."""
    few, many = make_person(), make_person()
    credits_in_bulk(few, films_in_bulk(3, "Few"))
    credits_in_bulk(many, films_in_bulk(300, "Many"))
    first_of_few = f"/people/{few.slug}/filmography/cast/"
    second_of_many = f"/people/{many.slug}/filmography/cast/?page=2"
    assert query_count(client, first_of_few) == query_count(client, second_of_many)
    with django_assert_max_num_queries(4):
        client.get(second_of_many)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/people/cher/?role=nonsense&page=abc", 200),  # the person page takes no parameters
        ("/people/cher/filmography/cast/?page=abc", 404),
        ("/people/cher/filmography/cast/?page=0", 404),
        ("/people/cher/filmography/cast/?page=99999999999999999999", 404),
        ("/people/cher/filmography/nonsense/", 404),
        ("/people/cher/filmography/production_designer/", 404),  # hyphens, as URLs are
        ("/people/cher/filmography/director/", 404),  # a role she has no credits in
        ("/people/nobody/filmography/cast/", 404),
        ("/people/CHER/filmography/cast/?page=1", 301),
    ],
)
def test_a_bad_role_or_page_is_not_found_never_an_error(client, mask, path, status):
    response = client.get(path)
    assert response.status_code == status
    if status == 301:
        assert response["Location"] == "/people/cher/filmography/cast/?page=1"


def test_every_role_has_a_filmography_address(client):
    """Role names with an underscore are hyphenated in the URL and found again from it."""
    person = make_person(slug="crew")
    film = make_film()
    for role in Credit.Role:
        credit(person, film, role=role)
    for role in Credit.Role:
        url = reverse("films:person_filmography", args=[person.slug, role])
        assert "_" not in url.removeprefix("/people/crew/")
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["role"] == role


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
    # The location (with the places it lies in), the places in it (for the map), the count,
    # the page of films, their genres and their directors.
    with django_assert_max_num_queries(6):
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
    assert f'<link rel="canonical" href="http://testserver{place.get_absolute_url()}?page=2">' in (
        second.text
    )
    assert client.get(place.get_absolute_url() + "?page=9999").status_code == 404


# Who a person is: professions, known-for films, their films in the list, IMDb.


def test_person_page_shows_professions_known_for_films_and_links_out(client, mask):
    """Cher's page names her professions and the films she is known for, in IMDb's order,
    and links to her films in the film list and to her IMDb page."""
    moonstruck = make_film(title="Moonstruck", year=1987, imdb_id="tt0093565")
    mask.imdb_id = "tt0089560"
    mask.save()
    cher = mask.credits.get(person__slug="cher").person
    cher.professions = "actress,music_department,producer"
    cher.known_for = "tt0093565,tt0000000,tt0089560"
    cher.imdb_id = "nm0000333"
    cher.save()
    response = client.get(cher.get_absolute_url())
    page = text_of(response)
    assert "Actress · music department · producer" in page
    assert "Known for Moonstruck 1987 Mask 1985" in page
    assert [film.title for film in response.context["known_for"]] == ["Moonstruck", "Mask"]
    html = response.content.decode()
    assert '<a href="/films/?person=cher">Films with Cher</a>' in html
    assert '<a href="https://www.imdb.com/name/nm0000333/" rel="external noopener">' in html
    assert moonstruck.get_absolute_url() in html


def test_known_for_falls_back_on_the_most_voted_films(client):
    """Without known-for titles in the database, a person is known for their most voted
    films, each once."""
    person = make_person()
    for title, votes in [("Small", 10), ("Big", 9000), ("Middle", 500)]:
        film = make_film(title=title, vote_count=votes)
        credit(person, film, role=Credit.Role.DIRECTOR)
        credit(person, film, role=Credit.Role.WRITER)
    person.known_for = "tt7777777"
    person.save()
    response = client.get(person.get_absolute_url())
    assert [film.title for film in response.context["known_for"]] == ["Big", "Middle", "Small"]


def test_person_page_describes_the_person_for_search_engines(client, mask):
    cher = mask.credits.get(person__slug="cher").person
    cher.professions, cher.birth_year, cher.imdb_id = "actress", 1946, "nm0000333"
    cher.save()
    response = client.get(cher.get_absolute_url())
    html = response.content.decode()
    canonical = "http://testserver/people/cher/"
    assert '<meta property="og:type" content="profile">' in html
    assert '<meta property="og:title" content="Cher">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:description" content="actress, b. 1946">' in html
    person = json_ld(response)
    assert person == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Cher",
        "url": canonical,
        "sameAs": ["https://www.imdb.com/name/nm0000333/"],
        "birthDate": "1946",
        "jobTitle": ["actress"],
        "subjectOf": [
            {"@type": "Movie", "name": "Mask", "url": "http://testserver/films/mask-1985/"}
        ],
    }


def test_a_person_with_no_credits_has_no_films_link(client):
    person = make_person()
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Films with" not in html
    assert "imdb.com" not in html


def test_location_page_describes_the_place_for_search_engines(client, mask):
    place = mask.filming_locations.get().location
    response = client.get(place.get_absolute_url())
    html = response.content.decode()
    url = f"http://testserver{place.get_absolute_url()}"
    assert f'<meta property="og:title" content="Films shot in {place.name}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert json_ld(response) == {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": place.name,
        "url": url,
    }
