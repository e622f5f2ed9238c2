"""The film list filters, counts, sorts and pages films; people and places are listed too."""

import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from films import filters, views
from films.models import Credit, FilmingLocation, Genre, Trivia
from films.prominence import refresh_prominence
from tests.builders import make_film, make_genre, make_location, make_person, two_john_smiths

pytestmark = pytest.mark.django_db
next_imdb_id = itertools.count(1000).__next__


@pytest.fixture
def catalogue():
    """Five films whose facts each filter below picks apart."""
    drama, comedy, horror = (
        make_genre(name=n, slug=n.lower()) for n in ("Drama", "Comedy", "Horror")
    )
    cher = make_person(name="Cher", slug="cher")
    cage = make_person(name="Nicolas Cage", slug="nicolas-cage")

    def film(slug, title, year, rating, votes, genres, places=()):
        made = make_film(
            slug=slug,
            title=title,
            year=year,
            rating=Decimal(rating) if rating else None,
            vote_count=votes,
        )
        made.genres.set(genres)
        for place in places:
            location = make_location(name=place)
            FilmingLocation.objects.create(film=made, location=location)
        return made

    mask = film("mask", "Mask", 1985, "7.0", 12168, [drama], ["Azusa, California, USA"])
    moonstruck = film("moonstruck", "Moonstruck", 1987, "7.1", 70000, [comedy, drama], ["Brooklyn"])
    amelie = film("amelie", "Amélie", 2001, "8.3", 800000, [comedy], ["Montmartre, Paris"])
    arizona = film("arizona", "Raising Arizona", 1987, "7.3", 140000, [comedy])
    film("untitled", "Untitled", None, None, 0, [horror])

    Credit.objects.create(film=mask, person=cher, role="cast", character="Rusty")
    Credit.objects.create(film=moonstruck, person=cher, role="cast", character="Loretta")
    Credit.objects.create(film=moonstruck, person=cage, role="cast", character="Ronny")
    # Two credits for one person in one film: filtering by that person must not repeat it.
    Credit.objects.create(film=arizona, person=cage, role="cast", character="H.I.")
    Credit.objects.create(film=arizona, person=cage, role="producer")
    Trivia.objects.create(film=mask, kind="behind_the_scenes", text="Story", order=1)
    Trivia.objects.create(film=amelie, kind="trivia", text="Not a making-of item", order=1)


def slugs(response):
    return [film.slug for film in response.context["page_obj"]]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"mask", "moonstruck", "amelie", "arizona", "untitled"}),
        ("title=mask", {"mask"}),
        ("title=AMELIE", {"amelie"}),
        ("year_min=1987", {"moonstruck", "amelie", "arizona"}),
        ("year_max=1986", {"mask"}),
        ("year_min=1986&year_max=1990", {"moonstruck", "arizona"}),
        ("decade=1980", {"mask", "moonstruck", "arizona"}),
        ("decade=2000", {"amelie"}),
        ("genre=comedy", {"moonstruck", "amelie", "arizona"}),
        ("genre=comedy&genre=drama", {"mask", "moonstruck", "amelie", "arizona"}),
        ("genre=comedy&genre=drama&genre_match=any", {"mask", "moonstruck", "amelie", "arizona"}),
        ("genre=comedy&genre=drama&genre_match=all", {"moonstruck"}),
        ("genre=horror&genre=drama&genre_match=all", set()),
        ("rating_min=7.2", {"amelie", "arizona"}),
        ("votes_min=100000", {"amelie", "arizona"}),
        ("person=cher", {"mask", "moonstruck"}),
        ("person=nicolas-cage", {"moonstruck", "arizona"}),
        ("person=nicolas-cage&role=producer", {"arizona"}),
        ("person=cher&role=director", set()),
        ("role=producer", {"arizona"}),
        ("location=paris", {"amelie"}),
        ("location=california", {"mask"}),
        ("making_of=on", {"mask"}),
        ("decade=1980&genre=comedy&person=nicolas-cage", {"moonstruck", "arizona"}),
    ],
)
def test_filters_narrow_the_films(client, query, expected):
    """Each filter keeps exactly the films that match it, each film once."""
    response = client.get(f"/films/?{query}")
    assert response.status_code == 200
    found = slugs(response)
    assert set(found) == expected
    assert len(found) == len(set(found))
    assert response.context["page_obj"].paginator.count == len(expected)


