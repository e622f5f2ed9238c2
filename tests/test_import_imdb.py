import contextlib
import dataclasses
import datetime
import gzip
import hashlib
import json
import re
import tempfile
import threading
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import NamedTuple

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate
from films.importers import imdb
from films.importers.imdb import ImportAborted, MissingFiles, UnreadableFile, import_imdb
from films.importers.imdb_stage import copy_text
from films.importers.imdb_tsv import (
    DEFAULT_TITLE_TYPES,
    Errors,
    MalformedRow,
    Principal,
    TitleTypes,
    blocks_of,
    characters,
    datasets,
    merge_duplicate_credits,
    read_tsv,
    role_and_job,
)
from films.importers.sql import Database
from films.importers.text import without_controls
from films.models import (
    Credit,
    Film,
    Genre,
    ImportedCredits,
    Person,
    PersonSlugRedirect,
    Review,
    Source,
    Trivia,
)
from films.provenance import IMDB_ATTRIBUTION
from tests.builders import make_film, make_person
from tests.imdb_files import awkward_files
from tests.mutations import mutated
from tests.streams import ClosedAfter

HEADERS = {
    "title.basics": "tconst titleType primaryTitle originalTitle isAdult startYear endYear "
    "runtimeMinutes genres",
    "title.ratings": "tconst averageRating numVotes",
    "title.principals": "tconst ordering nconst category job characters",
    "name.basics": "nconst primaryName birthYear deathYear primaryProfession knownForTitles",
    "title.crew": "tconst directors writers",
}
N = "\\N"

BASICS = [
    [
        "tt0000001",
        "movie",
        '"Crocodile" Dundee',
        '"Crocodile" Dundee',
        "0",
        "1986",
        N,
        "97",
        "Adventure,Comedy",
    ],
    ["tt0000002", "movie", "Amélie", "Le Fabuleux Destin d'Amélie Poulain", "0", "2001", N, N, N],
    ["tt0000003", "tvSeries", "A Series", "A Series", "0", "1990", "1995", "30", "Drama"],
    ["tt0000004", "tvMovie", "Amélie", "Amélie", "0", "2001", N, "80", "Drama"],
]
RATINGS = [["tt0000001", "6.5", "1000"], ["tt0000002", "8.3", "700000"], ["tt0000004", "5", "12"]]
PRINCIPALS = [
    ["tt0000001", "1", "nm0000001", "actor", N, '["Michael J. \\"Crocodile\\" Dundee"]'],
    ["tt0000001", "2", "nm0000002", "actress", N, '["Sue Charlton","Narrator"]'],
    ["tt0000001", "3", "nm0000003", "director", N, N],
    ["tt0000001", "4", "nm0000004", "archive_sound", N, N],
    ["tt0000001", "5", "nm0000003", "writer", "screenplay", N],
    ["tt0000001", "6", "nm0000003", "writer", "novel", N],
    ["tt0000001", "7", "nm0000099", "actor", N, '["Ghost"]'],
    ["tt0000002", "1", "nm0000002", "actress", N, '["Amélie"]'],
    ["tt0000002", "2", "nm0000006", "writer", "play", N],
    ["tt0000003", "1", "nm0000001", "self", N, '["Himself"]'],
    ["tt0000009", "1", "nm0000001", "actor", N, '["Nobody"]'],
]
NAMES = [
    ["nm0000001", "Paul Hogan", "1939", N, "actor", "tt0000001"],
    ["nm0000002", "Linda Kozlowski", "1958", N, "actress", N],
    ["nm0000003", "Peter Faiman", N, N, "director", N],
    ["nm0000004", "Archive Voice", "1900", "1890", N, N],
    ["nm0000005", "John Cornell", "1941", "2021", "producer", N],
    ["nm0000006", "William Shakespeare", "1564", "1616", "writer", N],
]
CREW = [["tt0000001", "nm0000003,nm0000005", "nm0000003"], ["tt0000002", N, N]]


def write(directory, name, rows, *, gz=False):
    lines = [HEADERS[name].replace(" ", "\t")] + ["\t".join(row) for row in rows]
    text = "".join(f"{line}\n" for line in lines)
    if gz:
        with gzip.open(directory / f"{name}.tsv.gz", "wt", encoding="utf-8") as file:
            file.write(text)
    else:
        (directory / f"{name}.tsv").write_text(text, encoding="utf-8")


@pytest.fixture
def dataset(tmp_path):
    """The five files with every quirk the importer handles; tests change them in place."""

    def make(gz=False, **changes):
        files = {
            "title.basics": BASICS,
            "title.ratings": RATINGS,
            "title.principals": PRINCIPALS,
            "name.basics": NAMES,
            "title.crew": CREW,
        }
        files.update({name.replace("_", "."): rows for name, rows in changes.items()})
        for path in tmp_path.glob("*.tsv*"):
            path.unlink()
        for name, rows in files.items():
            if rows is not None:
                write(tmp_path, name, rows, gz=gz)
        return tmp_path

    return make


def credits_of(film):
    return {
        (c.person.imdb_id, c.role, c.character): (c.job, c.order, c.is_star)
        for c in film.credits.select_related("person")
    }


def test_titles_are_read_without_quote_processing(db, dataset):
    """Stray quotation marks stay in titles, `\\N` becomes empty, ratings and genres load."""
    import_imdb(directory=dataset())
    dundee = Film.objects.get(imdb_id="tt0000001")
    assert dundee.title == '"Crocodile" Dundee'
    assert dundee.slug == "crocodile-dundee-1986"
    assert (dundee.year, dundee.runtime_minutes) == (1986, 97)
    assert (dundee.rating, dundee.vote_count) == (Decimal("6.5"), 1000)
    assert sorted(dundee.genres.values_list("name", flat=True)) == ["Adventure", "Comedy"]
    assert dundee.original_title == ""  # the same as the title
    amelie = Film.objects.get(imdb_id="tt0000002")
    assert amelie.runtime_minutes is None
    assert amelie.original_title == "Le Fabuleux Destin d'Amélie Poulain"
    assert not amelie.genres.exists()


def test_only_chosen_title_types_are_imported(db, dataset):
    """Series are skipped by default; movies and TV movies are films."""
    result = import_imdb(directory=dataset())
    assert set(Film.objects.values_list("imdb_id", "title_type")) == {
        ("tt0000001", "movie"),
        ("tt0000002", "movie"),
        ("tt0000004", "tvMovie"),
    }
    assert result.titles_skipped == 1


def test_credits_of_other_title_types_are_dropped_while_reading(db, dataset):
    """The series' credit never reaches the database; an unknown title's is still counted."""
    result = import_imdb(directory=dataset())
    assert result.credits_of_other_types == 1
    assert result.missing_title_examples == ["tt0000009"]


def test_title_types_remember_listed_and_chosen_ids():
    titles = TitleTypes()
    titles.add("tt0000003", chosen=False)
    titles.add("tt0000020", chosen=True)
    titles.add(f"tt{TitleTypes.LIMIT}", chosen=False)
    assert titles.drops("tt0000003")
    assert not titles.drops("tt0000020")
    assert not titles.drops("tt0000004")  # never listed: kept, to be reported as missing
    assert not titles.drops("tt9999999")  # past the highest id listed
    assert not titles.drops(f"tt{TitleTypes.LIMIT}")  # too large to record
    assert titles.rows_dropped == 1


def test_colliding_slugs_get_the_imdb_id(db, dataset):
    """Two films named the same in the same year: the first by id takes the plain slug."""
    import_imdb(directory=dataset())
    assert Film.objects.get(imdb_id="tt0000002").slug == "amelie-2001"
    assert Film.objects.get(imdb_id="tt0000004").slug == "amelie-2001-tt0000004"


def test_slug_taken_by_another_film_gets_the_imdb_id(db, dataset):
    make_film(title="Amélie", slug="amelie-2001", year=2001)
    import_imdb(directory=dataset())
    assert Film.objects.get(imdb_id="tt0000002").slug == "amelie-2001-tt0000002"


