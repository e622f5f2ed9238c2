"""Cross-site scripting: a film whose every text field holds markup, imported the way real
films are, renders that markup as text on every page that shows it, in the admin, and inside
the JSON-LD data block, which it cannot end early."""

import json
import re
from xml.etree import ElementTree

import markupsafe
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from films.models import (
    Credit,
    Film,
    FilmingLocation,
    Genre,
    Location,
    Person,
    Review,
    Tagline,
    Trivia,
)
from tests.test_hostile_queries import PAGES, slugs_for

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
]


def hostile(label):
    """The field's name, to find it on a page, then every payload."""
    return " ".join([label, *PAYLOADS])


# A goof category holds at most 100 characters: its label is short.
TEXT = {
    field: hostile("Goofs" if field == "goof_category" else field.replace("_", " ").capitalize())
    for field in [
        "title",
        "logline",
        "plot",
        "tagline",
        "genre",
        "director",
        "actor",
        "writer",
        "character",
        "credited_as",
        "job",
        "trivia",
        "goof",
        "goof_category",
        "quote",
        "quote_character",
        "story",
        "contributor",
        "review_title",
        "review_body",
        "review_author",
        "location",
        "note",
    ]
}
SLUG = "hostile-1999"
DOCUMENT = {
    "version": 1,
    "films": [
        {
            "title": TEXT["title"],
            "slug": SLUG,
            "year": 1999,
            "logline": TEXT["logline"],
            "plot": TEXT["plot"],
            "rating": 7.5,
            "vote_count": 1200,
            "runtime_minutes": 95,
            "genres": [TEXT["genre"]],
            "taglines": [TEXT["tagline"]],
            "credits": [
                {"person": {"name": TEXT["director"]}, "role": "director", "order": 1},
                {
                    "person": {"name": TEXT["actor"]},
                    "role": "cast",
                    "order": 1,
                    "character": TEXT["character"],
                    "credited_as": TEXT["credited_as"],
                    "is_star": True,
                },
                {
                    "person": {"name": TEXT["writer"]},
                    "role": "writer",
                    "order": 1,
                    "job": TEXT["job"],
                },
            ],
            "trivia": [
                {"kind": "trivia", "order": 1, "text": TEXT["trivia"]},
                {
                    "kind": "goof",
                    "order": 1,
                    "text": TEXT["goof"],
                    "goof_category": TEXT["goof_category"],
                },
                {
                    "kind": "quote",
                    "order": 1,
                    "text": TEXT["quote"],
                    "character": TEXT["quote_character"],
                },
                {
                    "kind": "behind_the_scenes",
                    "order": 1,
                    "text": TEXT["story"],
                    "contributor": TEXT["contributor"],
                },
            ],
            "reviews": [
                {
                    "order": 1,
                    "title": TEXT["review_title"],
                    "body": TEXT["review_body"],
                    "author": TEXT["review_author"],
                    "score": 8,
                }
            ],
            "filming_locations": [{"location": TEXT["location"], "note": TEXT["note"]}],
        }
    ],
}

FILM = f"/films/{SLUG}/"
# Each public page of the film, and the fields it shows.
FILM_PAGES = {
    FILM: [
        *["title", "logline", "plot", "tagline", "genre", "director", "actor", "location"],
        *["note", "review_title", "review_body", "review_author"],
    ],
    FILM + "cast/": ["title", "director", "actor", "writer", "character", "credited_as", "job"],
    FILM + "trivia/": ["title", "trivia", "goof", "goof_category", "quote", "quote_character"],
    FILM + "making-of/": ["title", "story", "contributor"],
    FILM + "reviews/": ["title", "review_title", "review_body", "review_author"],
}
# Lists and searches that show the film, or its people and places.
LIST_PAGES = {
    "/": ["title", "genre"],
    "/films/": ["title", "logline", "director", "genre"],
    "/search/?q=alert": ["title", "director", "actor", "writer", "location"],
    "/people/?q=alert": ["director", "actor", "writer"],
    "/locations/": ["location"],
}


def import_hostile_film(folder):
    """Imports DOCUMENT through importfilms, as a file of films is imported."""
    path = folder / "hostile.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    call_command("importfilms", str(path), verbosity=0)
    return Film.objects.get(slug=SLUG)


def public_pages(film):
    """Every public page that shows the hostile film or what it names, with those fields."""
    field_of = {TEXT[field]: field for field in ("director", "actor", "writer")}
    people = {
        person.get_absolute_url(): ["title", field_of[person.name]]
        for person in Person.objects.filter(credits__film=film)
    }
    location = Location.objects.get(filmings__film=film).get_absolute_url()
    genre = Genre.objects.get(films=film).get_absolute_url()
    return {
        **FILM_PAGES,
        **people,
        location: ["location", "title", "note"],
        genre: ["title", "genre"],
        **LIST_PAGES,
    }


def assert_inert(html):
    """No payload survives as markup, and every script element is the data block or a file."""
    for payload in PAYLOADS:
        assert payload not in html
    assert "<img src=x" not in html
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert 'type="application/ld+json"' in tag or " src=" in tag, tag


@pytest.fixture
def film(db, tmp_path):
    return import_hostile_film(tmp_path)


