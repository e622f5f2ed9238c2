"""The project's JSON format is read into records; every mistake names its JSON path."""

import copy
import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from films.importers.errors import FilmImportError
from films.importers.json import parse_json
from films.importers.text import decode, scrub_record, without_controls
from tests.mutations import any_text, mutated

FILM = {
    "title": "Heat",
    "slug": "heat-1995",
    "year": 1995,
    "imdb_id": "tt0113277",
    "release_date": "1995-12-15",
    "release_country": "USA",
    "logline": "A group of thieves.",
    "plot": "Long plot.",
    "rating": 8.3,
    "vote_count": 700000,
    "runtime_minutes": 170,
    "gross": 67436818,
    "gross_region": "USA",
    "genres": ["Crime", "Drama"],
    "taglines": ["A Los Angeles crime saga."],
    "credits": [
        {
            "person": {"name": "Michael Mann", "imdb_id": "nm0000520", "birth_year": 1943},
            "role": "director",
            "order": 1,
        },
        {
            "person": {"name": "Al Pacino", "imdb_id": None, "birth_year": None},
            "role": "cast",
            "order": 1,
            "character": "Vincent Hanna",
            "credited_as": "",
            "uncredited": False,
            "is_star": True,
            "job": "",
        },
    ],
    "trivia": [
        {"kind": "goof", "order": 1, "text": "A goof.", "goof_category": "Continuity"},
        {"kind": "deleted_scene", "order": 1, "text": "A scene.", "contributor": "Ann"},
    ],
    "reviews": [
        {"order": 1, "title": "Great", "body": "Good film.", "score": 9, "scale": 10},
    ],
    "filming_locations": [{"location": "Los Angeles, California, USA", "note": "diner"}],
}


def parse(document):
    text = document if isinstance(document, str) else json.dumps(document)
    return parse_json(text, source="films.json")


def error_path(document):
    with pytest.raises(FilmImportError) as caught:
        parse(document)
    return caught.value


def test_reads_every_field():
    """Every field of the data contract reaches the record, with its type."""
    (film,) = parse({"version": 1, "films": [FILM]})
    assert (film.title, film.slug, film.year, film.imdb_id) == (
        "Heat",
        "heat-1995",
        1995,
        "tt0113277",
    )
    assert film.release_date == datetime.date(1995, 12, 15)
    assert (film.rating, film.vote_count, film.runtime_minutes) == (Decimal("8.3"), 700000, 170)
    assert (film.gross, film.gross_region, film.release_country) == (67436818, "USA", "USA")
    assert film.genres == ["Crime", "Drama"]
    assert film.taglines == ["A Los Angeles crime saga."]
    director, actor = film.credits
    assert (director.person.name, director.person.imdb_id, director.person.birth_year) == (
        "Michael Mann",
        "nm0000520",
        1943,
    )
    assert (actor.character, actor.is_star, actor.order) == ("Vincent Hanna", True, 1)
    assert [(t.kind, t.goof_category, t.contributor) for t in film.trivia] == [
        ("goof", "Continuity", ""),
        ("deleted_scene", "", "Ann"),
    ]
    (review,) = film.reviews
    assert (review.score, review.scale, review.title) == (Decimal("9.0"), 10, "Great")
    (place,) = film.filming_locations
    assert (place.location, place.note) == ("Los Angeles, California, USA", "diner")
    assert str(film.credits[1].origin) == "films.json: films[0].credits[1]"