def test_credits_map_categories_characters_and_jobs(db, dataset):
    """Actors are cast with their characters joined; a category without a role is kept as
    other crew with the category as job; one person's jobs in one role are joined."""
    import_imdb(directory=dataset())
    credits = credits_of(Film.objects.get(imdb_id="tt0000001"))
    assert credits == {
        ("nm0000001", "cast", 'Michael J. "Crocodile" Dundee'): ("", 1, True),
        ("nm0000002", "cast", "Sue Charlton / Narrator"): ("", 2, True),
        ("nm0000003", "director", ""): ("", 3, False),
        ("nm0000004", "other", ""): ("archive_sound", 4, False),
        ("nm0000003", "writer", ""): ("screenplay, novel", 5, False),
        # title.crew's second director follows the principals; its other names are there.
        ("nm0000005", "director", ""): ("", 9, False),
    }


def test_people_are_matched_by_imdb_id_with_plausible_years(db, dataset):
    import_imdb(directory=dataset())
    hogan = Person.objects.get(imdb_id="nm0000001")
    assert (hogan.name, hogan.slug, hogan.birth_year, hogan.death_year) == (
        "Paul Hogan",
        "paul-hogan",
        1939,
        None,
    )
    voice = Person.objects.get(imdb_id="nm0000004")
    assert (voice.birth_year, voice.death_year) == (1900, None)  # died before birth: dropped
    shakespeare = Person.objects.get(imdb_id="nm0000006")
    assert (shakespeare.birth_year, shakespeare.death_year) == (1564, 1616)
    assert not Person.objects.filter(imdb_id="nm0000099").exists()


def test_credits_of_missing_people_and_titles_are_counted(db, dataset):
    """A credit naming a person or a title the files lack is reported, not fatal."""
    result = import_imdb(directory=dataset())
    assert (result.missing_person_credits, result.missing_person_examples) == (1, ["nm0000099"])
    assert (result.missing_title_credits, result.missing_title_examples) == (1, ["tt0000009"])
    assert Credit.objects.count() == 8


def test_malformed_rows_are_reported_with_file_and_line(db, dataset):
    """Bad lines are skipped and named; the rest of the file is imported."""
    basics = [
        *BASICS,
        ["tt0000005", "movie", "Short Row"],
        ["tt0000006", "movie", "Bad Year", N, "0", "19x6", N, N, N],
        ["tt0000007", "movie", "Too Long", N, "0", "2000", N, "99999999999", N],
    ]
    result = import_imdb(directory=dataset(title_basics=basics))
    assert result.errors == [
        "title.basics.tsv:6: 3 fields, expected 9",
        "title.basics.tsv:7: startYear is not a whole number: '19x6'",
        "title.basics.tsv:8: runtimeMinutes is too large: '99999999999'",
    ]
    assert Film.objects.count() == 3


def test_too_many_malformed_rows_stop_and_roll_back(db, dataset):
    """Past --max-errors nothing is saved, not even the rows read before."""
    names = [*NAMES, ["nm0000006", "Bad Year", "19x6", N, N, N], ["nm0000007"]]
    with pytest.raises(ImportAborted) as aborted:
        import_imdb(directory=dataset(name_basics=names), max_errors=1)
    assert aborted.value.errors == [
        "name.basics.tsv:8: birthYear is not a whole number: '19x6'",
        "name.basics.tsv:9: 1 fields, expected 6",
    ]
    assert not Film.objects.exists()
    assert not Person.objects.exists()


def test_gzipped_files_are_read(db, dataset):
    result = import_imdb(directory=dataset(gz=True))
    assert set(result.rows_read) == {
        "title.basics.tsv.gz",
        "title.ratings.tsv.gz",
        "title.principals.tsv.gz",
        "name.basics.tsv.gz",
        "title.crew.tsv.gz",
    }
    assert Film.objects.count() == 3


def test_title_crew_is_optional_and_the_others_are_required(db, dataset):
    import_imdb(directory=dataset(title_crew=None))
    assert not Credit.objects.filter(person__imdb_id="nm0000005").exists()
    with pytest.raises(MissingFiles, match=r"name\.basics"):
        import_imdb(directory=dataset(name_basics=None))


def test_a_second_identical_run_changes_nothing(db, dataset):
    directory = dataset()
    first = import_imdb(directory=directory)
    stamps = dict(Film.objects.values_list("imdb_id", "updated_at"))
    second = import_imdb(directory=directory)
    assert (first.films.created, first.people.created, first.credits.created) == (3, 6, 8)
    assert (second.films.created, second.films.updated, second.films.unchanged) == (0, 0, 3)
    assert (second.people.created, second.people.updated, second.people.unchanged) == (0, 0, 6)
    assert (second.credits.created, second.credits.updated, second.credits.unchanged) == (0, 0, 8)
    assert (second.credits_removed, second.genre_links_added, second.genre_links_removed) == (
        0,
        0,
        0,
    )
    assert dict(Film.objects.values_list("imdb_id", "updated_at")) == stamps


def test_a_changed_file_updates_films_people_and_credits_in_place(db, dataset):
    import_imdb(directory=dataset())
    dundee = Film.objects.get(imdb_id="tt0000001")
    basics = [list(row) for row in BASICS]
    basics[0][8] = "Comedy,Romance"
    ratings = [["tt0000001", "7.1", "2000"], *RATINGS[1:]]
    principals = [list(row) for row in PRINCIPALS]
    principals[1][5] = '["Sue"]'
    names = [["nm0000001", "Paul Hogan", "1939", "2030", N, N], *NAMES[1:]]
    result = import_imdb(
        directory=dataset(
            title_basics=basics,
            title_ratings=ratings,
            title_principals=principals,
            name_basics=names,
        )
    )
    assert (result.films.updated, result.people.updated) == (1, 1)
    assert (result.credits.created, result.credits_removed) == (1, 1)
    assert (result.genre_links_added, result.genre_links_removed) == (1, 1)
    film = Film.objects.get(imdb_id="tt0000001")
    assert (film.pk, film.slug, film.rating, film.vote_count) == (
        dundee.pk,
        dundee.slug,
        Decimal("7.1"),
        2000,
    )
    assert sorted(film.genres.values_list("name", flat=True)) == ["Comedy", "Romance"]
    assert ("nm0000002", "cast", "Sue") in credits_of(film)
    assert ("nm0000002", "cast", "Sue Charlton / Narrator") not in credits_of(film)
    assert Person.objects.get(imdb_id="nm0000001").death_year == 2030


def file_source(directory, name):
    """The Source of a file in `directory`, found by its content."""
    return Source.objects.get(
        content_hash=hashlib.sha256((directory / name).read_bytes()).hexdigest()
    )


def credit_source(imdb_id, person, role):
    credit = Credit.objects.get(film__imdb_id=imdb_id, person__imdb_id=person, role=role)
    return credit.source_id, credit.source_line


def provenance():
    return (
        set(Film.objects.values_list("imdb_id", "source_id")),
        set(Credit.objects.values_list("pk", "source_id", "source_line")),
    )


def test_films_and_credits_name_the_dataset_files_and_lines_they_came_from(db, dataset):
    directory = dataset()
    import_imdb(directory=directory, dataset_date=datetime.date(2026, 11, 1))
    basics = file_source(directory, "title.basics.tsv")
    assert (basics.file_name, basics.format, basics.dataset_date) == (
        "title.basics.tsv",
        Source.Format.IMDB_DATASET,
        datetime.date(2026, 11, 1),
    )
    assert (basics.terms, basics.attribution) == (Source.Terms.NON_COMMERCIAL, IMDB_ATTRIBUTION)
    assert set(Film.objects.values_list("source_id", flat=True)) == {basics.pk}
    principals = file_source(directory, "title.principals.tsv").pk
    crew = file_source(directory, "title.crew.tsv").pk
    # Lines count the header: the first principal is line 2. The two writer rows of one
    # person (lines 6 and 7) are one credit, from the first.
    assert credit_source("tt0000001", "nm0000001", "cast") == (principals, 2)
    assert credit_source("tt0000001", "nm0000003", "writer") == (principals, 6)
    assert credit_source("tt0000002", "nm0000006", "writer") == (principals, 10)
    assert credit_source("tt0000001", "nm0000005", "director") == (crew, 2)