def test_film_list_shows_the_seed_film(client, mask):
    """The list links to Mask and shows its year, rating, votes, director and genre."""
    response = client.get("/films/")
    html = response.content.decode()
    assert 'href="/films/mask-1985/"' in html
    assert "1985" in html
    assert "7.0" in html
    assert "12,168 votes" in html
    assert "Peter Bogdanovich" in html
    assert "Drama" in html
    assert "1 film" in html


def facet_counts(facets):
    return {facet.label: facet.count for facet in facets}


@pytest.mark.usefixtures("catalogue")
def test_facets_count_the_films_the_other_filters_keep(client):
    """Each facet counts over the films the other filters keep: its own choice is left out,
    so that choosing comedy still shows how many dramas there are."""
    response = client.get("/films/")
    assert facet_counts(response.context["genre_facets"]) == {"Comedy": 3, "Drama": 2, "Horror": 1}
    assert facet_counts(response.context["decade_facets"]) == {"1980s": 3, "2000s": 1}

    response = client.get("/films/?genre=comedy")
    assert facet_counts(response.context["genre_facets"]) == {"Comedy": 3, "Drama": 2, "Horror": 1}
    assert facet_counts(response.context["decade_facets"]) == {"1980s": 2, "2000s": 1}

    response = client.get("/films/?decade=1980")
    assert facet_counts(response.context["genre_facets"]) == {"Comedy": 2, "Drama": 2}
    assert facet_counts(response.context["decade_facets"]) == {"1980s": 3, "2000s": 1}

    response = client.get("/films/?decade=2000&person=nicolas-cage")
    assert facet_counts(response.context["genre_facets"]) == {}
    # The chosen decade stays, to be removed; the other is what Cage's films offer.
    assert facet_counts(response.context["decade_facets"]) == {"1980s": 2, "2000s": 0}


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    "query",
    [
        "genre=comedy",
        "genre=drama&decade=1980",
        "genre=comedy&decade=1990",
        "genre=horror",
        "genre=comedy&year_min=1986&rating_min=7.2",
        "genre=drama&genre_match=all",
    ],
)
def test_facets_of_one_genre_agree_with_counting_each_facet_apart(client, query):
    """With one genre chosen, both facets and the total come from one grouped count; they
    are the counts of the films each facet's other filters keep, counted one by one."""
    make_film(slug="genreless", year=1988)
    make_film(slug="undated-drama", year=None).genres.add(make_genre(name="Drama 2"))
    response = client.get(f"/films/?{query}")
    films = response.context["filters"]
    genres, decades = films.genre_facet_films(), films.decade_facet_films()
    expected_genres = {
        genre.name: genres.filter(genres__pk=genre.pk).count()
        for genre in Genre.objects.all()
        if genres.filter(genres__pk=genre.pk).exists()
    }
    expected_decades = {
        f"{decade}s": decades.filter(year__gte=decade, year__lte=decade + 9).count()
        for decade in range(1980, 2010, 10)
        if decades.filter(year__gte=decade, year__lte=decade + 9).exists()
    }
    genre_counts = facet_counts(response.context["genre_facets"])
    decade_counts = facet_counts(response.context["decade_facets"])
    assert {name: n for name, n in genre_counts.items() if n} == expected_genres
    assert {decade: n for decade, n in decade_counts.items() if n} == expected_decades
    assert response.context["page_obj"].paginator.count == films.qs.count()


@pytest.mark.usefixtures("catalogue")
def test_genres_of_all_of_the_chosen_count_the_films_shown(client):
    """With "all of the genres", another genre narrows the films shown, so genres are counted
    over those films, and a genre none of them has is not offered."""
    response = client.get("/films/?genre=comedy&genre_match=all")
    assert facet_counts(response.context["genre_facets"]) == {"Comedy": 3, "Drama": 1}
    drama = next(f for f in response.context["genre_facets"] if f.label == "Drama")
    assert drama.url == "/films/?genre=comedy&genre=drama&genre_match=all"
    assert slugs(client.get(drama.url)) == ["moonstruck"]


