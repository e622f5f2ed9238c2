"""Text matching that ignores case and accents, the same way on SQLite and PostgreSQL.

Both sides of a comparison are *folded* in the database by one SQL function, moviedb_fold:
lower case, accents removed, so "amelie" finds "Amélie" and "AMÉLIE" finds "amelie". On
PostgreSQL a migration defines it over the unaccent extension (and indexes titles and names
by it); SQLite has no such function, so every new SQLite connection gets `fold` below
registered under that name (see FilmsConfig.ready).
"""

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Collate, Greatest
from django.db.models.lookups import Contains, Exact, StartsWith

FOLD_FUNCTION = "moviedb_fold"

# Letters Unicode does not decompose into a base letter and an accent; PostgreSQL's unaccent
# maps them like this, so SQLite does too.
_UNDECOMPOSABLE = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D"}
    | {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "þ": "th", "Þ": "TH"}
)


def fold(text):
    """`text` in lower case without accents: "Amélie" -> "amelie"."""
    if text is None:
        return None
    if text.isascii():  # most titles and names: nothing to strip, and 10 times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class Folded(Func):
    """A text expression folded for comparison: lower case, accents removed."""

    function = FOLD_FUNCTION
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # The cast picks the text signature for a bare string parameter.
        template = "%(function)s((%(expressions)s)::text)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def matches(field, text):
    """A filter condition: `field` contains `text`, ignoring case and accents."""
    return Contains(Folded(field), Folded(Value(text)))