def test_an_identical_re_import_keeps_every_source(db, dataset):
    directory = dataset()
    import_imdb(directory=directory)
    sources, before = Source.objects.count(), provenance()
    (directory / "title.basics.tsv").touch()  # the same bytes on another day
    result = import_imdb(directory=directory)
    assert not result.changed
    assert (Source.objects.count(), provenance()) == (sources, before)


def test_a_changed_fact_names_the_file_that_changed_it(db, dataset):
    """A film whose title changed names the new title.basics, one whose rating alone changed
    the new title.ratings; a credit that changed names the new title.principals and its
    line; what did not change keeps its source, even where its line moved."""
    directory = dataset()
    import_imdb(directory=directory)
    old_basics = file_source(directory, "title.basics.tsv").pk
    old_principals = file_source(directory, "title.principals.tsv").pk
    basics = [list(row) for row in BASICS]
    basics[1][2] = "Amelie"
    ratings = [["tt0000001", "7.1", "2000"], *RATINGS[1:]]
    principals = [["tt0000001", "8", "nm0000005", "producer", N, N], *PRINCIPALS]
    principals[2] = [*principals[2][:5], '["Sue"]']  # line 3 of the first file, now 4
    import_imdb(
        directory=dataset(title_basics=basics, title_ratings=ratings, title_principals=principals)
    )
    films = dict(Film.objects.values_list("imdb_id", "source_id"))
    assert films == {
        "tt0000001": file_source(directory, "title.ratings.tsv").pk,
        "tt0000002": file_source(directory, "title.basics.tsv").pk,
        "tt0000004": old_basics,
    }
    new_principals = file_source(directory, "title.principals.tsv").pk
    sue = Credit.objects.get(person__imdb_id="nm0000002", film__imdb_id="tt0000001")
    assert (sue.character, sue.source_id, sue.source_line) == ("Sue", new_principals, 4)
    assert credit_source("tt0000001", "nm0000005", "producer") == (new_principals, 2)
    assert credit_source("tt0000001", "nm0000001", "cast") == (old_principals, 2)


def test_credits_have_their_films_year_and_follow_it(db, dataset):
    """Credits take their film's year (Credit.year) when imported, and a new year from a
    re-import, those entered by hand included."""
    import_imdb(directory=dataset())
    dundee = Film.objects.get(imdb_id="tt0000001")
    Credit.objects.create(film=dundee, person=make_person(), role="composer", year=1986)
    assert set(Credit.objects.values_list("film__year", "year").distinct()) == {
        (1986, 1986),
        (2001, 2001),
    }
    basics = [list(row) for row in BASICS]
    basics[0][5] = "1987"
    import_imdb(directory=dataset(title_basics=basics))
    assert set(dundee.credits.values_list("year", flat=True)) == {1987}


def test_a_scraped_film_keeps_its_pages_and_slug(db, dataset):
    """IMDb data for a film loaded from a scraped page updates what IMDb knows and leaves
    trivia, reviews, plot and credits entered by hand alone."""
    film = make_film(
        title="Crocodile Dundee",
        slug="crocodile-dundee",
        year=1986,
        imdb_id="tt0000001",
        plot="A reporter goes to the outback.",
    )
    Trivia.objects.create(film=film, text="Filmed in Kakadu.")
    Review.objects.create(film=film, body="Great fun.", score=4, scale=5)
    scraped = film.credits.create(
        person=Person.objects.create(name="Paul Hogan", slug="paul-hogan-scraped"),
        role=Credit.Role.CAST,
        character="Mick Dundee",
    )
    result = import_imdb(directory=dataset())
    film.refresh_from_db()
    assert result.films.updated == 1
    assert (film.title, film.slug, film.plot) == (
        '"Crocodile" Dundee',
        "crocodile-dundee",
        "A reporter goes to the outback.",
    )
    assert film.trivia.get().text == "Filmed in Kakadu."
    assert film.reviews.get().body == "Great fun."
    assert film.credits.filter(pk=scraped.pk).exists()


def test_min_votes_and_limit_choose_titles(db, dataset):
    import_imdb(directory=dataset(), min_votes=100)
    assert set(Film.objects.values_list("imdb_id", flat=True)) == {"tt0000001", "tt0000002"}
    Film.objects.all().delete()
    import_imdb(directory=dataset(), limit=1)
    assert list(Film.objects.values_list("imdb_id", flat=True)) == ["tt0000001"]


def test_dry_run_saves_nothing_and_reports_what_it_would_do(db, dataset):
    result = import_imdb(directory=dataset(), dry_run=True)
    assert result.films.created == 3
    assert not Film.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement timeout")
def test_the_sites_statement_timeout_does_not_cut_an_import_short(db, dataset):
    """The site cancels slow page queries; an import of millions of rows is allowed its
    minutes."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
        try:
            result = import_imdb(directory=dataset())
        finally:
            cursor.execute("RESET statement_timeout")
    assert result.films.created == Film.objects.count() > 0


def test_the_database_decides_how_rows_are_staged(db, dataset):
    """PostgreSQL stages rows with COPY, SQLite with batched inserts."""
    result = import_imdb(directory=dataset())
    expected = "copy" if connection.vendor == "postgresql" else "executemany"
    assert result.method == expected


def test_command_prints_a_summary(db, dataset):
    out, err = StringIO(), StringIO()
    call_command("importimdb", str(dataset()), stdout=out, stderr=err)
    summary = out.getvalue()
    assert "Films: 3 created, 0 updated, 0 unchanged." in summary
    assert "person not in the files: 1 (e.g. nm0000099)" in summary
    assert "title not in the files: 1 (e.g. tt0000009)" in summary


def test_command_dates_the_sources_by_its_dataset_date_else_by_the_files(db, dataset):
    directory = dataset()
    call_command("importimdb", str(directory), "--dataset-date", "2026-11-01", stdout=StringIO())
    assert set(Source.objects.values_list("dataset_date", flat=True)) == {
        datetime.date(2026, 11, 1)
    }
    write(directory, "title.crew", CREW[:1])
    call_command("importimdb", str(directory), stdout=StringIO())
    modified = datetime.datetime.fromtimestamp(
        (directory / "title.crew.tsv").stat().st_mtime, tz=datetime.UTC
    ).date()
    assert file_source(directory, "title.crew.tsv").dataset_date == modified


def test_command_fails_past_max_errors(db, dataset):
    names = [*NAMES, ["nm0000007"]]
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("importimdb", str(dataset(name_basics=names)), "--max-errors=0", stderr=err)
    assert "name.basics.tsv:8: 1 fields, expected 6" in err.getvalue()


def test_characters_join_several_parts_and_survive_broken_json():
    assert characters('["Mary","Jane"]') == "Mary / Jane"
    assert characters('["Dr. \\"Mac\\""]') == 'Dr. "Mac"'
    assert characters('["Broken "quote"]') == 'Broken "quote'
    assert characters(None) == ""


def test_characters_escaped_over_tabs_and_lines_are_one_line():
    """A tab, newline or carriage return a JSON escape writes into a part's name is a space
    (a run of whitespace around it too), and none is left at the name's ends."""
    assert characters('["Mary\\tJane","Bob\\nSmith"]') == "Mary Jane / Bob Smith"
    assert (
        characters('["Carriage \\r\\n  return","\\tIndented\\n"]') == "Carriage return / Indented"
    )
    assert characters('["\\r\\n","Kept  twice"]') == "Kept  twice"


def test_categories_become_roles():
    assert role_and_job("actress", None) == ("cast", "")
    assert role_and_job("self", None) == ("self", "")
    assert role_and_job("archive_footage", None) == ("archive_footage", "")
    assert role_and_job("production_designer", None) == ("production_designer", "")
    assert role_and_job("writer", "novel") == ("writer", "novel")
    assert role_and_job("stunts", "stunt double") == ("other", "stunts: stunt double")


