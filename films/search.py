"""Text matching that ignores case and accents, the same way on SQLite and PostgreSQL.

Both sides of a comparison are *folded* in the database by one SQL function, moviedb_fold:
lower case, accents removed, so "amelie" finds "Amélie" and "AMÉLIE" finds "amelie". On
PostgreSQL a migration defines it over the unaccent extension (and indexes titles and names
by it); SQLite has no such function, so every new SQLite connection gets `fold` below
registered under that name (see FilmsConfig.ready).
"""

import unicodedata

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, TextField, Value, When
from django.db.models.functions import Cast
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
# order and as any part of a word ("queen lost" finds "Lost Queen"). Matches are ranked: the
# exact one, then those starting with the query, containing it as typed, holding its words as
# whole words (PostgreSQL's full-text search, the 'simple' configuration: names and titles are
# not prose), then the rest; within each group, the most similar first (pg_trgm's trigram
# similarity puts "Night" before "A Night at the Opera").
#
# On PostgreSQL the ranking only looks at the CANDIDATES matches nearest to the query, which
# the trigram GiST index of migration 0007 yields nearest first and stops after: a common word
# matches tens of thousands of titles at a million films, and ranking them all grew with the
# table. The exact match and the closest titles are always among them. SQLite, the small
# embedded database, ranks every match by group only.
CANDIDATES = 100


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


def ranked_matches(queryset, field, text, *then):
    """The rows of queryset whose `field` holds every word of `text`, the best first (see
    above), then in the order of `then`. Each row is annotated with its relevance group
    (0 for an exact match)."""
    folded, folded_text = Folded(field), Folded(Value(text))
    groups = [
        When(Exact(folded, folded_text), then=0),
        When(StartsWith(folded, folded_text), then=1),
        When(Contains(folded, folded_text), then=2),
    ]
    similarity = Value(0.0)
    matching = queryset.filter(_every_word(field, text))
    if connection.vendor == "postgresql":
        groups.append(When(WordsMatch(folded, folded_text), then=3))
        similarity = Func(folded, folded_text, function="similarity")
        nearest = matching.prefetch_related(None).order_by(TrigramDistance(folded, folded_text))
        matching = queryset.filter(pk__in=nearest.values("pk")[:CANDIDATES])
    return matching.annotate(
        relevance=Case(*groups, default=4), similarity=Cast(similarity, FloatField())
    ).order_by("relevance", F("similarity").desc(), *then)