def register_sqlite_fold(sender, connection, **kwargs):
    """Gives a new SQLite connection the fold function that Folded calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


# Search (/search/): a name or title matches when it holds every word of the query, in any
# order and as any part of a word ("queen lost" finds "Lost Queen"); a film matches by its
# title or its original title. Matches are ranked: the exact one, then those starting with
# the query, containing it as typed, holding its words as whole words (PostgreSQL's
# full-text search, the 'simple' configuration: names and titles are not prose), then the
# rest; within each group, the most prominent first (a film's votes, a person's
# Person.prominence: "john" starts with the John Hurts, not with the shortest Johns), then
# the most similar (pg_trgm's trigram similarity puts "Night" before "A Night at the Opera").
#
# On PostgreSQL the ranking only looks at candidates, so that it costs the same at a million
# films as at ten thousand: the first CANDIDATES rows that start with the query, in the
# order of a B-tree index on the folded text (the exact match comes first); when fewer than
# CANDIDATES start with it, the CANDIDATES matches nearest the query too, which the trigram
# GiST indexes of migrations 0007 and 0009 yield nearest first and stop after; and the
# PROMINENT_CANDIDATES most prominent matches (those starting with the query first) among
# the PROMINENT most prominent rows, read from the top of an index on the prominence. A
# common word matches tens of thousands of titles at a million films, and ranking them all
# grew with the table. The nearest matches are only asked for when few rows start with the
# query: they cannot rank above those (a match that starts with the query ranks first), and
# a name as common as "john", held by a tenth of three million people, left the trigram
# index tens of thousands of ties to sort through (55-100 ms). SQLite, the small embedded
# database, ranks every match.
CANDIDATES = 100
PROMINENT = 1000
PROMINENT_CANDIDATES = 25  # a page of search results, and a few more

_CONTAINS = "'%%' || moviedb_fold(%s::text) || '%%'"
_STARTS = "moviedb_fold(%s::text) || '%%'"


def _like_escaped(text):
    """text matching itself in a LIKE pattern: its \\, % and _ escaped."""
    return re.sub(r"([\\%_])", r"\\\1", text)


class WordsMatch(Func):
    """Every word of the second expression is a word of the first (full-text search)."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    arg_joiner = ") @@ plainto_tsquery('simple'::regconfig, "
    output_field = BooleanField()


class TrigramDistance(Func):
    """1 - trigram similarity: the order the GiST trigram index yields rows in."""

    template = "%(expressions)s"
    arg_joiner = " <-> "
    output_field = FloatField()


def _every_word(field, text):
    return Q(*[matches(field, word) for word in text.split()])


def _any(conditions):
    return Q(*conditions, _connector=Q.OR)


def ranked_matches(queryset, fields, text, *then, prominence=None):
    """The rows of queryset whose field (or one of the tuple `fields`) holds every word of
    `text`, the best first (see above), then in the order of `then`. `prominence` names the
    field that ranks equally good matches, most first. Each row is annotated with its
    relevance group (0 for an exact match)."""
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    folded_text = Folded(Value(text))

    def in_any_field(lookup):
        return _any(lookup(Folded(field), folded_text) for field in fields)

    groups = [
        When(in_any_field(Exact), then=0),
        When(in_any_field(StartsWith), then=1),
        When(in_any_field(Contains), then=2),
    ]
    similarity = Value(0.0)
    matching = queryset.filter(_any(_every_word(field, text) for field in fields))
    if connection.vendor == "postgresql":
        groups.append(When(in_any_field(WordsMatch), then=3))
        similarities = [Func(Folded(field), folded_text, function="similarity") for field in fields]
        similarity = Greatest(*similarities) if len(similarities) > 1 else similarities[0]
        matching = queryset.filter(pk__in=_candidates(queryset, fields, text, prominence))
    order = ["relevance", F(prominence).desc()] if prominence else ["relevance"]
    return matching.annotate(
        relevance=Case(*groups, default=4), similarity=Cast(similarity, FloatField())
    ).order_by(*order, F("similarity").desc(), *then)


def _candidates(queryset, fields, text, prominence):
    """The primary keys of the rows worth ranking on PostgreSQL (see above), as one query:
    for each field, the first rows that start with the query and, when there are few, the
    nearest matches; and the matches among the most prominent rows."""
    rows = queryset.prefetch_related(None).order_by()
    starts, parts = [], []
    for number, field in enumerate(fields):
        present = rows.exclude(**{field: ""})
        key = Collate(Folded(field), "C")  # the order of the B-tree indexes of migration 0016
        starting = present.alias(folded_key=key).filter(folded_key__startswith=Folded(Value(text)))
        starting = starting.order_by("folded_key").values("pk")[:CANDIDATES]
        sql, params = starting.query.sql_with_params()
        starts.append((f"starts_{number} AS ({sql})", params))
        parts.append((f"SELECT * FROM starts_{number}", ()))
        nearest = present.filter(_every_word(field, text))
        nearest = nearest.order_by(TrigramDistance(Folded(field), Folded(Value(text))))
        sql, params = nearest.values("pk")[:CANDIDATES].query.sql_with_params()
        # Not run at all (a one-time filter) when CANDIDATES rows start with the query.
        few_start = f"(SELECT count(*) FROM starts_{number}) < {CANDIDATES}"
        parts.append((f"SELECT * FROM ({sql}) AS nearest WHERE {few_start}", params))
    if prominence:
        # A subquery in FROM: the top of the prominence index is read first, PROMINENT rows
        # whatever the query, and only those are searched.
        top = rows.order_by(F(prominence).desc()).values_list("pk", prominence, *fields)
        sql, params = top[:PROMINENT].query.sql_with_params()
        columns = [f"text_{i}" for i in range(len(fields))]
        # LIKE, as matches() writes it, so that the planner expects few rows (it knows
        # nothing of these) and looks the candidates up by key rather than read the table.
        words = [_like_escaped(word) for word in text.split()]
        holds_every_word = " OR ".join(
            "(" + " AND ".join([f"moviedb_fold(top.{c}) LIKE {_CONTAINS}"] * len(words)) + ")"
            for c in columns
        )
        starts_with = " OR ".join(f"moviedb_fold(top.{c}) LIKE {_STARTS}" for c in columns)
        parts.append(
            (
                f"SELECT top.pk FROM ({sql}) AS top (pk, prominence, {', '.join(columns)}) "
                f"WHERE {holds_every_word} "
                f"ORDER BY CASE WHEN {starts_with} THEN 0 ELSE 1 END, top.prominence DESC "
                f"LIMIT {PROMINENT_CANDIDATES}",
                (*params, *words * len(columns), *[_like_escaped(text)] * len(columns)),
            )
        )
    union = " UNION ".join(f"({sql})" for sql, _ in parts)
    sql = f"WITH {', '.join(sql for sql, _ in starts)} {union}"
    return RawSQL(sql, tuple(param for _, params in [*starts, *parts] for param in params))