@pytest.mark.usefixtures("catalogue")
def test_genres_any_or_all_is_a_link_kept_by_chips_and_facets(client):
    """Whether films need any or all of the genres is said in the URL, chosen by a link that
    works without JavaScript, and kept by the chips, the facets and the filter form."""
    response = client.get("/films/?genre=comedy&genre=drama&decade=1980")
    assert set(slugs(response)) == {"mask", "moonstruck", "arizona"}
    choices = {choice.label: choice for choice in response.context["genre_match"]}
    assert choices["any"].selected
    assert not choices["all"].selected
    assert choices["all"].url == "/films/?genre=comedy&genre=drama&decade=1980&genre_match=all"
    html = response.content.decode()
    assert 'href="/films/?genre=comedy&amp;genre=drama&amp;decade=1980&amp;genre_match=all"' in html

    response = client.get(choices["all"].url)
    assert slugs(response) == ["moonstruck"]
    assert {c.label: c.selected for c in response.context["genre_match"]} == {
        "any": False,
        "all": True,
    }
    assert response.context["genre_match"][0].url == "/films/?genre=comedy&genre=drama&decade=1980"
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert chips["1980s"] == "/films/?genre=comedy&genre=drama&genre_match=all"
    decades = {facet.label: facet.url for facet in response.context["decade_facets"]}
    assert decades["1980s"] == "/films/?genre=comedy&genre=drama&genre_match=all"
    assert '<input type="hidden" name="genre_match" value="all"' in response.content.decode()


@pytest.mark.usefixtures("catalogue")
def test_facet_links_add_and_remove_their_filter(client):
    """A facet link adds its value to the filters; a chosen one removes it."""
    response = client.get("/films/?genre=comedy&decade=1980")
    genres = {facet.label: facet for facet in response.context["genre_facets"]}
    decades = {facet.label: facet for facet in response.context["decade_facets"]}
    assert genres["Comedy"].selected
    assert genres["Comedy"].url == "/films/?decade=1980"
    assert not genres["Drama"].selected
    assert genres["Drama"].url == "/films/?genre=comedy&genre=drama&decade=1980"
    assert set(slugs(client.get(genres["Drama"].url))) == {"mask", "moonstruck", "arizona"}
    assert decades["1980s"].selected
    assert decades["1980s"].url == "/films/?genre=comedy"
    html = response.content.decode()
    assert 'href="/films/?genre=comedy&amp;genre=drama&amp;decade=1980"' in html


@pytest.mark.usefixtures("catalogue")
def test_active_filters_are_chips_that_remove_themselves(client):
    """Each active filter shows as a chip linking to the list without it."""
    response = client.get("/films/?genre=comedy&person=cher&making_of=on&page=1")
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert chips == {
        "Comedy": "/films/?person=cher&making_of=on",
        "Person: Cher": "/films/?genre=comedy&making_of=on",
        "Has making-of": "/films/?genre=comedy&person=cher",
    }
    html = response.content.decode()
    assert 'href="/films/?person=cher&amp;making_of=on"' in html
    assert set(slugs(client.get(chips["Comedy"]))) == {"mask"}
    assert set(slugs(client.get(chips["Person: Cher"]))) == set()


@pytest.mark.usefixtures("catalogue")
def test_default_sort_and_no_chips_without_filters(client):
    """Without a sort, most-voted films come first; no filter, no chip."""
    response = client.get("/films/")
    assert slugs(response) == ["amelie", "arizona", "moonstruck", "mask", "untitled"]
    assert response.context["chips"] == []


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("rating", ["amelie", "arizona", "moonstruck", "mask", "untitled"]),
        ("votes", ["amelie", "arizona", "moonstruck", "mask", "untitled"]),
        ("newest", ["amelie", "moonstruck", "arizona", "mask", "untitled"]),
        ("oldest", ["mask", "moonstruck", "arizona", "amelie", "untitled"]),
        ("title", ["amelie", "mask", "moonstruck", "arizona", "untitled"]),
    ],
)
def test_sorts(client, sort, expected):
    """Films without a rating or a year sort last; equal years fall back to the title."""
    assert slugs(client.get(f"/films/?sort={sort}")) == expected


