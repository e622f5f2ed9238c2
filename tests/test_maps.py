"""Maps of filming locations: drawn on the server (films/maps.py), on the location page, the
locations list and the film page, at a fixed number of queries; browsing places by country
and region; the film list's "filmed in" filter; the tile map's settings."""

import json
import re
from decimal import Decimal

import pytest

from films.maps import MIN_WIDTH, place_map
from films.models import FilmingLocation, Location
from tests.builders import make_film, make_location
from tests.test_settings import run
from tests.test_views_film import query_count

pytestmark = pytest.mark.django_db


def placed(name, latitude, longitude, **fields):
    return make_location(
        name=name, latitude=Decimal(str(latitude)), longitude=Decimal(str(longitude)), **fields
    )


def markers(html):
    """The places a page's map marks, as (name, cx, cy) from the drawn SVG."""
    found = re.findall(
        r'<a href="[^"]+" class="place-map__marker"><title>([^<]+)</title>'
        r'<circle cx="([-\d.]+)" cy="([-\d.]+)"',
        html,
    )
    return [(name, float(x), float(y)) for name, x, y in found]


def view_box(html):
    x, y, width, height = map(float, re.search(r'viewBox="([^"]+)"', html).group(1).split())
    return x, y, width, height


def test_a_map_shows_every_known_place_and_counts_the_rest():
    places = [
        placed("Paris, France", 48.85, 2.35),
        placed("Tokyo, Japan", 35.69, 139.69),
        make_location(name="Springfield, USA"),
    ]
    drawn = place_map(places, title="Map")
    assert [marker.name for marker in drawn.markers] == ["Paris, France", "Tokyo, Japan"]
    assert drawn.unknown == 1
    x, y, width, height = drawn.view_box
    assert width == 2 * height
    for marker in drawn.markers:
        assert x < marker.x < x + width
        assert y < marker.y < y + height
    assert place_map([make_location()], title="Map") is None


def test_one_place_is_shown_with_the_land_around_it():
    x, y, width, height = place_map([placed("Quito, Ecuador", -0.23, -78.52)], title="M").view_box
    assert (width, height) == (MIN_WIDTH, MIN_WIDTH / 2)
    assert (x + width / 2, y + height / 2) == pytest.approx((-78.52, 0.23))


def test_a_place_at_the_edge_of_the_world_stays_on_the_map():
    x, y, width, _height = place_map([placed("Pole", 89.9, 179.9)], title="M").view_box
    assert x + width <= 180
    assert y >= -90


def test_the_location_page_marks_its_place_and_lists_its_coordinates(client, mask):
    azusa = mask.filming_locations.get().location
    html = client.get(azusa.get_absolute_url()).text
    assert markers(html) == [("Azusa, California, USA", -117.908, -34.134)]
    x, y, width, height = view_box(html)
    assert x < -117.908 < x + width
    assert y < -34.134 < y + height
    assert '<title id="place-map-title">Map of Azusa, California, USA</title>' in html
    assert 'aria-labelledby="place-map-title place-map-desc"' in html
    assert re.search(r'<use class="place-map__land" href="/static/img/world[^"]*\.svg#land"', html)
    assert "34.1336° N, 117.9076° W" in html
    assert 'data-latitude="34.13362" data-longitude="-117.90756"' in html
    # No tile server: no script and no tile map.
    assert "data-tile-url" not in html
    assert "leaflet" not in html
    # The places it lies in lead to it.
    assert 'href="/locations/california-usa/">California</a>' in html
    assert 'href="/locations/usa/">USA</a>' in html


def test_a_place_with_no_position_says_so(client):
    lot = make_location(name="Stage 5, Somewhere")
    html = client.get(lot.get_absolute_url()).text
    assert "place-map" not in html
    assert "Where exactly Stage 5 is is not known." in html


def test_a_country_page_maps_the_places_in_it(client, mask):
    make_location(name="Springfield, USA", parent=Location.objects.get(name="USA"))
    html = client.get("/locations/usa/").text
    assert [name for name, _, _ in markers(html)] == ["Azusa, California, USA"]
    # California and Springfield have no point of their own.
    assert "2 places with no known position are not on the map." in html
    assert 'href="/locations/?within=usa">Places in USA</a>' in html
    assert 'href="/films/?country=USA">Every film shot in USA</a>' in html


def _country_with_places(n):
    country = make_location(name=f"Country {n}")
    region = make_location(name=f"Region, Country {n}", parent=country)
    for i in range(n):
        parent = region if i % 2 else country
        placed(f"Town {i}, Region, Country {n}", i % 80, i, parent=parent)
    return country


def test_the_location_page_costs_the_same_however_many_places_are_in_it(
    client, django_assert_max_num_queries
):
    few, many = _country_with_places(2), _country_with_places(40)
    assert query_count(client, few.get_absolute_url()) == query_count(
        client, many.get_absolute_url()
    )
    assert len(markers(client.get(many.get_absolute_url()).text)) == 40
    # The place with the places it lies in, the places in it, the count, the page of films.
    with django_assert_max_num_queries(4):
        client.get(many.get_absolute_url())


