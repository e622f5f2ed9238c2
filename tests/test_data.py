"""Every page's data: `.json` and `.csv` at the page's path, filtered, sorted and searched by
the page's own FilterSets, paged by cursor, cached and validated like the pages."""

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import RequestFactory

from films import data, pagination, views
from films.freshness import data_changed
from films.models import Film, Review
from films.tombstones import record_removed
from tests.builders import make_film, make_genre, make_person, populate
from tests.test_caching import page_cache  # noqa: F401 (a fixture)
from tests.test_ratelimit import LIMIT, rate_limit  # noqa: F401 (a fixture)
from tests.test_views_lists import catalogue  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def rows(response):
    """The rows of a JSON list, or of a streamed CSV (as dicts of text)."""
    if response["Content-Type"].startswith("text/csv"):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return list(csv.DictReader(io.StringIO(body.decode())))
    return response.json()["results"]


def every_row(client, address):
    """The rows of a JSON list, following `next` to the end; and how many pages it took."""
    found, pages = [], 0
    while address:
        response = client.get(address)
        assert response.status_code == 200, response.content
        found += response.json()["results"]
        address = response.json()["next"]
        pages += 1
    return found, pages


FILTERED = [
    "",
    "genre=comedy&year_min=1987",
    "genre=comedy&genre=drama&genre_match=all",
    "person=nicolas-cage&role=producer",
    "person=cher",
    "decade=1980&sort=rating",
    "sort=newest",
    "sort=oldest",
    "sort=title&rating_min=7.1",
    "location=paris",
    "title=AMELIE",
    "making_of=on",
]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("query", FILTERED)
def test_the_data_lists_the_rows_of_the_page(client, query):
    """A filtered, sorted list's JSON and CSV hold the HTML page's films, in its order."""
    html = client.get(f"/films/?{query}")
    shown = [film.slug for film in html.context["page_obj"]]
    as_json = client.get(f"/films.json?{query}")
    as_csv = client.get(f"/films.csv?{query}")
    assert [row["slug"] for row in rows(as_json)] == shown
    assert [row["slug"] for row in rows(as_csv)] == shown
    assert as_json.json()["count"] == html.context["page_obj"].paginator.count


@pytest.mark.usefixtures("catalogue")
def test_empty_values_are_no_filter_as_on_the_page(client):
    """A page's form sends its empty fields; the page redirects without them, its data reads
    them as absent."""
    query = "genre=comedy&genre=&year_min=&person=&sort="
    tidy = client.get(f"/films/?{query}", follow=True)
    assert tidy.redirect_chain == [("/films/?genre=comedy", 302)]
    shown = [film.slug for film in tidy.context["page_obj"]]
    assert [row["slug"] for row in rows(client.get(f"/films.json?{query}"))] == shown


@pytest.mark.usefixtures("catalogue")
def test_names_filter_people_and_places_as_on_their_pages(client):
    for page in ("people", "locations"):
        html = client.get(f"/{page}/?q=a")
        shown = [row.slug for row in html.context["page_obj"]]
        assert shown, "the query must keep some rows for the test to mean anything"
        assert [row["slug"] for row in rows(client.get(f"/{page}.json?q=a"))] == shown
        assert [row["slug"] for row in rows(client.get(f"/{page}.csv?q=a"))] == shown


def test_places_browsed_by_country_are_the_same_rows_in_the_data(client, mask):
    for query in ("within=usa", "within=california-usa&q=azu"):
        shown = [row.slug for row in client.get(f"/locations/?{query}").context["page_obj"]]
        assert shown, "the place browsed must hold places for the test to mean anything"
        assert [row["slug"] for row in rows(client.get(f"/locations.json?{query}"))] == shown
        assert [row["slug"] for row in rows(client.get(f"/locations.csv?{query}"))] == shown


@pytest.mark.parametrize(
    ("section", "query", "shown"),
    [
        ("cast", "role=cast&q=rusty", "credits"),
        ("cast", "", "credits"),
        ("trivia", "kind=goof", None),
        ("making-of", "kind=behind_the_scenes", None),
    ],
)
def test_a_film_section_lists_what_its_page_shows(client, mask, section, query, shown):
    html = client.get(f"/films/mask-1985/{section}/?{query}")
    if shown:
        expected = [credit.person.slug for credit in html.context[shown]]
        found = [
            row["person"] for row in rows(client.get(f"/films/mask-1985/{section}.json?{query}"))
        ]
    else:
        expected = [item.text for group in html.context["sections"] for item in group["items"]]
        found = [
            row["text"] for row in rows(client.get(f"/films/mask-1985/{section}.json?{query}"))
        ]
    assert expected
    assert found == expected
    csv_rows = rows(client.get(f"/films/mask-1985/{section}.csv?{query}"))
    assert len(csv_rows) == len(expected)


