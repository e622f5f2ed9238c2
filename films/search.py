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


def relevance(field, text):
    """0 when `field` is `text`, 1 when it starts with it, 2 when it contains it, 3 otherwise;
    case and accents aside."""
    folded_text = Folded(Value(text))
    return Case(
        When(Exact(Folded(field), folded_text), then=0),
        When(StartsWith(Folded(field), folded_text), then=1),
        When(Contains(Folded(field), folded_text), then=2),
        default=3,
    )


# Search (/search/): a name or title matches when it contains the query, or holds every word
# of it in any order ("queen lost" finds "Lost Queen"). On PostgreSQL the words are matched
# by full-text search (the 'simple' configuration, no stemming: names and titles are not
# prose) over folded text, and results within one relevance group are ranked by trigram
# similarity (pg_trgm), which puts "Night" before "A Night at the Opera". SQLite, the small
# embedded database, checks each word with "contains" and ranks by relevance group only.
# Migrations 0003 and 0005 give PostgreSQL the trigram and full-text indexes these use.


class WordsMatch(Func):
    """Every word of the second expression is a word of the first (full-text search)."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    arg_joiner = ") @@ plainto_tsquery('simple'::regconfig, "
    output_field = BooleanField()


def _words_match(field, text):
    words = text.split()
    if len(words) < 2:
        # One word is matched by "contains" already, and exactly: the full-text parser
        # would drop its punctuation ("100%" would find "100 Wolves").
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        return Q(WordsMatch(Folded(field), Folded(Value(text))))
    return Q(*[matches(field, word) for word in words])


def _similarity(field, text):
    if connection.vendor == "postgresql":
        return Func(Folded(field), Folded(Value(text)), function="similarity")
    return Value(0.0)


def ranked_matches(queryset, field, text, *then):
    """The rows of queryset whose `field` matches `text`, the best first: the exact match,
    then those starting with text, containing it, or holding its words; within each, the
    most similar; then the order of `then`. Each row is annotated with its relevance group
    (0 for an exact match)."""
    return (
        queryset.filter(Q(matches(field, text)) | _words_match(field, text))
        .annotate(
            relevance=relevance(field, text),
            similarity=Cast(_similarity(field, text), FloatField()),
        )
        .order_by("relevance", F("similarity").desc(), *then)
    )
