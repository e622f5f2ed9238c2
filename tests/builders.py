"""Small builders for test data: each makes a valid row and takes overrides."""

import io
import itertools

from PIL import Image

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
from films.prominence import refresh_prominence

_serial = itertools.count(1)


def make_film(**fields):
    n = next(_serial)
    fields.setdefault("title", f"Film {n}")
    fields.setdefault("slug", f"film-{n}")
    fields.setdefault("year", 1950 + n % 70)
    return Film.objects.create(**fields)


def make_person(**fields):
    n = next(_serial)
    fields.setdefault("name", f"Person {n}")
    fields.setdefault("slug", f"person-{n}")
    return Person.objects.create(**fields)


def make_genre(**fields):
    n = next(_serial)
    fields.setdefault("name", f"Genre {n}")
    fields.setdefault("slug", f"genre-{n}")
    return Genre.objects.create(**fields)


def make_location(**fields):
    n = next(_serial)
    fields.setdefault("name", f"Place {n}")
    fields.setdefault("slug", f"place-{n}")
    return Location.objects.create(**fields)


def image_bytes(format="JPEG", size=(60, 90), colour=(180, 40, 40), **save_options):
    """The bytes of a tiny one-colour image file."""
    buffer = io.BytesIO()
    Image.new("RGBA" if len(colour) == 4 else "RGB", size, colour).save(
        buffer, format, **save_options
    )
    return buffer.getvalue()


def populate(film, *, credits, trivia=0, reviews=0, locations=0, taglines=0):
    """Gives a film many rows of every kind, in bulk."""
    people = Person.objects.bulk_create(
        Person(name=f"Actor {film.pk}-{i}", slug=f"actor-{film.pk}-{i}") for i in range(credits)
    )
    Credit.objects.bulk_create(
        Credit(film=film, person=p, role=Credit.Role.CAST, character=f"Role {i}", order=i + 1)
        for i, p in enumerate(people)
    )
    Trivia.objects.bulk_create(
        Trivia(film=film, kind=Trivia.Kind.TRIVIA, text=f"Fact {i}", order=i + 1)
        for i in range(trivia)
    )
    Tagline.objects.bulk_create(
        Tagline(film=film, text=f"Tagline {i}", order=i + 1) for i in range(taglines)
    )
    Review.objects.bulk_create(
        Review(film=film, body=f"Review {i}", score=i % 10, scale=10, order=i + 1)
        for i in range(reviews)
    )
    places = Location.objects.bulk_create(
        Location(name=f"Place {film.pk}-{i}", slug=f"place-{film.pk}-{i}") for i in range(locations)
    )
    FilmingLocation.objects.bulk_create(FilmingLocation(film=film, location=p) for p in places)


def change_form_data(response):
    """The admin change form's current values, as a browser would submit them."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            else:
                data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def two_john_smiths():
    """Two people of one name: an actor known for a film in the database (though another of
    their films has more votes), and a composer known for films that are not, whose
    description falls back on their most voted film."""
    known = make_film(title="Known For Title", imdb_id="tt0000010", vote_count=5)
    actor = make_person(
        name="John Smith",
        slug="john-smith",
        professions="actor,producer,soundtrack",
        birth_year=1985,
        known_for="tt9999999,tt0000010",
    )
    composer = make_person(
        name="John Smith",
        slug="john-smith-nm0000002",
        professions="composer",
        birth_year=1921,
        death_year=1999,
        known_for="tt8888888",
    )
    Credit.objects.create(film=make_film(title="Minor", vote_count=50), person=actor, role="cast")
    Credit.objects.create(film=known, person=actor, role="cast")
    Credit.objects.create(
        film=make_film(title="Major", vote_count=900), person=composer, role="composer"
    )
    refresh_prominence(people=Person.objects.filter(pk__in=[actor.pk, composer.pk]))
    return actor, composer