def test_detail_pages_answer_with_their_row(client, mask):
    film = client.get("/films/mask-1985.json").json()
    assert film["title"] == "Mask"
    assert film["year"] == 1985
    assert film["genres"] == list(mask.genres.values_list("slug", flat=True))
    assert film["credit_count"] == mask.credits.count()
    assert film["url"] == "http://testserver/films/mask-1985/"
    cher = client.get("/people/cher.json").json()
    assert cher["credit_counts"] == {"cast": 1}
    place = mask.filming_locations.first().location
    films = client.get(f"/locations/{place.slug}.json").json()["results"]
    assert [row["film"]["slug"] for row in films] == ["mask-1985"]
    (row,) = rows(client.get("/films/mask-1985.csv"))
    assert row["title"] == "Mask"
    assert row["genres"] == "|".join(film["genres"])


def test_an_old_slug_redirects_to_the_data_at_the_new_one(client, mask):
    mask.slug = "mask-the-film"
    mask.save()
    for suffix in (".json?role=cast", "/cast.json?role=cast", "/cast.csv?role=cast"):
        response = client.get(f"/films/mask-1985{suffix}")
        assert response.status_code == 301
        assert response["Location"] == f"/films/mask-the-film{suffix}"


def test_nothing_at_a_slug_is_a_json_404(client, db):
    response = client.get("/films/no-such-film.json")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_next_reaches_the_end_of_every_sort_and_previous_comes_back(client, monkeypatch):
    """Ties, NULL years and ratings included, following next lists every film once, in the
    page's order, past the page cap; previous walks the same pages back."""
    monkeypatch.setattr(data, "ROWS_PER_PAGE", 2)
    monkeypatch.setattr(pagination, "MAX_PAGES", 1)
    for n in range(9):
        make_film(
            title=f"Film {n % 3}",
            year=None if n % 4 == 0 else 1980 + n % 2,
            rating=None if n % 3 == 0 else 7,
            vote_count=n % 2,
        )
    for sort in ("votes", "rating", "newest", "oldest", "title"):
        expected = list(Film.objects.sorted_by(sort).values_list("slug", flat=True))
        found, pages = every_row(client, f"/films.json?sort={sort}")
        assert [row["slug"] for row in found] == expected, sort
        assert pages == 5
        last = client.get(f"/films.json?sort={sort}")
        while last.json()["next"]:
            last = client.get(last.json()["next"])
        back, address = [], last.json()["previous"]
        while address:
            page = client.get(address).json()
            back = page["results"] + back
            address = page["previous"]
        assert [row["slug"] for row in back] == expected[:-1], sort


def test_a_cursor_keeps_the_query_it_was_made_for(client, monkeypatch):
    monkeypatch.setattr(data, "ROWS_PER_PAGE", 1)
    drama = make_genre(slug="drama")
    for _ in range(3):
        make_film().genres.add(drama)
    make_film()
    first = client.get("/films.json?genre=drama&sort=title").json()
    assert "genre=drama" in first["next"]
    assert "sort=title" in first["next"]
    assert first["previous"] is None
    found, _ = every_row(client, "/films.json?genre=drama&sort=title")
    assert len(found) == 3


def test_a_cursor_from_another_order_or_made_up_is_a_400(client, monkeypatch):
    monkeypatch.setattr(data, "ROWS_PER_PAGE", 1)
    make_film(), make_film()
    cursor = client.get("/films.json?sort=votes").json()["next"].split("cursor=")[1]
    cursor = cursor.split("&")[0]
    for query in (f"sort=title&cursor={cursor}", "cursor=abc", f"cursor={cursor[:-3]}"):
        response = client.get(f"/films.json?{query}")
        assert response.status_code == 400
        assert "cursor" in response.json()


def test_a_long_list_says_its_total_is_an_estimate_where_the_page_does(client, monkeypatch):
    """Past EXACT_UP_TO rows (and the page's deepest row), PostgreSQL's estimate, marked as
    one; SQLite counts on. (The film list counts exactly, from its decade facet.)"""
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 3)
    monkeypatch.setattr(pagination, "MAX_PAGES", 1)
    people = views.NAMES_PER_PAGE + 6
    for _ in range(people):
        make_person()
    answer = client.get("/people.json").json()
    page = client.get("/people/").context["page_obj"].paginator
    assert answer["count_is_estimate"] == page.estimated == (connection.vendor == "postgresql")
    if not answer["count_is_estimate"]:
        assert answer["count"] == people


