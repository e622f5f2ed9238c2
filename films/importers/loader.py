"""Saving one film's records: all of it in one transaction, or nothing.

The loader compares what the records say with what the database holds and writes only the
difference: rows the film no longer has are deleted, new rows are inserted in bulk, and a
second import of the same records writes nothing. Its query count does not depend on the
size of the film's cast: people, locations and genres are looked up and created in bulk.
"""

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils.text import slugify

from films.freshness import data_changed
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
from films.prominence import keeping_prominence

from .errors import FilmImportError, Origin
from .records import MAKING_OF_KINDS, FilmRecord, MakingOfRecord

SCALAR_FIELDS = (
    "title",
    "year",
    "release_date",
    "release_country",
    "logline",
    "plot",
    "rating",
    "vote_count",
    "runtime_minutes",
    "gross",
    "gross_currency",
    "gross_region",
)
CREDIT_FIELDS = (
    "person_id",
    "role",
    "order",
    "character",
    "job",
    "credited_as",
    "uncredited",
    "is_star",
)
TRIVIA_FIELDS = ("kind", "order", "text", "goof_category", "character", "contributor")
REVIEW_FIELDS = ("order", "title", "body", "author", "published", "score", "scale")
PERSON_FIELDS = ("name", "imdb_id", "birth_year", "death_year")
SLUG_LENGTH = 240


@dataclass
class FilmResult:
    """What an import did, or would do, to one film."""

    slug: str
    title: str
    year: int | None
    outcome: str  # "created", "updated" or "unchanged"
    changes: list[str] = field(default_factory=list)
    credits: int | None = None
    trivia: int = 0

    def __str__(self):
        return f"{self.title} ({self.year})" if self.year else self.title


def film_slug(title, year):
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "film"
    return f"{base}-{year}" if year else base


def save_film(*, record: FilmRecord, dry_run: bool = False) -> FilmResult:
    """Creates or updates the film to match the record; with dry_run, says what would change."""
    slug = record.slug or film_slug(record.title, record.year)
    _validate(record, slug)
    return _in_transaction(
        record, dry_run, find=lambda: _find_film(slug, record.imdb_id), slug=slug, facts=True
    )


def save_making_of(*, record: MakingOfRecord, dry_run: bool = False) -> FilmResult:
    """Gives an existing film the making-of page's genres and stories."""
    partial = FilmRecord(
        title=record.title,
        year=record.year,
        genres=record.genres,
        trivia=record.trivia,
        trivia_kinds=MAKING_OF_KINDS,
        origin=record.origin,
    )
    _validate(partial, "making-of")

    def find():
        film = (
            Film.objects.filter(title__iexact=record.title, year=record.year).order_by("pk").first()
        )
        if film is None:
            raise FilmImportError(
                f'no film "{record.title}" ({record.year}) in this import or in the database '
                "to attach this making-of page to",
                origin=record.origin,
            )
        return film

    return _in_transaction(partial, dry_run, find=find, slug=None, facts=False)


def _in_transaction(record, dry_run, *, find, slug, facts):
    try:
        with transaction.atomic():
            sync = _Sync(record, find(), slug, facts=facts, apply=not dry_run)
            with keeping_prominence(sync.film):
                result = sync.run()
            if result.outcome != "unchanged" and not dry_run:
                # Bulk inserts and deletes send no signals: say so, or pages stay cached.
                data_changed()
            return result
    except DatabaseError as error:
        raise FilmImportError(
            f"the database refused the film: {error}".strip(), origin=record.origin
        ) from None


def _find_film(slug, imdb_id):
    film = Film.objects.filter(slug=slug).first()
    if film is None and imdb_id:
        film = Film.objects.filter(imdb_id=imdb_id).first()
    return film


