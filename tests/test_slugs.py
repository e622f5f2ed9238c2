"""One rule for new addresses (films/slugs.py), and importimdb's SQL agrees with it."""

import pytest
from django.utils.text import slugify
from hypothesis import given
from hypothesis import strategies as st

from films.importers.imdb import import_imdb
from films.models import Film, Genre, Location, Person
from films.slugs import fast_slugify, film_slug, new_slugs, slug_base
from tests.builders import make_film, make_genre, make_location, make_person
from tests.test_import_imdb import NAMES, dataset  # noqa: F401 (a fixture)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_fast_slugify_agrees_with_django_on_ascii(text):
    assert fast_slugify(text) == slugify(text)


@given(st.text())
def test_fast_slugify_agrees_with_django_on_any_text(text):
    assert fast_slugify(text) == slugify(text)


def test_slug_base():
    assert film_slug("Mask", 1985) == "mask-1985"
    assert film_slug("Mask", None) == "mask"
    assert slug_base("Łódź", fallback="x") == "odz"
    assert slug_base("東京物語", 1953, fallback="tt0046438") == "tt0046438-1953"
    assert len(slug_base("a" * 300, 1999, fallback="x")) == 205


@pytest.mark.django_db
def test_the_name_when_free_else_the_imdb_id_else_the_next_number():
    make_person(name="John Smith", slug="john-smith")
    make_person(name="John Smith", slug="john-smith-3")
    assert new_slugs(Person, [("jane-doe", None)]) == ["jane-doe"]
    assert new_slugs(Person, [("john-smith", "nm0123456")]) == ["john-smith-nm0123456"]
    assert new_slugs(Person, [("john-smith", None)]) == ["john-smith-2"]
    # Several in one go: each claims in turn.
    assert new_slugs(Person, [("jane-doe", None), ("jane-doe", None), ("john-smith", None)]) == [
        "jane-doe",
        "jane-doe-2",
        "john-smith-2",
    ]


@pytest.mark.django_db
def test_old_slugs_count_as_taken():
    """A new row never takes an address that still leads to another row."""
    place = make_location(name="Azusa", slug="azusa")
    place.slug = "azusa-california"
    place.save()
    genre = make_genre(name="Sci-Fi", slug="sci-fi")
    genre.slug = "science-fiction"
    genre.save()
    person = make_person(slug="john-smith-nm0000001")
    person.slug = "john-smith"
    person.save()
    assert new_slugs(Location, [("azusa", None)]) == ["azusa-2"]
    assert new_slugs(Genre, [("sci-fi", None)]) == ["sci-fi-2"]
    assert new_slugs(Person, [("john-smith", "nm0000001")]) == ["john-smith-2"]


@pytest.mark.django_db
def test_the_next_number_skips_taken_and_old_numbers():
    make_film(slug="heat-1995")
    make_film(slug="heat-1995-2")
    moved = make_film(slug="heat-1995-3")
    moved.slug = "heat-1995-moved"
    moved.save()
    assert new_slugs(Film, [("heat-1995", None)]) == ["heat-1995-4"]


def imported_slugs(model, ids):
    return dict(model.objects.filter(imdb_id__in=ids).values_list("imdb_id", "slug"))


@pytest.mark.django_db
def test_importimdb_gives_people_the_slugs_the_rule_gives(dataset):  # noqa: F811
    """The set-based SQL and new_slugs() agree on every case of the rule: a free name, a
    name taken by a row, one held in the slug history, a name and id both taken (numbered),
    and two new people wanting one name (the first by id takes it)."""
    make_person(name="Paul Hogan", slug="paul-hogan")
    make_person(name="Linda Kozlowski", slug="linda-kozlowski")
    make_person(name="Someone", slug="linda-kozlowski-nm0000002")
    numbered = make_person(name="Linda K.", slug="linda-kozlowski-2")
    numbered.slug = "linda-k"
    numbered.save()
    faiman = make_person(name="Peter Faiman", slug="peter-faiman")
    faiman.slug = "peter-faiman-director"
    faiman.save()
    names = [list(row) for row in NAMES]
    names[5][1] = "John Cornell"  # nm0000006 shares nm0000005's name
    new = sorted(names, key=lambda row: row[0])
    expected = dict(
        zip(
            [row[0] for row in new],
            new_slugs(Person, [(slug_base(row[1], fallback=row[0]), row[0]) for row in new]),
            strict=True,
        )
    )
    import_imdb(directory=dataset(name_basics=names))
    assert imported_slugs(Person, expected) == expected
    assert expected == {
        "nm0000001": "paul-hogan-nm0000001",
        "nm0000002": "linda-kozlowski-3",
        "nm0000003": "peter-faiman-nm0000003",
        "nm0000004": "archive-voice",
        "nm0000005": "john-cornell",
        "nm0000006": "john-cornell-nm0000006",
    }


@pytest.mark.django_db
def test_importimdb_gives_films_and_genres_the_slugs_the_rule_gives(dataset):  # noqa: F811
    moved = make_film(title="Amélie", year=2001, slug="amelie-2001")
    moved.slug = "amelie"
    moved.save()
    make_genre(name="Comedies", slug="comedy")
    import_imdb(directory=dataset())
    assert imported_slugs(Film, ["tt0000002", "tt0000004"]) == {
        "tt0000002": "amelie-2001-tt0000002",
        "tt0000004": "amelie-2001-tt0000004",
    }
    assert Genre.objects.get(name="Comedy").slug == "comedy-2"
