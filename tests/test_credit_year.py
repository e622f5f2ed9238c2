"""Every writer of credits, or of a film's year, gives the credits their film's year
(Credit.year, which bounds what the person page reads)."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from films.importers.loader import save_film
from films.merging import merge_people
from films.models import Credit, Film
from tests.builders import change_form_data, make_film, make_person
from tests.test_import_loader import film_record

pytestmark = pytest.mark.django_db


def years(film):
    return set(Credit.objects.filter(film=film).values_list("year", flat=True))


def test_the_seed_films_credits_have_its_year(mask):
    assert years(mask) == {1985}


def test_an_editor_changing_a_films_year_changes_its_credits(admin_client, mask):
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(admin_client.get(change_url))
    data["year"] = "1986"
    assert admin_client.post(change_url, data).status_code == 302
    assert years(mask) == {1986}


def test_a_credit_added_in_the_admin_has_its_films_year(admin_client, mask):
    person = make_person()
    response = admin_client.post(
        reverse("admin:films_credit_add"),
        {"film": mask.pk, "person": person.pk, "role": "cast", "order": "9"},
    )
    assert response.status_code == 302
    assert Credit.objects.get(person=person).year == 1985


def test_the_loader_gives_new_credits_the_year_and_moves_them_with_it():
    save_film(record=film_record())
    film = Film.objects.get(title="Heat")
    assert years(film) == {1995}
    save_film(record=film_record(year=1996, slug=film.slug))
    assert years(film) == {1996}


def test_a_merge_of_people_leaves_their_credits_with_their_films_years():
    keep, other = make_person(), make_person()
    old, new = make_film(year=1950), make_film(year=2001)
    Credit.objects.create(film=old, person=keep, role="cast")  # written before Credit.year
    Credit.objects.create(film=new, person=other, role="cast", year=2001)
    merge_people(keep=keep, others=[other])
    assert sorted(keep.credits.values_list("year", flat=True)) == [1950, 2001]


def test_the_migration_fills_the_years_of_existing_credits():
    film, undated = make_film(year=1970), make_film(year=None)
    Credit.objects.create(film=film, person=make_person(), role="cast")
    Credit.objects.create(film=undated, person=make_person(), role="cast")
    migration = importlib.import_module("films.migrations.0011_credit_year")
    migration.fill_years(apps, None)
    assert (years(film), years(undated)) == ({1970}, {None})
