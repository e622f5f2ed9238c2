"""Saving one film's records: all of it in one transaction, or nothing.

The loader compares what the records say with what the database holds and writes only the
difference: rows the film no longer has are deleted, new rows are inserted in bulk, and a
second import of the same records writes nothing. Its query count does not depend on the
size of the film's cast: people, locations and genres are looked up and created in bulk.
"""

import itertools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, Q

from films.currencies import is_currency
from films.freshness import data_changed
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
    Tagline,
    Trivia,
)
from films.places import place_locations
from films.prominence import keeping_prominence
from films.rules import FILM_YEARS, PERSON_YEARS, film_slug, new_slugs, slug_base
from films.tombstones import issue_ids_after, record_removed

from .errors import FilmImportError, FilmImportWarning, Origin
from .records import MAKING_OF_KINDS, FilmRecord, MakingOfRecord

# Facts only IMDb gives: a record that has them sets them, one without leaves them.
IMDB_FIELDS = ("imdb_id", "original_title", "title_type")
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
# What makes an item with a page of its own the same item in the next import: it keeps its
# row, and so its address, whatever else about it or around it changed.
TRIVIA_IDENTITY = ("kind", "text")
REVIEW_IDENTITY = ("body",)
# The ids a document may give an item (a BigAutoField's); trivia and reviews count apart.
MAX_ITEM_ID = 2**63 - 1
ITEM_ID_KINDS = {Trivia: Trivia.Kind.values, Review: [RemovedItem.REVIEW]}
PERSON_FIELDS = ("name", "imdb_id", "birth_year", "death_year", "professions", "known_for")
# What a record fills in or corrects on a person it finds; a value it leaves out never erases.
PERSON_DETAILS = ("imdb_id", "birth_year", "death_year", "professions", "known_for")
SOURCE_FIELDS = ("file_name", "content_hash", "format", "dataset_date", "terms", "attribution")
# The related rows that name a row in the import's report of what it removed.
_NAMED_BY = {Credit: ("person",), FilmingLocation: ("location",)}


@dataclass
class FilmResult:
    """What an import did, or would do, to one film."""

    slug: str
    title: str
    year: int | None
    outcome: str  # "created", "updated" or "unchanged"
    changes: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # each item deleted, "credit: Cher as Rusty"
    credits: int | None = None
    trivia: int = 0
    # What the import did that an editor may want to check: a name that matched no one
    # surely, an address a document asked for that could not be given.
    warnings: list[FilmImportWarning] = field(default_factory=list)

    def __str__(self):
        return f"{self.title} ({self.year})" if self.year else self.title


