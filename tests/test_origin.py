"""Absolute URLs (canonical links, og:url, JSON-LD, the site map, robots.txt) are written on
the site's origin: DJANGO_SITE_URL, else the request's, less a port it did not come in on."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import RequestFactory
from django.urls import reverse

from moviedb.origin import absolute_url, site_origin

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def written_urls(client, mask, **headers):
    """Every absolute URL the film page, the site map and robots.txt write."""
    html = client.get(mask.get_absolute_url(), **headers).content.decode()
    urls = re.findall(r'<link rel="canonical" href="([^"]+)"', html)
    urls += re.findall(r'<meta property="(?:og:url|video:director)" content="([^"]+)"', html)
    movie = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
    urls += [movie["url"], *(person["url"] for person in movie["director"])]
    urls += [person["actor"]["url"] for person in movie["actor"]]  # the top-billed cast
    index = client.get(reverse("films:sitemap"), **headers)
    sections = [loc.text for loc in ET.fromstring(index.content).iter(f"{SITEMAP}loc")]
    urls += sections
    films = client.get(reverse("films:sitemap_section", args=["films"]), **headers)
    urls += [loc.text for loc in ET.fromstring(films.content).iter(f"{SITEMAP}loc")]
    robots = client.get(reverse("films:robots_txt"), **headers).content.decode()
    urls += [line.removeprefix("Sitemap: ") for line in robots.splitlines() if "Sitemap" in line]
    assert len(urls) > 8
    return urls


def test_a_port_the_site_does_not_serve_is_never_written(client, mask):
    """A request that came in on port 80 with `Host: localhost:1`: the made-up port is left
    out of every URL, so a cached page never sends visitors to it."""
    for url in written_urls(client, mask, HTTP_HOST="localhost:1"):
        assert url.startswith("http://localhost/"), url


def test_the_port_the_request_came_in_on_is_kept(client, mask):
    for url in written_urls(client, mask, HTTP_HOST="localhost:8000", SERVER_PORT="8000"):
        assert url.startswith("http://localhost:8000/"), url


def test_the_configured_site_url_is_the_origin_of_every_url(client, mask, settings):
    settings.SITE_URL = "https://films.example.org"
    urls = written_urls(client, mask, HTTP_HOST="localhost:1")
    for url in urls:
        assert url.startswith("https://films.example.org/"), url
    assert f"https://films.example.org{mask.get_absolute_url()}" in urls
    assert "https://films.example.org/sitemap.xml" in urls


def test_the_origin_of_a_request():
    factory = RequestFactory()
    assert site_origin(factory.get("/")) == "http://testserver"
    assert site_origin(factory.get("/", HTTP_HOST="LocalHost:80")) == "http://localhost"
    assert site_origin(factory.get("/", HTTP_HOST="[::1]:8000", SERVER_PORT="8000")) == (
        "http://[::1]:8000"
    )
    assert site_origin(factory.get("/", HTTP_HOST="[::1]:1", SERVER_PORT="8000")) == (
        "http://[::1]"
    )
    secure = factory.get("/", HTTP_HOST="localhost:443", SERVER_PORT="443", secure=True)
    assert absolute_url(secure, "/films/") == "https://localhost/films/"
