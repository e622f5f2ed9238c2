"""The film page and its subpages: full cast, making-of, trivia, reviews."""

import json
import re
from html import unescape

import pytest
from django.contrib import admin
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from films.models import Credit, Film, FilmSlugRedirect, Review, Trivia
from tests.builders import make_film, make_person, populate

pytestmark = pytest.mark.django_db

FILM_PAGES = ["film_detail", "film_cast", "film_making_of", "film_trivia", "film_reviews"]


def url(name, film, **query):
    path = reverse(f"films:{name}", args=[film.slug if isinstance(film, Film) else film])
    return f"{path}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else path


def text_of(response):
    """The page's visible text: tags dropped, entities decoded, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return text.replace(" ,", ",")


def json_ld(response):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(blocks) == 1
    return json.loads(blocks[0])


def query_count(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


# The film page


def test_film_page_shows_the_seed_facts(client, mask):
    """Title, year, rating, votes, genres, summary, details, taglines and credits all appear."""
    page = text_of(client.get(url("film_detail", mask)))
    assert "Mask (1985)" in page
    assert "7.0 /10" in page
    assert "12,168 votes" in page
    assert mask.logline in page
    assert mask.plot in page
    assert "8 March 1985" in page
    assert "$42,400,000 (USA)" in page
    assert "Drama" in page
    for tagline in mask.taglines.all():
        assert tagline.text in page
    assert "Director Peter Bogdanovich" in page
    stars = mask.credits.filter(is_star=True).order_by("order")
    assert "Stars " + ", ".join(c.person.name for c in stars) in page


def test_a_gross_shows_in_its_own_currency(client):
    """A gross earned in Deutsche Mark reads as such, never as dollars."""
    film = make_film(gross=3_250_000, gross_currency="DEM", gross_region="West Germany")
    text = text_of(client.get(url("film_detail", film)))
    assert "Gross DEM 3,250,000 (West Germany)" in text
    assert "$" not in text


def test_film_page_links_people_locations_and_sections(client, mask):
    """Directors, stars and cast link to their people pages; locations to theirs; sections too."""
    html = client.get(url("film_detail", mask)).content.decode()
    for credit in mask.credits.all():
        assert f'href="{credit.person.get_absolute_url()}"' in html
    for filming in mask.filming_locations.all():
        assert f'href="{filming.location.get_absolute_url()}"' in html
    for name in FILM_PAGES[1:]:
        assert f'href="{url(name, mask)}"' in html


def test_film_page_shows_top_cast_with_characters(client, mask):
    page = text_of(client.get(url("film_detail", mask)))
    for credit in mask.credits.filter(role=Credit.Role.CAST):
        assert f"{credit.person.name} {credit.character}" in page
    assert "(as Kelly Minter)" in page


def test_did_you_know_shows_the_first_trivia_goof_and_quote(client, mask):
    page = text_of(client.get(url("film_detail", mask)))
    for kind in (Trivia.Kind.TRIVIA, Trivia.Kind.GOOF, Trivia.Kind.QUOTE):
        first = mask.trivia.filter(kind=kind).order_by("order").first()
        assert first.text in page
    assert "Anachronisms" in page
    assert "Rocky Dennis" in page
    assert "All trivia, goofs and quotes (3)" in page


def test_film_page_shows_a_review_excerpt_and_a_making_of_teaser(client, mask):
    page = text_of(client.get(url("film_detail", mask)))
    review = mask.reviews.get()
    assert review.title in page
    assert "4.5/5" in page
    assert "The making of Mask (6)" in page
    first_story = mask.trivia.filter(kind=Trivia.Kind.BEHIND_THE_SCENES).order_by("order")[0]
    assert first_story.text in page


def test_only_the_top_billed_cast_is_on_the_film_page(client):
    """The film page lists the first 15 billed; the rest are on the full cast page."""
    film = make_film()
    populate(film, credits=20)
    page = text_of(client.get(url("film_detail", film)))
    assert "Role 14 " in page
    assert "Role 15 " not in page
    assert "Full cast & crew (20)" in page


def test_film_page_has_canonical_link_and_open_graph(client, mask):
    html = client.get(url("film_detail", mask)).content.decode()
    canonical = f"http://testserver{url('film_detail', mask)}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:type" content="video.movie">' in html
    assert '<meta property="og:title" content="Mask (1985)">' in html


def test_json_ld_parses_and_holds_the_seed_facts(client, mask):
    movie = json_ld(client.get(url("film_detail", mask)))
    assert movie["@context"] == "https://schema.org"
    assert movie["@type"] == "Movie"
    assert movie["name"] == "Mask"
    assert movie["datePublished"] == "1985-03-08"
    assert movie["genre"] == ["Drama"]
    assert [d["name"] for d in movie["director"]] == ["Peter Bogdanovich"]
    cast = mask.credits.filter(role=Credit.Role.CAST).order_by("order")
    assert [(a["actor"]["name"], a["characterName"]) for a in movie["actor"]] == [
        (c.person.name, c.character) for c in cast
    ]
    assert movie["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 7.0,
        "bestRating": 10,
        "worstRating": 1,
        "ratingCount": 12168,
    }
    review = movie["review"]
    assert review["name"] == mask.reviews.get().title
    assert review["reviewRating"]["ratingValue"] == 4.5
    assert review["reviewRating"]["bestRating"] == 5
    assert "duration" not in movie  # the seed's runtime is unknown


def test_an_imdb_id_links_to_imdb_and_is_the_films_same_as(client, mask):
    mask.imdb_id = "tt0089560"
    mask.save()
    response = client.get(url("film_detail", mask))
    assert '<a href="https://www.imdb.com/title/tt0089560/" rel="external noopener">' in (
        response.content.decode()
    )
    assert json_ld(response)["sameAs"] == ["https://www.imdb.com/title/tt0089560/"]


def test_a_film_without_an_imdb_id_has_no_same_as(client, mask):
    response = client.get(url("film_detail", mask))
    assert "imdb.com" not in response.content.decode()
    assert "sameAs" not in json_ld(response)


def test_a_bare_film_has_a_page_without_empty_sections(client):
    """A film with no credits, trivia or reviews shows what it has and no empty panels."""
    film = make_film(title="Bare", year=None)
    response = client.get(url("film_detail", film))
    assert response.status_code == 200
    page = text_of(response)
    assert "User review" not in page
    assert "Did you know" not in page
    movie = json_ld(response)
    assert movie["name"] == "Bare"
    assert "review" not in movie
    assert "aggregateRating" not in movie


def test_facts_that_are_not_known_are_left_out(client):
    """No "Unknown" rows: a film without a runtime has no runtime row."""
    film = make_film(title="Bare", runtime_minutes=None)
    page = text_of(client.get(url("film_detail", film)))
    assert "Unknown" not in page
    assert "Runtime" not in page
    film.runtime_minutes = 104
    film.save()
    assert "Runtime 1h 44m (104 min)" in text_of(client.get(url("film_detail", film)))


def test_sections_with_nothing_in_them_have_no_tab(client):
    """A film without trivia, making-of, reviews or credits has only its overview tab; a
    section opened anyway says it is empty and offers no filter form."""
    film = make_film(title="Bare")
    html = client.get(url("film_detail", film)).content.decode()
    nav = re.search(r'<nav class="section-nav".*?</nav>', html, re.S).group(0)
    for name in FILM_PAGES[1:]:
        assert url(name, film) not in nav
    assert "Top cast" not in html
    for name in FILM_PAGES[1:]:
        response = client.get(url(name, film))
        assert response.status_code == 200
        assert 'class="filters"' not in response.content.decode(), name
    assert "Nothing about the making of this film" in text_of(
        client.get(url("film_making_of", film))
    )
    Trivia.objects.create(film=film, kind="trivia", text="A fact")
    nav = client.get(url("film_detail", film)).content.decode()
    assert url("film_trivia", film) in nav
    assert url("film_making_of", film) not in nav


def test_the_seed_film_has_every_tab_but_none_empty(client, mask):
    nav = re.search(
        r'<nav class="section-nav".*?</nav>',
        client.get(url("film_detail", mask)).content.decode(),
        re.S,
    ).group(0)
    for name in FILM_PAGES:
        assert url(name, mask) in nav


def test_the_featured_review_is_the_first_in_order(client):
    film = make_film()
    Review.objects.create(film=film, title="Second", body="b", order=2)
    Review.objects.create(film=film, title="First", body="a", order=1)
    assert json_ld(client.get(url("film_detail", film)))["review"]["name"] == "First"


def test_json_ld_gives_the_runtime_as_an_iso_8601_duration(client):
    film = make_film(runtime_minutes=124)
    assert json_ld(client.get(url("film_detail", film)))["duration"] == "PT2H4M"


def test_json_ld_cannot_be_broken_out_of(client):
    """Data holding "</script>" stays inside the data block and reads back unchanged."""
    attack = 'Hi </script><script>alert("x")</script> & <b>bold</b>'
    film = make_film(title=attack, logline=attack)
    response = client.get(url("film_detail", film))
    assert "<script>alert" not in response.content.decode()
    assert json_ld(response)["name"] == attack
    assert json_ld(response)["description"] == attack


# Slugs


def test_wrong_case_slug_redirects_permanently(client, mask):
    response = client.get("/films/MASK-1985/")
    assert response.status_code == 301
    assert response["Location"] == url("film_detail", mask)


@pytest.mark.parametrize("name", FILM_PAGES[1:])
def test_subpages_redirect_wrong_case_keeping_the_query(client, mask, name):
    response = client.get(url(name, "Mask-1985") + "?q=rocky")
    assert response.status_code == 301
    assert response["Location"] == url(name, mask) + "?q=rocky"


def test_old_slug_redirects_permanently(client, mask):
    FilmSlugRedirect.objects.create(film=mask, old_slug="mask")
    response = client.get("/films/mask/cast/")
    assert response.status_code == 301
    assert response["Location"] == url("film_cast", mask)


def test_unknown_slug_is_not_found(client, mask):
    assert client.get("/films/no-such-film/").status_code == 404
    assert client.get("/films/no-such-film/trivia/").status_code == 404


def test_changing_a_slug_in_the_admin_keeps_the_old_address(client, mask, rf, admin_user):
    """An editor's new slug becomes the address; the old one redirects; changing it back
    serves the film at its first address again."""
    film_admin = admin.site._registry[Film]

    def rename(slug):
        film = Film.objects.get(pk=mask.pk)
        request = rf.post("/")
        request.user = admin_user
        form_class = film_admin.get_form(request, film, change=True)
        data = {**model_to_dict(film), "slug": slug}
        data["genres"] = [genre.pk for genre in data["genres"]]
        form = form_class({k: v for k, v in data.items() if v is not None}, instance=film)
        assert form.is_valid(), form.errors
        film_admin.save_model(request, form.save(commit=False), form, change=True)

    rename("mask-the-film")
    assert client.get("/films/mask-the-film/").status_code == 200
    assert client.get("/films/mask-1985/")["Location"] == "/films/mask-the-film/"

    rename("mask-1985")
    assert client.get("/films/mask-1985/").status_code == 200
    assert client.get("/films/mask-the-film/")["Location"] == "/films/mask-1985/"
    assert not FilmSlugRedirect.objects.filter(old_slug="mask-1985").exists()


# Full cast & crew


def test_cast_page_lists_every_name_and_character(client, mask):
    page = text_of(client.get(url("film_cast", mask)))
    for credit in mask.credits.select_related("person"):
        assert credit.person.name in page
        assert credit.character in page
    assert "(as Kelly Minter)" in page


def test_cast_page_groups_by_role_and_orders_cast_by_billing(client, mask):
    page = text_of(client.get(url("film_cast", mask)))
    assert page.index("Director 1") < page.index("Cast 15")
    cast = mask.credits.filter(role=Credit.Role.CAST).order_by("order")
    positions = [page.index(credit.person.name) for credit in cast]
    assert positions == sorted(positions)


def test_uncredited_cast_appear_after_billed_cast(client):
    film = make_film()
    Credit.objects.create(
        film=film, person=make_person(name="Hidden Actor"), role="cast", order=1, uncredited=True
    )
    Credit.objects.create(film=film, person=make_person(name="Billed Actor"), role="cast", order=2)
    page = text_of(client.get(url("film_cast", film)))
    assert page.index("Billed Actor") < page.index("Hidden Actor") < page.index("(uncredited)")


def test_cast_filter_by_role(client, mask):
    page = text_of(client.get(url("film_cast", mask, role="director")))
    assert "Peter Bogdanovich" in page
    assert "Cher" not in page


@pytest.mark.parametrize(
    ("text", "found", "left_out"),
    [
        ("rusty", "Cher", "Sam Elliott"),
        ("ELLIOTT", "Sam Elliott", "Cher"),
        ("Kelly Minter", "Kelly Jo Minter", "Cher"),
    ],
)
def test_cast_filter_by_text_matches_person_character_or_credited_name(
    client, mask, text, found, left_out
):
    page = text_of(client.get(url("film_cast", mask, q=text)))
    assert found in page
    assert left_out not in page


def test_cast_filter_offers_roles_with_counts(client, mask):
    html = client.get(url("film_cast", mask)).content.decode()
    assert '<option value="cast">Cast (15)</option>' in html
    assert '<option value="director">Director (1)</option>' in html
    assert 'value="composer"' not in html  # a role nobody on this film has


def test_cast_filter_for_a_valid_absent_role_finds_no_one(client, mask):
    response = client.get(url("film_cast", mask, role="composer"))
    assert response.status_code == 200
    assert "No one matches these filters" in text_of(response)


def test_unknown_role_gives_a_message_and_everyone(client, mask):
    response = client.get(url("film_cast", mask, role="<b>stuntman</b>"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Some filters could not be used" in page
    assert "Cher" in page
    assert "Peter Bogdanovich" in page
    assert "<b>stuntman</b>" not in response.content.decode()


# Making-of


def test_making_of_shows_all_six_stories_with_contributors(client, mask):
    page = text_of(client.get(url("film_making_of", mask)))
    stories = mask.trivia.filter(kind=Trivia.Kind.BEHIND_THE_SCENES)
    assert stories.count() == 6
    for story in stories:
        assert story.text in page
        if story.contributor:
            assert f"Contributed by {story.contributor}" in page
    assert "Deleted scenes 0" in page
    assert "Alternate versions 0" in page


def test_making_of_filter_by_contributor(client, mask):
    page = text_of(client.get(url("film_making_of", mask, contributor="Dominic")))
    assert "Michael Westmore" in page
    assert "Rob Lowe" not in page


def test_making_of_filter_offers_contributors_with_counts(client, mask):
    html = client.get(url("film_making_of", mask)).content.decode()
    assert '<option value="Dominic">Dominic (1)</option>' in html
    assert "Jeremy &quot;Joker&quot; Brent (1)" in html


def test_making_of_filter_by_text_and_kind(client, mask):
    page = text_of(client.get(url("film_making_of", mask, q="rob+lowe")))
    assert "Rob Lowe was nearly cast" in page
    assert "Michael Westmore" not in page
    page = text_of(client.get(url("film_making_of", mask, kind="deleted_scene")))
    assert "Michael Westmore" not in page
    assert "Nothing matches these filters" in page


def test_unknown_contributor_gives_a_message(client, mask):
    response = client.get(url("film_making_of", mask, contributor="Nobody"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Some filters could not be used" in page
    assert "Michael Westmore" in page


def options(response, name):
    """The values and labels of the select `name` on the page."""
    html = response.content.decode()
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


@pytest.fixture
def stories():
    """A making-of page: Ann wrote a deleted scene and two stories, Bob one story."""
    film = make_film(title="Stories")
    for kind, contributor, order, text in [
        (Trivia.Kind.DELETED_SCENE, "Ann", 1, "A cut ending"),
        (Trivia.Kind.BEHIND_THE_SCENES, "Ann", 1, "Rain on the set"),
        (Trivia.Kind.BEHIND_THE_SCENES, "Ann", 2, "A night shoot"),
        (Trivia.Kind.BEHIND_THE_SCENES, "Bob", 3, "The rain machine broke"),
    ]:
        Trivia.objects.create(film=film, kind=kind, contributor=contributor, order=order, text=text)
    return film


def test_making_of_contributors_narrow_to_the_chosen_kind(client, stories):
    """With "Deleted scene" chosen, the contributor choice offers only people with a deleted
    scene, counted within it; the kinds are counted for the chosen contributor."""
    everything = client.get(url("film_making_of", stories))
    assert options(everything, "contributor") == {"": "Anyone", "Ann": "Ann (3)", "Bob": "Bob (1)"}
    deleted = client.get(url("film_making_of", stories, kind="deleted_scene"))
    assert options(deleted, "contributor") == {"": "Anyone", "Ann": "Ann (1)"}
    # The kinds stay in view, counted over everyone: choosing one replaces the other.
    assert options(deleted, "kind") == {
        "": "Every kind",
        "behind_the_scenes": "Behind the scenes (3)",
        "deleted_scene": "Deleted scene (1)",
    }
    bob = client.get(url("film_making_of", stories, contributor="Bob"))
    assert options(bob, "kind") == {"": "Every kind", "behind_the_scenes": "Behind the scenes (1)"}


def test_making_of_counts_follow_the_text_search(client, stories):
    """Counts are of the items the text search keeps."""
    response = client.get(url("film_making_of", stories, q="rain"))
    assert options(response, "contributor") == {"": "Anyone", "Ann": "Ann (1)", "Bob": "Bob (1)"}
    assert options(response, "kind") == {
        "": "Every kind",
        "behind_the_scenes": "Behind the scenes (2)",
    }


def test_a_contributor_asked_for_with_a_kind_they_lack_shows_nothing(client, stories):
    """An old link asking for Bob's deleted scenes finds none, and says so, rather than
    dropping Bob and showing everyone's."""
    response = client.get(url("film_making_of", stories, kind="deleted_scene", contributor="Bob"))
    page = text_of(response)
    assert "Nothing matches these filters" in page
    assert "Some filters could not be used" not in page
    assert options(response, "contributor") == {"": "Anyone", "Ann": "Ann (1)", "Bob": "Bob (0)"}


