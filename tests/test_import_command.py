"""importfilms end to end: the seeds reproduce the fixture, reruns change nothing, bad input
fails clearly and leaves the database as it was."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from tests.seeds import FILM_PAGE, MAKING_OF_PAGE
from tests.streams import ClosedAfter

pytestmark = pytest.mark.django_db

MODELS = [Genre, Location, Person, Film, Tagline, FilmingLocation, Credit, Trivia, Review]
# Set by the database when a row is written, so never equal between two loads.
UNCOMPARED = {"id", "added_at", "updated_at"}


def snapshot():
    """Every row of every model, foreign keys by natural key and genres by slug, without ids
    or timestamps."""
    tables = {}
    for model in MODELS:
        rows = []
        for obj in model.objects.all():
            row = {}
            for field in model._meta.get_fields():
                if field.name in UNCOMPARED or field.auto_created:
                    continue
                if field.many_to_many:
                    row[field.name] = sorted(o.slug for o in getattr(obj, field.name).all())
                elif field.many_to_one:
                    related = getattr(obj, field.name)
                    row[field.name] = related and related.natural_key()
                else:
                    row[field.name] = getattr(obj, field.name)
            rows.append(row)
        tables[model.__name__] = sorted(rows, key=repr)
    return tables


def run(*args, **options):
    """Runs importfilms; returns (stdout, stderr, the CommandError or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("importfilms", *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def writes(queries):
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(verbs)]


def test_seeds_reproduce_the_fixture_field_by_field():
    """Importing both seed pages into an empty database gives exactly fixtures/mask.json."""
    _, err, failed = run(FILM_PAGE, MAKING_OF_PAGE)
    assert (failed, err) == (None, "")
    imported = snapshot()
    for model in (Film, Person, Genre, Location):
        model.objects.all().delete()
    assert all(not rows for rows in snapshot().values())
    call_command("loadseed", "mask", verbosity=0)
    fixture = snapshot()
    for model in MODELS:
        name = model.__name__
        assert imported[name] == fixture[name], name


def test_second_import_reports_every_file_unchanged():
    """Importing the seeds again writes nothing and says so for each file."""
    run(FILM_PAGE, MAKING_OF_PAGE)
    with CaptureQueriesContext(connection) as queries:
        out, _, failed = run(FILM_PAGE, MAKING_OF_PAGE)
    assert failed is None
    assert writes(queries) == []
    lines = [line for line in out.splitlines() if "[mask-1985]" in line]
    assert len(lines) == 2
    assert all(" unchanged; 16 credits, 9 trivia" in line for line in lines)
    assert "0 created, 0 updated, 1 unchanged" in out


def test_summary_lists_files_counts_and_warnings():
    """The summary names each file, its film, the outcome, the counts, and the warning."""
    out, _, _ = run(FILM_PAGE, MAKING_OF_PAGE)
    assert f"{FILM_PAGE} (page): Mask (1985) [mask-1985] created; 16 credits, 9 trivia" in out
    assert f"{MAKING_OF_PAGE} (making-of): Mask (1985) [mask-1985] created" in out
    assert f"warning: {FILM_PAGE}:45: runtime" in out
    assert "2 files, 1 film: 1 created, 0 updated, 0 unchanged; 1 warning; 0 failed" in out


def test_a_folder_is_searched_for_txt_and_json_files(tmp_path):
    """A folder argument imports its .txt and .json files, in subfolders too."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "page.txt").write_bytes(FILM_PAGE.read_bytes())
    (tmp_path / "a" / "b" / "making-of.txt").write_bytes(MAKING_OF_PAGE.read_bytes())
    (tmp_path / "notes.md").write_text("not a film")
    out, _, failed = run(tmp_path)
    assert failed is None
    assert Film.objects.get().title == "Mask"
    assert "notes.md" not in out


def test_dry_run_writes_nothing():
    """A dry run reports the film it would create and leaves the database empty."""
    with CaptureQueriesContext(connection) as queries:
        out, _, failed = run(FILM_PAGE, MAKING_OF_PAGE, dry_run=True)
    assert failed is None
    assert writes(queries) == []
    assert not Film.objects.exists()
    assert "Mask (1985) [mask-1985] would be created; 16 credits, 9 trivia" in out
    assert out.splitlines()[-1].startswith("Dry run, nothing written.")


def test_title_option_names_a_single_page(client, admin_client):
    """With --title a lone film page becomes a film, seen on its page and in the admin."""
    _, _, failed = run(FILM_PAGE, title="Mask")
    assert failed is None
    film = Film.objects.get(slug="mask-1985")
    assert (film.title, film.credits.count(), film.trivia.count()) == ("Mask", 16, 3)
    assert "Mask" in client.get(film.get_absolute_url()).text
    assert "Mask" in admin_client.get("/admin/films/film/").text


def test_a_page_without_title_is_an_error_that_says_so():
    """A film page with neither a making-of page nor --title fails, naming the file."""
    _, err, failed = run(FILM_PAGE)
    assert str(failed) == "1 of 1 file failed"
    assert f"error: {FILM_PAGE}: a film page has no title" in err
    assert "--title" in err
    assert not Film.objects.exists()


def test_making_of_alone_attaches_to_the_film_in_the_database():
    """A making-of page imported later joins the film already in the database."""
    run(FILM_PAGE, title="Mask")
    out, _, failed = run(MAKING_OF_PAGE)
    assert failed is None
    film = Film.objects.get()
    assert film.trivia.filter(kind="behind_the_scenes").count() == 6
    assert [g.name for g in film.genres.all()] == ["Drama"]
    assert "Mask (1985) [mask-1985] updated (trivia +6 -0, genres); 6 trivia" in out


def seed_text():
    return FILM_PAGE.read_text(encoding="utf-8")


BAD_PAGES = {
    "empty": (b"", "empty file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "not UTF-8": (seed_text().replace("Cher -", "Ch\xe9r -").encode("latin-1"), ":19: not UTF-8"),
    "truncated": (seed_text().split("Did You Know?")[0].encode() + b"Did You Know?\n", "truncated"),
    "cast line": (
        seed_text().replace("Sam Elliott - Gar", "Sam Elliott as Gar").encode(),
        ":20: cast line",
    ),
    "rating 7,0": (seed_text().replace("7.0/10", "7,0/10").encode(), ':11: rating "7,0/10'),
    "rating N/A": (seed_text().replace("7.0/10 (12,168 voted)", "N/A").encode(), ":11: rating"),
    "duplicated": ((seed_text() + "\n\n" + seed_text()).encode(), "appears twice"),
    "5 MB": (seed_text().encode() + b"\n" + b"x" * 5_000_000, "too large"),
}


@pytest.mark.parametrize("name", BAD_PAGES)
def test_bad_pages_fail_clearly_and_change_nothing(mask, tmp_path, name):
    """Each bad page gets a message naming its file (and line), the command exits non-zero,
    and the database keeps exactly what it had."""
    data, words = BAD_PAGES[name]
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    before = snapshot()
    out, err, failed = run(path, title="Mask")
    assert failed is not None
    assert f"error: {path}" in err
    assert words in err
    assert "Traceback" not in out + err
    assert snapshot() == before


def test_a_document_over_the_limit_is_refused_unread_with_the_way_out(mask, tmp_path, monkeypatch):
    """A file over the biggest format's limit (a whole catalogue's export, say) is refused
    from its size, before it is read into memory, and the message says how to export a
    catalogue that importfilms reads back."""
    path = tmp_path / "catalogue.json"
    call_command("exportfilms", "-o", str(path), verbosity=0)
    limit = path.stat().st_size - 1
    monkeypatch.setattr("films.importers.batch.MAX_JSON_BYTES", limit)
    monkeypatch.setattr("films.importers.text.MAX_JSON_BYTES", limit)

    def unread(self):
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", unread)
    before = snapshot()
    _, err, failed = run(path)
    assert failed is not None
    assert f"error: {path}: file is too large" in err
    assert "`exportfilms --films-per-file N` writes a catalogue as smaller documents" in err
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("unknown.txt", MAKING_OF_PAGE.read_text().replace("Mask", "Heat"), 'no film "Heat"'),
        ("bad.json", '{"version": 1, "films": [{"title": 5}]}', "films[0].title: expected"),
        ("broken.json", '{"version": 1,\n"films": [', "broken.json:2: not valid JSON"),
    ],
)
def test_bad_making_of_and_json_fail_clearly_and_change_nothing(mask, tmp_path, name, text, words):
    """A making-of page for an unknown film and bad JSON fail with their place named."""
    path = tmp_path / name
    path.write_text(text)
    before = snapshot()
    _, err, failed = run(path)
    assert failed is not None
    assert words in err
    assert snapshot() == before


def test_two_making_of_pages_of_films_in_the_database_both_attach(tmp_path):
    """Making-of pages that pair with no page in the import each join their film."""
    run(FILM_PAGE, title="Mask")
    (tmp_path / "heat.json").write_text(
        json.dumps({"version": 1, "films": [{"title": "Heat", "year": 1985}]})
    )
    run(tmp_path / "heat.json")
    heat = tmp_path / "heat.txt"
    heat.write_text(MAKING_OF_PAGE.read_text().replace("Mask", "Heat"))
    out, err, failed = run(MAKING_OF_PAGE, heat)
    assert (failed, err) == (None, "")
    assert "2 files, 2 films: 0 created, 2 updated" in out
    assert Trivia.objects.filter(kind="behind_the_scenes").count() == 12


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    """The good films load; the exit status still says that a file failed."""
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe")
    _, err, failed = run(FILM_PAGE, MAKING_OF_PAGE, tmp_path / "bad.txt")
    assert str(failed) == "1 of 3 files failed"
    assert Film.objects.get().title == "Mask"
    assert err.count("error:") == 1


def test_verbosity_0_prints_only_errors(tmp_path):
    """At verbosity 0 a good import prints nothing and a bad one only its error."""
    out, err, failed = run(FILM_PAGE, MAKING_OF_PAGE, verbosity=0)
    assert (out, err, failed) == ("", "", None)
    (tmp_path / "empty.txt").write_text("")
    out, err, failed = run(tmp_path / "empty.txt", verbosity=0)
    assert out == ""
    assert err == f"error: {tmp_path / 'empty.txt'}: empty file\n"
    assert failed is not None


def test_many_files_show_progress(tmp_path):
    """An import of many files reports its progress as it reads and saves."""
    for i in range(20):
        document = {"version": 1, "films": [{"title": f"Film {i}", "year": 2000}]}
        (tmp_path / f"film-{i:02}.json").write_text(json.dumps(document))
    out, _, failed = run(tmp_path)
    assert failed is None
    assert "10 of 20 files read" in out
    assert "20 of 20 films saved" in out
    assert Film.objects.count() == 20


def test_format_option_overrides_detection(tmp_path):
    """--format json reads a file whatever its name."""
    path = tmp_path / "films.txt"
    path.write_text(json.dumps({"version": 1, "films": [{"title": "Heat", "year": 1995}]}))
    _, _, failed = run(path, format="json")
    assert failed is None
    assert Film.objects.get().slug == "heat-1995"


def test_two_pages_matching_one_making_of_page_both_fail(tmp_path):
    """When two film pages have the same year and stars, neither takes the title."""
    copy = tmp_path / "copy.txt"
    copy.write_bytes(FILM_PAGE.read_bytes())
    _, err, failed = run(FILM_PAGE, copy, MAKING_OF_PAGE)
    assert failed is not None
    assert f"error: {FILM_PAGE}: {MAKING_OF_PAGE} matches this page and {copy}" in err
    assert f"error: {copy}: {MAKING_OF_PAGE} matches this page and {FILM_PAGE}" in err


def test_title_option_needs_a_single_page(tmp_path):
    """--title names one page only; with two pages each is told so."""
    other = tmp_path / "other.txt"
    other.write_text("Release Year: 1999\n\nStars: Ann Lee\n\nComments are closed.\n")
    _, err, failed = run(FILM_PAGE, other, title="Mask")
    assert str(failed) == "2 of 2 files failed"
    assert err.count("--title applies only when one page is imported") == 2
    assert not Film.objects.exists()


def film_page(cast_size):
    cast = "\n".join(f"Actor {cast_size}-{i} - Role {i}" for i in range(cast_size))
    return (
        f"Release Year: 1999\n\nRating: 6.1/10 (10 voted)\n\nDirector: Dir {cast_size}\n\n"
        f"Stars: Actor {cast_size}-0\n\nA plot.\n\n{cast}\n\nTaglines: One.\n\n"
        f"Filming Locations: Place {cast_size}\n\nDid You Know?\n\nA fact.\n\n"
        "Comments are closed.\n"
    )


def test_query_count_does_not_grow_with_the_cast_list(tmp_path):
    """A page with 300 cast lines imports in as many queries as a page with 5."""
    counts = {}
    for size in (5, 300):
        path = tmp_path / f"cast-{size}.txt"
        path.write_text(film_page(size))
        with CaptureQueriesContext(connection) as queries:
            _, _, failed = run(path, title=f"Cast {size}")
        assert failed is None
        assert Film.objects.get(title=f"Cast {size}").credits.count() == size + 1
        counts[size] = len(queries.captured_queries)
    assert counts[300] == counts[5]


def test_a_slug_another_person_holds_is_refused_naming_file_and_path(tmp_path):
    """The film is refused with `file: JSON path`; the person holding the slug keeps it."""
    Person.objects.create(name="Cher", slug="cher", imdb_id="nm0000128")
    credits = [{"person": {"name": f"Actor {i}"}, "role": "cast", "order": i} for i in range(1, 4)]
    credits.append(
        {"person": {"name": "Cher", "slug": "cher", "imdb_id": "nm0000001"}, "role": "cast",
         "order": 4}
    )  # fmt: skip
    document = {"version": 1, "films": [{"title": "Mask", "year": 1985, "credits": credits}]}
    (tmp_path / "mask.json").write_text(json.dumps(document))
    _, err, error = run(tmp_path / "mask.json")
    assert error is not None
    assert 'mask.json: films[0].credits[3].person.slug: "cher" belongs to another person' in err
    assert not Film.objects.exists()


def test_a_name_shared_by_two_people_is_a_warning_in_the_summary(tmp_path):
    Person.objects.create(name="John Smith", slug="john-smith")
    Person.objects.create(name="John Smith", slug="john-smith-nm0123456", imdb_id="nm0123456")
    credits = [{"person": {"name": "John Smith"}, "role": "director", "order": 1}]
    document = {"version": 1, "films": [{"title": "Heat", "year": 1995, "credits": credits}]}
    (tmp_path / "heat.json").write_text(json.dumps(document))
    out, _, error = run(tmp_path / "heat.json")
    assert error is None
    assert (
        'heat.json: films[0].credits[0]: "John Smith" could be any of 2 people '
        "(john-smith, john-smith-nm0123456): credited to a new person, john-smith-2" in out
    )
    assert "  warning: " in out
    assert "1 warning;" in out


def cuts(path, count=12):
    """The file's bytes cut at `count` offsets spread over it, and right before its end."""
    data = path.read_bytes()
    offsets = {len(data) * i // count for i in range(1, count)} | {946, len(data) - 1}
    return [data[:offset] for offset in sorted(offsets) if offset < len(data)]


@pytest.mark.parametrize("cut_seed", ["page", "making-of"])
def test_a_cut_seed_is_refused_and_deletes_nothing(mask, tmp_path, cut_seed):
    """Cut anywhere, either seed is refused (or reads as the whole page): the film keeps
    every fact it had, and the error names the file and its last line."""
    before = snapshot()
    for data in cuts(FILM_PAGE if cut_seed == "page" else MAKING_OF_PAGE):
        page, making_of = tmp_path / "000_page.txt", tmp_path / "002_making_of.txt"
        page.write_bytes(data if cut_seed == "page" else FILM_PAGE.read_bytes())
        making_of.write_bytes(data if cut_seed == "making-of" else MAKING_OF_PAGE.read_bytes())
        out, err, failed = run(page, making_of)
        assert snapshot() == before, data[-40:]
        cut = page if cut_seed == "page" else making_of
        if failed is not None:
            assert f"error: {cut}:" in err
            assert "incomplete page" in err or "not UTF-8" in err or "not a " in err
        else:
            assert "0 created, 0 updated, 1 unchanged" in out


def test_every_removal_is_named_in_the_dry_run_and_the_summary(mask, tmp_path):
    """An update that deletes items says which, with --dry-run and for real."""
    page = tmp_path / "000_page.txt"
    text = seed_text().replace("Sam Elliott - Gar\n", "").replace("Anachronisms: When", "When")
    page.write_text(text.replace("Filming Locations: Azusa, California, USA\n\n", ""))
    out, _, failed = run(page, MAKING_OF_PAGE, dry_run=True)
    assert failed is None
    removals = [
        "credit: Sam Elliott (cast, Gar)",
        "goof: When Rocky and Ben are trading baseball cards back and fort…",
        "filming location: Azusa, California, USA",
    ]
    for removal in removals:
        assert f"  would remove {removal}\n" in out
    assert Credit.objects.filter(character="Gar").exists()
    out, _, failed = run(page, MAKING_OF_PAGE)
    for removal in removals:
        assert f"  removed {removal}\n" in out
    assert not Credit.objects.filter(character="Gar").exists()


def test_a_page_whose_making_of_was_refused_says_so(mask, tmp_path):
    """The film page cannot be named without its making-of page: its error points there."""
    making_of = tmp_path / "002_making_of.txt"
    making_of.write_bytes(MAKING_OF_PAGE.read_bytes()[:2000])
    _, err, failed = run(FILM_PAGE, making_of)
    assert str(failed) == "2 of 2 files failed"
    assert f"{making_of}:20: incomplete page" in err
    assert "a film page has no title" in err
    assert f"refused in this import: {making_of}" in err


def test_a_scraped_page_never_merges_two_people_by_name():
    """The seed page credits "Cher" by name alone; with two Chers on the site it credits a
    new person and warns, naming both; importing the page again changes nothing."""
    Person.objects.create(name="Cher", slug="cher", imdb_id="nm0000128")
    Person.objects.create(name="Cher", slug="cher-2")
    out, _, failed = run(FILM_PAGE, MAKING_OF_PAGE)
    assert failed is None
    assert '"Cher" could be any of 2 people (cher, cher-2): credited to a new person, cher-3' in out
    mask = Film.objects.get()
    assert mask.credits.get(character="Florence 'Rusty' Dennis").person.slug == "cher-3"
    out, _, _ = run(FILM_PAGE, MAKING_OF_PAGE)
    assert "0 created, 0 updated, 1 unchanged" in out
    assert "could be any of" not in out
    assert Person.objects.filter(name="Cher").count() == 3


def json_film(fields):
    return '{"version": 1, "films": [{"title": "Heat", "year": 1995, ' + fields + "}]}"


# Each file fails alone, with its message; the seeds imported with it still load.
FAULTY_FILES = {
    "lone surrogate.json": (
        json_film('"plot": "A \\ud800 plot"'),
        "lone surrogate.json: films[0].plot: a lone surrogate (\\ud800), which is not",
    ),
    "long integer.json": (
        json_film('"vote_count": ' + "9" * 5000),
        "long integer.json: films[0].vote_count: expected an integer, got a number of 5,000",
    ),
    "huge float.json": (
        json_film('"rating": 1e400'),
        "huge float.json: films[0].rating: inf is not a number with at most one decimal",
    ),
    "deep.json": ("[" * 100_000 + "]" * 100_000, "deep.json: not valid JSON: nested too deeply"),
    "repeated key.json": (
        json_film('"title": "Heat 2"'),
        'repeated key.json: films[0].title: "title" is given twice in one object',
    ),
    "NUL escape.json": (json_film('"plot": "\\u0000"'), "films[0].plot: contains a NUL character"),
    "NUL byte.json": (json_film('"plot": "\0"').encode(), "NUL byte.json:1: a NUL byte"),
    "binary.txt": (bytes(range(256)), "binary.txt:1: a NUL byte: binary file, not text"),
    "latin-1.txt": (
        seed_text().replace("Cher", "Ch\xe9r").encode("latin-1"),
        "1.txt:15: not UTF-8",
    ),
    "utf-16.json": (json_film("").encode("utf-16"), "utf-16.json: UTF-16 text; save it as UTF-8"),
    "long vote count.txt": (
        seed_text().replace("12,168 voted", "9" * 5000 + " voted"),
        "long vote count.txt:11: vote count",
    ),
    "long grouped vote count.txt": (
        seed_text().replace("12,168 voted", "1" + ",000" * 1500 + " voted"),
        "long grouped vote count.txt:11: vote count",
    ),
}


@pytest.mark.parametrize("name", FAULTY_FILES)
def test_a_faulty_file_is_a_message_and_the_others_still_load(tmp_path, name):
    """A malformed file is reported as file[:line]: reason, never as a traceback; the files
    beside it load, the summary lists every file, and the exit status says one failed."""
    content, words = FAULTY_FILES[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out, err, failed = run(FILM_PAGE, path, MAKING_OF_PAGE)
    assert str(failed) == "1 of 3 files failed"
    assert f"error: {tmp_path / name}" in err
    assert words in err
    assert err.count("error:") == 1
    assert "Traceback" not in out + err
    assert Film.objects.get().title == "Mask"
    assert f"{FILM_PAGE} (page): Mask (1985) [mask-1985] created" in out
    assert f"{MAKING_OF_PAGE} (making-of): Mask (1985) [mask-1985] created" in out
    assert f"{path}" in out.replace(" (json)", "").replace(" (page)", "")
    assert "failed (1 error)" in out
    assert "3 files, 1 film: 1 created, 0 updated, 0 unchanged; 1 warning; 1 failed" in out


def test_control_characters_are_not_stored(tmp_path):
    """ESC, BEL, C1 controls and carriage returns, raw or written as entities and JSON
    escapes, never reach the database."""
    page = (
        seed_text()
        .replace("Cher - Florence 'Rusty'", "Ch\x1b[31mer - Florence\x07 'Rusty'")
        .replace("Did You Know?", "Did You Know?\n\nA fact&#27;[2J with a bell\x85.\n", 1)
    )
    (tmp_path / "page.txt").write_text(page)
    document = json_film(r'"plot": "One.\r\nTwo.\u001b]0;owned\u0007", "genres": ["Cri\u009bme"]')
    (tmp_path / "heat.json").write_text(document)
    _, err, failed = run(tmp_path / "page.txt", MAKING_OF_PAGE, tmp_path / "heat.json")
    assert (failed, err) == (None, "")
    mask = Film.objects.get(slug="mask-1985")
    assert mask.credits.get(person__name="Ch[31mer").character == "Florence 'Rusty' Dennis"
    assert mask.trivia.filter(text="A fact[2J with a bell.").exists()
    heat = Film.objects.get(slug="heat-1995")
    assert heat.plot == "One.\nTwo.]0;owned"
    assert [genre.name for genre in heat.genres.all()] == ["Crime"]


def test_what_is_printed_of_a_file_cannot_drive_the_terminal(tmp_path):
    """File names and quoted values print their control characters as escapes."""
    named = tmp_path / "\x1b]0;owned\x07.json"
    named.write_text(json_film('"\x1b[2Jcast": 1'.replace("\x1b", "\\u001b")))
    _, err, failed = run(named)
    assert failed is not None
    assert "\x1b" not in err
    assert (
        "error: " + str(tmp_path) + '/\\x1b]0;owned\\x07.json: films[0].\\x1b[2Jcast: unknown key "'
        in err
    )


@pytest.fixture
def film_files(tmp_path):
    """25 documents of a film each, their films no longer in the database: enough for
    importfilms to report its progress."""
    folder = tmp_path / "films"
    folder.mkdir()
    for number in range(1, 26):
        film = Film.objects.create(title=f"Film {number}", slug=f"film-{number:02}", year=2000)
        call_command("exportfilms", "--film", film.slug, "-o", str(folder / f"{film.slug}.json"))
    Film.objects.all().delete()
    return folder


def test_output_closed_between_films_stops_the_import_and_says_what_was_saved(film_files):
    """`importfilms DIR | head`: the import stops at the next progress line; the films
    saved before it stay saved, each in its own transaction, and the message says how many."""
    with pytest.raises(CommandError) as stopped:
        call_command("importfilms", str(film_files), stdout=ClosedAfter("6 of 25 films saved"))
    assert str(stopped.value) == (
        "Stopped: standard output was closed; "
        "6 of 25 films were saved, the others were not imported."
    )
    assert Film.objects.count() == 6


def test_output_closed_while_reading_stops_before_any_film(film_files):
    with pytest.raises(CommandError, match=r"closed; nothing was imported\.$"):
        call_command("importfilms", str(film_files), stdout=ClosedAfter("2 of 25 files read"))
    assert not Film.objects.exists()


def test_output_closed_before_the_report_says_the_films_were_saved(film_files):
    with pytest.raises(CommandError, match=r"before the report; the films were saved\.$"):
        call_command("importfilms", str(film_files), stdout=ClosedAfter(str(film_files)))
    assert Film.objects.count() == 25


def test_output_closed_before_the_report_still_says_which_files_failed(film_files):
    """The report cannot say that a file failed: the message does."""
    (film_files / "film-13.json").write_text("{", encoding="utf-8")
    with pytest.raises(CommandError) as stopped:
        call_command(
            "importfilms",
            str(film_files),
            stdout=ClosedAfter(str(film_files)),
            stderr=io.StringIO(),
        )
    assert str(stopped.value) == (
        "Standard output was closed before the report; "
        "the films were saved but 1 of 25 files failed."
    )
    assert Film.objects.count() == 24