def test_duplicate_principals_of_a_title_merge():
    rows = [
        Principal("tt1", "nm1", "writer", "screenplay", "", 3, line=2),
        Principal("tt1", "nm1", "writer", "novel", "", 2, line=3),
        Principal("tt1", "nm2", "cast", "", "Mary", 1, line=4),
        Principal("tt2", "nm1", "writer", "", "", 1, line=5),
    ]
    assert list(merge_duplicate_credits(rows)) == [
        ("tt1", "nm1", "writer", "screenplay, novel", "", 2, 2, None),
        ("tt1", "nm2", "cast", "", "Mary", 1, 4, None),
        ("tt2", "nm1", "writer", "", "", 1, 5, None),
    ]


def test_generated_data_is_deterministic_and_imports(db, tmp_path):
    first = generate(films=40, out=tmp_path / "a", seed=3)
    generate(films=40, out=tmp_path / "b", seed=3)
    for name in first:
        assert (tmp_path / "a" / f"{name}.tsv").read_bytes() == (
            tmp_path / "b" / f"{name}.tsv"
        ).read_bytes()
    result = import_imdb(directory=tmp_path / "a")
    assert result.errors == []
    assert result.films.created == 40
    assert Film.objects.get(imdb_id="tt0000007").credits.count() > 400  # the big film


def test_indexes_and_constraints_are_the_same_after_a_bulk_load(db, dataset):
    """Loading into empty tables drops their indexes and constraints on PostgreSQL and must
    put back exactly what the migrations made."""
    tables = [model._meta.db_table for model in (Film, Film.genres.through, Person, Credit)]

    def schema():
        with connection.cursor() as cursor:
            return {t: connection.introspection.get_constraints(cursor, t) for t in tables}

    before = schema()
    import_imdb(directory=dataset())
    assert Credit.objects.count() == 8
    assert schema() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's tables keep indexes")
def test_a_bulk_load_checks_the_foreign_keys_to_the_table_it_fills_last(db):
    """The table a bulk load fills after its block (the people a prepared import swaps in
    once the credits are indexed) gets the foreign keys that reference it after it is
    filled; the others are checked before, while it is still being made."""
    credit, film, person, source = (
        model._meta.db_table for model in (Credit, Film, Person, Source)
    )
    referenced_when_filled = []
    with connection.cursor() as cursor:
        db = Database(cursor, served=film)

        def fill():
            referenced_when_filled.extend(db.referenced_by(credit))

        with db.bulk_load(credit, filling=(person, fill)):
            assert db.referenced_by(credit) == []
        assert sorted(referenced_when_filled) == sorted([film, source])
        assert sorted(db.referenced_by(credit)) == sorted([film, person, source])


def dropped_indexes(queries):
    return [q["sql"] for q in queries if q["sql"].startswith(("DROP INDEX", "ALTER TABLE"))]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's tables keep indexes")
def test_indexes_are_dropped_only_on_tables_that_hold_nothing_the_site_serves(db, dataset):
    """Dropping an index locks its table against readers until the import commits: a first
    import drops those of the empty tables, and one into tables with rows (new films beside
    old ones, or the monthly refresh) keeps every index, and the site reads on."""
    with CaptureQueriesContext(connection) as first:
        import_imdb(directory=dataset(title_basics=BASICS[:1]))
    assert dropped_indexes(first)
    with CaptureQueriesContext(connection) as second:
        result = import_imdb(directory=dataset())
    assert result.films.created == 2
    assert dropped_indexes(second) == []
    # The films' digests lost (a site imported before they were kept): dropping their
    # table's foreign key would lock the films too.
    ImportedCredits.objects.all().delete()
    with CaptureQueriesContext(connection) as third:
        import_imdb(directory=dataset())
    assert dropped_indexes(third) == []
    assert ImportedCredits.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's tables keep indexes")
def test_an_empty_table_beside_served_films_keeps_its_foreign_keys(db, dataset):
    """A site serving films with no credits yet: dropping the credits' foreign keys would lock
    the films against readers too, so the credits table keeps them and its indexes."""
    uncredited = [row for row in BASICS if row[0] == "tt0000004"]  # in no credit file
    import_imdb(directory=dataset(title_basics=uncredited))
    assert Film.objects.exists()
    assert not Credit.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        result = import_imdb(directory=dataset())
    assert result.credits.created == 8
    dropped = dropped_indexes(queries)
    assert any("films_person" in sql for sql in dropped)  # empty, and referencing nothing
    assert [sql for sql in dropped if "films_credit" in sql] == []


@given(st.lists(st.text()))
def test_characters_read_any_json_array_of_names(names):
    """The shortcut for one plain name agrees with reading the JSON."""
    text = json.dumps(names, ensure_ascii=False)
    expected = " / ".join(name for name in map(one_line, names) if name)[:500]
    assert characters(text) == expected


def one_line(name):
    """A part's name as characters() reads it: without control characters, and where it holds
    a tab or a line break, each run of whitespace holding one a space, the ends stripped."""
    if not re.search("[\t\n\r]", name):
        return without_controls(name)
    return without_controls(re.sub(r"\s*[\t\n\r]\s*", " ", name)).strip()


def test_command_shows_progress_per_file_only_when_asked(db, dataset):
    """Off a terminal, progress lines appear at verbosity 2 and not at the default."""
    directory = dataset()
    quiet, verbose = StringIO(), StringIO()
    call_command("importimdb", str(directory), "--dry-run", stdout=quiet)
    call_command("importimdb", str(directory), "--dry-run", verbosity=2, stdout=verbose)
    assert "title.principals.tsv: 11 rows" in verbose.getvalue()
    assert "merging credits:" in verbose.getvalue()
    assert "rows/s" not in quiet.getvalue()
    assert "nothing was saved" in quiet.getvalue()
    assert not Film.objects.exists()


class Log(StringIO):
    """Output that keeps what had been written at each flush."""

    def __init__(self):
        super().__init__()
        self.flushed = []

    def flush(self):
        self.flushed.append(self.getvalue())


def test_progress_off_a_terminal_is_flushed_as_each_stage_ends(db, dataset):
    """Piped into a log, a stage's line is there as the next stage begins, not when the
    import ends."""
    log = Log()
    call_command("importimdb", str(dataset()), "--dry-run", verbosity=2, stdout=log)
    stages = [line for line in log.getvalue().splitlines() if line.endswith(" s")]
    assert len(stages) > 5
    for number, line in enumerate(stages):
        seen = next((text for text in log.flushed if line in text), "")
        assert line in seen, line
        assert not any(later in seen for later in stages[number + 1 :]), line


def test_people_keep_their_professions_and_known_for_titles(db, dataset):
    """name.basics' primaryProfession and knownForTitles are kept verbatim, "" for \\N, and a
    re-import with other values updates them."""
    names = [list(row) for row in NAMES]
    names[0][4:] = ["actor,producer,writer", "tt0000001,tt0090555"]
    first = import_imdb(directory=dataset(name_basics=names))
    hogan = Person.objects.get(imdb_id="nm0000001")
    assert (hogan.professions, hogan.known_for) == ("actor,producer,writer", "tt0000001,tt0090555")
    assert Person.objects.filter(imdb_id="nm0000002").values_list(
        "professions", "known_for"
    ).get() == ("actress", "")
    names[0][4:] = ["actor", N]
    names[1][5] = "tt0000002"
    second = import_imdb(directory=dataset(name_basics=names))
    assert (first.people.created, second.people.updated) == (6, 2)
    people = Person.objects.filter(imdb_id__in=["nm0000001", "nm0000002"]).order_by("imdb_id")
    assert list(people.values_list("professions", "known_for")) == [
        ("actor", ""),
        ("actress", "tt0000002"),
    ]
    assert import_imdb(directory=dataset(name_basics=names)).people.updated == 0


