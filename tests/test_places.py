"""Filming locations get coordinates from the gazetteer (films/places.py), only when exactly
one town matches, and the places they lie in; every writer of places does it."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from films.models import Location, LocationSlugRedirect
from films.places import coordinates, parent_name, place_locations
from tests.builders import change_form_data, make_location

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "latitude", "longitude"),
    [
        ("Azusa, California, USA", 34.13, -117.91),
        ("Brownsville, Oregon, USA", 44.39, -122.98),  # not the one in Texas, nor New York's
        ("Springfield, Oregon, USA", 44.05, -123.02),
        ("Paris, Texas, USA", 33.66, -95.56),
        ("Paris, France", 48.85, 2.35),
        ("London, England, UK", 51.51, -0.13),
        ("Edinburgh, Scotland", 55.95, -3.20),
        ("Tokyo, Japan", 35.69, 139.69),
    ],
)
def test_a_town_that_one_gazetteer_entry_matches_is_placed(name, latitude, longitude):
    found = coordinates(name)
    assert found is not None
    assert (round(float(found[0]), 2), round(float(found[1]), 2)) == (latitude, longitude)


@pytest.mark.parametrize(
    "name",
    [
        "Springfield, USA",  # a dozen Springfields in the United States
        "Brownsville, USA",
        "Springfield, Atlantis, USA",  # a region that is none: still a dozen
        "Universal Studios, Universal City, California, USA",  # a studio lot, not a town
        "Pinewood Studios, Iver Heath, Buckinghamshire, England, UK",
        "Central Park, New York City, New York, USA",  # there is a town of that name, in Washington
        "Delaware, USA",  # the state, not Delaware, Ohio
        "Oregon, USA",  # a region has no point in the gazetteer
        "USA",
        "Paris",  # no country
        "Paris, Narnia",  # no such country
        "",
    ],
)
def test_a_place_the_gazetteer_cannot_tell_stays_unknown(name):
    assert coordinates(name) is None


def test_places_nest_by_their_names():
    assert parent_name("Brownsville, Oregon, USA") == "Oregon, USA"
    assert parent_name(" Oregon ,USA") == "USA"
    assert parent_name("USA") == ""


def test_a_new_place_gets_the_places_it_lies_in_created_with_slugs_by_the_one_rule():
    """Existing places keep their slugs; a new one does not take an old slug of another."""
    usa = make_location(name="USA", slug="united-states")
    elsewhere = make_location(name="Somewhere else", slug="somewhere-else")
    LocationSlugRedirect.objects.create(location=elsewhere, old_slug="oregon-usa")
    brownsville = make_location(name="Brownsville, Oregon, USA", slug="brownsville")
    created = place_locations([brownsville])
    assert [place.name for place in created] == ["Oregon, USA"]
    oregon = Location.objects.get(name="Oregon, USA")
    assert oregon.slug == "oregon-usa-2"  # "oregon-usa" once led to another place
    assert oregon.parent == usa
    assert (oregon.latitude, oregon.longitude) == (None, None)
    brownsville.refresh_from_db()
    assert brownsville.slug == "brownsville"
    assert brownsville.parent == oregon
    assert brownsville.latitude == Decimal("44.39346")
    usa.refresh_from_db()
    assert (usa.slug, usa.parent) == ("united-states", None)


def test_placing_keeps_what_an_editor_set():
    mine = make_location(name="Somewhere", slug="somewhere")
    azusa = make_location(
        name="Azusa, California, USA",
        latitude=Decimal("1.5"),
        longitude=Decimal("2.5"),
        parent=mine,
    )
    place_locations([azusa])
    azusa.refresh_from_db()
    assert (azusa.latitude, azusa.longitude, azusa.parent) == (Decimal("1.5"), Decimal("2.5"), mine)


def test_placing_many_places_costs_the_same_few_queries(django_assert_num_queries):
    few = [make_location(name=f"Town {n}, Region {n}, Country {n}") for n in range(2)]
    # The names looked up, the slugs taken (now and before), the new places, their places.
    with django_assert_num_queries(5) as captured:
        place_locations(few)
    many = [make_location(name=f"Town {n}, Region {n}, Country {n}") for n in range(2, 30)]
    with django_assert_num_queries(len(captured)):
        place_locations(many)
    assert Location.objects.get(name="Town 29, Region 29, Country 29").parent.parent.name == (
        "Country 29"
    )


def test_coordinates_must_be_on_earth():
    with pytest.raises(IntegrityError):
        make_location(latitude=Decimal("91"), longitude=Decimal("0"))


def test_coordinates_come_in_pairs():
    with pytest.raises(IntegrityError):
        make_location(latitude=Decimal("45"), longitude=None)


def test_an_import_places_its_new_locations(tmp_path):
    document = tmp_path / "tour.json"
    locations = ["Paris, France", "Springfield, USA", "Brownsville, Oregon, USA"]
    films = [
        {
            "title": "Tour",
            "year": 1990,
            "filming_locations": [{"location": place} for place in locations],
        }
    ]
    document.write_text(json.dumps({"version": 1, "films": films}))
    call_command("importfilms", str(document), verbosity=0)
    places = {place.name: place for place in Location.objects.select_related("parent")}
    assert set(places) == {*locations, "France", "USA", "Oregon, USA"}
    assert places["Paris, France"].parent.name == "France"
    assert places["Paris, France"].has_coordinates
    assert not places["Springfield, USA"].has_coordinates
    assert places["Springfield, USA"].parent.name == "USA"
    assert places["Brownsville, Oregon, USA"].parent.parent.name == "USA"


def test_the_seed_film_s_place_is_placed(mask):
    azusa = mask.filming_locations.get().location
    assert azusa.has_coordinates
    assert [place.name for place in azusa.ancestors()] == ["USA", "California, USA"]


def test_locateplaces_places_the_places_that_are_not(capsys):
    springfield = make_location(name="Springfield, USA")
    paris = make_location(name="Paris, France")
    call_command("locateplaces")
    assert "1 of 4 places have coordinates" in capsys.readouterr().out
    paris.refresh_from_db()
    springfield.refresh_from_db()
    assert paris.has_coordinates
    assert paris.parent.name == "France"
    assert not springfield.has_coordinates
    assert springfield.parent.name == "USA"
    call_command("locateplaces", verbosity=0)  # again: nothing more to do
    assert Location.objects.count() == 4


def test_an_admin_save_places_a_new_location_and_the_next_request_shows_it(
    admin_client,
    client,
    local_caches,
    settings,
    writers_announce_changes,
    django_capture_on_commit_callbacks,
):
    settings.PAGE_CACHE_SECONDS = 600
    assert "Tokyo" not in client.get(reverse("films:location_list")).text
    add_url = reverse("admin:films_location_add")
    data = change_form_data(admin_client.get(add_url))
    data |= {"name": "Tokyo, Japan", "slug": "tokyo", "latitude": "", "longitude": ""}
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_client.post(add_url, data)
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved
    tokyo = Location.objects.get(slug="tokyo")
    assert tokyo.has_coordinates
    assert tokyo.parent.name == "Japan"
    page = client.get(reverse("films:location_list"))
    assert "Tokyo" in page.text
    assert "35.6895° N, 139.6917° E" in page.text


def test_an_editor_may_correct_coordinates_in_the_admin(admin_client):
    place = make_location(name="Springfield, USA", slug="springfield")
    change_url = reverse("admin:films_location_change", args=[place.pk])
    data = change_form_data(admin_client.get(change_url))
    data |= {"latitude": "39.80172", "longitude": "-89.64371"}
    assert admin_client.post(change_url, data).status_code == 302
    place.refresh_from_db()
    assert (place.latitude, place.longitude) == (Decimal("39.80172"), Decimal("-89.64371"))
    data |= {"latitude": "39.8", "longitude": ""}
    response = admin_client.post(change_url, data)
    assert response.status_code == 200
    assert "Give both the latitude and the longitude, or neither." in response.text
