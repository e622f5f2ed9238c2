"""Films written in the project's JSON format (docs/json-format.md), the inverse of json.py.

Each film and row names its source (films/provenance.py), so importing the document again
restores them: the document is not a new source of facts it only carries. With
omit_restricted, facts from sources that forbid redistribution are left out: the film keeps
only what names it (title, slug, year, IMDb id) and the rows from other sources.
"""

import json
import textwrap
from pathlib import Path

from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q

from films.models import Credit, Film, FilmingLocation, Location, Review, Source, Tagline, Trivia

from .json import VERSION
from .loader import IMDB_FIELDS, SCALAR_FIELDS

# Films whose rows are in memory at once while a document is written: memory stays flat
# whatever the catalogue's size, and the queries grow by one round per batch.
BATCH = 500
_ROLE_RANK = {role: rank for rank, role in enumerate(Credit.Role.values)}
_KIND_RANK = {kind: rank for rank, kind in enumerate(Trivia.Kind.values)}


def films_for_export(slugs=None):
    """Films with every related row they export, in a fixed number of queries."""
    films = Film.objects.order_by("slug").prefetch_related(
        "genres",
        "taglines",
        "trivia",
        "reviews",
        Prefetch("credits", queryset=Credit.objects.select_related("person")),
        # A place with the places it lies in, for their chain in the document.
        Prefetch("filming_locations__location", queryset=Location.objects.with_ancestors()),
        "removed_items",
    )
    return films.filter(slug__in=slugs) if slugs else films


# The film's own facts beside what names it (title, slug, year, IMDb id): left out of an
# export that omits restricted sources when the film's source is one.
_FILM_FACTS = [
    name
    for name in (*SCALAR_FIELDS, *IMDB_FIELDS, "genres")
    if name not in ("title", "year", "imdb_id")
]


def film_document(films, *, omit_restricted=False, pictures=False, sources=None):
    """The document of films; omit_restricted leaves out facts from sources whose terms
    forbid redistribution; with pictures, it names the files write_pictures writes.
    `sources`: the sources to list, by primary key (sources_of), if not those the films'
    rows name."""
    films = list(films)
    if sources is None:
        rows = [
            row
            for film in films
            for related in (film.credits, film.trivia, film.reviews, film.taglines)
            for row in related.all()
        ] + [row for film in films for row in film.filming_locations.all()]
        ids = ({film.source_id for film in films} | {row.source_id for row in rows}) - {None}
        # Listed by content hash: the same in every database the document is imported into.
        found = Source.objects.filter(pk__in=ids).order_by("content_hash") if ids else []
        sources = {source.pk: source for source in found}
    restricted = set()
    if omit_restricted:
        restricted = {pk for pk, source in sources.items() if not source.redistributable}
    document = {
        "version": VERSION,
        "sources": [_source(source) for source in sources.values()],
        "films": [_film(film, sources, restricted) for film in films],
    }
    if pictures:
        for film, data in zip(films, document["films"], strict=True):
            _add_pictures(film, data)
    return document


def sources_of(films):
    """The sources that `films` (a queryset) and the rows they export name, by primary key
    in content-hash order, read without reading the rows."""
    film_ids = films.order_by().values("pk")
    named = Q(pk__in=films.order_by().values("source_id"))
    for model in (Credit, Trivia, Review, Tagline, FilmingLocation):
        named |= Q(pk__in=model.objects.filter(film__in=film_ids).values("source_id"))
    return {source.pk: source for source in Source.objects.filter(named).order_by("content_hash")}


def write_document(write, films, *, omit_restricted=False, pictures=None, batch=None):
    """Writes the document of `films` (films_for_export) through `write`, the text of
    dumps(film_document(films, ...)), reading `batch` films with their rows at a time: an
    export holds one batch in memory whatever the size of the catalogue. `pictures`: the
    folder to write the films' pictures into (write_pictures), named in the document.
    Returns how many films it wrote, and the picture files they have: written, or left
    out without `pictures`."""
    batch = batch or BATCH
    sources = sources_of(films)
    # The document's head as dumps writes it, up to the films' opening bracket.
    head = dumps(film_document([], sources=sources))
    write(head.removesuffix("[]\n}\n") + "[")
    files = set()
    written = 0
    for films_read in _batches(films, batch):
        document = film_document(
            films_read, omit_restricted=omit_restricted, pictures=bool(pictures), sources=sources
        )
        for data in document["films"]:
            # Each film indented as it would be inside the document's list.
            text = textwrap.indent(json.dumps(data, indent=2, ensure_ascii=False), " " * 4)
            write(f"{',' if written else ''}\n{text}")
            written += 1
        # A person credited in films of several batches: their photo once.
        new = {path: pic for path, pic in picture_files(films_read).items() if path not in files}
        if pictures:
            write_pictures(new, pictures)
        files.update(new)
    write("\n  ]\n}\n" if written else "]\n}\n")
    return written, sorted(files)


def parts_of(films, size):
    """`films`, ordered by slug, as querysets of `size` films each (the last one fewer),
    found one after another by slug."""
    last = None
    while True:
        rest = films if last is None else films.filter(slug__gt=last)
        bound = next(iter(rest.values_list("slug", flat=True)[size - 1 : size]), None)
        if bound is None:
            if rest.exists():
                yield rest
            return
        yield rest.filter(slug__lte=bound)
        last = bound


