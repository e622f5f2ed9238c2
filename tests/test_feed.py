"""/feed.atom: the films most recently added, newest first, at absolute addresses."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from films.feeds import FEED_SIZE
from films.freshness import data_changed
from films.models import Film, Source
from films.provenance import IMDB_ATTRIBUTION
from tests.builders import make_film

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.find(f"{ATOM}title").text,
            "link": entry.find(f"{ATOM}link").get("href"),
            "rights": getattr(entry.find(f"{ATOM}rights"), "text", None),
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


def added(days_ago, **fields):
    return make_film(added_at=timezone.now() - datetime.timedelta(days=days_ago), **fields)


def test_the_feed_lists_the_newest_films_first(client):
    old, newest, middle = added(30, title="Old"), added(1, title="Newest"), added(5, title="Mid")
    response = client.get(reverse("films:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    titles = [entry["title"] for entry in entries(response)]
    assert titles == [str(newest), str(middle), str(old)]


def test_the_feed_holds_at_most_feed_size_films(client):
    for days in range(FEED_SIZE + 3):
        added(days)
    assert len(entries(client.get(reverse("films:feed")))) == FEED_SIZE


def test_feed_addresses_are_absolute_on_the_site_origin(client, settings):
    settings.SITE_URL = "https://films.example.org"
    film = added(1)
    response = client.get(reverse("films:feed"), HTTP_HOST="localhost")
    feed = ET.fromstring(response.content)
    (entry,) = entries(response)
    assert entry["link"] == f"https://films.example.org{film.get_absolute_url()}"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "https://films.example.org/films/",
        "self": "https://films.example.org/feed.atom",
    }
    assert feed.find(f"{ATOM}id").text == "https://films.example.org/feed.atom"


def test_an_entry_carries_the_attribution_its_source_asks_for(client):
    imdb = Source.objects.create(
        file_name="title.basics.tsv.gz",
        content_hash="b" * 64,
        format=Source.Format.IMDB_DATASET,
        terms=Source.Terms.NON_COMMERCIAL,
        attribution=IMDB_ATTRIBUTION,
    )
    added(1, title="From IMDb", source=imdb)
    added(2, title="Edited")
    rights = {e["title"].split(" (")[0]: e["rights"] for e in entries(client.get("/feed.atom"))}
    assert rights == {"From IMDb": IMDB_ATTRIBUTION, "Edited": None}


@pytest.mark.parametrize("name", ["films:home", "films:film_list"])
def test_the_home_page_and_film_list_point_to_the_feed(client, name):
    page = client.get(reverse(name)).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/feed.atom"' in page


@pytest.mark.usefixtures("writers_announce_changes", "local_caches")
def test_the_feed_is_cached_until_the_data_changes(
    client, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    added(2, title="First")
    client.get("/feed.atom")
    with django_assert_num_queries(0):
        cached = client.get("/feed.atom")
    assert [e["title"] for e in entries(cached)] == [str(Film.objects.get())]
    added(1, title="Second")
    assert len(entries(client.get("/feed.atom"))) == 1  # kept until a writer says so
    with django_capture_on_commit_callbacks(execute=True):
        data_changed()
    assert [e["title"].split(" (")[0] for e in entries(client.get("/feed.atom"))] == [
        "Second",
        "First",
    ]


def test_the_feed_answers_only_reads(client):
    assert client.post("/feed.atom").status_code == 405
    assert client.get("/feed.atom", {"page": "2", "x": "<"}).status_code == 200
