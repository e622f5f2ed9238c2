"""Paths reversed once per process (films/paths.py) are the paths reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from films.paths import SITE_PAGES, slug_paths

pytestmark = pytest.mark.django_db


def test_every_page_links_to_the_sites_lists(client):
    html = client.get(reverse("films:location_list")).content.decode()
    header, footer = html.split("</header>")[0], html.split('<footer class="site-footer"')[1]
    for name in SITE_PAGES:
        assert f'"{reverse(f"films:{name}")}"' in (footer if name == "api" else header)
    assert 'href="/locations/" aria-current="page"' in header


def test_a_site_under_a_prefix_links_under_it(client):
    """The paths are kept per script prefix: a request under another one gets its own."""
    client.get("/")
    set_script_prefix("/mounted/")  # as WSGI's SCRIPT_NAME sets it for each request
    try:
        html = client.get("/").content.decode()
        assert 'href="/mounted/films/"' in html
        assert slug_paths("films:person_detail")("cher") == "/mounted/people/cher/"
    finally:
        set_script_prefix("/")
    assert 'href="/mounted/' not in client.get("/").content.decode()


@pytest.mark.parametrize("name", ["films:film_detail", "films:film_cast", "films:person_detail"])
def test_a_slug_path_is_the_reversed_path(name):
    for slug in ("mask-1985", "john-smith-nm0123456", "a_b"):
        assert slug_paths(name)(slug) == reverse(name, args=[slug])
