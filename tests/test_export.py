"""exportfilms writes the JSON format that importfilms reads back, losing nothing."""

import copy
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection

from films.importers.export import dumps, film_document, films_for_export, write_document
from films.models import (
    Credit,
    Film,
    FilmingLocation,
    Genre,
    Location,
    Person,
    RemovedItem,
    Review,
    Source,
    Trivia,
)
from films.tombstones import record_removed
from tests.builders import make_film, make_genre, make_location, make_person, populate

pytestmark = pytest.mark.django_db


def export(*args):
    out = io.StringIO()
    call_command("exportfilms", *args, stdout=out)
    return out.getvalue()


def empty_database():
    for model in (Film, Person, Genre, Location):
        model.objects.all().delete()


def rich_film():
    """A film using every field the fixture film leaves empty."""
    film = make_film(
        title="Heat", slug="heat-1995", year=1995, imdb_id="tt0113277", release_country="USA",
        release_date=datetime.date(1995, 12, 15), runtime_minutes=170, rating=Decimal("8.3"),
        original_title="Heat: Kampf der Giganten", title_type="movie",
        gross=3_250_000, gross_currency="DEM", gross_region="West Germany",
    )  # fmt: skip
    film.genres.add(make_genre(name="Crime", slug="crime"), make_genre(name="Thriller"))
    mann = make_person(name="Michael Mann", imdb_id="nm0000520", birth_year=1943)
    pacino = make_person(name="Al Pacino", birth_year=1940, death_year=None)
    Credit.objects.create(film=film, person=mann, role="director", order=1)
    Credit.objects.create(film=film, person=mann, role="writer", order=1, job="screenplay")
    Credit.objects.create(film=film, person=pacino, role="cast", order=1, character="Hanna",
                          is_star=True)  # fmt: skip
    Credit.objects.create(film=film, person=pacino, role="cast", order=2, character="Self",
                          uncredited=True, credited_as="Al")  # fmt: skip
    Trivia.objects.create(film=film, kind="deleted_scene", text="Cut.", order=1, contributor="A")
    Trivia.objects.create(film=film, kind="goof", text="Oops.", order=1, goof_category="Continuity")
    Review.objects.create(film=film, body="Fine.", author="Bo", score=Decimal("8"), scale=10,
                          published=datetime.date(2001, 1, 2), order=1)  # fmt: skip
    Review.objects.create(film=film, body="Meh.", order=2)
    FilmingLocation.objects.create(film=film, location=make_location(name="LA"), note="diner")
    return film


def test_export_import_export_gives_identical_files(mask, tmp_path):
    """Export, import into an empty database, export again: the two files are identical."""
    rich_film()
    first = tmp_path / "first.json"
    call_command("exportfilms", "-o", str(first), verbosity=0)
    empty_database()
    call_command("importfilms", str(first), verbosity=0)
    assert Film.objects.count() == 2
    assert export() == first.read_text(encoding="utf-8")
    heat = Film.objects.get(slug="heat-1995")
    assert (heat.original_title, heat.title_type) == ("Heat: Kampf der Giganten", "movie")
    assert (heat.gross, heat.gross_currency) == (3_250_000, "DEM")


def test_export_holds_every_field_of_the_fixture_film(mask):
    """The seed film's facts appear in the export under their data-contract names."""
    (film,) = json.loads(export())["films"]
    assert (film["title"], film["slug"], film["year"], film["rating"]) == (
        "Mask",
        "mask-1985",
        1985,
        7.0,
    )
    assert (film["gross"], film["release_date"], film["runtime_minutes"]) == (
        42400000,
        "1985-03-08",
        None,
    )
    assert film["genres"] == [{"name": "Drama", "slug": "drama"}]
    assert len(film["credits"]) == 16
    minter = next(c for c in film["credits"] if c["person"]["name"] == "Kelly Jo Minter")
    assert (minter["credited_as"], minter["order"], minter["role"]) == ("Kelly Minter", 14, "cast")
    assert [t["kind"] for t in film["trivia"]][:3] == ["trivia", "goof", "quote"]
    assert film["reviews"][0]["score"] == 4.5
    azusa = Location.objects.get(name="Azusa, California, USA")
    assert film["filming_locations"] == [
        {
            "location": {
                "name": "Azusa, California, USA",
                "slug": "azusa-california-usa",
                "latitude": float(azusa.latitude),
                "longitude": float(azusa.longitude),
                "parent": {
                    "name": "California, USA",
                    "slug": "california-usa",
                    "latitude": None,
                    "longitude": None,
                    "parent": {
                        "name": "USA",
                        "slug": "usa",
                        "latitude": None,
                        "longitude": None,
                        "parent": None,
                    },
                },
            },
            "note": "",
            "source_line": 39,  # "Filming Locations: Azusa, California, USA"
        }
    ]
    cher = next(c["person"] for c in film["credits"] if c["person"]["name"] == "Cher")
    assert cher == {
        "name": "Cher",
        "slug": "cher",
        "imdb_id": None,
        "birth_year": None,
        "death_year": None,
        "professions": [],
        "known_for": [],
    }


