"""Paging a list by its sort key (a keyset cursor) rather than by page number.

A page number reaches a row by skipping every row before it (OFFSET), which is why the HTML
lists stop at MAX_PAGES (films/pagination.py). A cursor instead names the sort key of the
last row shown, and the next page is the rows that sort after it: `WHERE (key) > (last)
ORDER BY key LIMIT n`, an index range scan wherever the list is, so `next` reaches the end
of any list at the same cost per page. Every list's ordering ends with a unique column
(pk), so no two rows share a key and no row is skipped or repeated.

The cursor is signed: a client cannot hand the database a value of the wrong type.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core import signing
from django.db.models import F, OrderBy, Q

SALT = "films.keyset"


class BadCursor(ValueError):
    """A cursor this site did not make."""


@dataclass(frozen=True)
class Key:
    """One column of a list's ordering. Unless `nulls_last` says otherwise, the column is
    taken to hold no NULLs (as every unmarked column of the site's orderings does)."""

    name: str
    descending: bool = False
    nulls_last: bool = False
    nulls_first: bool = False

    def reversed(self):
        return Key(self.name, not self.descending, self.nulls_first, self.nulls_last)

    def order_by(self):
        if self.descending:
            return F(self.name).desc(**self._nulls())
        return F(self.name).asc(**self._nulls())

    def _nulls(self):
        return {"nulls_last": self.nulls_last or None, "nulls_first": self.nulls_first or None}

    def equals(self, value):
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def after(self, value):
        """The rows this column alone sorts after value."""
        if value is None:
            return Q(**{f"{self.name}__isnull": False}) if self.nulls_first else Q(pk__in=[])
        beyond = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        if self.nulls_last:
            beyond |= Q(**{f"{self.name}__isnull": True})
        return beyond

    def value_of(self, row):
        value = row
        for part in self.name.split("__"):
            value = getattr(value, part)
        return value


def keys_of(queryset):
    """The Keys of queryset's explicit ordering (names, "-names" and F() orderings)."""
    keys = []
    for term in queryset.query.order_by:
        if isinstance(term, str):
            keys.append(Key(term.removeprefix("-"), descending=term.startswith("-")))
        elif isinstance(term, F):
            keys.append(Key(term.name))
        elif isinstance(term, OrderBy) and isinstance(term.expression, F):
            keys.append(
                Key(
                    term.expression.name,
                    term.descending,
                    nulls_last=bool(term.nulls_last),
                    nulls_first=bool(term.nulls_first),
                )
            )
        else:
            raise TypeError(f"A keyset cannot follow the ordering term {term!r}.")
    return keys


def after(keys, values):
    """The rows that sort after the row whose keys hold values: the first key beyond it, or
    the first key equal and the second beyond, and so on."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= equal_so_far & key.after(value)
        equal_so_far &= key.equals(value)
    return condition


def make_cursor(keys, row, *, backwards=False):
    values = [_plain(key.value_of(row)) for key in keys]
    names = [key.name for key in keys]
    return signing.dumps({"b": backwards, "k": names, "v": values}, salt=SALT, compress=True)


def read_cursor(cursor, keys):
    """(backwards, values) of a cursor made for a list of these keys."""
    try:
        data = signing.loads(cursor, salt=SALT)
        backwards, names, values = bool(data["b"]), data["k"], data["v"]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadCursor("This cursor was not made by this site, or was cut short.") from error
    if names != [key.name for key in keys] or len(values) != len(keys):
        raise BadCursor("This cursor belongs to a list in another order.")
    return backwards, values


def _plain(value):
    return str(value) if isinstance(value, Decimal | date) else value
