"""The site map lists every public page, robots.txt points at it, and errors have pages of
their own."""

import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views.defaults import server_error

from films.models import Film, Location, Person
from tests.builders import make_film

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locs(response):
    return [element.text for element in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


@pytest.mark.django_db
def test_sitemap_lists_every_film_person_and_location(client, mask):
    make_film(slug="second-film")
    sections = locs(client.get("/sitemap.xml"))
    assert len(sections) == 4
    urls = set()
    for section in sections:
        response = client.get(section.removeprefix("http://testserver"))
        assert response.status_code == 200
        urls.update(locs(response))
    expected = {
        f"http://testserver{obj.get_absolute_url()}"
        for model in (Film, Person, Location)
        for obj in model.objects.all()
    }
    assert Film.objects.count() == 2
    assert Person.objects.count() == 16
    assert expected <= urls
    assert {"http://testserver/", "http://testserver/films/"} <= urls


@pytest.mark.django_db
def test_sitemap_section_query_count_is_fixed(client, django_assert_max_num_queries):
    for _ in range(30):
        make_film()
    with django_assert_max_num_queries(2):
        assert len(locs(client.get("/sitemap-films.xml"))) == 30


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


@pytest.mark.django_db
def test_404_page_in_the_site_style(client, settings):
    """With DEBUG off, a missing page answers 404 with the site's header and a search box."""
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html
    assert 'action="/search/"' in html
    assert "/no/such/page/" in html


def test_500_page_renders_without_database_or_request():
    """The error page needs neither a request nor the database (this test may not use it)."""
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "/static/css/lists.css" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_500_page_is_served_when_the_database_is_down(client, settings):
    """With DEBUG off, a page whose database is unreachable answers with the 500 page.
    (Outside django_db, any database access in this test raises.)"""
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
