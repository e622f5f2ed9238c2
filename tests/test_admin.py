"""Editors can open every admin page, and the pages cost the same queries at any size."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from films.models import Genre, RemovedItem, Source, Trivia
from tests.builders import change_form_data, make_film, make_genre, populate, two_john_smiths

pytestmark = pytest.mark.django_db

MODELS = [m for m in admin.site._registry if m._meta.app_label == "films"]
# The admin pages of what hangs from a film; sources hang from none (tests/test_provenance.py).
FILM_DATA = [m for m in MODELS if m is not Source]


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def queries(client, url):
    client.get(url)  # warm per-process caches (content types) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def grow(film, n):
    populate(film, credits=n, trivia=n, reviews=n, locations=n, taglines=n)
    # Items removed from the film: their records name it.
    start = RemovedItem.objects.count()
    RemovedItem.objects.bulk_create(
        RemovedItem(kind="goof", item_id=10_000 + start + i, film=film, film_slug=film.slug)
        for i in range(n)
    )
    genres = [make_genre() for _ in range(3)]
    film.genres.add(*genres)
    for _ in range(n):
        make_film().genres.add(*genres)


def test_every_model_is_registered():
    assert {m.__name__ for m in MODELS} == {
        "Film",
        "Genre",
        "Tagline",
        "Person",
        "Credit",
        "Trivia",
        "Review",
        "Location",
        "FilmingLocation",
        "Source",
        "RemovedItem",
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(editor, model):
    """A changelist issues no query per row: 5 rows cost what 40 rows cost."""
    film = make_film()
    url = reverse(f"admin:films_{model._meta.model_name}_changelist")
    grow(film, 5)
    small = queries(editor, url)
    grow(make_film(), 40)
    assert queries(editor, url) == small


@pytest.mark.parametrize("model", FILM_DATA, ids=lambda m: m.__name__)
def test_change_page_queries_do_not_grow_with_rows(editor, model):
    """A change page, inlines and autocompletes included, costs the same for 3 or 60 rows."""
    small_film, big_film = make_film(), make_film()
    grow(small_film, 3)
    grow(big_film, 60)

    def change_url(film):
        # The object on each admin page that the film's rows hang from, or one of those rows.
        obj = {
            "Film": lambda: film,
            "Genre": lambda: film.genres.first(),
            "Person": lambda: film.credits.first().person,
            "Location": lambda: film.filming_locations.first().location,
        }.get(model.__name__, lambda: model.objects.filter(film=film).first())()
        return reverse(f"admin:films_{model._meta.model_name}_change", args=[obj.pk])

    assert queries(editor, change_url(big_film)) == queries(editor, change_url(small_film))


def test_film_change_page_shows_the_seed_film(editor, mask):
    """The Film page edits Mask's 16 credits, its trivia and its location inline."""
    response = editor.get(reverse("admin:films_film_change", args=[mask.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="credits-TOTAL_FORMS" value="16"' in content
    assert 'name="trivia-TOTAL_FORMS" value="9"' in content
    assert "Kelly Jo Minter" in content
    assert "Azusa, California, USA" in content
    assert "/admin/r/" in content  # "view on site"


def test_admin_filters_and_search(editor, mask):
    """Editors filter trivia by kind and find films by title."""
    url = reverse("admin:films_trivia_changelist")
    response = editor.get(url, {"kind__exact": Trivia.Kind.BEHIND_THE_SCENES})
    assert len(response.context["cl"].result_list) == 6
    response = editor.get(reverse("admin:films_film_changelist"), {"q": "mask"})
    assert list(response.context["cl"].result_list) == [mask]
    drama = Genre.objects.get(slug="drama")
    response = editor.get(reverse("admin:films_film_changelist"), {"genres__id__exact": drama.pk})
    assert list(response.context["cl"].result_list) == [mask]


def test_autocomplete_finds_people(editor, mask):
    url = reverse("admin:autocomplete")
    response = editor.get(
        url,
        {"term": "stol", "app_label": "films", "model_name": "credit", "field_name": "person"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Eric Stoltz (Mask)"]


@pytest.mark.parametrize(
    ("gross", "currency", "error"),
    [
        (3_250_000, "XYZ", "not an ISO 4217 currency code"),
        (3_250_000, "", "A gross needs its currency."),
        (None, "DEM", "Only a gross has a currency."),
    ],
)
def test_the_film_form_checks_the_gross_currency(editor, mask, gross, currency, error):
    """An editor cannot save a gross without a real currency, or a currency without a gross."""
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(editor.get(change_url))
    data.update(gross="" if gross is None else str(gross), gross_currency=currency)
    response = editor.post(change_url, data)
    assert response.status_code == 200
    assert error in response.text
    mask.refresh_from_db()
    assert (mask.gross, mask.gross_currency) == (42_400_000, "USD")


def test_an_editor_gives_a_gross_a_withdrawn_currency(editor, mask):
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(editor.get(change_url))
    data.update(gross="3250000", gross_currency="dem", gross_region="West Germany")
    assert editor.post(change_url, data).status_code == 302
    mask.refresh_from_db()
    assert (mask.gross, mask.gross_currency) == (3_250_000, "DEM")


def test_sorting_by_gross_compares_like_with_like(editor):
    """Grosses sort by currency, then amount: francs are never ranked among dollars."""
    for title, gross, currency in [
        ("a", 500, "USD"), ("b", 100, "DEM"), ("c", 50, "USD"), ("d", 900, "DEM"), ("e", None, ""),
    ]:  # fmt: skip
        make_film(title=title, gross=gross, gross_currency=currency)
    url = reverse("admin:films_film_changelist")
    column = editor.get(url).context["cl"].list_display.index("gross_in_currency")
    ascending = editor.get(f"{url}?o={column}").context["cl"].result_list
    assert [film.title for film in ascending if film.gross] == ["b", "d", "c", "a"]
    descending = editor.get(f"{url}?o=-{column}").context["cl"].result_list
    assert [film.title for film in descending if film.gross] == ["a", "c", "d", "b"]
    assert "DEM 900" in editor.get(url).text


# Editors tell namesakes apart wherever they pick or list people.


def test_autocomplete_tells_namesakes_apart(editor):
    two_john_smiths()
    response = editor.get(
        reverse("admin:autocomplete"),
        {
            "term": "john smith",
            "app_label": "films",
            "model_name": "credit",
            "field_name": "person",
        },
    )
    assert sorted(r["text"] for r in response.json()["results"]) == [
        "John Smith (actor and producer, b. 1985, Known For Title)",
        "John Smith (composer, 1921\N{EN DASH}1999, Major)",
    ]


def test_person_and_credit_change_lists_tell_namesakes_apart(editor):
    two_john_smiths()
    people = editor.get(reverse("admin:films_person_changelist"), {"q": "john smith"})
    html = people.content.decode()
    assert "actor and producer, b. 1985, Known For Title" in html
    assert "composer, 1921\N{EN DASH}1999, Major" in html
    credits = editor.get(reverse("admin:films_credit_changelist"), {"q": "john smith"})
    html = credits.content.decode()
    assert "John Smith (actor and producer, b. 1985, Known For Title)" in html
    assert "John Smith (composer, 1921\N{EN DASH}1999, Major)" in html


def test_person_pickers_name_the_chosen_person_with_their_description(editor):
    """The credit inline of a film and a credit's own page label the chosen person as the
    autocomplete does."""
    actor, _ = two_john_smiths()
    credit = actor.credits.get(film__title="Minor")
    label = "John Smith (actor and producer, b. 1985, Known For Title)"
    film_page = editor.get(reverse("admin:films_film_change", args=[credit.film.pk]))
    assert f'<option value="{actor.pk}" selected>{label}</option>' in film_page.content.decode()
    credit_page = editor.get(reverse("admin:films_credit_change", args=[credit.pk]))
    assert f'<option value="{actor.pk}" selected>{label}</option>' in credit_page.content.decode()