def test_a_bad_query_is_a_400_naming_the_parameter(client, db):
    for suffix in ("json", "csv"):
        response = client.get(f"/films.{suffix}?year_min=abc&rating_min=99")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"year_min", "rating_min"}


def test_the_csv_streams_every_row_with_a_header(client, monkeypatch):
    monkeypatch.setattr(data, "CSV_ROWS_PER_CHUNK", 3)
    for _ in range(10):
        make_film()
    response = client.get("/films.csv?sort=title")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    chunks = list(response.streaming_content)
    header = next(csv.reader(io.StringIO(chunks[0].decode())))
    assert header == list(data.FilmSerializer.Meta.fields)
    found = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert [row["slug"] for row in found] == list(
        Film.objects.sorted_by("title").values_list("slug", flat=True)
    )
    assert len(chunks) > 3  # streamed in chunks, not built whole


def test_data_is_open_to_other_sites(client, mask):
    for address in ("/films.json", "/films.csv", "/films/mask-1985.json", "/films.json?year_min=x"):
        assert client.get(address)["Access-Control-Allow-Origin"] == "*"


@pytest.mark.usefixtures("page_cache")
def test_json_is_cached_and_fresh_after_a_change(
    client, mask, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.get("/films.json")
    with django_assert_num_queries(0):
        response = client.get("/films.json")
    assert response["ETag"]
    assert "public" in response["Cache-Control"]
    assert client.get("/films.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    Film.objects.filter(pk=mask.pk).update(title="Mask (new cut)")
    with django_capture_on_commit_callbacks(execute=True):
        data_changed()
    assert rows(client.get("/films.json"))[0]["title"] == "Mask (new cut)"


@pytest.mark.usefixtures("page_cache")
def test_a_csv_validator_comes_from_the_data_version_and_the_query(
    client, mask, django_capture_on_commit_callbacks
):
    first = client.get("/films.csv?genre=drama")
    assert first.streaming
    assert "public" in first["Cache-Control"]
    assert first["Last-Modified"]
    assert client.get("/films.csv?genre=drama&utm_source=x")["ETag"] == first["ETag"]
    assert client.get("/films.csv?genre=comedy")["ETag"] != first["ETag"]
    not_modified = client.get("/films.csv?genre=drama", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        data_changed()
    changed = client.get("/films.csv?genre=drama", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.usefixtures("rate_limit")
def test_uncached_data_counts_towards_the_rate_limit(client, mask):
    statuses = [client.get(f"/films.json?year_min={1900 + n}").status_code for n in range(LIMIT)]
    assert statuses == [200] * LIMIT
    assert client.get("/films.csv").status_code == 429


@pytest.mark.parametrize(
    ("address", "queries"),
    [
        ("/films.json?genre=drama&sort=rating", 4),  # genres, total, page, its genres
        ("/people.json", 2),  # total, page
        ("/locations.json", 2),
        ("/films/{film}.json", 3),  # film, genres, taglines
        ("/films/{film}/cast.json", 3),  # film, facet counts, credits
        ("/films/{film}/trivia.json", 3),
        ("/films/{film}/reviews.json", 3),  # film, total, page
    ],
)
def test_json_query_counts_are_pinned_and_do_not_grow(
    client, address, queries, django_assert_num_queries
):
    drama = make_genre(slug="drama")
    small, big = make_film(), make_film()
    populate(small, credits=2, trivia=2, reviews=2, locations=1)
    populate(big, credits=120, trivia=60, reviews=60, locations=40)
    for film in (small, big):
        film.genres.add(drama)
    for _ in range(30):
        make_film().genres.add(drama)
    for film in (small, big):
        with django_assert_num_queries(queries):
            assert client.get(address.format(film=film.slug)).status_code == 200


def test_html_pages_link_to_their_json(client, mask):
    html = client.get("/films/?genre=drama&page=1").content.decode()
    assert '<link rel="alternate" type="application/json" href="/films.json?genre=drama">' in html
    html = client.get("/films/mask-1985/cast/").content.decode()
    assert 'type="application/json" href="/films/mask-1985/cast.json"' in html
    assert "application/json" not in client.get("/").content.decode()


def test_the_description_names_every_json_address_and_the_filters(client, db):
    schema = client.get("/api/schema/").json()
    paths = set(schema["paths"])
    assert {"/films.json", "/films/{slug}.json", "/films/{slug}/cast.json", "/people.json"} <= paths
    assert all(path.endswith(".json") for path in paths)
    parameters = {p["name"] for p in schema["paths"]["/films.json"]["get"]["parameters"]}
    assert {"genre", "year_min", "sort", "person", "cursor"} <= parameters
    page = client.get("/api/").content.decode()
    assert 'href="http://testserver/api/schema/"' in page


def test_reviews_are_paged_by_cursor(client, monkeypatch):
    monkeypatch.setattr(data, "ROWS_PER_PAGE", 4)
    film = make_film()
    populate(film, credits=0, reviews=10)
    found, pages = every_row(client, f"/films/{film.slug}/reviews.json")
    assert [row["body"] for row in found] == list(
        Review.objects.filter(film=film).order_by("order").values_list("body", flat=True)
    )
    assert pages == 3


def test_a_post_is_refused(client, db):
    assert client.post("/films.json").status_code == 405
    assert client.options("/films.json").status_code == 204


def test_making_the_description_changes_no_page(client, mask):
    """The description reads the FilterSets' filters without leaving anything on them: the
    pages' choices (a cast's roles with their counts, the genres) are still the data's."""
    data._description.cache_clear()
    client.get("/api/schema/")
    html = client.get("/films/mask-1985/cast/").content.decode()
    assert '<option value="cast">Cast (15)</option>' in html
    assert rows(client.get("/films.json?genre=drama"))[0]["slug"] == "mask-1985"


def test_the_description_is_made_once_whatever_the_threads(db):
    """drf-spectacular's generator fails when two threads run it at once: each process makes
    the description once, and every thread serves that one."""
    data._description.cache_clear()
    request = RequestFactory().get("/api/schema/")
    with ThreadPoolExecutor(max_workers=4) as threads:
        answers = list(threads.map(lambda _: data.schema(request), range(8)))
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1


# Items and provenance


def item_address(item, format="json"):
    section = {"trivia": "trivia", "making_of": "making-of", "reviews": "reviews"}[item.section]
    return f"/films/{item.film.slug}/{section}/{item.pk}.{format}"


def test_every_item_page_has_its_data_with_its_source(client, mask):
    goof = mask.trivia.filter(kind="goof").select_related("source").first()
    story = mask.trivia.filter(kind="behind_the_scenes").first()
    review = mask.reviews.first()
    for item in (goof, story, review):
        response = client.get(item_address(item))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == item.pk
        assert response.json()["url"] == f"http://testserver{item.get_absolute_url()}"
    data = client.get(item_address(goof)).json()
    assert data["text"] == goof.text
    assert data["source"]["file_name"] == goof.source.file_name
    assert data["source"]["content_hash"] == goof.source.content_hash
    assert data["source_line"] == goof.source_line
    (row,) = rows(client.get(item_address(review, "csv")))
    assert row["body"] == review.body


def test_an_item_in_another_section_or_never_issued_is_a_404_and_a_removed_one_410(client, mask):
    goof = mask.trivia.filter(kind="goof").first()
    assert client.get(f"/films/mask-1985/making-of/{goof.pk}.json").status_code == 404
    assert client.get("/films/mask-1985/trivia/999999.json").status_code == 404
    record_removed(items=mask.trivia.filter(pk=goof.pk))
    mask.trivia.filter(pk=goof.pk).delete()
    response = client.get(f"/films/mask-1985/trivia/{goof.pk}.json")
    assert response.status_code == 410
    assert response["Content-Type"].startswith("application/json")


def test_an_editors_row_has_no_source_in_the_data(client, mask):
    review = Review.objects.create(film=mask, body="An editor's review.", order=50)
    assert client.get(item_address(review)).json()["source"] is None


@pytest.mark.parametrize(
    "address",
    ["/films/{film}/trivia/{trivia}.json", "/films/{film}/reviews/{review}.json"],
)
def test_item_data_query_counts_are_pinned(client, address, django_assert_num_queries):
    for size in (2, 60):
        film = make_film()
        populate(film, credits=1, trivia=size, reviews=size, locations=1)
        ids = {"trivia": film.trivia.first().pk, "review": film.reviews.first().pk}
        with django_assert_num_queries(2):  # the film, the item with its source
            assert client.get(address.format(film=film.slug, **ids)).status_code == 200