def test_equal_films_keep_one_order_across_pages(client, monkeypatch):
    """Films that tie on the sort key are ordered by title, then by age, so paging through
    them shows each film exactly once."""
    monkeypatch.setattr(views, "FILMS_PER_PAGE", 2)
    films = [
        make_film(title=title, rating=Decimal("7.0"), vote_count=100)
        for title in ["Beta", "Alpha", "Alpha", "Gamma", "Alpha"]
    ]
    alphas = [film.slug for film in films if film.title == "Alpha"]
    expected = [*alphas, films[0].slug, films[3].slug]
    for sort in ("rating", "votes", "title"):
        seen = []
        for page in (1, 2, 3):
            seen += slugs(client.get(f"/films/?sort={sort}&page={page}"))
        assert seen == expected, sort


def test_pagination_shows_the_total_and_links_keep_the_filters(client, monkeypatch):
    """Page links carry the filters, the current page is marked, and the total is shown."""
    monkeypatch.setattr(views, "FILMS_PER_PAGE", 2)
    genre = make_genre(slug="drama", name="Drama")
    for _ in range(5):
        make_film(vote_count=10).genres.add(genre)
    make_film(vote_count=10)
    response = client.get("/films/?genre=drama&page=2")
    html = response.content.decode()
    assert "5 films" in html
    assert "3\N{EN DASH}4 shown" in html
    assert 'href="?genre=drama&amp;page=3"' in html
    assert 'href="?genre=drama&amp;page=2" aria-current="page"' in html


def test_empty_form_fields_are_dropped_from_the_url(client):
    """A form submitted without JavaScript lands on the URL holding only the filled fields."""
    response = client.get("/films/?title=&year_min=&genre=drama&sort=rating&making_of=")
    assert response.status_code == 302
    assert response.url == "/films/?genre=drama&sort=rating"
    assert client.get("/films/?title=").url == "/films/"


def test_film_list_query_count_is_fixed(client, django_assert_max_num_queries):
    """Filters (the chosen person among them), facets, genres and directors of a page take
    at most 6 queries, however many films there are."""
    genre = make_genre(slug="drama", name="Drama")
    person = make_person(name="Cher", slug="cher")
    azusa = make_location(name="Azusa")

    def add_films(count):
        for _ in range(count):
            film = make_film(rating=Decimal("7.5"), vote_count=5000, year=1985)
            film.genres.add(genre, make_genre())
            Credit.objects.create(film=film, person=make_person(), role="director")
            Credit.objects.create(film=film, person=person, role="cast", character="Lead")
            FilmingLocation.objects.create(film=film, location=azusa)
            Trivia.objects.create(film=film, kind="behind_the_scenes", text="Story")

    url = (
        "/films/?title=film&year_min=1980&year_max=1990&decade=1980&genre=drama&rating_min=7"
        "&votes_min=100&person=cher&role=cast&location=azusa&making_of=on&sort=rating"
    )
    add_films(2)
    with CaptureQueriesContext(connection) as few:
        assert len(slugs(client.get(url))) == 2
    add_films(20)
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as many:
        assert len(slugs(client.get(url))) == 22
    assert len(many) == len(few)


INVALID_FILTERS = [
    ("year_min=abc", "Enter a whole number"),
    ("year_max=-5", "greater than or equal to 1870"),
    ("year_min=99999999999999999999999", "less than or equal to 2100"),
    ("genre=no-such-genre", "no-such-genre is not one of the available choices"),
    ("decade=1985", "1985 is not one of the available choices"),
    ("decade=nineties", "nineties is not one of the available choices"),
    ("rating_min=eleven", "Enter a number"),
    ("rating_min=11", "less than or equal to 10"),
    ("rating_min=NaN", "Enter a number"),
    ("rating_min=1e400", "less than or equal to 10"),
    ("rating_min=-Infinity", "Enter a number"),
    ("votes_min=99999999999999999999", "less than or equal to 2147483647"),
    ("role=wizard", "wizard is not one of the available choices"),
    ("sort=sideways", "sideways is not one of the available choices"),
    ("genre_match=both", "both is not one of the available choices"),
    ("title=" + "x" * 500, "at most 200 characters"),
    ("person=%00", "Null characters are not allowed"),
]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(("query", "message"), INVALID_FILTERS)
def test_invalid_filter_values_are_explained_and_ignored(client, query, message):
    """A value the list can't use is named in a message and left out; the rest still apply."""
    response = client.get(f"/films/?{query}&making_of=on")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert slugs(response) == ["mask"]