def addresses():
    return {
        model.__name__: sorted(
            model.objects.values_list("name" if model is not Film else "title", "slug")
        )
        for model in (Film, Person, Genre, Location)
    }


def test_round_trip_into_an_empty_database_keeps_every_address(mask, tmp_path):
    """Export, then import into an empty database: every film, person, place and genre is at
    the same address, same-name people included, whichever of them has the IMDb id."""
    film = make_film(title="Mask", year=1985, slug="mask-1985-tt0089560", imdb_id="tt0089560")
    smith = make_person(name="John Smith", slug="john-smith")
    smith_nm = make_person(
        name="John Smith", slug="john-smith-nm0123456", imdb_id="nm0123456",
        professions="actor,writer", known_for="tt0089560,tt0093779",
    )  # fmt: skip
    other_smith = make_person(name="John Smith", slug="john-smith-7")
    for order, person in enumerate([smith_nm, smith, other_smith], start=1):
        Credit.objects.create(film=film, person=person, role="cast", order=order)
    film.genres.add(
        make_genre(name="Drama films", slug="drama-2"), make_genre(name="Noir", slug="n")
    )
    FilmingLocation.objects.create(film=film, location=make_location(name="Azusa", slug="azusa"))
    FilmingLocation.objects.create(
        film=mask, location=make_location(name="Azusa, CA", slug="azusa-california-usa-2")
    )
    before = addresses()
    path = tmp_path / "films.json"
    call_command("exportfilms", "-o", str(path), verbosity=0)
    empty_database()
    call_command("importfilms", str(path), verbosity=0)
    after = addresses()
    # The import also creates the place "Azusa, CA" lies in, which the data above lacked.
    after["Location"].remove(("CA", "ca"))
    assert after == before
    assert Person.objects.get(slug="john-smith-nm0123456").known_for == "tt0089560,tt0093779"
    assert Person.objects.get(slug="john-smith-nm0123456").professions == "actor,writer"


def restart_item_ids():
    """Items' ids count from 1 again, as in a new database."""
    tables = {Trivia._meta.db_table, Review._meta.db_table}
    sequences = [s for s in connection.introspection.sequence_list() if s["table"] in tables]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(sql)


def item_urls(items):
    return {
        f"/films/{item.film.slug}/{item.section.replace('_', '-')}/{item.pk}/" for item in items
    }


def test_round_trip_into_an_empty_database_keeps_every_item_address(client, mask, tmp_path):
    """Export, then import into a database as empty as a new one: every trivia item, story
    and review answers at the same address, the removed ones answer 410, and an item added
    later gets an id no item ever had, removed ones included."""
    heat = rich_film()
    live = item_urls(
        [*Trivia.objects.select_related("film"), *Review.objects.select_related("film")]
    )
    # The newest goof and review go: their ids are the highest ever issued.
    goof, review = heat.trivia.get(kind="goof"), heat.reviews.get(body="Meh.")
    gone = item_urls([goof, review])
    live -= gone
    for item in (goof, review):
        record_removed(items=type(item).objects.filter(pk=item.pk))
    removed_ids = {"goof": goof.pk, "review": review.pk}
    goof.delete()
    review.delete()
    path = tmp_path / "films.json"
    call_command("exportfilms", "-o", str(path), verbosity=0)
    empty_database()
    RemovedItem.objects.all().delete()
    restart_item_ids()
    call_command("importfilms", str(path), verbosity=0)
    assert {url: client.get(url).status_code for url in live} == dict.fromkeys(live, 200)
    assert {url: client.get(url).status_code for url in gone} == dict.fromkeys(gone, 410)
    assert export() == path.read_text(encoding="utf-8")
    heat = Film.objects.get(slug="heat-1995")
    assert Trivia.objects.create(film=heat, text="New.", order=9).pk > removed_ids["goof"]
    assert Review.objects.create(film=heat, body="New.", order=9).pk > removed_ids["review"]