def test_cast_roles_are_counted_among_the_names_searched(client, mask):
    response = client.get(url("film_cast", mask, q="bogdanovich"))
    assert options(response, "role") == {"": "Every role", "director": "Director (1)"}


# Trivia


def test_trivia_page_shows_trivia_goofs_by_category_and_quotes_with_character(client, mask):
    page = text_of(client.get(url("film_trivia", mask)))
    for item in mask.trivia.exclude(kind__in=Trivia.MAKING_OF_KINDS):
        assert item.text in page
    assert "Goofs 1 Anachronisms When Rocky" in page
    assert "sun shining on my face. Rocky Dennis" in page


def test_trivia_filter_by_kind_and_goof_category(client, mask):
    page = text_of(client.get(url("film_trivia", mask, kind="goof")))
    assert "Topps" in page
    assert "post production party" not in page
    page = text_of(client.get(url("film_trivia", mask, goof_category="Anachronisms")))
    assert "Topps" in page
    assert "post production party" not in page


def test_goof_categories_are_offered_for_the_chosen_kind_only(client):
    film = make_film()
    Trivia.objects.create(film=film, kind="goof", goof_category="Continuity", text="Cup")
    Trivia.objects.create(film=film, kind="trivia", text="A fact")
    Trivia.objects.create(film=film, kind="quote", text="Hello", order=2)
    categories = options(client.get(url("film_trivia", film)), "goof_category")
    assert categories == {"": "Any category", "Continuity": "Continuity (1)"}
    categories = options(client.get(url("film_trivia", film, kind="quote")), "goof_category")
    assert categories == {"": "Any category"}


