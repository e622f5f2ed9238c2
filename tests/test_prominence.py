"""A person's prominence is the votes of the films they are credited in, and every writer of
credits and votes keeps it: importimdb, importfilms, the admin and fixture loads."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.forms.models import model_to_dict

from bench.generate import generate
from films.importers.imdb import import_imdb
from films.importers.loader import save_film
from films.importers.records import CreditRecord, FilmRecord, PersonRecord
from films.models import Credit, Film, Person
from films.prominence import refresh_prominence
from tests.builders import make_film, make_person
from tests.test_import_imdb import PRINCIPALS, RATINGS, dataset  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def prominence(name):
    return Person.objects.get(name=name).prominence


def test_prominence_adds_the_votes_of_each_film_once():
    """Two credits in one film count that film once; a person without credits has none."""
    alien = make_film(vote_count=900_000)
    short = make_film(vote_count=40)
    hurt, extra = make_person(name="John Hurt"), make_person(name="Extra")
    make_person(name="Nobody", prominence=7)
    Credit.objects.create(film=alien, person=hurt, role="cast", character="Kane")
    Credit.objects.create(film=alien, person=hurt, role="writer")
    Credit.objects.create(film=short, person=hurt, role="cast")
    Credit.objects.create(film=short, person=extra, role="cast")
    assert refresh_prominence() == 3
    assert (prominence("John Hurt"), prominence("Extra"), prominence("Nobody")) == (900_040, 40, 0)
    assert refresh_prominence() == 0  # nothing left to change


def test_refreshing_some_people_leaves_the_others():
    film = make_film(vote_count=100)
    chosen, other = make_person(name="Chosen"), make_person(name="Other")
    for person in (chosen, other):
        Credit.objects.create(film=film, person=person, role="cast")
    assert refresh_prominence(people=Person.objects.filter(pk=chosen.pk)) == 1
    assert (prominence("Chosen"), prominence("Other")) == (100, 0)
    assert refresh_prominence(people=Person.objects.none()) == 0


def heat(votes, cast):
    return FilmRecord(
        title="Heat",
        year=1995,
        rating=Decimal("8.3"),
        vote_count=votes,
        credits=[
            CreditRecord(person=PersonRecord(name), role="cast", order=i)
            for i, name in enumerate(cast, start=1)
        ],
    )


def test_importfilms_keeps_the_prominence_of_the_films_people():
    """A film page's people get its votes; new votes change them; a person dropped from the
    cast loses them."""
    make_film(title="Other", vote_count=5).credits.create(
        person=make_person(name="Val Kilmer"), role="cast"
    )
    save_film(record=heat(1_000, ["Al Pacino", "Val Kilmer"]))
    assert (prominence("Al Pacino"), prominence("Val Kilmer")) == (1_000, 1_005)
    save_film(record=heat(2_000, ["Al Pacino", "Val Kilmer"]))
    assert (prominence("Al Pacino"), prominence("Val Kilmer")) == (2_000, 2_005)
    save_film(record=heat(2_000, ["Al Pacino"]))
    assert (prominence("Al Pacino"), prominence("Val Kilmer")) == (2_000, 5)


def test_a_dry_run_changes_no_prominence():
    save_film(record=heat(1_000, ["Al Pacino"]), dry_run=True)
    assert not Person.objects.exists()
    save_film(record=heat(1_000, ["Al Pacino"]))
    save_film(record=heat(9_000, ["Al Pacino"]), dry_run=True)
    assert prominence("Al Pacino") == 1_000


def test_importimdb_gives_everyone_their_prominence(dataset):  # noqa: F811
    """Linda Kozlowski is in "Crocodile" Dundee (1,000 votes) and Amélie (700,000)."""
    result = import_imdb(directory=dataset())
    assert result.prominence_changed == 0  # all of them new, and inserted with it
    assert prominence("Linda Kozlowski") == 701_000
    assert prominence("Paul Hogan") == 1_000
    assert prominence("William Shakespeare") == 700_000
    ratings = [["tt0000001", "6.5", "2000"], *RATINGS[1:]]
    result = import_imdb(directory=dataset(title_ratings=ratings))
    dundees_people = Person.objects.filter(credits__film__imdb_id="tt0000001").distinct()
    assert result.prominence_changed == dundees_people.count() > 0
    assert (prominence("Paul Hogan"), prominence("Linda Kozlowski")) == (2_000, 702_000)


def test_importimdb_inserts_new_people_with_their_prominence(tmp_path):
    """New people come with their prominence: the import's ranking of everyone at its end
    has no one to change, as ranking them again afterwards has not."""
    generate(films=40, out=tmp_path, seed=3)
    result = import_imdb(directory=tmp_path)
    assert Person.objects.filter(prominence__gt=0).exists()
    assert result.prominence_changed == refresh_prominence() == 0


def test_the_admin_keeps_the_prominence_of_a_films_people(rf, admin_user):
    film = make_film(vote_count=10)
    Credit.objects.create(film=film, person=make_person(name="Lead"), role="cast")
    film_admin = admin.site._registry[Film]
    request = rf.post("/")
    request.user = admin_user
    form_class = film_admin.get_form(request, film, change=True)
    data = {**model_to_dict(film), "vote_count": 5_000, "genres": []}
    form = form_class({k: v for k, v in data.items() if v is not None}, instance=film)
    assert form.is_valid(), form.errors
    film_admin.save_model(request, form.save(commit=False), form, change=True)
    film_admin.save_related(request, form, [], change=True)
    assert prominence("Lead") == 5_000
    film_admin.delete_model(request, Film.objects.get(pk=film.pk))
    assert prominence("Lead") == 0


def test_the_admin_keeps_the_prominence_of_a_credits_people(rf, admin_user):
    film = make_film(vote_count=300)
    first, second = make_person(name="First"), make_person(name="Second")
    credit = Credit.objects.create(film=film, person=first, role="cast")
    refresh_prominence()
    credit_admin = admin.site._registry[Credit]
    request = rf.post("/")
    request.user = admin_user
    form = credit_admin.get_form(request, credit, change=True)(
        {**model_to_dict(credit), "person": second.pk}, instance=credit
    )
    assert form.is_valid(), form.errors
    credit_admin.save_model(request, form.save(commit=False), form, change=True)
    assert (prominence("First"), prominence("Second")) == (0, 300)
    credit_admin.delete_model(request, Credit.objects.get(pk=credit.pk))
    assert prominence("Second") == 0


def test_the_seed_gives_its_people_the_films_votes():
    call_command("loadseed", "mask", verbosity=0)
    assert prominence("Cher") == Film.objects.get(slug="mask-1985").vote_count == 12_168


def test_an_identical_importimdb_ranks_no_one(dataset):  # noqa: F811
    """The monthly refresh that changes no votes and no credits skips ranking everyone: no
    one's prominence can have moved. A credit added is ranked."""
    import_imdb(directory=dataset())
    stages = []
    import_imdb(directory=dataset(), on_progress=lambda progress: stages.append(progress.stage))
    assert "ranking people" not in stages
    assert prominence("Paul Hogan") == 1_000
    principals = [*PRINCIPALS, ["tt0000002", "3", "nm0000001", "actor", "\\N", '["Guest"]']]
    result = import_imdb(directory=dataset(title_principals=principals))
    assert result.prominence_changed == 1
    assert prominence("Paul Hogan") == 701_000