def test_the_import_kept_every_field_as_written(film):
    """The payloads reach the database unchanged: escaping is the pages' job."""
    assert film.title == TEXT["title"]
    assert film.plot == TEXT["plot"]
    assert Trivia.objects.get(film=film, kind="goof").goof_category == TEXT["goof_category"]
    assert Review.objects.get(film=film).author == TEXT["review_author"]
    assert FilmingLocation.objects.get(film=film).note == TEXT["note"]
    assert set(Person.objects.values_list("name", flat=True)) == {
        TEXT["director"],
        TEXT["actor"],
        TEXT["writer"],
    }


def test_public_pages_show_every_field_escaped(client, film):
    """Every page of the film, of its people and place, and the lists and searches that show
    them, print each field as text, never as markup."""
    for path, fields in public_pages(film).items():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert_inert(html)
        for field in fields:
            # As Django's templates escape it, or as Jinja2's (the film list's cards and
            # facets), which write quotes as &#34; and &#39;.
            escaped = (escape(TEXT[field]), markupsafe.escape(TEXT[field]))
            assert any(text in html for text in escaped), (path, field)


def test_every_field_is_shown_on_some_page(film):
    """The pages checked above between them show every hostile field."""
    shown = {field for fields in public_pages(film).values() for field in fields}
    assert shown == set(TEXT)


def test_the_json_ld_block_holds_the_text_and_cannot_be_ended_by_it(client, film):
    """Search engines read the fields as written, and no field ends the data block."""
    html = client.get(FILM).content.decode()
    # The data block ends at the first "</script>": if the text could end it, what remains
    # would not parse as JSON.
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.DOTALL
    )
    assert len(blocks) == 1
    assert "</script" not in blocks[0].lower()
    assert "<!--" not in blocks[0]
    data = json.loads(blocks[0])
    assert data["name"] == TEXT["title"]
    assert data["description"] == TEXT["logline"]
    assert data["genre"] == [TEXT["genre"]]
    assert data["director"][0]["name"] == TEXT["director"]
    assert data["actor"][0]["actor"]["name"] == TEXT["actor"]
    assert data["actor"][0]["characterName"] == TEXT["character"]
    assert data["review"]["name"] == TEXT["review_title"]
    assert data["review"]["reviewBody"] == TEXT["review_body"]
    assert data["review"]["author"]["name"] == TEXT["review_author"]


def test_the_sitemap_stays_well_formed_xml(client, film):
    """The site map lists the film, its people and its place by address, and parses."""
    for path in ["/sitemap.xml", *(f"/sitemap-{s}.xml" for s in ("films", "people", "locations"))]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert(response.content.decode())
        ElementTree.fromstring(response.content)


def test_admin_pages_show_every_field_escaped(admin_client, film):
    """The admin's lists, and the change form of every row the import made (the film's with
    all its inlines), print each field as text."""
    field_of = {text: field for field, text in TEXT.items()}
    pages = {
        reverse("admin:films_film_change", args=[film.pk]): [
            *["title", "logline", "plot", "tagline", "character", "credited_as", "job"],
            *["trivia", "goof", "goof_category", "quote", "quote_character", "story"],
            *["contributor", "review_title", "review_body", "review_author", "note"],
        ],
        reverse("admin:films_film_changelist"): ["title", "genre"],
        reverse("admin:films_person_changelist"): ["director", "actor", "writer"],
        reverse("admin:films_credit_changelist"): ["actor", "title", "character"],
        reverse("admin:films_trivia_changelist"): ["title", "goof_category", "contributor"],
        reverse("admin:films_review_changelist"): ["title", "review_author"],
        reverse("admin:films_tagline_changelist"): ["tagline", "title"],
        reverse("admin:films_genre_changelist"): ["genre"],
        reverse("admin:films_location_changelist"): ["location"],
        reverse("admin:films_filminglocation_changelist"): ["location", "title", "note"],
    }
    for model in (Person, Credit, Trivia, Review, Tagline, Genre, Location, FilmingLocation):
        for row in model.objects.all():
            path = reverse(f"admin:films_{model._meta.model_name}_change", args=[row.pk])
            # The row's own text fields, each shown in its form.
            pages[path] = [
                field_of[value]
                for value in (getattr(row, f.attname) for f in model._meta.concrete_fields)
                if value in field_of
            ]
    for path, fields in pages.items():
        response = admin_client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert_inert(html)
        for field in fields:
            # As Django's templates escape it, or as Jinja2's (the film list's cards and
            # facets), which write quotes as &#34; and &#39;.
            escaped = (escape(TEXT[field]), markupsafe.escape(TEXT[field]))
            assert any(text in html for text in escaped), (path, field)


@pytest.mark.parametrize("page", PAGES)
def test_markup_in_the_query_string_is_not_reflected(client, mask, page):
    """Every parameter of every filtered page echoes what it was given (in its form, its
    chips, its error messages) as text."""
    path_template, names = PAGES[page]
    path = path_template.format(**slugs_for(mask))
    for name in names:
        for payload in PAYLOADS:
            response = client.get(path, {name: payload}, follow=True)
            # A page's data refuses what its filters cannot read with a 400 (in JSON).
            refusals = (400, 404) if path.endswith((".json", ".csv")) else (404,)
            assert response.status_code in (200, *refusals), (path, name)
            if response.streaming:
                assert_inert(b"".join(response.streaming_content).decode())
            else:
                assert_inert(response.content.decode())