@pytest.mark.usefixtures("catalogue")
def test_a_repeated_genre_counts_once(client, django_assert_max_num_queries):
    """Repeating a genre a thousand times in the URL asks the database once for it. (Three of
    the queries read the catalogue index, which a server reads once per data version: the
    count cache is off in tests.)"""
    with django_assert_max_num_queries(6):
        response = client.get("/films/?" + "&".join(["genre=comedy"] * 1000))
    assert response.status_code == 200
    assert set(slugs(response)) == {"moonstruck", "amelie", "arizona"}
    assert [chip.label for chip in response.context["chips"]] == ["Comedy"]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("page", ["9999", "0", "-1", "abc", "2.5", "99999999999999999999999999999"])
@pytest.mark.parametrize("path", ["/films/", "/people/", "/locations/"])
def test_pages_that_do_not_exist_are_404(client, path, page):
    assert client.get(f"{path}?page={page}").status_code == 404


def test_a_page_past_the_end_says_which_list_and_links_to_the_last(client, monkeypatch):
    """Page 9 of a three-page list is a 404 naming the list, with a link to its last page
    that keeps the filters."""
    monkeypatch.setattr(views, "FILMS_PER_PAGE", 2)
    drama = make_genre(slug="drama", name="Drama")
    for _ in range(5):
        make_film().genres.add(drama)
    response = client.get("/films/?genre=drama&page=9")
    assert response.status_code == 404
    html = response.content.decode()
    assert "The film list has 3 pages; there is no page 9." in html
    assert 'href="/films/?genre=drama&amp;page=3"' in html
    response = client.get("/films/?page=abc")
    assert response.status_code == 404
    assert "The film list has no page “abc”" in response.content.decode()
    response = client.get("/films/?page=" + "9" * 5000)
    assert response.status_code == 404
    assert "The film list has no page “99999999999999999999…”" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/people/", "The list of people has 1 page; there is no page 2."),
        ("/locations/", "The list of filming locations has 1 page; there is no page 2."),
    ],
)
def test_name_lists_past_the_end_say_which_list(client, path, message):
    response = client.get(f"{path}?page=2")
    assert response.status_code == 404
    assert message in response.content.decode()
    assert f'href="{path}"' in response.content.decode()


def test_people_list_searches_names_and_counts_films(client, mask):
    """People are listed by name with their number of films; the search ignores accents."""
    make_person(name="Zoë Ñúñez", slug="zoe")
    response = client.get("/people/")
    people = list(response.context["page_obj"])
    assert [p.name for p in people] == sorted(p.name for p in people)
    counts = {p.slug: p.film_count for p in people}
    assert counts["cher"] == 1
    assert counts["zoe"] == 0
    assert "Cher" in response.content.decode()

    found = client.get("/people/?q=NUNEZ").context["page_obj"]
    assert [p.slug for p in found] == ["zoe"]


def test_people_list_counts_each_film_once(client):
    """Two credits in one film count as one film."""
    person = make_person(slug="orson")
    film = make_film()
    Credit.objects.create(film=film, person=person, role="director")
    Credit.objects.create(film=film, person=person, role="cast", character="Kane")
    Credit.objects.create(film=make_film(), person=person, role="writer")
    people = client.get("/people/?q=" + person.name).context["page_obj"]
    assert [(p.slug, p.film_count) for p in people] == [("orson", 2)]