def test_reads_every_address_and_a_persons_identity():
    """People, genres and places may carry their slugs; people their IMDb professions and
    known-for titles. A genre or place may still be given by its name alone."""
    film = copy.deepcopy(FILM)
    film["genres"] = ["Crime", {"name": "Drama", "slug": "drama-films"}]
    film["filming_locations"] = [{"location": {"name": "LA", "slug": "la"}, "note": ""}]
    film["credits"][0]["person"] |= {
        "slug": "michael-mann-nm0000520",
        "professions": ["writer", "director"],
        "known_for": ["tt0113277"],
    }
    (record,) = parse({"version": 1, "films": [film]})
    assert (record.genres, record.genre_slugs) == (["Crime", "Drama"], {"Drama": "drama-films"})
    assert [(p.location, p.slug) for p in record.filming_locations] == [("LA", "la")]
    mann = record.credits[0].person
    assert (mann.slug, mann.professions, mann.known_for) == (
        "michael-mann-nm0000520",
        "writer,director",
        "tt0113277",
    )
    assert record.credits[1].person.slug == ""


def test_reads_item_ids_and_removed_items():
    """An item's id is optional; a removed item is its kind and id."""
    document = broken(lambda f: f.update(removed_items=[{"kind": "review", "id": 3}]))
    document["films"][0]["trivia"][0]["id"] = 12
    (film,) = parse(document)
    assert [t.id for t in film.trivia] == [12, None]
    assert film.reviews[0].id is None
    ((kind, item_id, origin),) = [(r.kind, r.id, r.origin.path) for r in film.removed_items]
    assert (kind, item_id, origin) == ("review", 3, "films[0].removed_items[0]")


def test_only_the_title_is_required():
    """A film may give only its title; lists default to empty."""
    (film,) = parse({"version": 1, "films": [{"title": "Heat"}]})
    assert (film.title, film.year, film.credits, film.genres) == ("Heat", None, [], [])


def place(**fields):
    """A place object of the JSON format, every key given."""
    return {
        "name": "LA",
        "slug": "la",
        "latitude": 34,
        "longitude": -118.24,
        "parent": None,
    } | fields


def test_reads_a_places_coordinates_and_the_places_it_lies_in():
    """A place gives its coordinates and the chain of places it lies in; what it leaves out
    it does not give, and a place given by name alone gives nothing but its name."""
    usa = {"name": "USA", "slug": "u-s-a", "parent": None}
    oregon = {"name": "Oregon, USA", "latitude": None, "longitude": None, "parent": usa}
    document = broken(lambda f: f.update(filming_locations=[
        {"location": place(name="Brownsville, Oregon, USA", latitude=44.39346, parent=oregon)},
        {"location": {"name": "Salem, Oregon, USA", "slug": "salem"}},
        {"location": "Bend, Oregon, USA"},
    ]))  # fmt: skip
    brownsville, salem, bend = parse(document)[0].filming_locations
    chain = list(brownsville.place.chain())
    assert [(p.name, p.slug, p.given) for p in chain] == [
        ("Brownsville, Oregon, USA", "la", ("coordinates", "parent")),
        ("Oregon, USA", "", ("coordinates", "parent")),
        ("USA", "u-s-a", ("parent",)),
    ]
    assert (chain[0].latitude, chain[0].longitude) == (Decimal("44.39346"), Decimal("-118.24"))
    assert (chain[1].latitude, chain[2].parent) == (None, None)
    assert (salem.location, salem.slug, salem.place) == ("Salem, Oregon, USA", "salem", None)
    assert (bend.location, bend.place) == ("Bend, Oregon, USA", None)


