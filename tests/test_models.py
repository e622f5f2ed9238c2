"""The database enforces the data's rules, whatever writes to it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from films.models import Credit, Film, Person, Review, Trivia, imdb_url
from tests.builders import make_film, make_location, make_person

pytestmark = pytest.mark.django_db


def rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_rating_must_be_between_0_and_10():
    """A rating of 11 or -1 is refused; 0 and 10 are allowed."""
    rejected(lambda: make_film(rating=Decimal("11")))
    rejected(lambda: make_film(rating=Decimal("-1")))
    assert make_film(rating=Decimal("0")).rating == 0
    assert make_film(rating=Decimal("10")).rating == 10


def test_slugs_and_imdb_ids_are_unique():
    """Two films, people or locations cannot share a slug or an IMDb id."""
    make_film(slug="mask-1985", imdb_id="tt0089560")
    rejected(lambda: make_film(slug="mask-1985"))
    rejected(lambda: make_film(imdb_id="tt0089560"))
    make_person(slug="cher", imdb_id="nm0000333")
    rejected(lambda: make_person(slug="cher"))
    rejected(lambda: make_person(imdb_id="nm0000333"))
    make_location(slug="azusa")
    rejected(lambda: make_location(slug="azusa"))


def test_films_without_imdb_id_coexist():
    """Many films may lack an IMDb id: null is not a duplicate."""
    make_film()
    make_film()
    assert Film.objects.filter(imdb_id__isnull=True).count() == 2


def test_review_score_within_scale():
    """A score above its scale, or below zero, is refused; a missing score is allowed."""
    film = make_film()
    rejected(lambda: Review.objects.create(film=film, body="x", score=Decimal("5.5"), scale=5))
    rejected(lambda: Review.objects.create(film=film, body="x", score=Decimal("-1"), scale=5))
    rejected(lambda: Review.objects.create(film=film, body="x", score=1, scale=0))
    Review.objects.create(film=film, body="x", score=Decimal("4.5"), scale=5, order=1)
    Review.objects.create(film=film, body="x", score=None, scale=10, order=2)
    assert film.reviews.count() == 2


def test_one_credit_per_film_person_role_character():
    """The same person may play two characters, but not the same one twice."""
    film, person = make_film(), make_person()
    Credit.objects.create(film=film, person=person, role="cast", character="Gar")
    Credit.objects.create(film=film, person=person, role="cast", character="Red")
    Credit.objects.create(film=film, person=person, role="director")
    rejected(lambda: Credit.objects.create(film=film, person=person, role="cast", character="Gar"))


def test_goof_category_only_on_goofs():
    """Only a goof has a goof category."""
    film = make_film()
    Trivia.objects.create(film=film, kind="goof", goof_category="Continuity", text="x")
    rejected(lambda: Trivia.objects.create(film=film, kind="trivia", goof_category="X", text="y"))


def test_person_cannot_die_before_birth():
    rejected(lambda: make_person(birth_year=1950, death_year=1940))


def test_str_and_urls(mask):
    """Every model names itself and links to its public page."""
    credit = mask.credits.get(person__slug="cher")
    assert str(mask) == "Mask (1985)"
    assert mask.get_absolute_url() == "/films/mask-1985/"
    assert str(credit) == "Cher as Florence 'Rusty' Dennis"
    assert str(mask.credits.get(role="director")) == "Peter Bogdanovich, director"
    assert credit.get_absolute_url() == "/films/mask-1985/cast/"
    assert credit.person.get_absolute_url() == "/people/cher/"
    story = mask.trivia.get(kind="behind_the_scenes", order=2)
    assert story.get_absolute_url() == f"/films/mask-1985/making-of/{story.pk}/"
    goof = mask.trivia.get(kind="goof")
    assert goof.get_absolute_url() == f"/films/mask-1985/trivia/{goof.pk}/"
    location = mask.filming_locations.get()
    assert location.get_absolute_url() == "/locations/azusa-california-usa/"
    assert mask.genres.get().get_absolute_url() == "/films/?genre=drama"
    review = mask.reviews.get()
    assert review.get_absolute_url() == f"/films/mask-1985/reviews/{review.pk}/"


# What tells a person from others of the same name.


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({}, ""),
        ({"professions": "actor"}, "actor"),
        ({"professions": "actress,producer,soundtrack"}, "actress and producer"),
        ({"professions": "make_up_department,miscellaneous"}, "make-up department and crew"),
        ({"professions": "casting_director", "birth_year": 1985}, "casting director, b. 1985"),
        ({"birth_year": 1921, "death_year": 1999}, "1921\N{EN DASH}1999"),
        ({"death_year": 1899}, "d. 1899"),
        ({"professions": " actor , ,director"}, "actor and director"),
    ],
)
def test_a_person_is_described_by_professions_and_lifetime(fields, description):
    person = make_person(**fields)
    assert Person.objects.get(pk=person.pk).description == description


def test_the_known_for_title_is_the_first_known_film_in_the_database():
    """Of the known-for ids, the first that names a film here gives the title, whatever the
    votes; without one, the person's most voted film does."""
    make_film(title="Second", imdb_id="tt0000002", vote_count=1)
    make_film(title="Third", imdb_id="tt0000003", vote_count=99)
    person = make_person(known_for="tt0000001,tt0000002,tt0000003", professions="actor")
    assert Person.objects.with_description().get(pk=person.pk).description == "actor, Second"
    other = make_person(known_for="tt0000009")
    Credit.objects.create(film=make_film(title="Minor", vote_count=5), person=other, role="cast")
    Credit.objects.create(film=make_film(title="Major", vote_count=50), person=other, role="cast")
    assert Person.objects.with_description().get(pk=other.pk).known_for_title == "Major"
    assert Person.objects.with_description().get(pk=make_person().pk).known_for_title == ""


@pytest.mark.parametrize(
    "known_for", ['tt"1,tt2', "tt\\1", "[", ",,,", "tt1,tt2,tt3,tt4,tt5,tt6", "ü,🎬", " "]
)
def test_a_known_for_list_an_editor_broke_reads_without_an_error(known_for):
    person = make_person(known_for=known_for)
    assert Person.objects.with_description().get(pk=person.pk).known_for_title == ""


def test_the_fifth_known_for_id_is_not_looked_up():
    make_film(title="Fifth", imdb_id="tt0000005")
    person = make_person(known_for="tt1,tt2,tt3,tt4,tt0000005")
    assert Person.objects.with_description().get(pk=person.pk).known_for_title == ""


@pytest.mark.parametrize(
    ("imdb_id", "url"),
    [
        ("tt0089560", "https://www.imdb.com/title/tt0089560/"),
        ("nm0000333", "https://www.imdb.com/name/nm0000333/"),
        ("tt", ""),
        ("co0012345", ""),
        ("tt12<b>", ""),
        (None, ""),
        ("", ""),
    ],
)
def test_imdb_ids_link_to_their_imdb_page(imdb_id, url):
    assert imdb_url(imdb_id) == url