def test_a_re_import_that_changes_a_title_shows_at_the_next_request(
    db,
    dataset,
    client,
    settings,
    local_caches,
    writers_announce_changes,
    django_capture_on_commit_callbacks,
):
    """With the page cache on, a film page cached before a re-import that renames the film
    shows the new title at the next request: the importer itself says the data changed."""
    settings.PAGE_CACHE_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):
        import_imdb(directory=dataset())
    url = Film.objects.get(imdb_id="tt0000001").get_absolute_url()
    assert "Crocodile" in client.get(url).text
    basics = [list(row) for row in BASICS]
    basics[0][2] = "Mick Dundee"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_imdb(directory=dataset(title_basics=basics))
    assert len(callbacks) == 1
    page = client.get(url).text
    assert "Mick Dundee" in page
    assert "Crocodile" not in page.split("<title>")[1].split("</title>")[0]


def test_an_identical_re_import_keeps_cached_pages(
    db, dataset, writers_announce_changes, django_capture_on_commit_callbacks
):
    """Nothing changed, nothing to refresh: an identical re-import asks for no new version."""
    import_imdb(directory=dataset())
    with django_capture_on_commit_callbacks() as callbacks:
        result = import_imdb(directory=dataset())
    assert (result.changed, callbacks) == (False, [])


def gzip_bytes(directory, name):
    return (directory / f"{name}.tsv.gz").read_bytes()


