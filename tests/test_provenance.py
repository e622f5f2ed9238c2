"""Every imported fact names its source: the document, its line, its terms (films/provenance.py)."""

import datetime
import hashlib
import html
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from films.importers.export import dumps, film_document, films_for_export
from films.models import (
    Credit,
    Film,
    FilmingLocation,
    Genre,
    Location,
    Person,
    Review,
    Source,
    Tagline,
    Trivia,
)
from films.provenance import IMDB_ATTRIBUTION, imdb_dataset_source
from tests.builders import change_form_data, make_film, make_person
from tests.seeds import FILM_PAGE, MAKING_OF_PAGE

pytestmark = pytest.mark.django_db

ROW_MODELS = (Credit, Trivia, Review, Tagline, FilmingLocation)


def import_files(*paths):
    out, err = io.StringIO(), io.StringIO()
    call_command("importfilms", *map(str, paths), stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def line_of(path, text):
    """The number of the line of path that holds text (as a page shows it, entities decoded)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    (number,) = [n for n, line in enumerate(lines, start=1) if text in html.unescape(line)]
    return number


def provenance():
    """(model, row id, source hash, line) of every row, and the sources as they are."""
    rows = [
        (model.__name__, pk, digest, line)
        for model in ROW_MODELS
        for pk, digest, line in model.objects.values_list(
            "pk", "source__content_hash", "source_line"
        )
    ]
    rows += [
        ("Film", pk, digest, None)
        for pk, digest in Film.objects.values_list("pk", "source__content_hash")
    ]
    sources = list(Source.objects.values_list("content_hash", "file_name", "format", "imported_at"))
    return sorted(rows, key=repr), sorted(sources)


def empty_database():
    for model in (Film, Person, Genre, Location, Source):
        model.objects.all().delete()


def test_the_page_importers_record_each_file_and_line():
    """A film page and its making-of page each become a source, known by their bytes; each
    row names its file and the line it was read from."""
    import_files(FILM_PAGE, MAKING_OF_PAGE)
    page = Source.objects.get(content_hash=sha256(FILM_PAGE))
    making_of = Source.objects.get(content_hash=sha256(MAKING_OF_PAGE))
    assert (page.file_name, page.format) == (FILM_PAGE.name, Source.Format.FILM_PAGE)
    assert (making_of.file_name, making_of.format) == (MAKING_OF_PAGE.name, "making_of_page")
    assert page.redistributable
    assert not page.attribution
    film = Film.objects.get()
    assert film.source == page
    location = FilmingLocation.objects.get()
    assert (location.source, location.source_line) == (page, line_of(FILM_PAGE, "Azusa"))
    review = Review.objects.get()
    assert (review.source, review.source_line) == (page, line_of(FILM_PAGE, review.title))
    credit = Credit.objects.get(character="Gar")
    assert (credit.source, credit.source_line) == (page, line_of(FILM_PAGE, "Sam Elliott - Gar"))
    assert Tagline.objects.get().source == page
    for item in Trivia.objects.filter(kind__in=Trivia.MAKING_OF_KINDS):
        assert item.source == making_of
        assert item.source_line == line_of(MAKING_OF_PAGE, item.text[:40])
    for item in Trivia.objects.exclude(kind__in=Trivia.MAKING_OF_KINDS):
        assert item.source == page
        assert item.source_line == line_of(FILM_PAGE, item.text[:40])


def test_an_identical_reimport_changes_nothing_provenance_included():
    import_files(FILM_PAGE, MAKING_OF_PAGE)
    before = provenance()
    output = import_files(FILM_PAGE, MAKING_OF_PAGE)
    assert "0 created, 0 updated, 1 unchanged" in output
    assert provenance() == before
    assert Source.objects.count() == 2


def test_a_changed_fact_records_the_source_that_changed_it(tmp_path):
    """A new version of the film page is a new source: the facts it changed name it, the
    facts it left as they were keep the page they came from."""
    import_files(FILM_PAGE, MAKING_OF_PAGE)
    first = Source.objects.get(format=Source.Format.FILM_PAGE)
    text = FILM_PAGE.read_text(encoding="utf-8")
    changed = tmp_path / "mask-1985.txt"
    changed.write_text(
        text.replace("Rating: 7.0/10", "Rating: 7.2/10").replace(
            "Eric Stoltz spent", "Stoltz spent"
        ),
        encoding="utf-8",
    )
    import_files(changed, MAKING_OF_PAGE)
    second = Source.objects.get(content_hash=sha256(changed))
    assert second.file_name == "mask-1985.txt"
    film = Film.objects.get()
    assert (film.rating, film.source) == (Decimal("7.2"), second)
    item = Trivia.objects.get(text__startswith="Stoltz spent")
    assert (item.source, item.source_line) == (second, line_of(changed, "Stoltz spent"))
    assert Trivia.objects.get(kind="goof").source == first
    assert {c.source for c in Credit.objects.all()} == {first}
    assert (
        Trivia.objects.filter(kind="behind_the_scenes")
        .exclude(source__format=Source.Format.MAKING_OF_PAGE)
        .count()
        == 0
    )


def test_a_json_document_is_the_source_of_what_it_does_not_attribute(tmp_path):
    document = tmp_path / "films.json"
    document.write_text(
        json.dumps(
            {
                "version": 1,
                "films": [
                    {
                        "title": "Heat",
                        "year": 1995,
                        "taglines": ["A Los Angeles crime saga."],
                        "trivia": [{"kind": "trivia", "text": "Long.", "order": 1}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    import_files(document)
    source = Source.objects.get()
    assert (source.file_name, source.format, source.content_hash) == (
        "films.json",
        Source.Format.JSON,
        sha256(document),
    )
    film = Film.objects.get()
    assert film.source == source
    assert (Trivia.objects.get().source, Trivia.objects.get().source_line) == (source, None)
    assert Tagline.objects.get().source == source


def test_an_export_import_round_trip_keeps_the_original_sources(tmp_path):
    """Exported and imported into an empty database, every row names the page it came from,
    not the exported document; importing the export again changes nothing."""
    import_files(FILM_PAGE, MAKING_OF_PAGE)
    trivia = Trivia.objects.first()
    trivia.source, trivia.source_line = None, None  # as an editor leaves it
    trivia.save()
    before = provenance()
    exported = tmp_path / "export.json"
    call_command("exportfilms", "-o", str(exported), verbosity=0)
    empty_database()
    import_files(exported)
    assert provenance()[1] == before[1]  # the same sources, imported when they first were
    rows = [row[2:] for row in provenance()[0]]
    assert sorted(rows, key=repr) == sorted((row[2:] for row in before[0]), key=repr)
    after = provenance()
    import_files(exported)
    assert provenance() == after


def imdb_film(tmp_path):
    """A film whose facts and credits came from an IMDb dataset, with a trivia item of a
    film page."""
    dataset = tmp_path / "title.basics.tsv"
    dataset.write_text("tconst\tprimaryTitle\ntt0113277\tHeat\n", encoding="utf-8")
    imdb = imdb_dataset_source(path=dataset, dataset_date=datetime.date(2026, 11, 20))
    page = Source.objects.create(file_name="heat.txt", content_hash="a" * 64, format="film_page")
    film = make_film(title="Heat", slug="heat-1995", imdb_id="tt0113277", rating=8.3, source=imdb)
    film.genres.create(name="Crime", slug="crime")
    Credit.objects.create(film=film, person=make_person(), role="cast", order=1, source=imdb)
    Trivia.objects.create(film=film, kind="trivia", text="Long.", order=1, source=page)
    return film, imdb, page


def test_an_imdb_dataset_file_is_one_source_carrying_imdbs_terms(tmp_path):
    _, imdb, _ = imdb_film(tmp_path)
    again = imdb_dataset_source(path=tmp_path / "title.basics.tsv")
    assert again == imdb
    assert (imdb.format, imdb.terms, imdb.attribution) == (
        Source.Format.IMDB_DATASET,
        Source.Terms.NON_COMMERCIAL,
        IMDB_ATTRIBUTION,
    )
    assert not imdb.redistributable
    assert imdb.dataset_date == datetime.date(2026, 11, 20)


def test_an_export_can_leave_out_what_restricted_sources_gave(tmp_path, settings):
    imdb_film(tmp_path)
    out = io.StringIO()
    call_command("exportfilms", stdout=out)
    (whole,) = json.loads(out.getvalue())["films"]
    assert (whole["rating"], len(whole["credits"]), len(whole["genres"])) == (8.3, 1, 1)

    settings.EXPORT_RESTRICTED_SOURCES = "omit"
    out = io.StringIO()
    call_command("exportfilms", stdout=out)
    (film,) = json.loads(out.getvalue())["films"]
    assert (film["title"], film["slug"], film["imdb_id"]) == ("Heat", "heat-1995", "tt0113277")
    assert "rating" not in film
    assert "genres" not in film
    assert "vote_count" not in film
    assert film["credits"] == []
    assert [t["text"] for t in film["trivia"]] == ["Long."]


def test_the_film_page_names_its_sources(client, mask):
    page = client.get(mask.get_absolute_url()).content.decode()
    assert f"From the film page <code>{FILM_PAGE.name}</code>, imported 21 November 2026" in page
    assert f"From the making-of page <code>{MAKING_OF_PAGE.name}</code>" in page
    assert IMDB_ATTRIBUTION not in page


def test_a_section_whose_items_share_a_source_names_it_once(client, mask):
    page = client.get(reverse("films:film_making_of", args=[mask.slug])).content.decode()
    assert page.count(f"<code>{MAKING_OF_PAGE.name}</code>") == 1
    item = mask.trivia.get(kind="behind_the_scenes", order=2)
    item.source = None
    item.save()
    page = client.get(reverse("films:film_making_of", args=[mask.slug])).content.decode()
    # Each item names its file and line now, but the one an editor changed.
    assert page.count(f"<code>{MAKING_OF_PAGE.name}</code>") == 5
    assert "line 9</span>" in page


def test_pages_showing_imdb_facts_carry_imdbs_attribution(client, tmp_path):
    film, _, _ = imdb_film(tmp_path)
    for name in ("film_detail", "film_cast", "film_trivia"):
        page = client.get(reverse(f"films:{name}", args=[film.slug])).content.decode()
        assert IMDB_ATTRIBUTION in page, name
    page = client.get(film.get_absolute_url()).content.decode()
    assert "From the IMDb dataset file <code>title.basics.tsv</code> of 20 November 2026" in page


def test_trivia_from_many_sources_cost_no_more_queries(client):
    def queries_for(film, sources):
        Trivia.objects.bulk_create(
            Trivia(film=film, kind="trivia", text=f"Fact {i}", order=i, source=source)
            for i, source in enumerate(sources, start=1)
        )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("films:film_trivia", args=[film.slug])).status_code == 200
        return len(captured)

    sources = Source.objects.bulk_create(
        Source(file_name=f"{i}.txt", content_hash=f"{i:064x}", format="film_page")
        for i in range(20)
    )
    assert queries_for(make_film(), sources[:1]) == queries_for(make_film(), sources)


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("editor", "e@example.com", "pw"))
    return client


def test_the_admin_shows_sources_read_only(editor, mask):
    source = Source.objects.get(format=Source.Format.FILM_PAGE)
    listing = editor.get(reverse("admin:films_source_changelist")).content.decode()
    assert FILM_PAGE.name in listing
    assert MAKING_OF_PAGE.name in listing
    found = editor.get(reverse("admin:films_source_changelist"), {"q": source.content_hash})
    assert found.context["cl"].result_count == 1
    change_url = reverse("admin:films_source_change", args=[source.pk])
    assert 'name="_save"' not in editor.get(change_url).content.decode()
    assert editor.post(change_url, {"file_name": "other.txt"}).status_code == 403
    assert editor.get(reverse("admin:films_source_add")).status_code == 403
    film_page = editor.get(reverse("admin:films_film_change", args=[mask.pk])).content.decode()
    assert f"{source}, line 39" in film_page  # the filming location's, inline
    review = mask.reviews.get()
    review_page = editor.get(reverse("admin:films_review_change", args=[review.pk]))
    assert 'name="source"' not in review_page.content.decode()
    assert "57" in review_page.content.decode()


def test_an_editors_change_clears_the_rows_source(editor, mask):
    item = mask.trivia.get(kind="goof")
    change_url = reverse("admin:films_trivia_change", args=[item.pk])
    data = change_form_data(editor.get(change_url))
    data["text"] = "A corrected goof."
    assert editor.post(change_url, data).status_code == 302
    item.refresh_from_db()
    assert (item.source, item.source_line) == (None, None)
    untouched = mask.trivia.get(kind="quote")
    assert untouched.source is not None


def test_film_document_reads_sources_in_one_query(django_assert_max_num_queries, tmp_path):
    imdb_film(tmp_path)
    films = list(films_for_export())
    with django_assert_max_num_queries(1):
        document = film_document(films)
    assert {s["format"] for s in document["sources"]} == {"imdb_dataset", "film_page"}
    assert json.loads(dumps(document))["sources"] == document["sources"]


@pytest.mark.usefixtures("writers_announce_changes", "local_caches")
def test_a_cached_film_page_shows_the_new_source_after_an_import(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):
        import_files(FILM_PAGE, MAKING_OF_PAGE)
    url = Film.objects.get().get_absolute_url()
    assert "<code>mask-1985.txt</code>" not in client.get(url).content.decode()
    changed = tmp_path / "mask-1985.txt"
    changed.write_text(
        FILM_PAGE.read_text(encoding="utf-8").replace("Rating: 7.0/10", "Rating: 7.2/10"),
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_files(changed, MAKING_OF_PAGE)
    assert "From the film page <code>mask-1985.txt</code>" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {
                "films": [
                    {
                        "title": "A",
                        "trivia": [{"kind": "trivia", "text": "x", "order": 1, "source": "f" * 64}],
                    }
                ]
            },
            'films[0].trivia[0].source: "' + "f" * 64 + '" is not one of the document\'s "sources"',
        ),
        (
            {
                "sources": [{"content_hash": "abc", "file_name": "a.txt", "format": "film_page"}],
                "films": [],
            },
            "sources[0].content_hash: expected a SHA-256 in 64 hex digits",
        ),
        (
            {
                "sources": [{"content_hash": "e" * 64, "file_name": "a.txt", "format": "scroll"}],
                "films": [{"title": "A", "source": "e" * 64}],
            },
            "format: Value 'scroll' is not a valid choice.",
        ),
        (
            {
                "sources": [
                    {
                        "content_hash": "e" * 64,
                        "file_name": "a",
                        "format": "json",
                        "imported_at": "2026-11-21",
                    }
                ],
                "films": [],
            },
            'sources[0].imported_at: "2026-11-21" is not a time',
        ),
    ],
)
def test_a_bad_source_in_a_document_is_a_message_naming_its_place(tmp_path, document, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"version": 1, **document}), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("importfilms", str(path), stdout=io.StringIO(), stderr=err)
    assert "error: " in err.getvalue()
    assert "bad.json: " in err.getvalue()
    assert message in err.getvalue()
    assert not Film.objects.exists()


def test_the_film_list_carries_imdbs_attribution_when_it_shows_imdb_facts(client, tmp_path):
    make_film()
    assert IMDB_ATTRIBUTION not in client.get(reverse("films:film_list")).content.decode()
    imdb_film(tmp_path)
    assert IMDB_ATTRIBUTION in client.get(reverse("films:film_list")).content.decode()


def test_an_edit_in_the_films_inline_clears_only_that_rows_source(editor, mask):
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(editor.get(change_url))
    edited = Trivia.objects.get(pk=data["trivia-0-id"])
    data["trivia-0-text"] = "Corrected by an editor."
    assert editor.post(change_url, data).status_code == 302
    edited.refresh_from_db()
    assert (edited.text, edited.source) == ("Corrected by an editor.", None)
    assert mask.trivia.exclude(pk=edited.pk).filter(source=None).count() == 0
    mask.refresh_from_db()
    assert mask.source is not None  # the film's own facts were not touched