def test_people_list_pages_in_fixed_queries(client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(views, "NAMES_PER_PAGE", 10)
    for _ in range(25):
        Credit.objects.create(film=make_film(), person=make_person(), role="cast")
    with django_assert_max_num_queries(2):
        response = client.get("/people/?page=2")
    assert len(response.context["page_obj"]) == 10
    assert "25 people" in response.content.decode()


def test_locations_list_counts_films(client, mask, django_assert_max_num_queries):
    """Each place is listed with how many films were shot there."""
    azusa = mask.filming_locations.get().location
    FilmingLocation.objects.create(film=make_film(), location=azusa)
    make_location(name="Nowhere")
    # The page, its count, and the countries to browse by.
    with django_assert_max_num_queries(3):
        response = client.get("/locations/")
    counts = {location.name: location.film_count for location in response.context["page_obj"]}
    # The places Azusa lies in are listed too, with no film of their own.
    assert counts == {"Azusa, California, USA": 2, "California, USA": 0, "USA": 0, "Nowhere": 0}
    assert "2 films" in response.content.decode()
    assert [loc.name for loc in client.get("/locations/?q=azusa").context["page_obj"]] == [
        "Azusa, California, USA"
    ]


@pytest.mark.parametrize("path", ["/people/", "/locations/"])
def test_name_lists_explain_bad_searches(client, path):
    response = client.get(f"{path}?q={'x' * 300}")
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/films/",
        "/films/?genre=drama&year_min=abc",
        "/search/?q=mas",
        "/search/?q=",
        "/people/",
        "/locations/",
        "/no/such/page/",
    ],
)
def test_pages_carry_no_inline_script_or_style(client, mask, url):
    """Scripts and styles come from static files only, as a strict Content-Security-Policy
    requires."""
    html = client.get(url).content.decode()
    assert INLINE_CODE.findall(html) == []


# One person per filter: ?person= takes a person's address.


@pytest.fixture
def cher_and_dexter():
    """Two films: one with Cher, one with Dexter Fletcher, whose name contains "cher"."""
    cher = make_person(name="Cher", slug="cher", professions="actress,music_department")
    dexter = make_person(name="Dexter Fletcher", slug="dexter-fletcher", professions="actor")
    mask = make_film(slug="mask", title="Mask", year=1985, vote_count=50_000)
    rocketman = make_film(slug="rocketman", title="Rocketman", year=2019, vote_count=90_000)
    Credit.objects.create(film=mask, person=cher, role="cast", character="Rusty")
    Credit.objects.create(film=rocketman, person=dexter, role="director")
    Credit.objects.create(film=rocketman, person=dexter, role="cast", character="Cameo")
    return cher, dexter


@pytest.mark.usefixtures("cher_and_dexter")
def test_a_person_filter_lists_that_one_persons_films(client):
    """?person=cher&role=cast lists Cher's films only, not those of every name holding
    "cher"."""
    response = client.get("/films/?person=cher&role=cast")
    assert slugs(response) == ["mask"]
    assert response.context["person_choices"] == []
    assert slugs(client.get("/films/?person=dexter-fletcher&role=director")) == ["rocketman"]
    assert slugs(client.get("/films/?person=cher&role=director")) == []


@pytest.mark.usefixtures("cher_and_dexter")
def test_a_name_instead_of_an_address_lists_every_film_and_offers_the_people(client):
    """An old link's ?person=Cher answers with the whole list and Cher to choose, first, by a
    link that keeps the other parameters."""
    response = client.get("/films/?person=Cher&role=cast&sort=title")
    assert response.status_code == 200
    assert slugs(response) == ["mask", "rocketman"]
    choices = response.context["person_choices"]
    assert [(c.person.name, c.url) for c in choices] == [
        ("Cher", "/films/?person=cher&role=cast&sort=title"),
        ("Dexter Fletcher", "/films/?person=dexter-fletcher&role=cast&sort=title"),
    ]
    html = response.content.decode()
    assert "“Cher” is not one person" in html
    assert 'href="/films/?person=cher&amp;role=cast&amp;sort=title"' in html
    assert [chip.label for chip in response.context["chips"]] == ["Role: Cast"]
    assert slugs(client.get(choices[0].url)) == ["mask"]


def test_a_person_filter_by_an_old_address_still_lists_their_films(client, cher_and_dexter):
    """A shared link made before the person's address changed still means that person."""
    cher, _ = cher_and_dexter
    cher.slug = "cher-sarkisian"
    cher.save()
    response = client.get("/films/?person=cher&role=cast")
    assert slugs(response) == ["mask"]
    assert "Person: Cher" in [chip.label for chip in response.context["chips"]]


@pytest.mark.usefixtures("cher_and_dexter")
def test_a_name_that_no_one_has_lists_every_film_and_says_so(client):
    response = client.get("/films/?person=Nobody+at+all")
    assert response.status_code == 200
    assert len(slugs(response)) == 2
    assert "name contains “Nobody at all”; every film is listed" in response.content.decode()


