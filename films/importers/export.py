"""Films written in the project's JSON format (docs/json-format.md), the inverse of json.py.

Each film and row names its source (films/provenance.py), so importing the document again
restores them: the document is not a new source of facts it only carries. With
omit_restricted, facts from sources that forbid redistribution are left out: the film keeps
only what names it (title, slug, year, IMDb id) and the rows from other sources.
"""

import json

from django.db.models import Prefetch

from films.models import Credit, Film, Source, Trivia

from .json import VERSION
from .loader import IMDB_FIELDS, SCALAR_FIELDS

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
        "filming_locations__location",
    )
    return films.filter(slug__in=slugs) if slugs else films


# The film's own facts beside what names it (title, slug, year, IMDb id): left out of an
# export that omits restricted sources when the film's source is one.
_FILM_FACTS = [
    name
    for name in (*SCALAR_FIELDS, *IMDB_FIELDS, "genres")
    if name not in ("title", "year", "imdb_id")
]


def film_document(films, *, omit_restricted=False):
    """The document of films; omit_restricted leaves out facts from sources whose terms
    forbid redistribution."""
    films = list(films)
    rows = [
        row
        for film in films
        for related in (film.credits, film.trivia, film.reviews, film.taglines)
        for row in related.all()
    ] + [row for film in films for row in film.filming_locations.all()]
    ids = ({film.source_id for film in films} | {row.source_id for row in rows}) - {None}
    # Listed by content hash: the same in every database the document is imported into.
    sources = Source.objects.filter(pk__in=ids).order_by("content_hash") if ids else []
    sources = {source.pk: source for source in sources}
    restricted = set()
    if omit_restricted:
        restricted = {pk for pk, source in sources.items() if not source.redistributable}
    return {
        "version": VERSION,
        "sources": [_source(source) for source in sources.values()],
        "films": [_film(film, sources, restricted) for film in films],
    }


def dumps(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _number(value):
    return None if value is None else float(value)


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
                "location": {"name": fl.location.name, "slug": fl.location.slug},
                "note": fl.note,
                **provenance(fl),
            }
            for fl in kept(locations)
        ],
    }
