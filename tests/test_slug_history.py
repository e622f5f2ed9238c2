"""Addresses never break: a film's, person's, place's or genre's old slug keeps leading to
it, whoever changed the slug (films/models.py SlugHistory, films/views.py get_by_slug)."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from films.models import (
    Credit,
    Film,
    FilmSlugRedirect,
    Genre,
    GenreSlugRedirect,
    Location,
    LocationSlugRedirect,
    Person,
    PersonSlugRedirect,
)
from tests.builders import make_film, make_genre, make_location, make_person

pytestmark = pytest.mark.django_db


def edit_in_admin(rf, admin_user, obj, **changes):
    """Saves obj through its admin change form, as an editor's "Save" does."""
    model_admin = admin.site._registry[type(obj)]
    obj = type(obj).objects.get(pk=obj.pk)
    request = rf.post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, obj, change=True)
    data = {**model_to_dict(obj), **changes}
    if "genres" in data:
        data["genres"] = [genre.pk for genre in data["genres"]]
    form = form_class({k: v for k, v in data.items() if v is not None}, instance=obj)
    if not form.is_valid():
        return form
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    form.save_m2m()
    return form


@pytest.mark.parametrize(
    ("make", "redirects"),
    [
        (make_film, FilmSlugRedirect),
        (make_person, PersonSlugRedirect),
        (make_location, LocationSlugRedirect),
        (make_genre, GenreSlugRedirect),
    ],
    ids=["film", "person", "place", "genre"],
)
def test_save_records_the_old_slug(make, redirects):
    """A shell's obj.save() with a new slug keeps the old one leading to the row."""
    row = make(slug="first")
    row.slug = "second"
    row.save()
    assert redirects.objects.get(old_slug="first").target == row
    assert type(row).objects.current_slug("first") == "second"
    row.name = row.title = "Renamed"
    row.save()  # no slug change, no new redirect
    assert redirects.objects.count() == 1


def test_a_slug_that_comes_back_drops_its_stale_redirect():
    person = make_person(slug="cher")
    person.slug = "cher-singer"
    person.save()
    person.slug = "cher"
    person.save()
    assert list(PersonSlugRedirect.objects.values_list("old_slug", flat=True)) == ["cher-singer"]
    assert Person.objects.current_slug("cher-singer") == "cher"


def test_save_of_a_row_not_read_from_the_database_still_records():
    """A row built with its primary key (not loaded) looks its old slug up once."""
    place = make_location(slug="azusa")
    Location(pk=place.pk, name=place.name, slug="azusa-ca").save(force_update=True)
    assert LocationSlugRedirect.objects.get().location_id == place.pk


def test_update_fields_without_slug_records_nothing():
    film = make_film(slug="heat-1995")
    film.slug = "heat"
    film.save(update_fields=["title"])
    assert not FilmSlugRedirect.objects.exists()


def test_an_old_address_of_another_row_cannot_be_typed_in():
    """Validation refuses a slug that leads to another row; the message names where."""
    moved = make_person(slug="john-smith")
    moved.slug = "john-smith-actor"
    moved.save()
    other = make_person(name="John Smith", slug="john-smith-2")
    other.slug = "john-smith"
    with pytest.raises(ValidationError, match="john-smith-actor"):
        other.full_clean()


def test_old_slugs_find_rows_by_natural_key():
    """A fixture naming a row by its old slug finds the row, not nothing."""
    film = make_film(slug="mask-1985")
    film.slug = "mask"
    film.save()
    assert Film.objects.get_by_natural_key("mask-1985") == film
    with pytest.raises(Film.DoesNotExist):
        Film.objects.get_by_natural_key("no-such-film")


# Renaming in the admin: the old address answers 301.


def test_renaming_a_person_in_the_admin_keeps_the_old_address(client, rf, admin_user, mask):
    cher = Person.objects.get(slug="cher")
    edit_in_admin(rf, admin_user, cher, slug="cher-actress", name="Cher Bono")
    response = client.get("/people/cher/")
    assert response.status_code == 301
    assert response["Location"] == "/people/cher-actress/"
    filmography = reverse("films:person_filmography", args=["cher", "cast"])
    response = client.get(filmography + "?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/people/cher-actress/filmography/cast/?page=1"
    assert client.get("/people/cher-actress/").status_code == 200


def test_renaming_a_place_in_the_admin_keeps_the_old_address(client, rf, admin_user, mask):
    place = Location.objects.get(slug="azusa-california-usa")  # not the places it lies in
    edit_in_admin(rf, admin_user, place, slug="azusa")
    response = client.get("/locations/azusa-california-usa/")
    assert response.status_code == 301
    assert response["Location"] == "/locations/azusa/"


@pytest.mark.parametrize("page", ["", "cast/", "making-of/", "trivia/", "reviews/"])
def test_every_page_of_a_renamed_film_redirects(client, rf, admin_user, mask, page):
    edit_in_admin(rf, admin_user, mask, slug="mask")
    response = client.get(f"/films/mask-1985/{page}")
    assert response.status_code == 301
    assert response["Location"] == f"/films/mask/{page}"


def test_admin_refuses_a_slug_that_leads_to_another_person(rf, admin_user, mask):
    cher = Person.objects.get(slug="cher")
    edit_in_admin(rf, admin_user, cher, slug="cher-actress")
    other = make_person(name="Cher", slug="cher-2")
    form = edit_in_admin(rf, admin_user, other, slug="cher")
    assert "old address of another person" in str(form.errors["slug"])


def test_person_admin_lists_old_addresses(client, admin_user, mask):
    cher = Person.objects.get(slug="cher")
    cher.slug = "cher-actress"
    cher.save()
    client.force_login(admin_user)
    page = client.get(reverse("admin:films_person_change", args=[cher.pk])).content.decode()
    assert "Old addresses" in page
    assert 'value="cher"' in page


# Genres: an old slug is still a filter value.


def test_an_old_genre_slug_still_filters_the_film_list(client, mask, django_assert_max_num_queries):
    drama = Genre.objects.get(slug="drama")
    drama.slug = "drama-films"
    drama.save()
    make_film(title="Comedy")
    with django_assert_max_num_queries(8):
        response = client.get("/films/?genre=drama")
    assert response.status_code == 200
    assert [film.title for film in response.context["page_obj"]] == ["Mask"]
    assert [chip.label for chip in response.context["chips"]] == ["Drama"]
    assert response.context["filters"].form.cleaned_data["genre"] == ["drama-films"]


def test_redirects_follow_their_row_when_it_is_deleted(mask):
    cher = Person.objects.get(slug="cher")
    cher.slug = "cher-actress"
    cher.save()
    Credit.objects.filter(person=cher).delete()
    cher.delete()
    assert not PersonSlugRedirect.objects.exists()
