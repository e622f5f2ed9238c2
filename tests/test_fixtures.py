"""The seed film in fixtures/ holds every fact of both seed pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from films.models import Credit, Film, FilmingLocation, Genre, Location, Person, Review, Trivia
from tests.builders import make_film, make_person

MODELS = [Film, Genre, Person, Credit, Trivia, Review, Location, FilmingLocation]

CAST = [
    ("Cher", "Florence 'Rusty' Dennis", ""),
    ("Sam Elliott", "Gar", ""),
    ("Eric Stoltz", "Roy L.'Rocky' Dennis", ""),
    ("Estelle Getty", "Evelyn", ""),
    ("Richard Dysart", "Abe", ""),
    ("Laura Dern", "Diana Adams", ""),
    ("Micole Mercurio", "Babe", ""),
    ("Harry Carey Jr.", "Red", ""),
    ("Dennis Burkley", "Dozer", ""),
    ("Lawrence Monoson", "Ben", ""),
    ("Ben Piazza", "Mr. Simms", ""),
    ("L. Craig King", "Eric", ""),
    ("Alexandra Powers", "Lisa", ""),
    ("Kelly Jo Minter", "Lorrie", "Kelly Minter"),
    ("Joe Unger", "1st Boyfriend", ""),
]

CONTRIBUTORS = ["Dominic", 'Jeremy "Joker" Brent', "Brian", "politeintruder", "Michele L. V.", ""]


def test_film_facts(mask):
    """Mask carries the facts of the film page, with the damaged runtime left empty."""
    assert mask.title == "Mask"
    assert mask.year == 1985
    assert mask.release_date == datetime.date(1985, 3, 8)
    assert mask.logline.startswith("A boy with a massive facial skull deformity")
    assert mask.plot.startswith("Rusty Dennis is the mother of Rocky")
    assert mask.plot.endswith("everyone else takes for granted.")
    assert mask.rating == Decimal("7.0")
    assert mask.vote_count == 12168
    assert mask.runtime_minutes is None
    assert (mask.gross, mask.gross_region) == (42_400_000, "USA")
    assert [g.name for g in mask.genres.all()] == ["Drama"]
    assert [t.text for t in mask.taglines.all()] == [
        "Sometimes the most unlikely people become heroes."
    ]
    assert [fl.location.name for fl in mask.filming_locations.all()] == ["Azusa, California, USA"]


def test_credits(mask):
    """16 credits: the director and 15 cast lines in billing order, three of them stars."""
    assert mask.credits.count() == 16
    directors = mask.credits.filter(role=Credit.Role.DIRECTOR)
    assert [c.person.name for c in directors] == ["Peter Bogdanovich"]
    cast = mask.credits.filter(role=Credit.Role.CAST).order_by("order").select_related("person")
    assert [(c.person.name, c.character, c.credited_as) for c in cast] == CAST
    assert [c.order for c in cast] == list(range(1, 16))
    stars = mask.credits.filter(is_star=True).order_by("person__name")
    assert [c.person.name for c in stars] == ["Cher", "Eric Stoltz", "Sam Elliott"]
    assert not mask.credits.filter(uncredited=True).exists()


def test_trivia(mask):
    """Nine entries: one trivia, one goof, one quote and six behind-the-scenes stories."""
    by_kind = {kind: list(mask.trivia.filter(kind=kind)) for kind in Trivia.Kind.values}
    assert {kind: len(items) for kind, items in by_kind.items()} == {
        "trivia": 1,
        "goof": 1,
        "quote": 1,
        "behind_the_scenes": 6,
        "deleted_scene": 0,
        "alternate_version": 0,
    }
    assert by_kind["trivia"][0].text.startswith("Eric Stoltz spent so much time under heavy makeup")
    goof = by_kind["goof"][0]
    assert goof.goof_category == "Anachronisms"
    assert goof.text.startswith("When Rocky and Ben are trading baseball cards")
    quote = by_kind["quote"][0]
    assert quote.character == "Rocky Dennis"
    assert quote.text.startswith("[Poem] These things are good: ice cream and cake")
    stories = by_kind["behind_the_scenes"]
    assert [s.contributor for s in stories] == CONTRIBUTORS
    assert stories[1].text == "Rob Lowe was nearly cast as Rocky Dennis."
    assert not any("&" in s.text + s.contributor for s in stories)


def test_review(mask):
    """The user review keeps its title and text, and scores 4.5 on a scale of 5."""
    (review,) = mask.reviews.all()
    assert review.title == "Hard to Watch at Times, But a Very Good Film."
    assert review.body.startswith("The true story of Rocky Dennis (Eric Stoltz)")
    assert review.author == ""
    assert (review.score, review.scale) == (Decimal("4.5"), 5)


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    """Natural keys make a second load a no-op: same rows, same primary keys, same values."""

    def snapshot():
        return {m.__name__: sorted(m.objects.values_list(), key=repr) for m in MODELS}

    call_command("loaddata", "mask", verbosity=0)
    first = snapshot()
    call_command("loaddata", "mask", verbosity=0)
    assert snapshot() == first


@pytest.mark.django_db
def test_loads_beside_existing_data():
    """The fixture loads into a database that already holds other rows with low ids."""
    other_film, other_person = make_film(), make_person()
    call_command("loaddata", "mask", verbosity=0)
    assert Film.objects.count() == 2
    assert Film.objects.get(pk=other_film.pk).title == other_film.title
    assert Person.objects.get(pk=other_person.pk).name == other_person.name
    assert Person.objects.count() == 17
