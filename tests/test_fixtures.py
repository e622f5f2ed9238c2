"""The seed film in fixtures/ holds every fact of both seed pages, and `make run` loads it
without undoing what editors did to it since."""

import datetime
import shlex
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

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


def snapshot():
    return {m.__name__: sorted(m.objects.values_list(), key=repr) for m in MODELS}


def seed_step():
    """Runs the seed-loading step of `make run`, as the Makefile says it."""
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    (line,) = [line for line in run.splitlines() if "fixtures" not in line and " mask" in line]
    command, *args = shlex.split(line.split("manage.py", 1)[1])
    call_command(command, *args, verbosity=0)


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    """A second load is a no-op: same rows, same primary keys, same values."""
    seed_step()
    first = snapshot()
    seed_step()
    assert snapshot() == first


@pytest.mark.django_db
def test_loads_beside_existing_data():
    """The fixture loads into a database that already holds other rows with low ids."""
    other_film, other_person = make_film(), make_person()
    seed_step()
    assert Film.objects.count() == 2
    assert Film.objects.get(pk=other_film.pk).title == other_film.title
    assert Person.objects.get(pk=other_person.pk).name == other_person.name
    assert Person.objects.count() == 17


def test_seed_step_after_editors_changes_creates_nothing_and_keeps_them(mask):
    """An editor retitles the seed film and gives it and Cher new addresses, deletes a trivia
    item and a credit: running `make run` again leaves all of it as the editor left it."""
    mask.title, mask.slug = "Mask (director's cut)", "mask"
    mask.save()
    cher = Person.objects.get(slug="cher")
    cher.slug = "cher-actress"
    cher.save()
    mask.trivia.filter(kind="goof").delete()
    mask.credits.filter(person__slug="joe-unger").delete()
    edited = snapshot()
    seed_step()
    assert snapshot() == edited
    assert list(Film.objects.values_list("title", "slug")) == [("Mask (director's cut)", "mask")]
    assert Person.objects.filter(name="Cher").count() == 1


def test_seed_step_after_a_title_change_alone_keeps_it(mask):
    Film.objects.filter(pk=mask.pk).update(title="Mask!")
    seed_step()
    assert list(Film.objects.values_list("title", flat=True)) == ["Mask!"]


def test_seed_step_leaves_a_film_already_imported_alone(mask):
    """A database holding the film (imported, say) gets nothing of it from the fixture."""
    mask.taglines.all().delete()
    mask.genres.clear()
    seed_step()
    assert not mask.taglines.exists()
    assert not mask.genres.exists()


@pytest.mark.django_db
def test_unknown_fixture_is_an_error():
    with pytest.raises(CommandError, match="no fixture 'nope'"):
        call_command("loadseed", "nope")