def save_film(*, record: FilmRecord, dry_run: bool = False) -> FilmResult:
    """Creates or updates the film to match the record; with dry_run, says what would change."""
    slug = record.slug or film_slug(record.title, record.year, record.imdb_id)
    _validate(record, slug)
    return _in_transaction(
        record, dry_run, find=lambda: _find_film(record, slug), slug=slug, facts=True
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
        return film, film.slug

    return _in_transaction(partial, dry_run, find=find, slug=None, facts=False)


def _in_transaction(record, dry_run, *, find, slug, facts):
    try:
        with transaction.atomic():
            film, slug = find()
            sync = _Sync(record, film, slug, facts=facts, apply=not dry_run)
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


def _find_film(record, slug):
    """The film the record speaks of, and the slug a new one gets: found by its slug (or one
    it had), then by IMDb id. A slug held by a film with another IMDb id is that film's: a
    document that names it is refused; a slug made from the title goes to the new film by
    the rule of films/slugs.py."""
    film = Film.objects.filter(slug=slug).first()
    if film is None:
        film = Film.objects.by_old_slugs([slug]).get(slug)
    if film and record.imdb_id and film.imdb_id not in (None, record.imdb_id):
        if record.slug:
            raise FilmImportError(
                f'"{slug}" belongs to another film, {film} ({film.imdb_id})',
                origin=_at(record.origin, "slug"),
            )
        film = None
    if film is None and record.imdb_id:
        film = Film.objects.filter(imdb_id=record.imdb_id).first()
    if film is None and not record.slug:
        (slug,) = new_slugs(Film, [(slug, record.imdb_id)])
    return film, slug


def _at(origin, key):
    """The origin of a key inside the record read at origin (JSON: its path, `.key` added)."""
    origin = origin or Origin("(records)")
    return origin.at_path(f"{origin.path}.{key}") if origin.path else origin


class _Sync:
    """Brings one film in line with its record, counting what differs."""

    def __init__(self, record, film, slug, *, facts, apply):
        self.record, self.apply, self.facts = record, apply, facts
        self.created = film is None
        self.film = Film(slug=slug) if film is None else film
        self.changes, self.removed, self.warnings = [], [], []

    def run(self):
        record, film = self.record, self.film
        changed = self.assign_facts() if self.facts else []
        people, updated_people = _people(
            record.credits or [], film=None if self.created else film, warnings=self.warnings
        )
        places = _named(Location, list(_places_named(record)))
        genres = _named(
            Genre,
            [
                (name, record.genre_slugs.get(name, ""), _at(record.origin, f"genres[{i}].slug"))
                for i, name in enumerate(record.genres or [])
            ],
        )
        sources = _sources(record, apply=self.apply)
        if self.apply:
            _create_missing(Person, people.values())
            new_places = [place for place in places.values() if place.pk is None]
            _create_missing(Location, new_places)
            place_locations(new_places)
            _create_missing(Genre, genres.values())
            if updated_people:
                Person.objects.bulk_update(updated_people, PERSON_DETAILS)
            if self.created or changed:
                film.source_id = sources.get(record.source)
                film.save()
        if placed := _place_as_given(record, places):
            self.changes.append(f"where {len(placed)} places are")
            if self.apply:
                Location.objects.bulk_update(placed, ["parent", "latitude", "longitude"])
        self.changes += changed
        if updated_people:
            self.changes.append(f"details of {len(updated_people)} people")
        if record.credits is not None:
            desired = [
                {
                    "person_id": people[c.person.key].pk,
                    **_values(c, CREDIT_FIELDS[1:]),
                    **_provenance(c, sources),
                }
                for c in record.credits
            ]
            self.rows(
                "credits", Credit, CREDIT_FIELDS, desired, item="credit", also={"year": film.year}
            )
        if record.trivia is not None:
            self.items(
                "trivia",
                Trivia,
                TRIVIA_FIELDS,
                record.trivia,
                identity=TRIVIA_IDENTITY,
                item="",
                sources=sources,
                kind__in=record.trivia_kinds,
            )
        if record.reviews is not None:
            self.items(
                "reviews",
                Review,
                REVIEW_FIELDS,
                record.reviews,
                identity=REVIEW_IDENTITY,
                item="review",
                sources=sources,
            )
        if record.removed_items is not None:
            self.removed_items(record.removed_items)
        if record.taglines is not None:
            desired = [
                {"order": order, "text": text, **_tagline_provenance(record, order, sources)}
                for order, text in enumerate(record.taglines, start=1)
            ]
            self.rows("taglines", Tagline, ("order", "text"), desired, item="tagline")
        if record.filming_locations is not None:
            desired = [
                {
                    "location_id": places[fl.location].pk,
                    "note": fl.note,
                    **_provenance(fl, sources),
                }
                for fl in record.filming_locations
            ]
            self.rows(
                "filming locations",
                FilmingLocation,
                ("location_id", "note"),
                desired,
                item="filming location",
            )
        if record.genres is not None:
            self.genres(list(genres.values()))
        if self.apply and self.changes and not self.created and not changed:
            film.save(update_fields=["updated_at"])
        if self.apply and "year" in changed and not self.created:
            # The film's year is its credits' too (Credit.year), those it kept included.
            Credit.objects.filter(film=film).fill_years()
        return FilmResult(
            slug=film.slug,
            title=film.title,
            year=film.year,
            outcome="created" if self.created else "updated" if self.changes else "unchanged",
            changes=[] if self.created else self.changes,
            removed=self.removed,
            credits=None if record.credits is None else len(record.credits),
            trivia=len(record.trivia or []),
            warnings=self.warnings,
        )

    def assign_facts(self):
        changed = []
        values = {name: getattr(self.record, name) for name in SCALAR_FIELDS}
        # What IMDb alone knows: a page without it (a scraped page) does not erase it.
        for name in IMDB_FIELDS:
            if value := getattr(self.record, name):
                values[name] = value
        for name, value in values.items():
            if getattr(self.film, name) != value:
                setattr(self.film, name, value)
                changed.append(name)
        return changed

    def rows(self, label, model, fields, desired, *, item, also=None, **only):
        """Deletes the rows the record no longer has, inserts the new ones, keeps the rest,
        and names each row deleted (`item`: what one row is called, "" where its own name
        says, as a trivia item's "Goof: ..."); `also` gives values to the new rows that
        are the film's, not the record's.

        Rows are compared by the values of `fields`; `desired` holds those values, one dict
        per row, and the source of a row to insert (a row kept keeps its own). A person or
        place not created yet (in a dry run) has a None id: its row is new.
        """
        have = {}
        if not self.created:
            rows = model.objects.filter(film=self.film, **only).values_list("pk", *fields)
            have = {tuple(values): pk for pk, *values in rows}
        wanted = {tuple(values[name] for name in fields): values for values in desired}
        removed = [pk for values, pk in have.items() if values not in wanted]
        added = [values for key, values in wanted.items() if key not in have]
        if removed:
            gone = model.objects.filter(pk__in=removed).order_by("pk")
            if model in _NAMED_BY:
                gone = gone.select_related(*_NAMED_BY[model])
            for row in gone:
                self.removed.append(f"{item}: {_name_of(row)}" if item else _name_of(row))
        if self.apply:
            if removed:
                model.objects.filter(pk__in=removed).delete()
            if added:
                model.objects.bulk_create(
                    model(film=self.film, **values, **(also or {})) for values in added
                )
        if added or removed:
            self.changes.append(f"{label} +{len(added)} -{len(removed)}")

    def items(self, label, model, fields, records, *, identity, item, sources, **only):
        """Like rows(), for items that have pages of their own (trivia, reviews): a row is
        matched by its `identity` fields alone (kind and text), so an item keeps its row and
        its address when items are inserted, removed or reordered around it; what else
        changed about it (its order, a contributor) is updated in place. Equal items are
        matched in order. The rows deleted are recorded as removed (films/tombstones.py).

        A record that gives its id (an exported item's) is first matched to the film's row of
        that id; a new item gets that id, unless another film's item has it, now or as a
        removed one: then the film is refused. A row found by identity keeps its own id, as a
        person found by name keeps their slug.

        An item inserted or changed takes its record's source (`sources`: the Source of each
        SourceRecord); an unchanged one keeps its own.
        """
        have, orders, by_id = {}, set(), {}
        if not self.created:
            rows = model.objects.filter(film=self.film, **only).order_by("order", "pk")
            for pk, *values in rows.values_list("pk", *fields):
                values = dict(zip(fields, values, strict=True))
                have.setdefault(tuple(values[name] for name in identity), []).append((pk, values))
                orders.add(values["order"])
                by_id[pk] = values
        found = {r.id for r in records if r.id in by_id}
        for same in have.values():
            same[:] = [(pk, values) for pk, values in same if pk not in found]
        kept, added = [], []  # kept: (pk, values now, values wanted); added: (record, values)
        for record in records:
            values = _values(record, fields)
            wanted = {**values, **_provenance(record, sources)}
            if record.id in found:
                pk, now = record.id, by_id[record.id]
            elif same := have.get(tuple(values[name] for name in identity)):
                pk, now = same.pop(0)
            else:
                added.append((record, wanted))
                continue
            if now != values:
                kept.append((pk, now, wanted))
        given = [record for record, _ in added if record.id is not None]
        self.refuse_taken_ids(model, given)
        removed = [pk for unmatched in have.values() for pk, _ in unmatched]
        if removed:
            gone = model.objects.filter(pk__in=removed).order_by("pk")
            for row in gone:
                self.removed.append(f"{item}: {_name_of(row)}" if item else _name_of(row))
        if self.apply:
            if removed:
                record_removed(items=model.objects.filter(pk__in=removed))
                model.objects.filter(pk__in=removed).delete()
            if kept:
                self.update_in_place(model, fields, kept, taken=orders)
            if added:
                model.objects.bulk_create(
                    model(pk=record.id, film=self.film, **values) for record, values in added
                )
            if given:
                self.restored(model, given)
        if added or removed or kept:
            self.changes.append(
                f"{label} +{len(added)} -{len(removed)}" + (f" ~{len(kept)}" if kept else "")
            )

    def refuse_taken_ids(self, model, records):
        """Refuses the film when an id the records give belongs to another film's item of
        model, or to one removed from another film: ids are never reused."""
        ids = {r.id: r for r in records}
        if not ids:
            return
        taken = {}
        removed = RemovedItem.objects.filter(item_id__in=ids, kind__in=ITEM_ID_KINDS[model])
        live = model.objects.filter(pk__in=ids).select_related("film")
        if self.film.pk is not None:
            removed, live = removed.exclude(film=self.film), live.exclude(film=self.film)
        for gone in removed:
            taken[gone.item_id] = f"a {gone.noun} removed from {gone.film_title}"
        for row in live:
            taken[row.pk] = f"another film's {row.noun}, in {row.film}"
        for item_id, record in ids.items():
            if item_id in taken:
                raise FilmImportError(
                    f"id {item_id} belongs to {taken[item_id]}", origin=_at(record.origin, "id")
                )

    def restored(self, model, records):
        """After items are given the ids the records name: a removed item that comes back is
        no longer recorded as removed, and new rows get ids above every id given."""
        ids = [r.id for r in records]
        RemovedItem.objects.filter(
            film=self.film, item_id__in=ids, kind__in=ITEM_ID_KINDS[model]
        ).delete()
        issue_ids_after(model, max(ids))

    def removed_items(self, records):
        """Records the items the record says the film had and removed, not recorded yet, so
        that their addresses answer 410 Gone."""
        for model, kinds in ITEM_ID_KINDS.items():
            mine = [r for r in records if r.kind in kinds]
            self.refuse_taken_ids(model, mine)
            recorded = set()
            if self.film.pk is not None:
                recorded = set(
                    RemovedItem.objects.filter(
                        film=self.film, item_id__in=[r.id for r in mine], kind__in=kinds
                    ).values_list("item_id", flat=True)
                )
            new = [r for r in mine if r.id not in recorded]
            if self.apply and new:
                RemovedItem.objects.bulk_create(
                    RemovedItem(
                        kind=r.kind,
                        item_id=r.id,
                        film=self.film,
                        film_slug=self.film.slug,
                        film_title=str(self.film),
                    )
                    for r in new
                )
                issue_ids_after(model, max(r.id for r in new))
            if new:
                self.changes.append(f"removed {model._meta.verbose_name_plural} +{len(new)}")

    def update_in_place(self, model, fields, kept, *, taken):
        """Gives kept rows their wanted values. An order is unique within the film (and kind):
        the rows that move first step aside to orders nobody holds (`taken`) or wants, so
        that no statement ever makes two rows share one."""
        used = taken | {wanted["order"] for _, _, wanted in kept}
        moving = [pk for pk, now, wanted in kept if now["order"] != wanted["order"]]
        free = (order for order in itertools.count() if order not in used)
        if moving:
            model.objects.bulk_update([model(pk=pk, order=next(free)) for pk in moving], ["order"])
        # A changed item takes the source that changed it along with its values.
        model.objects.bulk_update(
            [model(pk=pk, film=self.film, **wanted) for pk, _, wanted in kept],
            [*fields, "source_id", "source_line"],
        )

    def genres(self, genres):
        current = {} if self.created else dict(self.film.genres.values_list("pk", "name"))
        if set(current) != {genre.pk for genre in genres}:
            if self.apply:
                self.film.genres.set(genres)
            self.changes.append("genres")
            kept = {genre.pk for genre in genres}
            self.removed += [f"genre: {name}" for pk, name in current.items() if pk not in kept]


def _name_of(row):
    """What a row about to be deleted is, for the import's report."""
    if isinstance(row, Credit):
        what = ", ".join(filter(None, [row.get_role_display().lower(), row.character]))
        return f"{row.person.name} ({what})"
    if isinstance(row, FilmingLocation):
        return f"{row.location.name} ({row.note})" if row.note else row.location.name
    if isinstance(row, Review):
        return row.title or _shortened(row.body)
    if isinstance(row, Trivia):
        return f"{row.get_kind_display().lower()}: {_shortened(row.text)}"
    return row.text  # a tagline


def _shortened(text, length=60):
    return text if len(text) <= length else f"{text[: length - 1]}…"


def _values(record, names):
    return {name: getattr(record, name) for name in names}


def _provenance(record, sources):
    return {"source_id": sources.get(record.source), "source_line": record.source_line}


def _tagline_provenance(record, order, sources):
    """A tagline's source and line: its own where the record gives one, else the film's."""
    source, line = (record.tagline_sources or {}).get(order, (record.source, None))
    return {"source_id": sources.get(source), "source_line": line}


def _named_sources(record):
    rows = [
        *(record.credits or []),
        *(record.trivia or []),
        *(record.reviews or []),
        *(record.filming_locations or []),
    ]
    taglines = [source for source, _ in (record.tagline_sources or {}).values()]
    return {source for source in [record.source, *taglines, *(r.source for r in rows)] if source}


def _sources(record, *, apply):
    """{SourceRecord: Source id} for the sources the record names: found by content hash,
    else created (in a dry run, not created: their rows would have no id)."""
    sources = _named_sources(record)
    named = {source.content_hash: source for source in sources}
    if not named:
        return {}
    found = Source.objects.filter(content_hash__in=named).values_list("content_hash", "pk")
    ids = dict(found)
    missing = [_source_row(source) for digest, source in named.items() if digest not in ids]
    if missing and apply:
        # Another import may create the same source at the same moment: keep either.
        Source.objects.bulk_create(missing, ignore_conflicts=True)
        found = Source.objects.filter(content_hash__in=[s.content_hash for s in missing])
        ids |= dict(found.values_list("content_hash", "pk"))
    return {source: ids.get(source.content_hash) for source in sources}


def _source_row(source):
    values = {name: getattr(source, name) for name in SOURCE_FIELDS}
    if source.imported_at is not None:
        values["imported_at"] = source.imported_at
    return Source(**values)


def _people(credits, *, film, warnings):
    """Person rows for the credits' people, by record key: found, or new (unsaved).

    A person is found by the slug the record gives (or one the person had), else by IMDb
    id, else by name among people without an id, who then get the id. A record that gives
    only a name matches the person of that name already credited on this film, else the
    only person of that name; when several share it, the credit gets a new person and a
    warning names them: two people are never merged by a name alone."""
    if not credits:
        return {}, []
    records = [c.person for c in credits]
    # Only a record without a slug can mean a person by name: the others' namesakes (the
    # hundreds of a common name, at a catalogue's size) are not read.
    names = {r.name for r in records if not r.slug}
    ids = {r.imdb_id for r in records if r.imdb_id}
    slugs = {r.slug for r in records if r.slug}
    found = Person.objects.filter(Q(name__in=names) | Q(imdb_id__in=ids) | Q(slug__in=slugs))
    if film is not None:
        credited = Credit.objects.filter(film=film, person=OuterRef("pk"))
        found = found.annotate(on_film=Exists(credited))
    found = list(found.order_by("pk"))
    by_slug = {p.slug: p for p in found}
    if old := slugs - by_slug.keys():
        by_slug |= Person.objects.by_old_slugs(old)
    by_imdb = {p.imdb_id: p for p in found if p.imdb_id}
    by_name = {}
    for person in found:
        by_name.setdefault(person.name, []).append(person)
    people, new, changed, ambiguous = {}, {}, [], []
    for credit, r in zip(credits, records, strict=True):
        if r.key in people:
            continue
        person = None
        if r.slug and (person := by_slug.get(r.slug)):
            other = by_imdb.get(r.imdb_id)
            if (other and other != person) or (
                r.imdb_id and person.imdb_id and person.imdb_id != r.imdb_id
            ):
                raise FilmImportError(
                    f'"{r.slug}" belongs to another person, {person.name}'
                    + (f" ({person.imdb_id})" if person.imdb_id else ""),
                    origin=_at(credit.origin, "person.slug"),
                )
        elif r.imdb_id:
            person = by_imdb.get(r.imdb_id)
            if person is None and not r.slug:
                unnamed = [p for p in by_name.get(r.name, []) if not p.imdb_id]
                person = unnamed[0] if len(unnamed) == 1 else None
        elif not r.slug:
            person = _by_name_only(by_name.get(r.name, []))
        if person is None:
            person = new.setdefault(r.key, Person(name=r.name, imdb_id=r.imdb_id, slug=r.slug))
            if not (r.slug or r.imdb_id) and len(by_name.get(r.name, [])) > 1:
                ambiguous.append((credit, person, by_name[r.name]))
        for name in PERSON_DETAILS:
            value = getattr(r, name)
            if value not in (None, "") and getattr(person, name) != value:
                setattr(person, name, value)
                if person.pk and person not in changed:
                    changed.append(person)
        people[r.key] = person
    _give_slugs(Person, [p for p in new.values() if not p.slug])
    for credit, person, namesakes in ambiguous:
        warnings.append(
            FilmImportWarning(
                f'"{person.name}" could be any of {len(namesakes)} people '
                f"({', '.join(p.slug for p in namesakes)}): credited to a new person, "
                f"{person.slug}; an editor can merge them in the admin if they are one",
                credit.origin or Origin("(records)"),
            )
        )
    return people, changed


def _by_name_only(namesakes):
    """The person a bare name means: the one of that name credited on this film, else the
    only one of that name; None when there is none or no telling which."""
    on_film = [p for p in namesakes if getattr(p, "on_film", False)]
    if len(on_film) == 1:
        return on_film[0]
    return namesakes[0] if len(namesakes) == 1 else None


def _named(model, wanted):
    """Rows of a model with a unique name (genres, locations), found or new (unsaved), by
    name. wanted holds (name, slug or "", origin of the slug): a row is found by the slug
    (or one it had), else by name; a slug held by a row of another name is refused."""
    wanted = list({name: (name, slug, origin) for name, slug, origin in wanted}.values())
    if not wanted:
        return {}
    names = {name for name, _, _ in wanted}
    slugs = {slug for _, slug, _ in wanted if slug}
    found = list(model.objects.filter(Q(name__in=names) | Q(slug__in=slugs)))
    by_name = {row.name: row for row in found}
    by_slug = {row.slug: row for row in found}
    if old := slugs - by_slug.keys():
        by_slug |= model.objects.by_old_slugs(old)
    rows, new = {}, []
    kind = model._meta.verbose_name
    for name, slug, origin in wanted:
        row = by_slug.get(slug) if slug else None
        if row is not None and name in by_name and by_name[name] != row:
            raise FilmImportError(
                f'"{slug}" belongs to another {kind}, {row.name}; "{name}" is at '
                f"{by_name[name].slug}",
                origin=origin,
            )
        row = row or by_name.get(name)
        if row is None:
            row = model(name=name, slug=slug)
            new.append(row)
        rows[name] = row
    _give_slugs(model, [row for row in new if not row.slug])
    return rows


def _places_named(record):
    """(name, slug, origin of the slug) of each place the record names: its filming locations
    and the places the document says they lie in."""
    for fl in record.filming_locations or []:
        if fl.place is None:
            yield fl.location, fl.slug, _at(fl.origin, "slug")
        else:
            yield from ((p.name, p.slug, _at(p.origin, "slug")) for p in fl.place.chain())


def _place_as_given(record, places):
    """Gives the places (rows by name) the coordinates and parents the document gives them;
    what it leaves out stays as it is. Returns the places that changed, unsaved."""
    changed = {}
    for fl in record.filming_locations or []:
        for place in fl.place.chain() if fl.place else ():
            row = places[place.name]
            before = (row.parent_id, row.latitude, row.longitude)
            if "coordinates" in place.given:
                row.latitude, row.longitude = place.latitude, place.longitude
            if "parent" in place.given:
                row.parent = places[place.parent.name] if place.parent else None
            if (row.parent_id, row.latitude, row.longitude) != before:
                changed[row.name] = row
    return list(changed.values())


def _give_slugs(model, rows):
    """Gives new rows slugs from their names, by the one rule of films/slugs.py."""
    if rows:
        kind = model._meta.model_name
        wanted = [
            (
                slug_base(row.name, fallback=getattr(row, "imdb_id", None) or kind),
                getattr(row, "imdb_id", None),
            )
            for row in rows
        ]
        for row, slug in zip(rows, new_slugs(model, wanted), strict=True):
            row.slug = slug


def _create_missing(model, rows):
    new = list({id(row): row for row in rows if row.pk is None}.values())
    if new:
        model.objects.bulk_create(new)


def _validate(record, slug):
    """Checks every value against the model's fields and rules before anything is written."""
    film_values = {"slug": slug, **_values(record, IMDB_FIELDS + SCALAR_FIELDS)}
    _clean(Film, film_values, record)
    for source in _named_sources(record):
        _clean(Source, _values(source, SOURCE_FIELDS), record)
    _check(record.rating is None or 0 <= record.rating <= 10, "rating must be 0 to 10", record)
    _check(
        (record.gross is None) == (record.gross_currency == "")
        and (not record.gross_currency or is_currency(record.gross_currency)),
        f"gross {record.gross} with currency {record.gross_currency!r}: a gross needs an "
        "ISO 4217 currency code, and only a gross has one",
        record,
    )
    _check(
        record.year is None or record.year in FILM_YEARS,
        f"year must be between {FILM_YEARS[0]} and {FILM_YEARS[-1]}",
        record,
    )
    credits = {}
    for credit in record.credits or []:
        person = credit.person
        _clean(Person, _values(person, PERSON_FIELDS), credit)
        if person.slug:
            _clean(Person, {"slug": person.slug}, credit)
        _check(
            None in (person.birth_year, person.death_year)
            or person.death_year >= person.birth_year,
            "death_year is before birth_year",
            credit,
        )
        for name in ("birth_year", "death_year"):
            year = getattr(person, name)
            _check(
                year is None or year in PERSON_YEARS,
                f"{name} must be between {PERSON_YEARS[0]} and {PERSON_YEARS[-1]}",
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
    _check_ids(record)
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
        _clean(
            Location,
            {"name": place.location, **({"slug": place.slug} if place.slug else {})},
            place,
        )
        for parent in list(place.place.chain())[1:] if place.place else ():
            _clean(
                Location,
                {"name": parent.name, **({"slug": parent.slug} if parent.slug else {})},
                parent,
            )
        _clean(FilmingLocation, {"note": place.note}, place)
        _check(place.location not in places, f"{place.location!r} is listed twice", place)
        places.add(place.location)
    for name in record.genres or []:
        slug = record.genre_slugs.get(name)
        _clean(Genre, {"name": name, **({"slug": slug} if slug else {})}, record)


def _check_ids(record):
    """The ids a record gives its items and removed items: each one an id a row can have,
    and given once among the film's trivia and removed trivia (or its reviews and removed
    reviews)."""
    removed = record.removed_items or []
    for gone in removed:
        _check(
            any(gone.kind in kinds for kinds in ITEM_ID_KINDS.values()),
            f'"{gone.kind}" is not a kind of item',
            gone,
        )
    for model, items in ((Trivia, record.trivia), (Review, record.reviews)):
        seen = {}
        kinds = ITEM_ID_KINDS[model]
        given = [item for item in items or [] if item.id is not None]
        given += [gone for gone in removed if gone.kind in kinds]
        for item in given:
            where = _at(item.origin, "id")
            if not 1 <= item.id <= MAX_ITEM_ID:
                raise FilmImportError(f"{item.id} is not an id (1 to {MAX_ITEM_ID})", origin=where)
            if item.id in seen:
                raise FilmImportError(
                    f"id {item.id} is given twice (also at {seen[item.id]})", origin=where
                )
            seen[item.id] = where


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