def broken(change):
    document = {"version": 1, "films": [copy.deepcopy(FILM)]}
    change(document["films"][0])
    return document


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda f: f["credits"][1].update(order="one"), "films[0].credits[1].order", "integer"),
        (lambda f: f["credits"][1].update(order=True), "films[0].credits[1].order", "integer"),
        (lambda f: f["credits"][0].update(ordr=1), "films[0].credits[0].ordr", "unknown key"),
        (lambda f: f["credits"][0]["person"].pop("name"), "films[0].credits[0].person.name",
         "missing"),
        (lambda f: f.pop("title"), "films[0].title", "missing"),
        (lambda f: f.update(rating=7.25), "films[0].rating", "one decimal"),
        (lambda f: f.update(rating="7.0"), "films[0].rating", "number"),
        (lambda f: f.update(release_date="15/12/1995"), "films[0].release_date", "date"),
        (lambda f: f.update(genres=["Crime", 3]), "films[0].genres[1]", "string"),
        (lambda f: f.update(trivia={}), "films[0].trivia", "list"),
        (lambda f: f["reviews"].append([]), "films[0].reviews[1]", "object"),
        (lambda f: f.update(plot="a\x00b"), "films[0].plot", "NUL"),
        (lambda f: f.update(genres=[{"slug": "x"}]), "films[0].genres[0].name", "missing"),
        (lambda f: f["filming_locations"][0].update(location={"name": "LA", "slug": 1}),
         "films[0].filming_locations[0].location.slug", "string"),
        (lambda f: f["credits"][0]["person"].update(professions="actor"),
         "films[0].credits[0].person.professions", "list"),
        (lambda f: f["credits"][0]["person"].update(known_for=[1]),
         "films[0].credits[0].person.known_for[0]", "string"),
        (lambda f: f.update(gross_currency="XYZ"), "films[0].gross_currency", "ISO 4217"),
        (lambda f: f.update(gross_currency=""), "films[0].gross_currency", "needs its currency"),
        (lambda f: f.update(gross=None, gross_currency="DEM"), "films[0].gross_currency",
         "no gross"),
        (lambda f: f["trivia"][1].update(id="7"), "films[0].trivia[1].id", "integer"),
        (lambda f: f["reviews"][0].update(id=None), "films[0].reviews[0].id", "integer"),
        (lambda f: f.update(removed_items=[{"id": 7}]), "films[0].removed_items[0].kind",
         "missing"),
        (lambda f: f["filming_locations"][0].update(location=place(latitude=90.5)),
         "films[0].filming_locations[0].location.latitude", "outside -90 to 90"),
        (lambda f: f["filming_locations"][0].update(location=place(longitude=-180.00001)),
         "films[0].filming_locations[0].location.longitude", "outside -180 to 180"),
        (lambda f: f["filming_locations"][0].update(location=place(longitude=None)),
         "films[0].filming_locations[0].location.longitude", "both a latitude and a longitude"),
        (lambda f: f["filming_locations"][0].update(location={"name": "LA", "latitude": 34}),
         "films[0].filming_locations[0].location.longitude", "both a latitude and a longitude"),
        (lambda f: f["filming_locations"][0].update(location=place(latitude="34.1")),
         "films[0].filming_locations[0].location.latitude", "number of degrees"),
        (lambda f: f["filming_locations"][0].update(location=place(latitude=34.123456)),
         "films[0].filming_locations[0].location.latitude", "at most 5 decimals"),
        (lambda f: f["filming_locations"][0].update(
            location=place(parent=place(name="CA", latitude=-91))),
         "films[0].filming_locations[0].location.parent.latitude", "outside -90 to 90"),
        (lambda f: f["filming_locations"][0].update(location=place(parent=place(name="LA"))),
         "films[0].filming_locations[0].location.parent.name", "lies in itself"),
        (lambda f: f["filming_locations"][0].update(location=place(parent=3)),
         "films[0].filming_locations[0].location.parent", "string or an object or null"),
    ],
)  # fmt: skip
def test_mistakes_name_their_json_path(change, path, words):
    """Unknown keys, missing keys and wrong types are errors naming the JSON path."""
    error = error_path(broken(change))
    assert error.origin.path == path
    assert words in error.message
    assert str(error).startswith(f"films.json: {path}: ")


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"films": []}, "films.json: version"),
        ({"version": 2, "films": []}, "films.json: version"),
        ({"version": 1, "films": [], "extra": 1}, "films.json: extra"),
        ([], "films.json: (top level)"),
        ('{"version": 1,\n "films": [}', "films.json:2"),
        ("[" * 100_000, "films.json"),
    ],
)
def test_document_mistakes(document, where):
    """A malformed document is an error naming the line, or the key at fault."""
    assert str(error_path(document)).startswith(f"{where}: ")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from([*FILM, "person", "name", "kind"]), children, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        json_values.map(json.dumps),
        st.lists(json_values, max_size=3).map(
            lambda films: json.dumps({"version": 1, "films": films})
        ),
    )
)
def test_any_text_gives_films_or_an_import_error(text):
    """Whatever the text, the parser returns films or raises its own error, nothing else."""
    try:
        result = parse(text)
    except FilmImportError as error:
        result = error
    if isinstance(result, FilmImportError):
        assert result.origin.source == "films.json"
    else:
        assert all(film.title is not None for film in result)