def _batches(films, size):
    """`films`, ordered by slug, in lists of `size` read one after another by slug."""
    last = None
    while True:
        batch = list((films if last is None else films.filter(slug__gt=last))[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1].slug


def picture_files(films):
    """{path relative to the document: picture} of every poster and photo of films."""
    files = {}
    for film in films:
        if film.poster:
            files[_picture_file("films", film.slug, film.poster)] = film.poster
        for credit in film.credits.all():
            if credit.person.photo:
                path = _picture_file("people", credit.person.slug, credit.person.photo)
                files[path] = credit.person.photo
    return files


def write_pictures(files, folder):
    """Writes each picture of `files` (picture_files) at its largest stored size into
    folder, where the document names it."""
    for path, picture in files.items():
        target = Path(folder, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        largest = picture.fallback(max(r.width for r in picture.renditions))
        with default_storage.open(largest.name) as stored:
            target.write_bytes(stored.read())


def _picture_file(kind, slug, picture):
    return f"images/{kind}/{slug}.{picture.fallback_format}"


def _picture(kind, slug, picture):
    return {
        "file": _picture_file(kind, slug, picture),
        "credit": picture.credit,
        "source": picture.source,
        "licence": picture.licence,
    }


def _add_pictures(film, data):
    if film.poster:
        data["poster"] = _picture("films", film.slug, film.poster)
    photos = {credit.person.slug: credit.person.photo for credit in film.credits.all()}
    for credit in data.get("credits", []):
        person = credit["person"]
        if photo := photos[person["slug"]]:
            person["photo"] = _picture("people", person["slug"], photo)


def dumps(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _number(value):
    return None if value is None else float(value)


def _place(place, within=()):
    """A place with its coordinates and the chain of places it lies in (null at the top; an
    editor's loop of places ends where it comes round)."""
    within = (*within, place.pk)
    parent = place.parent if place.parent_id not in (None, *within) else None
    return {
        "name": place.name,
        "slug": place.slug,
        "latitude": _number(place.latitude),
        "longitude": _number(place.longitude),
        "parent": None if parent is None else _place(parent, within),
    }


def _list(value):
    """A comma-separated field as a list."""
    return value.split(",") if value else []


def _date(value):
    return None if value is None else value.isoformat()


def _source(source):
    return {
        "content_hash": source.content_hash,
        "file_name": source.file_name,
        "format": source.format,
        "dataset_date": _date(source.dataset_date),
        "terms": source.terms,
        "attribution": source.attribution,
        "imported_at": source.imported_at.isoformat(),
    }


def _film(film, sources, restricted):
    """The film's document; each row names its source where it is not the film's."""

    def hash_of(source_id):
        return sources[source_id].content_hash if source_id else None

    def provenance(row):
        named = {} if row.source_id == film.source_id else {"source": hash_of(row.source_id)}
        return named | ({} if row.source_line is None else {"source_line": row.source_line})

    def kept(rows):
        return [row for row in rows if row.source_id not in restricted]

    document = _film_facts(film, kept, provenance) | {"source": hash_of(film.source_id)}
    if film.source_id in restricted:
        return {key: value for key, value in document.items() if key not in _FILM_FACTS}
    return document


def _tagline(tagline, provenance):
    named = provenance(tagline)
    return {"text": tagline.text, **named} if named else tagline.text


def _film_facts(film, kept, provenance):
    credits = sorted(
        film.credits.all(),
        key=lambda c: (_ROLE_RANK[c.role], c.order, c.person.name, c.character, c.job),
    )
    trivia = sorted(film.trivia.all(), key=lambda t: (_KIND_RANK[t.kind], t.order))
    locations = sorted(film.filming_locations.all(), key=lambda fl: (fl.location.name, fl.note))
    taglines = sorted(film.taglines.all(), key=lambda t: t.order)
    return {
        "title": film.title,
        "slug": film.slug,
        "year": film.year,
        "imdb_id": film.imdb_id,
        "original_title": film.original_title,
        "title_type": film.title_type,
        "release_date": _date(film.release_date),
        "release_country": film.release_country,
        "logline": film.logline,
        "plot": film.plot,
        "rating": _number(film.rating),
        "vote_count": film.vote_count,
        "runtime_minutes": film.runtime_minutes,
        "gross": film.gross,
        "gross_currency": film.gross_currency,
        "gross_region": film.gross_region,
        "genres": [
            {"name": genre.name, "slug": genre.slug}
            for genre in sorted(film.genres.all(), key=lambda genre: genre.name)
        ],
        "taglines": [_tagline(t, provenance) for t in kept(taglines)],
        "credits": [
            {
                "person": {
                    "name": c.person.name,
                    "slug": c.person.slug,
                    "imdb_id": c.person.imdb_id,
                    "birth_year": c.person.birth_year,
                    "death_year": c.person.death_year,
                    "professions": _list(c.person.professions),
                    "known_for": _list(c.person.known_for),
                },
                "role": c.role,
                "order": c.order,
                "job": c.job,
                "character": c.character,
                "credited_as": c.credited_as,
                "uncredited": c.uncredited,
                "is_star": c.is_star,
                **provenance(c),
            }
            for c in kept(credits)
        ],
        "trivia": [
            {
                "id": t.pk,
                "kind": t.kind,
                "order": t.order,
                "text": t.text,
                "goof_category": t.goof_category,
                "character": t.character,
                "contributor": t.contributor,
                **provenance(t),
            }
            for t in kept(trivia)
        ],
        "reviews": [
            {
                "id": r.pk,
                "order": r.order,
                "title": r.title,
                "body": r.body,
                "author": r.author,
                "published": _date(r.published),
                "score": _number(r.score),
                "scale": r.scale,
                **provenance(r),
            }
            for r in kept(sorted(film.reviews.all(), key=lambda r: r.order))
        ],
        "filming_locations": [
            {
                "location": _place(fl.location),
                "note": fl.note,
                **provenance(fl),
            }
            for fl in kept(locations)
        ],
        "removed_items": [
            {"kind": kind, "id": item_id}
            for item_id, kind in sorted({(r.item_id, r.kind) for r in film.removed_items.all()})
        ],
    }
