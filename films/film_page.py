"""What the film page shows, read in at most seven prepared queries however big the film.

A film page is what a crawler asks for most, mostly of films nobody asked for lately, so it
is rendered from the database far more often than the page cache answers it. Each query is
an ordinary queryset, compiled once per process (films/prepared.py), and reads only the
columns the page shows, as plain rows: the film (a Film, for its name, addresses and poster)
with its section counts and featured review, its genres, taglines, filming locations (with
their coordinates, for the map), headline credits (with their people's photos), the first
item of each kind of trivia, and the sources of all of it.
"""

from dataclasses import dataclass

from django.db import router
from django.db.models import Exists, F, OuterRef

from .models import (
    Credit,
    Film,
    FilmingLocation,
    FilmQuerySet,
    Genre,
    Location,
    Source,
    Tagline,
    Trivia,
)
from .prepared import PreparedQuery

# Stand-ins for the value each query is compiled around: neither is a value a page asks for.
SLUG_STAND_IN = "\x00slug"
FILM_ID_STAND_IN = -20_251_985

# Every column of the film but those the page does not show.
FILM_FIELDS = tuple(
    field.attname
    for field in Film._meta.concrete_fields
    if field.name not in ("title_type", "added_at", "updated_at")
)
SECTION_COUNTS = ("credit_count", "trivia_count", "making_of_count", "review_count")
REVIEW_FIELDS = ("id", "title", "body", "author", "published", "score", "scale")

_film = PreparedQuery(
    Film,
    lambda slug: (
        Film.objects.filter(slug=slug)
        .with_section_counts()
        .with_featured_review()
        .values(
            *FILM_FIELDS,
            *SECTION_COUNTS,
            has_taglines=Exists(Tagline.objects.filter(film=OuterRef("pk"))),
            has_filming_locations=Exists(FilmingLocation.objects.filter(film=OuterRef("pk"))),
            **{f"review_{name}": F(f"featured_review__{name}") for name in REVIEW_FIELDS},
        )
        .order_by()
    ),
    stand_in=SLUG_STAND_IN,
)
_genres = PreparedQuery(
    Genre,
    lambda film_id: Genre.objects.filter(films=film_id).values("name", "slug"),
    stand_in=FILM_ID_STAND_IN,
)
_taglines = PreparedQuery(
    Tagline,
    lambda film_id: Tagline.objects.filter(film=film_id).values("text"),
    stand_in=FILM_ID_STAND_IN,
)
_filming_locations = PreparedQuery(
    FilmingLocation,
    lambda film_id: FilmingLocation.objects.filter(film=film_id).values(
        "note",
        name=F("location__name"),
        slug=F("location__slug"),
        latitude=F("location__latitude"),
        longitude=F("location__longitude"),
    ),
    stand_in=FILM_ID_STAND_IN,
)
_headline_credits = PreparedQuery(
    Credit,
    lambda film_id: (
        Credit.objects.filter(film=film_id)
        .headline(FilmQuerySet.TOP_BILLED)
        .values(
            "role",
            "job",
            "character",
            "credited_as",
            "uncredited",
            "is_star",
            "billing",
            name=F("person__name"),
            person_slug=F("person__slug"),
            person_photo=F("person__photo"),
        )
    ),
    stand_in=FILM_ID_STAND_IN,
)
_first_trivia = PreparedQuery(
    Trivia,
    lambda film_id: (
        Trivia.objects.filter(film=film_id)
        .firsts_of_each_kind()
        .values("pk", "kind", "text", "goof_category", "character", "contributor")
    ),
    stand_in=FILM_ID_STAND_IN,
)
SOURCE_FIELDS = tuple(field.attname for field in Source._meta.concrete_fields)
_sources = PreparedQuery(
    Source,
    lambda film_id: Source.objects.of_film(Film(pk=film_id)).values(*SOURCE_FIELDS),
    stand_in=FILM_ID_STAND_IN,
)


@dataclass(frozen=True)
class FilmPage:
    film: Film  # with credit_count, trivia_count, making_of_count and review_count
    review: dict | None  # the featured review: the first in order
    genres: list
    taglines: list
    filming_locations: list
    places: list  # the filming locations' places, as Locations with their coordinates
    headline_credits: list  # the stars and the top-billed directors, writers and cast
    first_trivia: list  # the first item of each kind, in no particular order
    sources: list  # Sources, oldest import first


def film_page(slug):
    """The FilmPage of the film at slug, or None when no film has that slug now."""
    rows = _film.rows(slug)
    if not rows:
        return None
    row = rows[0]
    film = Film.from_db(router.db_for_read(Film), FILM_FIELDS, [row[name] for name in FILM_FIELDS])
    for name in SECTION_COUNTS:
        setattr(film, name, row[name])
    review = None
    if row["review_id"] is not None:
        review = {name: row[f"review_{name}"] for name in REVIEW_FIELDS}
    # What the film's row says it lacks is not asked for: most films have no taglines,
    # filming locations or trivia.
    filming_locations = _filming_locations.rows(film.pk) if row["has_filming_locations"] else []
    alias = router.db_for_read(Source)
    return FilmPage(
        film=film,
        review=review,
        genres=_genres.rows(film.pk),
        taglines=_taglines.rows(film.pk) if row["has_taglines"] else [],
        filming_locations=filming_locations,
        places=[
            Location(
                name=filming["name"],
                slug=filming["slug"],
                latitude=filming["latitude"],
                longitude=filming["longitude"],
            )
            for filming in filming_locations
        ],
        headline_credits=_headline_credits.rows(film.pk) if film.credit_count else [],
        first_trivia=(
            _first_trivia.rows(film.pk) if film.trivia_count or film.making_of_count else []
        ),
        sources=[
            Source.from_db(alias, SOURCE_FIELDS, [source[name] for name in SOURCE_FIELDS])
            for source in _sources.rows(film.pk)
        ],
    )
