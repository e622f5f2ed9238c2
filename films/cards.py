"""Film cards, read as plain rows of the columns a card shows: the film list's, search's and a
place's.

A card made of a Film instance with its source and two prefetches cost the list more than
the query that found its films. Here the films given by id are read in one query (with
their sources' attributions), their directors in another, their genres from the catalogue
index (films/catalogue.py); each card's text is formatted once, in Python, for a template
that only prints it.
"""

from dataclasses import dataclass

from django.db import connections, router
from django.db.models import F, Lookup
from django.template.defaultfilters import pluralize
from django.utils.text import Truncator

from .jinja import render_fragment
from .models import Credit, Film, FilmQuerySet
from .paths import slug_paths
from .prepared import PreparedQuery
from .templatetags.moviedb import number, rating, runtime

# The words of a logline a card shows.
LOGLINE_WORDS = 32


@dataclass(frozen=True)
class FilmCard:
    """What a film card (templates/films/film_card.jinja) shows of one film."""

    pk: int
    slug: str
    url: str
    title: str
    year: int | None
    original_title: str  # only where it differs from the title
    rating: str  # "7.0"; "" for a film not rated yet
    votes: str  # "12,168 votes"
    runtime: str
    directors: list  # [(name, url)], in billing order
    logline: str
    genres: list  # names, in the order of names
    poster: object  # a Picture, or None
    poster_alt: str
    attribution: str  # what a page showing the film's facts must say, or ""
    note: str = ""  # a line under the film, e.g. where in a place it was shot


# The columns of a card's row, from films.values(*CARD_COLUMNS).
CARD_COLUMNS = ("pk", *FilmQuerySet.CARD_FIELDS, "source__attribution")


class AnyOf(Lookup):
    """id__any_of=[1, 2, 3]: `id = ANY(%s)` with the ids as one array parameter (PostgreSQL),
    so that a query over any number of ids is compiled and prepared once. Registered on the
    one field the cards look up by, a film's id, not on every integer field of the site."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


Film._meta.pk.register_lookup(AnyOf)

# A page's films and their directors by id: on PostgreSQL compiled once per process and
# prepared once per connection (films/prepared.py), elsewhere queried as usual.
IDS_STAND_IN = [-20_251_985]
_card_rows = PreparedQuery(
    Film,
    lambda ids: Film.objects.filter(pk__any_of=ids).values(*CARD_COLUMNS),
    stand_in=IDS_STAND_IN,
)


def _directors_of(**films):
    """The directors' credits of the films `films` names, in billing order."""
    return (
        Credit.objects.filter(**films, role=Credit.Role.DIRECTOR)
        .order_by("order", "pk")
        .values("film_id", name=F("person__name"), slug=F("person__slug"))
    )


_directors = PreparedQuery(
    Credit, lambda ids: _directors_of(film__id__any_of=ids), stand_in=IDS_STAND_IN
)


def _prepared(model):
    return connections[router.db_for_read(model)].vendor == "postgresql"


def card_rows(film_ids):
    """The card rows of the films with these ids, in this order (one query); a film deleted
    since its id was found is left out."""
    if _prepared(Film):
        found = _card_rows.rows(film_ids)
    else:
        found = Film.objects.filter(pk__in=film_ids).values(*CARD_COLUMNS)
    rows = {row["pk"]: row for row in found}
    return [rows[film_id] for film_id in film_ids if film_id in rows]


def film_cards(rows, genres_of):
    """The FilmCards of these card rows (CARD_COLUMNS, and a "note" where they have one), in
    their order; genres_of(ids) gives {film id: [(slug, name)]}."""
    if not rows:
        return []
    film_ids = [row["pk"] for row in rows]
    directors = {film_id: [] for film_id in film_ids}
    person_path, film_path = slug_paths("films:person_detail"), slug_paths("films:film_detail")
    credits = _directors.rows(film_ids) if _prepared(Credit) else _directors_of(film__in=film_ids)
    for credit in credits:
        directors[credit["film_id"]].append((credit["name"], person_path(credit["slug"])))
    genres = genres_of(film_ids)
    cards = []
    for film in rows:
        film_id = film["pk"]
        title, year = film["title"], film["year"]
        cards.append(
            FilmCard(
                pk=film_id,
                slug=film["slug"],
                url=film_path(film["slug"]),
                title=title,
                year=year,
                original_title=film["original_title"] if film["original_title"] != title else "",
                rating=rating(film["rating"]) if film["rating"] is not None else "",
                votes=f"{number(film['vote_count'])} vote{pluralize(film['vote_count'])}",
                runtime=runtime(film["runtime_minutes"]),
                directors=directors[film_id],
                logline=Truncator(film["logline"]).words(LOGLINE_WORDS, truncate=" …"),
                genres=[name for _, name in genres.get(film_id, ())],
                poster=film["poster"],
                poster_alt=f"Poster of {title} ({year})" if year else f"Poster of {title}",
                attribution=film["source__attribution"] or "",
                note=film.get("note", ""),
            )
        )
    return cards


def genres_from_database(film_ids):
    """{film id: [(slug, name)]} of these films, genres by name: one query."""
    genres = {}
    pairs = (
        Film.genres.through.objects.filter(film__in=film_ids)
        .order_by("genre__name")
        .values_list("film_id", "genre__slug", "genre__name")
    )
    for film_id, slug, name in pairs:
        genres.setdefault(film_id, []).append((slug, name))
    return genres


def render_cards(cards, *, heading_level=3, items=True):
    """The HTML of these FilmCards, each in a list item unless not `items`; "" for none."""
    if not cards:
        return ""
    return render_fragment(
        "films/film_cards.jinja", cards=cards, heading_level=heading_level, items=items
    )