class _Sync:
    """Brings one film in line with its record, counting what differs."""

    def __init__(self, record, film, slug, *, facts, apply):
        self.record, self.apply, self.facts = record, apply, facts
        self.created = film is None
        self.film = Film(slug=slug) if film is None else film
        self.changes = []

    def run(self):
        record, film = self.record, self.film
        changed = self.assign_facts() if self.facts else []
        people, updated_people = _people([c.person for c in record.credits or []])
        places = _named(Location, [fl.location for fl in record.filming_locations or []])
        genres = _named(Genre, record.genres or [])
        if self.apply:
            _create_missing(Person, people.values())
            _create_missing(Location, places.values())
            _create_missing(Genre, genres.values())
            if updated_people:
                Person.objects.bulk_update(updated_people, ["imdb_id", "birth_year", "death_year"])
            if self.created or changed:
                film.save()
        self.changes += changed
        if updated_people:
            self.changes.append(f"details of {len(updated_people)} people")
        if record.credits is not None:
            desired = [
                {"person_id": people[c.person.key].pk, **_values(c, CREDIT_FIELDS[1:])}
                for c in record.credits
            ]
            self.rows("credits", Credit, CREDIT_FIELDS, desired)
        if record.trivia is not None:
            desired = [_values(t, TRIVIA_FIELDS) for t in record.trivia]
            self.rows("trivia", Trivia, TRIVIA_FIELDS, desired, kind__in=record.trivia_kinds)
        if record.reviews is not None:
            desired = [_values(r, REVIEW_FIELDS) for r in record.reviews]
            self.rows("reviews", Review, REVIEW_FIELDS, desired)
        if record.taglines is not None:
            desired = [
                {"order": order, "text": text}
                for order, text in enumerate(record.taglines, start=1)
            ]
            self.rows("taglines", Tagline, ("order", "text"), desired)
        if record.filming_locations is not None:
            desired = [
                {"location_id": places[fl.location].pk, "note": fl.note}
                for fl in record.filming_locations
            ]
            self.rows("filming locations", FilmingLocation, ("location_id", "note"), desired)
        if record.genres is not None:
            self.genres(list(genres.values()))
        if self.apply and self.changes and not self.created and not changed:
            film.save(update_fields=["updated_at"])
        return FilmResult(
            slug=film.slug,
            title=film.title,
            year=film.year,
            outcome="created" if self.created else "updated" if self.changes else "unchanged",
            changes=[] if self.created else self.changes,
            credits=None if record.credits is None else len(record.credits),
            trivia=len(record.trivia or []),
        )

    def assign_facts(self):
        changed = []
        values = {name: getattr(self.record, name) for name in SCALAR_FIELDS}
        if self.record.imdb_id:  # a page without an IMDb id does not erase a known one
            values["imdb_id"] = self.record.imdb_id
        for name, value in values.items():
            if getattr(self.film, name) != value:
                setattr(self.film, name, value)
                changed.append(name)
        return changed

    def rows(self, label, model, fields, desired, **only):
        """Deletes the rows the record no longer has, inserts the new ones, keeps the rest.

        Rows are compared by the values of `fields`; `desired` holds those values, one dict
        per row. A person or place not created yet (in a dry run) has a None id: its row is new.
        """
        have = {}
        if not self.created:
            rows = model.objects.filter(film=self.film, **only).values_list("pk", *fields)
            have = {tuple(values): pk for pk, *values in rows}
        wanted = {tuple(values[name] for name in fields): values for values in desired}
        removed = [pk for values, pk in have.items() if values not in wanted]
        added = [values for key, values in wanted.items() if key not in have]
        if self.apply:
            if removed:
                model.objects.filter(pk__in=removed).delete()
            if added:
                model.objects.bulk_create(model(film=self.film, **values) for values in added)
        if added or removed:
            self.changes.append(f"{label} +{len(added)} -{len(removed)}")

    def genres(self, genres):
        current = set() if self.created else set(self.film.genres.values_list("pk", flat=True))
        if current != {genre.pk for genre in genres}:
            if self.apply:
                self.film.genres.set(genres)
            self.changes.append("genres")


def _values(record, names):
    return {name: getattr(record, name) for name in names}


def _people(records):
    """Person rows for the records, by record key: found by IMDb id or name, or new (unsaved)."""
    if not records:
        return {}, []
    names = {r.name for r in records}
    ids = {r.imdb_id for r in records if r.imdb_id}
    found = list(Person.objects.filter(Q(name__in=names) | Q(imdb_id__in=ids)).order_by("pk"))
    by_imdb = {p.imdb_id: p for p in found if p.imdb_id}
    by_name, unnamed = {}, {}
    for person in found:
        by_name.setdefault(person.name, person)
        if not person.imdb_id:
            unnamed.setdefault(person.name, person)
    people, new, changed = {}, {}, []
    for r in records:
        if r.key in people:
            continue
        if r.imdb_id:
            person = by_imdb.get(r.imdb_id) or unnamed.pop(r.name, None)
        else:
            person = by_name.get(r.name)
        if person is None:
            person = new.setdefault(r.key, Person(name=r.name, imdb_id=r.imdb_id))
        for name in ("imdb_id", "birth_year", "death_year"):
            value = getattr(r, name)
            if value is not None and getattr(person, name) != value:
                setattr(person, name, value)
                if person.pk and person not in changed:
                    changed.append(person)
        people[r.key] = person
    _give_slugs(Person, list(new.values()))
    return people, changed