def test_namesakes_are_told_apart_in_the_choices_and_the_chip(client):
    """Two John Smiths: the choices describe each, the better known first, and the chip of
    the chosen one names them with their description."""
    actor = make_person(name="John Smith", slug="john-smith", professions="actor", birth_year=1985)
    composer = make_person(
        name="John Smith",
        slug="john-smith-nm0000002",
        professions="composer,soundtrack",
        birth_year=1921,
        death_year=1999,
    )
    Credit.objects.create(
        film=make_film(title="Little Seen", vote_count=10), person=actor, role="cast"
    )
    Credit.objects.create(
        film=make_film(title="Big Score", vote_count=10_000), person=composer, role="composer"
    )
    refresh_prominence()  # as every writer of credits does (films/prominence.py)
    response = client.get("/films/?person=John+Smith")
    choices = [choice.person.choice_label for choice in response.context["person_choices"]]
    assert choices == [
        "John Smith (composer and soundtrack artist, 1921\N{EN DASH}1999, Big Score)",
        "John Smith (actor, b. 1985, Little Seen)",
    ]
    assert "<cite>Big Score</cite>" in response.content.decode()
    chosen = client.get("/films/?person=john-smith")
    assert [chip.label for chip in chosen.context["chips"]] == [
        "Person: John Smith (actor, b. 1985, Little Seen)"
    ]
    assert [film.title for film in chosen.context["page_obj"]] == ["Little Seen"]


def test_a_chip_names_a_person_without_a_namesake_by_name_alone(client):
    make_person(name="Cher", slug="cher", professions="actress", birth_year=1946)
    response = client.get("/films/?person=cher")
    assert [chip.label for chip in response.context["chips"]] == ["Person: Cher"]
    html = response.content.decode()
    assert 'data-person-label="Cher (actress, b. 1946)"' in html
    assert "Films: Person: Cher ·" in html


def test_choices_are_capped_and_cost_fixed_queries(client, django_assert_max_num_queries):
    """However many people share a name, the list offers at most PERSON_CANDIDATES, with no
    query per person."""
    film = make_film()

    def add_people(count):
        for _ in range(count):
            Credit.objects.create(
                film=film,
                person=make_person(name="Sam Jones", known_for="tt0000001,tt0000002"),
                role="cast",
            )

    add_people(2)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/films/?person=Sam+Jones").context["person_choices"]) == 2
    add_people(30)
    # One more than a list filtered by an address: the name is also looked up as an old one.
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as many:
        response = client.get("/films/?person=Sam+Jones")
    assert len(response.context["person_choices"]) == filters.PERSON_CANDIDATES
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "value", ["%00", "%25", "_", "x" * 201, "%E2%80%AE", "' OR 1=1 --", "a%00b", "cher/../"]
)
def test_hostile_person_values_answer_with_the_list(client, value):
    make_person(name="Cher", slug="cher")
    response = client.get(f"/films/?person={value}")
    assert response.status_code == 200
    assert response.context["page_obj"] is not None


def test_people_list_tells_namesakes_apart(client):
    two_john_smiths()
    response = client.get("/people/?q=john+smith")
    people = [(p.name, p.description) for p in response.context["page_obj"]]
    assert sorted(people) == [
        ("John Smith", "actor and producer, b. 1985, Known For Title"),
        ("John Smith", "composer, 1921\N{EN DASH}1999, Major"),
    ]
    html = response.content.decode()
    assert "actor and producer, b. 1985, <cite>Known For Title</cite>" in html
    assert "composer, 1921\N{EN DASH}1999, <cite>Major</cite>" in html


def test_people_list_describes_people_in_fixed_queries(
    client, monkeypatch, django_assert_max_num_queries
):
    """Descriptions come with the page's one query: 30 people with professions and known-for
    films cost what 3 do."""
    monkeypatch.setattr(views, "NAMES_PER_PAGE", 40)

    def add_people(count):
        for _ in range(count):
            known = make_film(imdb_id=f"tt{next_imdb_id():07}")
            person = make_person(name="Pat Doe", professions="actor", known_for=known.imdb_id)
            Credit.objects.create(film=known, person=person, role="cast")

    add_people(3)
    with CaptureQueriesContext(connection) as few:
        client.get("/people/")
    add_people(27)
    with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as many:
        response = client.get("/people/")
    assert len(response.context["page_obj"]) == 30
    assert all(person.known_for_title for person in response.context["page_obj"])
    assert len(many) == len(few)