def test_trivia_filter_rejects_a_making_of_kind_with_a_message(client, mask):
    response = client.get(url("film_trivia", mask, kind="behind_the_scenes", goof_category="X"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Kind:" in page
    assert "Goof category:" in page
    assert "post production party" in page


# Reviews


def test_reviews_show_score_on_its_own_scale_and_as_stars(client, mask):
    make_review = Review.objects.create
    make_review(film=mask, title="Fine", body="Fine.", author="Ann", score=7, scale=10, order=2)
    page = client.get(url("film_reviews", mask)).content.decode()
    text = text_of(client.get(url("film_reviews", mask)))
    assert "Hard to Watch at Times" in text
    assert "4.5/5" in text
    assert 'aria-label="4.5 out of 5 stars"' in page
    assert "7/10" in text
    assert 'aria-label="3.5 out of 5 stars"' in page
    assert "By Ann" in text


@pytest.mark.parametrize("page", ["9999", "abc", "0"])
def test_reviews_page_out_of_range_is_not_found(client, mask, page):
    assert client.get(url("film_reviews", mask, page=page)).status_code == 404


def test_a_reviews_page_past_the_end_says_which_list(client):
    film = make_film(title="Talked About", year=2001)
    populate(film, credits=0, reviews=45)
    response = client.get(url("film_reviews", film, page=7))
    assert response.status_code == 404
    assert "The list of reviews of Talked About (2001) has 3 pages; there is no page 7." in (
        text_of(response)
    )
    assert f'href="{url("film_reviews", film)}?page=3"' in response.content.decode()


def test_reviews_are_paginated_with_the_current_page_marked(client):
    film = make_film()
    populate(film, credits=0, reviews=45)
    html = client.get(url("film_reviews", film, page=2)).content.decode()
    assert '<a href="?page=2" aria-current="page">' in html
    # Each page of reviews is a page of its own to search engines, not a copy of the first.
    canonical = f"http://testserver{url('film_reviews', film)}?page=2"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert "21\u201340 of 45 reviews" in text_of(client.get(url("film_reviews", film, page=2)))


# Query counts


def test_film_page_query_count_does_not_grow_with_the_film(client):
    """A film with 300 credits and 100 trivia items costs what a film with 3 of each costs."""
    small, big = make_film(), make_film()
    populate(small, credits=3, trivia=3, reviews=3, locations=3, taglines=3)
    populate(big, credits=300, trivia=100, reviews=30, locations=20, taglines=10)
    assert query_count(client, url("film_detail", small)) == query_count(
        client, url("film_detail", big)
    )


def test_film_page_query_count_is_pinned(client, mask, django_assert_max_num_queries):
    # The film, its genres, taglines, filming locations, headline credits, firsts of each
    # kind of trivia, and the sources of all of it.
    with django_assert_max_num_queries(7):
        assert client.get(url("film_detail", mask)).status_code == 200


@pytest.mark.parametrize("name", FILM_PAGES[1:])
def test_subpage_query_count_does_not_grow_with_the_film(client, name):
    small, big = make_film(), make_film()
    populate(small, credits=3, trivia=3, reviews=3)
    populate(big, credits=300, trivia=100, reviews=60)
    Trivia.objects.bulk_create(
        Trivia(film=film, kind=kind, text="x", contributor=f"C{i}", order=i)
        for film, n in ((small, 3), (big, 100))
        for i in range(1, n + 1)
        for kind in (Trivia.Kind.BEHIND_THE_SCENES, Trivia.Kind.GOOF)
    )
    assert query_count(client, url(name, small)) == query_count(client, url(name, big))


@pytest.mark.parametrize("name", FILM_PAGES[1:])
def test_subpage_query_count_is_pinned(client, mask, name, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(url(name, mask, q="a")).status_code == 200


def test_a_page_filter_text_does_not_fill_the_site_search_box(client, mask):
    html = client.get(url("film_cast", mask, q="rusty")).content.decode()
    assert 'name="q" value=""' in html.split("</header>")[0]
    assert 'value="rusty"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/films/%00/",
        "/films/mask%00/cast/",
        "/people/a%00b/",
        "/locations/%00/",
        "/films/mask-1985/cast/?q=%00",
        "/films/mask-1985/cast/?role=%00",
        "/films/mask-1985/making-of/?contributor=%00&q=%00",
        "/films/mask-1985/trivia/?goof_category=%00",
    ],
)
def test_nul_bytes_in_an_address_are_never_a_server_error(client, mask, path):
    """PostgreSQL refuses NUL in text; such an address is a 404 or an ignored filter."""
    assert client.get(path).status_code in (200, 404)