def _named(model, names):
    """Rows of a model with a unique name (genres, locations), found or new (unsaved)."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    rows = {row.name: row for row in model.objects.filter(name__in=names)}
    new = [model(name=name) for name in names if name not in rows]
    _give_slugs(model, new)
    rows.update((row.name, row) for row in new)
    return rows


def _give_slugs(model, rows):
    """Gives new rows slugs from their names, numbered ("john-smith-2") where one is taken."""
    if not rows:
        return
    bases = {id(row): slugify(row.name)[:SLUG_LENGTH].strip("-") or "unnamed" for row in rows}
    taken = set(model.objects.filter(slug__in=bases.values()).values_list("slug", flat=True))
    if clashing := {base for base in bases.values() if base in taken}:
        numbered = reduce(operator.or_, (Q(slug__startswith=f"{base}-") for base in clashing))
        taken |= set(model.objects.filter(numbered).values_list("slug", flat=True))
    for row in rows:
        slug, number = bases[id(row)], 1
        while slug in taken:
            number += 1
            slug = f"{bases[id(row)]}-{number}"
        taken.add(slug)
        row.slug = slug


def _create_missing(model, rows):
    new = list({id(row): row for row in rows if row.pk is None}.values())
    if new:
        model.objects.bulk_create(new)


def _validate(record, slug):
    """Checks every value against the model's fields and rules before anything is written."""
    film_values = {"slug": slug, "imdb_id": record.imdb_id, **_values(record, SCALAR_FIELDS)}
    _clean(Film, film_values, record)
    _check(record.rating is None or 0 <= record.rating <= 10, "rating must be 0 to 10", record)
    _check(
        record.year is None or 1870 <= record.year <= 2100,
        "year must be between 1870 and 2100",
        record,
    )
    credits = {}
    for credit in record.credits or []:
        person = credit.person
        _clean(Person, _values(person, PERSON_FIELDS), credit)
        _check(
            None in (person.birth_year, person.death_year)
            or person.death_year >= person.birth_year,
            "death_year is before birth_year",
            credit,
        )
        _clean(Credit, _values(credit, CREDIT_FIELDS[1:]), credit)
        key = (person.key, credit.role, credit.character)
        _check(
            key not in credits,
            f"{person.name} is credited twice as {credit.role} {credit.character!r}"
            f" (also at {credits.get(key)})",
            credit,
        )
        credits[key] = credit.origin
    orders = {}
    for item in record.trivia or []:
        _clean(Trivia, _values(item, TRIVIA_FIELDS), item)
        _check(item.kind in record.trivia_kinds, f"a {item.kind} does not belong here", item)
        _check(
            item.kind == "goof" or not item.goof_category, "only goofs have a goof_category", item
        )
        key = (item.kind, item.order)
        _check(
            key not in orders,
            f"two {item.kind} items have order {item.order} (also at {orders.get(key)})",
            item,
        )
        orders[key] = item.origin
    review_orders = set()
    for review in record.reviews or []:
        _clean(Review, _values(review, REVIEW_FIELDS), review)
        _check(review.scale > 0, "scale must be above 0", review)
        _check(
            review.score is None or 0 <= review.score <= review.scale,
            f"score {review.score} is outside 0 to {review.scale}",
            review,
        )
        _check(review.order not in review_orders, f"two reviews have order {review.order}", review)
        review_orders.add(review.order)
    for text in record.taglines or []:
        _clean(Tagline, {"text": text}, record)
    places = set()
    for place in record.filming_locations or []:
        _clean(Location, {"name": place.location}, place)
        _clean(FilmingLocation, {"note": place.note}, place)
        _check(place.location not in places, f"{place.location!r} is listed twice", place)
        places.add(place.location)
    for name in record.genres or []:
        _clean(Genre, {"name": name}, record)


def _clean(model, values, record):
    """Runs each model field's own checks (length, choices, blank, digits) on its value."""
    for name, value in values.items():
        try:
            model._meta.get_field(name).clean(value, None)
        except ValidationError as error:
            message = f"{name}: {' '.join(error.messages)}"
            raise FilmImportError(message, origin=record.origin or Origin("(records)")) from None


def _check(condition, message, record):
    if not condition:
        raise FilmImportError(message, origin=record.origin or Origin("(records)"))