def cut_short(directory):
    data = gzip_bytes(directory, "title.principals")
    (directory / "title.principals.tsv.gz").write_bytes(data[: len(data) // 2])


def corrupt(directory):
    data = bytearray(gzip_bytes(directory, "title.principals"))
    data[20:40] = b"\xff" * 20
    (directory / "title.principals.tsv.gz").write_bytes(bytes(data))


def not_gzip(directory):
    (directory / "title.principals.tsv.gz").write_bytes(b"tconst\tordering\n")


def with_nul(directory):
    path = directory / "title.basics.tsv"
    path.write_bytes(path.read_bytes().replace(b"Crocodile", b"Croco\0dile", 1))


def with_latin_1(directory):
    path = directory / "name.basics.tsv"
    path.write_bytes(path.read_bytes().replace(b"Paul Hogan", "Paul Hogän".encode("latin-1")))


# Each damaged file stops the import with its name (and line) and writes nothing.
DAMAGED = {
    "gzip cut short": (
        True,
        cut_short,
        "title.principals.tsv.gz: the file is cut short (its gzip data ends",
    ),
    "corrupt gzip": (True, corrupt, "title.principals.tsv.gz: not a readable gzip file"),
    "not gzip": (True, not_gzip, "title.principals.tsv.gz: not a readable gzip file"),
    "NUL byte in a title": (
        False,
        with_nul,
        "title.basics.tsv:2: a NUL byte; this is not a text file",
    ),
    "not UTF-8": (False, with_latin_1, "name.basics.tsv:2: not UTF-8 text (byte 0xe4"),
}


@pytest.mark.parametrize("name", DAMAGED)
def test_a_damaged_file_stops_the_import_with_a_message_and_writes_nothing(db, dataset, name):
    """A file that cannot be read to its end is named (with its line where it has one),
    never a traceback, and the import stays all-or-nothing: what the site had, it keeps."""
    gz, damage, words = DAMAGED[name]
    directory = dataset(gz=gz)
    call_command("importimdb", str(directory), stdout=StringIO())
    films = Film.objects.order_by("imdb_id").values_list("imdb_id", "title", "rating")
    before = list(films)
    changed = [[*row[:2], f"{row[2]} (changed)", *row[3:]] for row in BASICS]
    damage(dataset(gz=gz, title_basics=changed))
    with pytest.raises(CommandError) as failed:
        call_command("importimdb", str(directory), stdout=StringIO(), stderr=StringIO())
    assert str(failed.value).startswith(words)
    assert str(failed.value).endswith("; nothing was imported.")
    assert list(films) == before


def test_a_header_without_its_columns_is_named_not_counted_as_rows(db, dataset):
    directory = dataset()
    (directory / "title.ratings.tsv").write_text("tconst\tscore\ntt0000001\t5\n")
    with pytest.raises(CommandError) as failed:
        call_command("importimdb", str(directory), stdout=StringIO())
    assert str(failed.value) == (
        "title.ratings.tsv:1: the header has no averageRating, numVotes column; "
        "nothing was imported."
    )


def test_control_characters_are_removed_from_what_is_stored(db, dataset):
    """ESC, carriage returns and C1 controls in a line, or written as JSON escapes in the
    characters, are not stored; tabs still separate the fields."""
    basics = [["tt0000001", "movie", "Esc\x1b[31mape\r", N, "0", "1981", N, "99", "Act\x85ion"]]
    principals = [["tt0000001", "1", "nm0000001", "actor", N, '["Snake \\u001b[2J", "\x07Bob"]']]
    result = import_imdb(
        directory=dataset(title_basics=basics, title_principals=principals, title_crew=None)
    )
    assert result.errors == []
    film = Film.objects.get()
    assert (film.title, [genre.name for genre in film.genres.all()]) == ("Esc[31mape", ["Action"])
    assert film.credits.get().character == "Snake [2J / Bob"


def test_rows_that_cannot_be_stored_are_malformed_not_a_crash(db, dataset):
    """A lone surrogate written as a JSON escape, digits Python will not read as a number,
    and deep nesting in the characters are each a malformed row or a kept string."""
    basics = [*BASICS, ["tt0000005", "movie", "Squared", N, "0", "19²6", N, "9", N]]
    principals = [
        *PRINCIPALS,
        ["tt0000002", "3", "nm0000001", "actor", N, '["Jean \\ud800"]'],
        ["tt0000002", "4", "nm0000003", "actor", N, "[" * 100_000],
    ]
    result = import_imdb(directory=dataset(title_basics=basics, title_principals=principals))
    assert result.errors == [
        "title.basics.tsv:6: startYear is not a whole number: '19²6'",
        "title.principals.tsv:13: characters hold a lone surrogate, which is not a character: "
        "'[\"Jean \\\\ud800\"]'",
    ]
    assert Credit.objects.filter(person__imdb_id="nm0000003", role="cast").count() == 1


IMDB_SEEDS = {
    name: "".join(
        f"{line}\n"
        for line in [HEADERS[name].replace(" ", "\t")] + ["\t".join(row) for row in rows]
    ).encode()
    for name, rows in {
        "title.basics": BASICS,
        "title.ratings": RATINGS,
        "title.principals": PRINCIPALS,
        "name.basics": NAMES,
        "title.crew": CREW,
    }.items()
}


@settings(max_examples=120, deadline=None)
@given(
    st.sampled_from(sorted(IMDB_SEEDS)).flatmap(
        lambda name: st.tuples(
            st.just(name),
            st.one_of(st.binary(max_size=300), mutated(IMDB_SEEDS[name])),
            st.booleans(),
        )
    )
)
def test_any_bytes_give_rows_or_the_importers_own_errors(case):
    """The IMDb reader, fed random bytes or a dataset file cut, repeated or laced with NUL
    bytes, ESC, bytes that are not UTF-8 and the like, plain or gzipped (and gzip cut short),
    gives rows whose text holds no control character, malformed rows, or UnreadableFile."""
    name, data, gz = case
    dataset = datasets(DEFAULT_TITLE_TYPES, TitleTypes(), set())[name]
    texts = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.tsv{'.gz' if gz else ''}"
        path.write_bytes(gzip.compress(data)[: len(data) + 10] if gz else data)
        try:
            header, lines = read_tsv(path)
            positions = [header.index(c) for c in dataset.columns if c in header]
            for line_number, fields in lines:
                if len(positions) < len(dataset.columns) or len(fields) != len(header):
                    continue
                with contextlib.suppress(MalformedRow):
                    rows = dataset.rows([fields[i] for i in positions], line_number)
                    texts += [value for row in rows for value in row if isinstance(value, str)]
        except UnreadableFile as error:
            texts = error
    if isinstance(texts, UnreadableFile):
        assert texts.message.startswith(path.name)
    else:
        assert all(text == without_controls(text) for text in texts)
        assert all(isinstance(text.encode("utf-8"), bytes) for text in texts)


def test_malformed_rows_of_all_files_count_together_toward_max_errors(db, dataset):
    """One bad line in title.basics and one in name.basics are two: past --max-errors 1,
    nothing is saved, and both are named in the files' order."""
    basics = [*BASICS, ["tt0000005", "movie", "Short Row"]]
    names = [*NAMES, ["nm0000007"]]
    with pytest.raises(ImportAborted) as aborted:
        import_imdb(directory=dataset(title_basics=basics, name_basics=names), max_errors=1)
    assert aborted.value.errors == [
        "title.basics.tsv:6: 3 fields, expected 9",
        "name.basics.tsv:8: 1 fields, expected 6",
    ]
    assert not Film.objects.exists()


def staging_tables():
    """The readers' tables, in the site's schema, and the schemas of the runs' merges."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename LIKE 'imdb%' "
            "UNION ALL SELECT nspname FROM pg_namespace WHERE nspname LIKE 'imdb%'"
        )
        return sorted(name for (name,) in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stages in line")
@pytest.mark.django_db(transaction=True)
def test_files_are_staged_by_other_sessions_into_tables_always_dropped(dataset):
    """On PostgreSQL the files are read by other processes into tables of their own, named
    for the run and committed for the import to read, and merged through tables in a schema
    of the run's; every one is dropped when the import ends, whether it commits, is a dry
    run, or fails."""
    seen = []

    def look(progress):
        if progress.stage.startswith("merging") and "people" in progress.stage:
            seen.extend(staging_tables())

    import_imdb(directory=dataset(), on_progress=look)
    # A table per file, the schema of the merges' tables, and that of the tables prepared
    # by a second session (a first import: tests/test_import_imdb_prepared.py).
    assert len(seen) == 7
    assert len({name.split("_")[1] for name in seen}) == 1  # one run
    assert staging_tables() == []
    import_imdb(directory=dataset(), dry_run=True)
    assert staging_tables() == []
    names = [*NAMES, ["nm0000007"], ["nm0000008"]]
    with pytest.raises(ImportAborted):
        import_imdb(directory=dataset(name_basics=names), max_errors=1)
    assert staging_tables() == []
    directory = dataset(gz=True)
    cut_short(directory)
    with pytest.raises(UnreadableFile):
        import_imdb(directory=directory)
    assert staging_tables() == []
    assert Film.objects.count() == 3


# The first import into a site without films, on PostgreSQL: a second session prepares the
# titles and the people's table while the import's session writes (imdb.Preparation). What
# it writes must be what the import's session writes alone, and a failure anywhere must
# leave nothing behind: no rows, no tables, no schema.

STEPS = ["titles", "person ids", "people", "person table", "missing titles"]


def site():
    """Everything the import writes, by IMDb ids and names rather than row ids."""
    films = {
        film.imdb_id: (
            film.title,
            film.original_title,
            film.title_type,
            film.slug,
            film.year,
            film.runtime_minutes,
            film.rating,
            film.vote_count,
            film.source.file_name,
            sorted(genre.slug for genre in film.genres.all()),
        )
        for film in Film.objects.select_related("source").prefetch_related("genres")
    }
    people = {
        person.imdb_id: (
            person.name,
            person.slug,
            person.birth_year,
            person.death_year,
            person.professions,
            person.known_for,
            person.prominence,
        )
        for person in Person.objects.all()
    }
    credits = {
        (credit.film.imdb_id, credit.person.imdb_id, credit.role, credit.character): (
            credit.job,
            credit.order,
            credit.is_star,
            credit.year,
            credit.credited_as,
            credit.uncredited,
            credit.source.file_name,
            credit.source_line,
        )
        for credit in Credit.objects.select_related("film", "person", "source")
    }
    digests = {
        row.film.imdb_id: row.digest for row in ImportedCredits.objects.select_related("film")
    }
    genres = sorted(Genre.objects.values_list("name", "slug"))
    return films, people, credits, digests, genres


def empty_the_site():
    tables = [name for name in connection.introspection.table_names() if name.startswith("films_")]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture
def prepared(monkeypatch):
    """The steps each Preparation of the test committed."""
    steps = []
    commit = imdb.Preparation._commit

    def spy(self, step):
        commit(self, step)
        steps.append(step)

    monkeypatch.setattr(imdb.Preparation, "_commit", spy)
    return steps


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's alone")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("files", ["awkward", "generated"])
def test_a_prepared_import_writes_what_the_import_alone_writes(
    files, tmp_path, prepared, monkeypatch
):
    """Every fact, slug, star, billing, prominence, digest and count the same, on files full
    of awkward lines (malformed ones, titles of one name and year, people missing from
    name.basics, rows of a title apart) and on generated ones of a realistic shape. The
    import alone writes the credits through imdb_credit, as a re-import and SQLite do; the
    prepared one straight from the staged rows."""
    if files == "awkward":
        awkward_files(tmp_path, seed=5, titles=800)
    else:
        generate(films=300, out=tmp_path, seed=4)
    result = import_imdb(directory=tmp_path, max_errors=100_000)
    assert prepared == STEPS
    written = site()
    assert written[2], "the files credit people"
    empty_the_site()
    monkeypatch.setattr(imdb.Preparation, "wanted", staticmethod(lambda: False))
    monkeypatch.setattr(imdb, "_credits_straight_in", lambda db: False)
    alone = import_imdb(directory=tmp_path, max_errors=100_000)
    assert prepared == STEPS  # no second preparation
    assert site() == written
    assert dataclasses.asdict(alone) == dataclasses.asdict(result)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's alone")
@pytest.mark.django_db(transaction=True)
def test_an_import_into_a_site_with_films_is_not_prepared(dataset, prepared):
    """The second session sees only committed rows: it prepares only the first import. The
    ids it took for films, people and credits are taken: rows made afterwards get the next
    ones. People's ids follow their IMDb ids, with a gap where name.basics names someone no
    selected title credits."""
    import_imdb(directory=dataset())
    assert prepared == STEPS
    films = list(Film.objects.order_by("id").values_list("id", flat=True))
    people = list(Person.objects.order_by("imdb_id").values_list("id", flat=True))
    credits = list(Credit.objects.order_by("id").values_list("id", flat=True))
    assert films == list(range(films[0], films[0] + len(films)))
    assert people == sorted(people)
    assert credits == list(range(credits[0], credits[0] + len(credits)))
    film, person = make_film(), make_person()
    assert film.id == films[-1] + 1
    assert person.id > people[-1]
    credit = Credit.objects.create(film=film, person=person, role="director", year=film.year)
    assert credit.id == credits[-1] + 1
    import_imdb(directory=dataset())
    assert prepared == STEPS


def table_schema(table):
    """What the database holds of `table` beside its rows: its columns, constraints,
    indexes, identity sequence, triggers (those of its foreign keys on the tables they
    reference too), schema, persistence, owner, grants and comment."""
    queries = {
        "columns": """
            SELECT attname, format_type(atttypid, atttypmod), attnotnull, attidentity,
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE attrelid = %(t)s::regclass AND attnum > 0 AND NOT attisdropped
            ORDER BY attnum
        """,
        "constraints": """
            SELECT conname, pg_get_constraintdef(oid), condeferrable, condeferred,
                   convalidated
            FROM pg_constraint WHERE conrelid = %(t)s::regclass ORDER BY conname
        """,
        "indexes": """
            SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisvalid
            FROM pg_index WHERE indrelid = %(t)s::regclass ORDER BY 1
        """,
        "sequence": """
            SELECT s.seqtypid::regtype::text, s.seqstart, s.seqincrement, s.seqcycle
            FROM pg_sequence s
            WHERE s.seqrelid = pg_get_serial_sequence(%(t)s, 'id')::regclass
        """,
        "sequence name": "SELECT pg_get_serial_sequence(%(t)s, 'id')",
        "triggers": """
            SELECT tgrelid::regclass::text, tgfoid::regproc::text, tgtype, tgdeferrable,
                   tginitdeferred
            FROM pg_trigger WHERE %(t)s::regclass IN (tgrelid, tgconstrrelid)
            ORDER BY 1, 2, 3, 4, 5
        """,
        "table": """
            SELECT relnamespace::regnamespace::text, relpersistence, relowner::regrole::text,
                   relacl::text, reloptions, obj_description(oid, 'pg_class')
            FROM pg_class WHERE oid = %(t)s::regclass
        """,
    }
    with connection.cursor() as cursor:
        schema = {}
        for name, sql in queries.items():
            cursor.execute(sql, {"t": table})
            schema[name] = cursor.fetchall()
        return schema


def table_oid(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::regclass::oid", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's alone")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("referenced", [False, True], ids=["as migrated", "referenced"])
def test_the_prepared_table_of_people_replaces_the_empty_one_unchanged_but_for_its_rows(
    dataset, prepared, referenced
):
    """The second session builds the people's table, and the import's session swaps it in:
    migrations and grants find what they found before, the tables whose foreign keys
    reference it (the credits', the old slugs', one of someone else's) too, and no person
    takes an id that one deleted before had."""
    table = Person._meta.db_table
    referencing = [Credit._meta.db_table, PersonSlugRedirect._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT SELECT, UPDATE ON {table} TO PUBLIC")
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1000)")
        if referenced:
            cursor.execute(
                "CREATE TABLE person_note (id bigint GENERATED BY DEFAULT AS IDENTITY, "
                f"person_id bigint REFERENCES {table})"
            )
            referencing.append("person_note")
    try:
        before = {name: table_schema(name) for name in [table, *referencing]}
        oid = table_oid(table)
        result = import_imdb(directory=dataset())
        assert prepared == STEPS
        assert table_oid(table) != oid, "the table was swapped in"
        for name in [table, *referencing]:
            after = table_schema(name)
            for part in before[name]:
                assert (name, part, after[part]) == (name, part, before[name][part])
        ids = sorted(Person.objects.values_list("id", flat=True))
        assert result.people.created > 0
        assert ids == list(range(1001, 1001 + result.people.created))
        assert Credit.objects.filter(person__imdb_id="nm0000001").exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
            cursor.execute("DROP TABLE IF EXISTS person_note")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's alone")
@pytest.mark.django_db(transaction=True)
def test_the_people_are_prepared_while_the_credits_foreign_keys_are_dropped(
    dataset, prepared, monkeypatch
):
    """Dropping the credits' foreign key to the people's table locks that table against
    every reader until the import commits: the second session, which sums the people's
    votes and writes and indexes their table meanwhile, must not need to read it then."""
    credits_written = threading.Event()
    credits_sql, credited_people = imdb.credits_sql, imdb.credited_people

    def writing_credits(*args):
        credits_written.set()  # the credits' table is stripped of its keys by now
        return credits_sql(*args)

    def crediting_after_them(db, **kwargs):
        if kwargs.get("ids"):  # in the second session
            assert credits_written.wait(timeout=30)
        return credited_people(db, **kwargs)

    monkeypatch.setattr(imdb, "credits_sql", writing_credits)
    monkeypatch.setattr(imdb, "credited_people", crediting_after_them)
    result = import_imdb(directory=dataset())
    assert prepared == STEPS
    assert Person.objects.count() == result.people.created > 0
    assert Credit.objects.filter(person__imdb_id="nm0000001").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's alone")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("added", "removed"),
    [
        (
            "CREATE VIEW famous AS SELECT * FROM films_person WHERE prominence > 0",
            "DROP VIEW famous",
        ),
        (
            "COMMENT ON TABLE films_person IS 'Who made films'",
            "COMMENT ON TABLE films_person IS NULL",
        ),
    ],
    ids=["view", "comment"],
)
def test_a_people_table_with_more_than_the_migrations_made_is_written_into(
    dataset, prepared, added, removed
):
    """What a swap would lose, a view, a comment, stays: the prepared people are inserted
    into the table instead."""
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(added)
    try:
        before, oid = table_schema(table), table_oid(table)
        result = import_imdb(directory=dataset())
        assert prepared == STEPS
        assert table_oid(table) == oid
        assert table_schema(table) == before
        assert Person.objects.count() == result.people.created > 0
        assert Credit.objects.count() == result.credits.created > 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute(removed)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's alone")
@pytest.mark.django_db(transaction=True)
def test_a_prepared_import_that_fails_leaves_nothing_behind(dataset, prepared, monkeypatch):
    """A file cut short, too many malformed lines, an error in the second session, a dry
    run: no film, no table, no schema remains, and the error is the one that happened."""
    directory = dataset(gz=True)
    cut_short(directory)
    with pytest.raises(UnreadableFile):
        import_imdb(directory=directory)
    assert staging_tables() == []
    assert not Film.objects.exists()

    with pytest.raises(ImportAborted):
        import_imdb(directory=dataset(name_basics=[*NAMES, ["nm7"], ["nm8"]]), max_errors=1)
    assert staging_tables() == []
    assert not Film.objects.exists()

    credited_people = imdb.credited_people

    def fails(db, *, ids=None):
        if ids is not None:  # in the second session
            raise RuntimeError("the second session failed")
        return credited_people(db)

    monkeypatch.setattr(imdb, "credited_people", fails)
    with pytest.raises(RuntimeError, match="the second session failed"):
        import_imdb(directory=dataset())
    assert staging_tables() == []
    assert not Film.objects.exists()
    monkeypatch.setattr(imdb, "credited_people", credited_people)

    result = import_imdb(directory=dataset(), dry_run=True)
    assert result.films.created == 3
    assert prepared[-len(STEPS) :] == STEPS
    assert staging_tables() == []
    assert not Film.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's alone")
@pytest.mark.django_db(transaction=True)
def test_the_prepared_tables_of_a_killed_import_are_dropped_by_the_next(dataset):
    """A run whose process died left its schema: the next import drops it."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA imdb_0badc0de_prep")
        cursor.execute("CREATE TABLE imdb_0badc0de_prep.imdb_selected (tconst text)")
    import_imdb(directory=dataset())
    assert staging_tables() == []
    assert Film.objects.count() == 3


def test_the_first_three_billed_cast_members_are_the_stars(db, dataset):
    """Stars are the cast billed first, whatever else is billed before them."""
    principals = [
        ["tt0000002", "1", "nm0000006", "writer", N, N],
        ["tt0000002", "5", "nm0000001", "actor", N, '["D"]'],
        ["tt0000002", "2", "nm0000002", "actress", N, '["A"]'],
        ["tt0000002", "4", "nm0000004", "actor", N, '["C"]'],
        ["tt0000002", "3", "nm0000005", "self", N, '["Himself"]'],
        ["tt0000002", "6", "nm0000003", "actor", N, '["B"]'],
    ]
    import_imdb(directory=dataset(title_principals=principals))
    amelie = Film.objects.get(imdb_id="tt0000002")
    stars = {c.person.imdb_id: c.is_star for c in amelie.credits.select_related("person")}
    assert stars == {
        "nm0000006": False,  # billed first, but no cast member
        "nm0000002": True,
        "nm0000005": False,  # "self" is not the cast
        "nm0000004": True,
        "nm0000001": True,
        "nm0000003": False,  # the fourth of the cast
    }


def test_a_cast_member_missing_from_the_files_leaves_the_star_to_the_next(db, dataset):
    """The cast billed first whom name.basics names are the stars: a credit skipped for a
    missing person takes no star with it."""
    principals = [
        ["tt0000002", "1", "nm0000099", "actor", N, '["Ghost"]'],
        ["tt0000002", "2", "nm0000002", "actress", N, '["A"]'],
        ["tt0000002", "3", "nm0000004", "actor", N, '["C"]'],
        ["tt0000002", "4", "nm0000001", "actor", N, '["D"]'],
        ["tt0000002", "5", "nm0000003", "actor", N, '["B"]'],
    ]
    result = import_imdb(directory=dataset(title_principals=principals))
    assert (result.missing_person_credits, result.missing_person_examples) == (1, ["nm0000099"])
    amelie = Film.objects.get(imdb_id="tt0000002")
    stars = {c.person.imdb_id: c.is_star for c in amelie.credits.select_related("person")}
    assert stars == {"nm0000002": True, "nm0000004": True, "nm0000001": True, "nm0000003": False}
    # Its credits are merged again by the next import, when the person may be there.
    assert ImportedCredits.objects.get(film=amelie).digest == ""


def test_a_re_import_merges_only_the_credits_of_films_whose_rows_changed(db, dataset):
    """Each film keeps the digest of its rows in title.principals and title.crew: a film
    whose rows are the same keeps its credits as they are (even edited on the site since),
    and one whose rows changed gets IMDb's again."""
    import_imdb(directory=dataset())
    amelie = Film.objects.get(imdb_id="tt0000002")
    Credit.objects.filter(film=amelie, role="cast").update(job="edited")
    result = import_imdb(directory=dataset())
    assert (result.credits.created, result.credits.updated, result.credits.unchanged) == (0, 0, 8)
    assert amelie.credits.get(role="cast").job == "edited"
    principals = [*PRINCIPALS[:8], ["tt0000002", "2", "nm0000006", "writer", "novel", N]]
    result = import_imdb(directory=dataset(title_principals=principals))
    assert (result.credits.created, result.credits.updated) == (0, 2)
    assert amelie.credits.get(role="cast").job == ""
    assert amelie.credits.get(role="writer").job == "novel"


def test_a_person_deleted_since_comes_back_with_their_credits(db, dataset):
    import_imdb(directory=dataset())
    Person.objects.filter(imdb_id="nm0000006").delete()
    result = import_imdb(directory=dataset())
    assert result.people.created == 1
    shakespeare = Person.objects.get(imdb_id="nm0000006")
    assert list(shakespeare.credits.values_list("film__imdb_id", "job")) == [("tt0000002", "play")]


def test_a_film_whose_rows_name_a_missing_person_is_merged_every_time(db, dataset):
    """nm0000099 is in no file: once name.basics lists them, their credit is added."""
    import_imdb(directory=dataset())
    names = [*NAMES, ["nm0000099", "Ghost Writer", N, N, "actor", N]]
    result = import_imdb(directory=dataset(name_basics=names))
    assert result.credits.created == 1
    assert Credit.objects.filter(person__imdb_id="nm0000099", character="Ghost").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite reads in line")
def test_a_big_plain_file_is_read_in_parts_with_the_same_result(db, tmp_path, monkeypatch):
    """title.principals and name.basics, cut into a part per process, give the credits and
    people they give whole, and name a malformed line of the last part by its own line."""
    from films.importers import imdb_stage

    generate(films=40, out=tmp_path, seed=3)
    principals = tmp_path / "title.principals.tsv"
    with principals.open("a", encoding="utf-8") as file:
        file.write("tt9999999\tx\tnm1\tactor\t\\N\t\\N\n")
    last_line = len(principals.read_text(encoding="utf-8").splitlines())
    whole = import_imdb(directory=tmp_path, dry_run=True)
    monkeypatch.setattr(imdb_stage, "SPLIT_BYTES", 0)
    parts = import_imdb(directory=tmp_path)
    assert (
        parts.errors
        == whole.errors
        == [f"title.principals.tsv:{last_line}: ordering is not a whole number: 'x'"]
    )
    assert parts.rows_read == whole.rows_read
    assert (parts.credits.created, parts.people.created) == (
        whole.credits.created,
        whole.people.created,
    )
    assert Credit.objects.count() == whole.credits.created > 400


def test_a_title_whose_principals_are_apart_in_the_file_is_one_set_of_credits(db, dataset):
    """Rows of one title that the file does not keep together still give one credit per
    person, role and character, billed at the first place."""
    principals = [
        *PRINCIPALS,
        ["tt0000001", "8", "nm0000001", "actor", N, '["Michael J. \\"Crocodile\\" Dundee"]'],
    ]
    import_imdb(directory=dataset(title_principals=principals))
    dundee = Film.objects.get(imdb_id="tt0000001")
    assert dundee.credits.filter(person__imdb_id="nm0000001").count() == 1
    assert credits_of(dundee)[("nm0000001", "cast", 'Michael J. "Crocodile" Dundee')][1] == 1


class Kinds(NamedTuple):
    """A row with a value of each kind staged, in columns named for columns of that kind."""

    title: str
    votes: int
    selected: bool
    rating: float


# Values of each kind, with what COPY's text format needs escaped or told apart, as columns.
AWKWARD_COLUMNS = [
    ["plain", "back\\slash", "tab\there", "new\nline", "cr\rhere", "\\N", "", None, "é李"],
    [0, 1, -1, 2_147_483_647, None, 7, 8, 9, 10],
    [True, False, None, True, False, True, False, True, False],
    [0.0, 10.0, 7.3, 0.1, None, 9.9, 5.0, 1.5, 2.0],
]


def test_copy_text_writes_rows_given_as_columns_in_copys_text_format():
    assert copy_text([["a", "b\\c"], [1, None], [True, False], [7.3, None]]) == (
        "a\t1\tt\t7.3\nb\\\\c\t\\N\tf\t\\N\n"
    )
    assert copy_text([["x\ty"], ["\\N"], [None]]) == "x\\ty\t\\\\N\t\\N\n"
    assert copy_text([[], []]) == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_text_stages_what_psycopgs_write_row_stages(db, tmp_path):
    """The rows of every file, awkward values and all, and values of each kind with what
    COPY must escape, staged by copy_text and by psycopg's copy.write_row(), one row at a
    time, give the same tables."""
    awkward_files(tmp_path, seed=3)
    errors = Errors(1_000_000, [])
    readers = datasets(DEFAULT_TITLE_TYPES, TitleTypes(), set())
    tables = {
        name: (readers[name].row, list(blocks_of(tmp_path / f"{name}.tsv", readers[name], errors)))
        for name in readers
    }
    tables["kinds"] = (Kinds, [AWKWARD_COLUMNS])
    with connection.cursor() as cursor:
        for name, (row, blocks) in tables.items():
            names = ", ".join(f'"{field}"' for field in row._fields)
            for table in ("by_row", "by_text"):
                cursor.execute(f"CREATE TEMPORARY TABLE {table} ({imdb._columns(row)})")
            with cursor.copy(f"COPY by_row ({names}) FROM STDIN") as copy:
                for block in blocks:
                    for values in zip(*block, strict=True):
                        copy.write_row(values)
            with cursor.copy(f"COPY by_text ({names}) FROM STDIN") as copy:
                for block in blocks:
                    copy.write(copy_text(block))
            cursor.execute(
                "SELECT (SELECT count(*) FROM by_row), (SELECT count(*) FROM "
                "(TABLE by_row EXCEPT ALL TABLE by_text UNION ALL "
                "(TABLE by_text EXCEPT ALL TABLE by_row)) differing)"
            )
            assert cursor.fetchone() == (sum(len(block[0]) for block in blocks), 0), name
            cursor.execute("DROP TABLE by_row, by_text")


def test_output_closed_during_the_import_stops_it_and_keeps_nothing(db, dataset):
    """`importimdb -v 2 | head -1`: the import stops at the next progress line, rolls back,
    and says so."""
    with pytest.raises(CommandError, match="standard output was closed; nothing was imported"):
        call_command("importimdb", str(dataset()), verbosity=2, stdout=ClosedAfter("title."))
    assert not Film.objects.exists()
    assert not Person.objects.exists()


def test_output_closed_before_the_report_says_the_import_was_saved(db, dataset):
    with pytest.raises(CommandError, match="before the report; the import was saved"):
        call_command("importimdb", str(dataset()), verbosity=1, stdout=ClosedAfter("Read "))
    assert Film.objects.filter(imdb_id="tt0000001").exists()
