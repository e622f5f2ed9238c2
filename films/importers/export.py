"""Films written in the project's JSON format (docs/json-format.md), the inverse of json.py."""

import json

from django.db.models import Prefetch

from films.models import Credit, Film, Trivia

from .json import VERSION

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
        "removed_items",
    )
    return films.filter(slug__in=slugs) if slugs else films


def film_document(films):
    return {"version": VERSION, "films": [_film(film) for film in films]}


def dumps(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _number(value):
    return None if value is None else float(value)


def _list(value):
    """A comma-separated field as a list."""
    return value.split(",") if value else []


def _date(value):
    return None if value is None else value.isoformat()


def _film(film):
    credits = sorted(
        film.credits.all(),
        key=lambda c: (_ROLE_RANK[c.role], c.order, c.person.name, c.character, c.job),
    )
    trivia = sorted(film.trivia.all(), key=lambda t: (_KIND_RANK[t.kind], t.order))
    locations = sorted(film.filming_locations.all(), key=lambda fl: (fl.location.name, fl.note))
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
        "taglines": [t.text for t in sorted(film.taglines.all(), key=lambda t: t.order)],
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
            }
            for c in credits
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
            }
            for t in trivia
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
            }
            for r in sorted(film.reviews.all(), key=lambda r: r.order)
        ],
        "filming_locations": [
            {"location": {"name": fl.location.name, "slug": fl.location.slug}, "note": fl.note}
            for fl in locations
        ],
        "removed_items": [
            {"kind": kind, "id": item_id}
            for item_id, kind in sorted({(r.item_id, r.kind) for r in film.removed_items.all()})
        ],
    }