def test_a_gross_keeps_its_currency():
    """ "gross_currency" is any ISO 4217 code, withdrawn ones too; no gross, no currency."""
    (film,) = parse(broken(lambda f: f.update(gross=3250000, gross_currency="DEM")))
    assert (film.gross, film.gross_currency) == (3250000, "DEM")
    (film,) = parse(broken(lambda f: f.update(gross=None)))
    assert (film.gross, film.gross_currency) == (None, "")


def test_a_document_older_than_the_currency_means_dollars():
    """Documents written before "gross_currency" existed had only US dollars."""
    (film,) = parse(broken(lambda f: f.pop("gross_currency", None)))
    assert (film.gross, film.gross_currency) == (67436818, "USD")


SEED_DOCUMENT = json.dumps({"version": 1, "films": [FILM]}, indent=1).encode()


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=300), mutated(SEED_DOCUMENT)))
def test_any_bytes_or_damage_to_a_document_give_films_or_an_import_error(data):
    """Random bytes, or a document cut, repeated, or laced with lone surrogates, 5,000-digit
    numbers, deep nesting, repeated keys and control characters, are read as importfilms
    reads them: films without control characters, or the importer's own error."""
    try:
        result = [scrub_record(film) for film in parse(decode(data, source="films.json"))]
    except FilmImportError as error:
        result = error
    if isinstance(result, FilmImportError):
        assert result.origin.source == "films.json"
    else:
        texts = [text for film in result for text in (film.title, film.plot, *film.genres)]
        assert all(text == without_controls(text) for text in texts)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        any_text(),
        st.dictionaries(st.sampled_from(list(FILM)), any_text(), max_size=4).map(
            lambda film: json.dumps({"version": 1, "films": [{"title": "x", **film}]})
        ),
    )
)
def test_any_text_with_controls_and_surrogates_gives_films_or_an_import_error(text):
    try:
        result = [scrub_record(film) for film in parse(text)]
    except FilmImportError as error:
        result = error
    if not isinstance(result, FilmImportError):
        assert all(film.title == without_controls(film.title) for film in result)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"version": 1, "films": [{"title": "A", "title": "B"}]}', 'films[0].title: "title" is'),
        ('{"version": 1, "version": 1, "films": []}', 'films.json: version: "version" is given'),
        (
            '{"version": 1, "films": [{"title": "A", "credits": [{"role": "cast", "order": 1, '
            '"person": {"name": "A", "name": "B"}}]}]}',
            "films[0].credits[0].person.name: ",
        ),
        ('{"version": 1, "films": [{"title": "A", "year": ' + "9" * 5000 + "}]}", "5,000 digits"),
        ('{"version": 1, "films": [{"title": "A", "rating": -' + "9" * 101 + "}]}", "101 digits"),
        ('{"version": 1, "films": [{"title": "A", "rating": 1e400}]}', "inf is not a number"),
        ('{"version": 1, "films": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ],
)
def test_repeated_keys_and_numbers_no_field_holds_are_errors(text, words):
    """JSON would keep the last of two equal keys, and Python reads no integer of more than
    4,300 digits; both are errors naming their place."""
    assert words in str(error_path(text))
