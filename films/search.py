"""Text matching that ignores case and accents, the same way on SQLite and PostgreSQL.

Both sides of a comparison are *folded* in the database by one SQL function, moviedb_fold:
lower case, accents removed, so "amelie" finds "Amélie" and "AMÉLIE" finds "amelie". On
PostgreSQL a migration defines it over the unaccent extension (and indexes titles and names
by it); SQLite has no such function, so every new SQLite connection gets `fold` below
registered under that name (see FilmsConfig.ready).
"""

import unicodedata

from django.db.models import Case, Func, TextField, Value, When
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
    """0 when `field` is `text`, 1 when it starts with it, 2 otherwise; case and accents aside."""
    folded_text = Folded(Value(text))
    return Case(
        When(Exact(Folded(field), folded_text), then=0),
        When(StartsWith(Folded(field), folded_text), then=1),
        default=2,
    )