def test_an_id_another_films_item_holds_is_refused(mask, tmp_path):
    """A document that gives an item the id of another film's item names the file and the
    path of the id, and nothing of its film is written."""
    goof = mask.trivia.get(kind="goof")
    path = tmp_path / "ronin.json"
    film = {
        "title": "Ronin",
        "year": 1998,
        "taglines": ["No questions."],
        "trivia": [{"kind": "trivia", "order": 1, "text": "A car chase.", "id": goof.pk}],
    }
    path.write_text(json.dumps({"version": 1, "films": [film]}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 file failed"):
        call_command("importfilms", str(path), stderr=err, verbosity=0)
    assert f"ronin.json: films[0].trivia[0].id: id {goof.pk} belongs to another film's goof, " \
        "in Mask (1985)" in err.getvalue()  # fmt: skip
    assert not Film.objects.filter(title="Ronin").exists()
    assert mask.trivia.get(pk=goof.pk).text == goof.text


def test_film_option_selects_films(mask):
    """--film SLUG exports only that film; an unknown slug is an error."""
    make_film(slug="other")
    assert [f["slug"] for f in json.loads(export("--film", "mask-1985"))["films"]] == ["mask-1985"]
    assert len(json.loads(export())["films"]) == 2
    with pytest.raises(CommandError, match="no film with slug nope"):
        export("--film", "nope")


def test_export_queries_do_not_grow_with_films(django_assert_max_num_queries):
    """Exporting many films with many rows takes a fixed number of queries."""
    for _ in range(3):
        populate(make_film(), credits=30, trivia=5, reviews=2, locations=2, taglines=2)
    # Two ask whether the database is migrated, as every data command does first; one
    # reads the sources; nine read a batch of films (BATCH) and their rows.
    with django_assert_max_num_queries(12):
        films = json.loads(export())["films"]
    assert sum(len(f["credits"]) for f in films) == 90


def streamed(batch, **options):
    parts = []
    count, _ = write_document(parts.append, films_for_export(), batch=batch, **options)
    return "".join(parts), count


def test_a_document_streamed_in_batches_is_the_document_made_at_once(mask, tmp_path):
    """The document written a few films at a time is, to the byte, the one made of every
    film in memory: the sources read by SQL are those the rows in memory name, listed in
    the same order, and a restricted source's facts are left out the same way."""
    rich_film()
    heat = Film.objects.get(slug="heat-1995")
    dataset = Source.objects.create(
        file_name="title.basics.tsv",
        content_hash="b" * 64,
        format="imdb_dataset",
        terms=Source.Terms.NON_COMMERCIAL,
    )
    page = Source.objects.create(file_name="heat.txt", content_hash="a" * 64, format="film_page")
    Film.objects.filter(pk=heat.pk).update(source=dataset)
    # A source only a row names, on a film of another source.
    heat.trivia.filter(kind="goof").update(source=page, source_line=7)
    for slug in ("a-film", "b-film", "z-film"):
        populate(make_film(slug=slug), credits=3, trivia=1, reviews=1, locations=1, taglines=1)
    films = list(films_for_export())
    assert len(films) == 5
    for omit in (False, True):
        whole = dumps(film_document(films, omit_restricted=omit))
        for batch in (1, 2, 5, 500):
            assert streamed(batch, omit_restricted=omit) == (whole, 5)
    assert {s["content_hash"] for s in json.loads(whole)["sources"]} >= {"a" * 64, "b" * 64}
    assert "Oops." in whole  # from the page's source
    assert "Heat: Kampf der Giganten" not in whole  # from the restricted source


def test_an_export_of_no_films_is_an_empty_document():
    assert streamed(2) == (dumps(film_document([])), 0)
    assert json.loads(export()) == {"version": 1, "sources": [], "films": []}


def test_an_export_reads_its_films_in_batches(django_assert_num_queries):
    """Each batch of films is read with its rows in one round of queries, whatever the
    rows: memory holds one batch, and the queries grow with batches, not films."""
    for slug in ("a", "b", "c", "d", "e"):
        populate(make_film(slug=slug), credits=4, trivia=2, reviews=1, locations=1, taglines=1)
    # The sources, then three batches of two, two and one films of nine queries each.
    with django_assert_num_queries(1 + 3 * 9):
        text, count = streamed(2)
    assert count == 5
    assert [f["slug"] for f in json.loads(text)["films"]] == ["a", "b", "c", "d", "e"]


def test_an_export_that_fails_part_way_leaves_the_file_as_it_was(mask, tmp_path, monkeypatch):
    from films.importers import export as exporter

    make_film(slug="zz-top")
    target = tmp_path / "films.json"
    target.write_text("the export before", encoding="utf-8")
    film = exporter._film

    def fails_on_the_second(data, *args):
        if data.slug == "zz-top":
            raise RuntimeError("the database went away")
        return film(data, *args)

    monkeypatch.setattr(exporter, "_film", fails_on_the_second)
    monkeypatch.setattr(exporter, "BATCH", 1)  # the first film is written before it fails
    with pytest.raises(RuntimeError):
        call_command("exportfilms", "-o", str(target), verbosity=0)
    assert target.read_text(encoding="utf-8") == "the export before"
    assert [p.name for p in tmp_path.iterdir()] == ["films.json"]


def test_an_export_into_a_missing_folder_is_a_message(tmp_path):
    with pytest.raises(CommandError, match=f"^{tmp_path / 'nowhere'}: no such folder$"):
        call_command("exportfilms", "-o", str(tmp_path / "nowhere" / "films.json"))


def places():
    """Every place by slug: its name, its parent's slug and its coordinates."""
    return {
        place.slug: (
            place.name,
            place.parent.slug if place.parent else None,
            place.latitude,
            place.longitude,
        )
        for place in Location.objects.select_related("parent")
    }


def test_round_trip_into_an_empty_database_keeps_every_place(mask, tmp_path):
    """Export, then import into an empty database: every place keeps its slug, its parent and
    its coordinates as an editor left them (a parent's new slug, corrected, added and removed
    coordinates, a parent changed or removed), and the export comes out the same again."""
    rich_film()
    azusa = Location.objects.get(name="Azusa, California, USA")
    azusa.latitude, azusa.longitude = Decimal("34.5"), Decimal("-117.12345")
    azusa.save()
    california = azusa.parent
    california.slug = "golden-state"
    california.save()
    la = Location.objects.get(name="LA")
    la.parent, la.latitude, la.longitude = california, Decimal("34.05"), Decimal("-118.25")
    la.save()
    # The gazetteer knows Paris, France; the editor removed its position and its parent.
    paris = make_location(name="Paris, France", slug="paris")
    FilmingLocation.objects.create(film=mask, location=paris)
    before = places()
    path = tmp_path / "films.json"
    call_command("exportfilms", "-o", str(path), verbosity=0)
    empty_database()
    call_command("importfilms", str(path), verbosity=0)
    after = places()
    assert {slug: after.get(slug) for slug in before} == before
    assert before["azusa-california-usa"][1:] == (
        "golden-state",
        Decimal("34.5"),
        Decimal("-117.12345"),
    )
    assert before["paris"][1:] == (None, None, None)
    assert export() == path.read_text(encoding="utf-8")


def test_an_import_gives_a_known_place_what_the_document_says_and_the_next_request_shows_it(
    client, mask, tmp_path
):
    """A place found by its slug takes the coordinates and parent the document gives, keeps
    what it leaves out, and its page shows the new position at once; a parent not known yet
    is created at the slug given."""
    azusa = mask.filming_locations.get().location
    page = client.get(azusa.get_absolute_url()).text
    document = json.loads(export())
    place = document["films"][0]["filming_locations"][0]["location"]
    place.update(latitude=12.5, longitude=-45.25)
    place["parent"]["parent"] = {"name": "The West", "slug": "west", "parent": None}
    path = tmp_path / "mask.json"
    path.write_text(json.dumps(document))
    call_command("importfilms", str(path), verbosity=0)
    azusa = Location.objects.select_related("parent__parent").get(pk=azusa.pk)
    assert (azusa.latitude, azusa.longitude) == (Decimal("12.5"), Decimal("-45.25"))
    assert (azusa.parent.slug, azusa.parent.parent.slug) == ("california-usa", "west")
    assert azusa.parent.parent.parent is None
    assert 'data-latitude="12.50000"' not in page
    assert 'data-latitude="12.50000"' in client.get(azusa.get_absolute_url()).text
    place.pop("latitude")
    place.pop("longitude")
    place.pop("parent")
    path.write_text(json.dumps(document))
    call_command("importfilms", str(path), verbosity=0)
    assert places()[azusa.slug] == (
        "Azusa, California, USA",
        "california-usa",
        Decimal("12.5"),
        Decimal("-45.25"),
    )


def test_bad_coordinates_are_a_message_naming_the_file_and_path(mask, tmp_path):
    """Coordinates off the Earth, or one without the other, are refused with the file and
    the JSON path, and nothing of the film is written."""
    document = json.loads(export())
    place = document["films"][0]["filming_locations"][0]["location"]
    for change, where, words in [
        ({"latitude": 91}, "location.latitude", "91 is outside -90 to 90 degrees"),
        ({"longitude": None}, "location.longitude", "null while the latitude is a number"),
    ]:
        path = tmp_path / "mask.json"
        bad = copy.deepcopy(document)
        bad["films"][0]["filming_locations"][0]["location"] |= change
        bad["films"][0]["title"] = "Mask 2"
        path.write_text(json.dumps(bad))
        err = io.StringIO()
        with pytest.raises(CommandError, match="1 of 1 file failed"):
            call_command("importfilms", str(path), stderr=err, verbosity=0)
        assert f"mask.json: films[0].filming_locations[0].{where}: {words}" in err.getvalue()
    assert not Film.objects.filter(title="Mask 2").exists()
    assert place["latitude"] == float(Location.objects.get(slug=place["slug"]).latitude)


def test_films_per_file_writes_documents_that_import_back_as_one(mask, tmp_path):
    """--films-per-file N: documents of N films each, by slug, each listing only the sources
    its films name; importing their folder into an empty database restores every film,
    and the export of the whole is what it was."""
    rich_film()
    for slug in ("a-film", "b-film", "z-film"):
        populate(make_film(slug=slug), credits=2, trivia=1, locations=1)
    whole = export()
    folder = tmp_path / "export"
    folder.mkdir()
    # An earlier export to the same name: whole, and in more parts.
    (folder / "films.json").write_text("an earlier export", encoding="utf-8")
    (folder / "films-0009.json").write_text("an earlier export's part", encoding="utf-8")
    (folder / "other.json").write_text("{}", encoding="utf-8")
    call_command("exportfilms", "-o", str(folder / "films.json"), "--films-per-file", "2")
    parts = sorted(folder.glob("films*.json"))
    assert [p.name for p in parts] == ["films-0001.json", "films-0002.json", "films-0003.json"]
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in parts]
    assert [[f["slug"] for f in d["films"]] for d in documents] == [
        ["a-film", "b-film"],
        ["heat-1995", "mask-1985"],
        ["z-film"],
    ]
    # Only the part holding the seed film names the seed's film page.
    assert [bool(d["sources"]) for d in documents] == [False, True, False]
    assert (folder / "other.json").exists()
    (folder / "other.json").unlink()
    empty_database()
    call_command("importfilms", str(folder), verbosity=0)
    assert export() == whole
    # Exported whole again to that name: the parts go.
    call_command("exportfilms", "-o", str(folder / "films.json"), verbosity=0)
    assert [p.name for p in folder.glob("*.json")] == ["films.json"]
    assert (folder / "films.json").read_text(encoding="utf-8") == whole


def test_films_per_file_needs_a_file_and_a_count(tmp_path):
    with pytest.raises(CommandError, match="give -o FILE too"):
        call_command("exportfilms", "--films-per-file", "2")
    with pytest.raises(CommandError, match="--films-per-file: '0' is not a whole number of 1"):
        call_command("exportfilms", "-o", str(tmp_path / "f.json"), "--films-per-file", "0")