def test_the_locations_list_is_browsed_by_country_and_region(client, mask):
    html = client.get("/locations/").text
    assert re.search(
        r'By country</h2>\s*<ul[^>]*>\s*<li><a href="/locations/\?within=usa">USA', html
    )
    html = client.get("/locations/?within=usa").text
    assert "<h1>Filming locations in USA</h1>" in html
    listed = re.findall(r'<li>\s*<a href="/locations/([^/]+)/">', html)
    assert listed == ["azusa-california-usa", "california-usa"]
    assert 'href="/locations/?within=california-usa">California <span' in html  # its regions
    assert [name for name, _, _ in markers(html)] == ["Azusa, California, USA"]
    html = client.get("/locations/?within=california-usa&q=azu").text
    assert re.findall(r'<li>\s*<a href="/locations/([^/]+)/">', html) == ["azusa-california-usa"]
    assert '<input type="hidden" name="within" value="california-usa"' in html


def test_browsing_a_place_that_is_not_there_says_so(client, mask):
    response = client.get("/locations/?within=atlantis")
    assert response.status_code == 200
    assert "No place is at “atlantis”." in response.text
    assert response.context["page_obj"].paginator.count == 0


def test_the_locations_list_costs_the_same_however_many_places_it_maps(
    client, django_assert_max_num_queries
):
    few, many = _country_with_places(2), _country_with_places(50)
    for country in (few, many):
        path = f"/locations/?within={country.slug}"
        assert len(markers(client.get(path).text)) >= 2
    assert query_count(client, f"/locations/?within={few.slug}") == query_count(
        client, f"/locations/?within={many.slug}"
    )
    # The place browsed, the places it has, its page of places and their count.
    with django_assert_max_num_queries(4):
        client.get(f"/locations/?within={many.slug}")


def test_the_film_page_maps_its_places(client, mask):
    film = make_film(title="Tour")
    for place in (
        placed("Paris, France", 48.85341, 2.3488),
        placed("Tokyo, Japan", 35.6895, 139.69171),
        make_location(name="Springfield, USA"),
    ):
        FilmingLocation.objects.create(film=film, location=place)
    html = client.get(film.get_absolute_url()).text
    assert [name for name, _, _ in markers(html)] == ["Paris, France", "Tokyo, Japan"]
    assert "Map of the filming locations of Tour" in html
    assert "1 place with no known position is not on the map." in html
    assert "48.8534° N, 2.3488° E" in html


def test_a_film_without_known_places_has_no_map(client):
    film = make_film()
    FilmingLocation.objects.create(film=film, location=make_location(name="Springfield, USA"))
    assert "place-map" not in client.get(film.get_absolute_url()).text


def test_the_film_page_costs_the_same_however_many_places_it_maps(client):
    small, big = make_film(), make_film()
    for film, n in ((small, 2), (big, 30)):
        for i in range(n):
            place = placed(f"Place {film.pk}-{i}", i, i)
            FilmingLocation.objects.create(film=film, location=place)
    assert len(markers(client.get(big.get_absolute_url()).text)) == 30
    assert query_count(client, small.get_absolute_url()) == query_count(
        client, big.get_absolute_url()
    )


def test_the_film_list_filters_by_country_and_every_place_in_it(client, mask):
    france = make_location(name="France")
    paris = make_location(name="Paris, France", parent=france)
    in_paris = make_film(title="Amélie")
    FilmingLocation.objects.create(film=in_paris, location=paris)
    in_france = make_film(title="Jour de fête")
    FilmingLocation.objects.create(film=in_france, location=france)
    make_film(title="Nowhere")

    def titles(query):
        response = client.get(f"/films/?{query}")
        assert response.status_code == 200
        return {film.title for film in response.context["page_obj"]}

    assert titles("country=France") == {"Amélie", "Jour de fête"}
    assert titles("country=france") == {"Amélie", "Jour de fête"}
    assert titles("country=USA") == {"Mask"}  # Azusa, in California, in the USA
    assert titles("country=Atlantis") == set()
    assert "Filmed in: France" in client.get("/films/?country=France").text
    response = client.get(f"/films/?country={'x' * 300}")
    assert response.status_code == 200
    assert "at most 200 characters" in response.text


def test_with_a_tile_server_the_map_becomes_zoomable(client, mask, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example contributors"
    html = client.get("/locations/azusa-california-usa/").text
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tile-attribution="© Example contributors"' in html
    assert re.search(r'<script src="/static/vendor/leaflet/leaflet[^"]*\.js" defer>', html)
    assert re.search(r'<script src="/static/js/place-map[^"]*\.js" defer>', html)
    assert markers(html)  # the drawn map stays, for browsers without JavaScript


def _settings_with(**env):
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.SECURE_CSP, default=str))"
    )
    return run("-c", script, DJANGO_SETTINGS_MODULE="moviedb.settings", DJANGO_DEBUG="1", **env)


def test_the_content_security_policy_allows_images_from_the_tile_server_only():
    result = _settings_with(DJANGO_MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert result.returncode == 0, result.stderr
    with_tiles = json.loads(result.stdout)
    without = json.loads(_settings_with().stdout)
    assert without["img-src"] == ["'self'"]
    assert with_tiles.pop("img-src") == ["'self'", "https://*.tile.example.org"]
    del without["img-src"]
    assert with_tiles == without  # nothing else is let in


def test_a_tile_url_that_is_no_url_is_refused_at_start():
    result = _settings_with(DJANGO_MAP_TILE_URL="tiles/{z}/{x}/{y}.png")
    assert result.returncode != 0
    assert "DJANGO_MAP_TILE_URL must be an http(s) URL" in result.stderr
