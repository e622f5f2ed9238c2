"""The page benchmark's bare view exists only under its own settings, and its pages are real."""

import pytest
from django.test import override_settings

from bench.pages import BARE_VIEW, FILM, FILTERED_LIST

pytestmark = pytest.mark.django_db


def test_the_site_does_not_route_the_bare_view(client):
    assert client.get(BARE_VIEW).status_code == 404


def test_the_benchmark_settings_are_the_sites_with_the_bare_view_routed():
    from bench import settings as bench_settings
    from moviedb import settings as site_settings

    assert bench_settings.ROOT_URLCONF == "bench.urls"
    assert bench_settings.MIDDLEWARE == site_settings.MIDDLEWARE


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bare_view_answers_a_fixed_string_through_the_middleware(client):
    response = client.get(BARE_VIEW)
    assert response.status_code == 200
    assert response.content == b"moviedb"
    # The site's middleware ran: its security headers are on the response.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_benchmarked_pages_show_the_seed_film(client, mask):
    """The film page and the filtered list the benchmark loads render Mask: a real page,
    not a redirect, a 404 or an empty list."""
    film = client.get(FILM)
    assert film.status_code == 200
    assert "Mask" in film.content.decode()
    listing = client.get(FILTERED_LIST)
    assert listing.status_code == 200
    assert f'href="{mask.get_absolute_url()}"' in listing.content.decode()


def test_the_made_up_parameters_the_benchmark_sends_reach_the_film_page(client, mask):
    from bench.pages import MADE_UP_PARAMETERS

    response = client.get(MADE_UP_PARAMETERS[-1])
    assert response.status_code == 200
    assert "Mask" in response.content.decode()
