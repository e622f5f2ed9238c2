"""The project's JSON format for whole films (see docs/json-format.md) read into FilmRecords.

Every key is checked: an unknown key, a missing required key or a value of the wrong type is
an error naming its JSON path, such as `films[0].credits[3].order`.
"""

import datetime
import json
from decimal import Decimal
from pathlib import PurePosixPath

from films.currencies import is_currency

from .errors import FilmImportError, Origin
from .records import (
    CreditRecord,
    FilmingLocationRecord,
    FilmRecord,
    PersonRecord,
    PictureRecord,
    PlaceRecord,
    RemovedItemRecord,
    ReviewRecord,
    SourceRecord,
    TriviaRecord,
)

VERSION = 1

# Field name -> (type, required). Types: str, int, bool, "decimal", "date", list, dict;
# a tuple (type, None) accepts null as well.
_OPTIONAL_STR = (str, False)
# Where a film or a row came from: a content_hash of the document's "sources", or null for
# none. Left out, a film's is the document itself, a row's the film's.
_PROVENANCE = {"source": ((str, None), False), "source_line": ((int, None), False)}
_SOURCE = {
    "content_hash": (str, True),
    "file_name": (str, True),
    "format": (str, True),
    "dataset_date": (("date", None), False),
    "terms": _OPTIONAL_STR,
    "attribution": _OPTIONAL_STR,
    "imported_at": (("datetime", None), False),
}
_FILM = {
    "title": (str, True),
    "slug": _OPTIONAL_STR,
    "year": ((int, None), False),
    "imdb_id": ((str, None), False),
    "original_title": _OPTIONAL_STR,
    "title_type": _OPTIONAL_STR,
    "release_date": (("date", None), False),
    "release_country": _OPTIONAL_STR,
    "logline": _OPTIONAL_STR,
    "plot": _OPTIONAL_STR,
    "rating": (("decimal", None), False),
    "vote_count": (int, False),
    "runtime_minutes": ((int, None), False),
    "gross": ((int, None), False),
    "gross_currency": _OPTIONAL_STR,
    "gross_region": _OPTIONAL_STR,
    "genres": (list, False),
    "taglines": (list, False),
    "credits": (list, False),
    "trivia": (list, False),
    "reviews": (list, False),
    "filming_locations": (list, False),
    "source": ((str, None), False),
    "poster": (dict, False),
    "removed_items": (list, False),
}
_PERSON = {
    "name": (str, True),
    "slug": _OPTIONAL_STR,
    "imdb_id": ((str, None), False),
    "birth_year": ((int, None), False),
    "death_year": ((int, None), False),
    "professions": (list, False),
    "known_for": (list, False),
    "photo": (dict, False),
}
# A picture file, by its path relative to the document's folder.
_PICTURE = {
    "file": (str, True),
    "credit": _OPTIONAL_STR,
    "source": _OPTIONAL_STR,
    "licence": _OPTIONAL_STR,
}
# A genre or a place: its name, or an object with its name and slug.
_NAMED = {"name": (str, True), "slug": _OPTIONAL_STR}
_CREDIT = {
    "person": (dict, True),
    "role": (str, True),
    "order": (int, True),
    "job": _OPTIONAL_STR,
    "character": _OPTIONAL_STR,
    "credited_as": _OPTIONAL_STR,
    "uncredited": (bool, False),
    "is_star": (bool, False),
    **_PROVENANCE,
}
_TRIVIA = {
    "kind": (str, True),
    "text": (str, True),
    "order": (int, True),
    "goof_category": _OPTIONAL_STR,
    "character": _OPTIONAL_STR,
    "contributor": _OPTIONAL_STR,
    **_PROVENANCE,
    "id": (int, False),
}
_REVIEW = {
    "body": (str, True),
    "order": (int, True),
    "title": _OPTIONAL_STR,
    "author": _OPTIONAL_STR,
    "published": (("date", None), False),
    "score": (("decimal", None), False),
    "scale": (int, False),
    **_PROVENANCE,
    "id": (int, False),
}
_REMOVED_ITEM = {"kind": (str, True), "id": (int, True)}
# A place: a genre's keys, where it is and the place it lies in (null: none, an outermost one).
_PLACE = {
    **_NAMED,
    "latitude": (("degrees", None), False),
    "longitude": (("degrees", None), False),
    "parent": ((str, dict, None), False),
}
# The range of each coordinate, in degrees north and east.
_DEGREES = {"latitude": 90, "longitude": 180}
_FILMING_LOCATION = {"location": ((str, dict), True), "note": _OPTIONAL_STR, **_PROVENANCE}
# A tagline: its text, or an object with its text and where it came from.
_TAGLINE = {"text": (str, True), **_PROVENANCE}
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    "decimal": "a number",
    "degrees": "a number of degrees",
    "date": 'a date "YYYY-MM-DD"',
    "datetime": 'a time "YYYY-MM-DDTHH:MM:SS+00:00"',
    list: "a list",
    dict: "an object",
    None: "null",
}


def parse_json(text: str, *, source: str, document: SourceRecord | None = None) -> list[FilmRecord]:
    """Reads a JSON document of films; raises FilmImportError naming the JSON path.

    `document` is the document itself as a source: the source of the films that name none."""
    origin = Origin(source)
    try:
        parsed = json.loads(text, object_pairs_hook=_Object.of, parse_int=_integer)
    except json.JSONDecodeError as error:
        raise FilmImportError(
            f"not valid JSON: {error.msg} (column {error.colno})",
            origin=origin.at_line(error.lineno),
        ) from None
    except RecursionError:
        raise FilmImportError("not valid JSON: nested too deeply", origin=origin) from None
    reader = _Reader(origin, document=document)
    top = reader.fields(
        parsed, "", {"version": (int, True), "sources": (list, False), "films": (list, True)}
    )
    if top["version"] != VERSION:
        raise reader.error("version", f"unknown version {top['version']}; expected {VERSION}")
    for i, value in enumerate(top.get("sources", [])):
        reader.source(value, f"sources[{i}]")
    return [reader.film(value, f"films[{i}]") for i, value in enumerate(top["films"])]


class _Reader:
    def __init__(self, origin, *, document):
        self.origin = origin
        self.document = document
        self.sources = {}  # content hash: SourceRecord, from the document's "sources"
        self.film_source = document  # the source of the film being read

    def error(self, path, message):
        return FilmImportError(message, origin=self.origin.at_path(path or "(top level)"))

    def fields(self, value, path, spec):
        """The object's values by field name, every one checked against the spec."""
        if not isinstance(value, dict):
            raise self.error(path, f"expected an object, got {_describe(value)}")
        for key in getattr(value, "repeated", ()):
            raise self.error(_join(path, key), f'"{key}" is given twice in one object')
        for key in value:
            if key not in spec:
                raise self.error(_join(path, key), f'unknown key "{key}"')
        result = {}
        for key, (kind, required) in spec.items():
            if key not in value:
                if required:
                    raise self.error(_join(path, key), "missing")
                continue
            result[key] = self.typed(value[key], _join(path, key), kind)
        return result

    def typed(self, value, path, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        for expected in kinds:
            if expected is None and value is None:
                return None
            if expected is str and isinstance(value, str):
                if "\x00" in value:
                    raise self.error(path, "contains a NUL character")
                return value
            if expected is int and isinstance(value, int) and not isinstance(value, bool):
                return value
            if expected is bool and isinstance(value, bool):
                return value
            if expected in (list, dict) and isinstance(value, expected):
                return value
            if expected == "decimal" and isinstance(value, int | float):
                return self.decimal(value, path)
            if expected == "degrees" and isinstance(value, int | float):
                return self.degrees(value, path)
            if expected == "date" and isinstance(value, str):
                try:
                    return datetime.date.fromisoformat(value)
                except ValueError:
                    raise self.error(path, f'"{value}" is not a date "YYYY-MM-DD"') from None
            if expected == "datetime" and isinstance(value, str):
                try:
                    moment = datetime.datetime.fromisoformat(value)
                except ValueError:
                    moment = None
                if moment is None or moment.tzinfo is None:
                    raise self.error(path, f'"{value}" is not {_TYPE_NAMES["datetime"]}')
                return moment
        wanted = " or ".join(_TYPE_NAMES[k] for k in kinds)
        raise self.error(path, f"expected {wanted}, got {_describe(value)}")

    def decimal(self, value, path):
        if isinstance(value, bool) or (isinstance(value, float) and value != value):
            raise self.error(path, f"expected a number, got {_describe(value)}")
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            raise self.error(path, f"expected a number, got {_describe(value)}") from None
        if not number.is_finite() or number.as_tuple().exponent < -1 or abs(number) >= 1000:
            raise self.error(path, f"{value} is not a number with at most one decimal")
        return number.quantize(Decimal("0.1"))

    def degrees(self, value, path):
        """A coordinate: a number of degrees with at most five decimals (about a metre)."""
        if isinstance(value, bool) or (isinstance(value, float) and value != value):
            raise self.error(path, f"expected a number of degrees, got {_describe(value)}")
        number = Decimal(str(value))
        if not number.is_finite() or number.as_tuple().exponent < -5:
            raise self.error(path, f"{value} is not a number of degrees with at most 5 decimals")
        return number

    def items(self, values, path, read):
        return [read(value, f"{path}[{i}]") for i, value in enumerate(values)]

    def strings(self, values, path):
        return [self.typed(value, f"{path}[{i}]", str) for i, value in enumerate(values)]

    def source(self, value, path):
        fields = self.fields(value, path, _SOURCE)
        digest = fields["content_hash"]
        if len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise self.error(f"{path}.content_hash", "expected a SHA-256 in 64 hex digits")
        if digest in self.sources:
            raise self.error(f"{path}.content_hash", "this source is listed twice")
        self.sources[digest] = SourceRecord(**fields)

    def source_named(self, digest, path):
        """The source a "source" key names: one of the document's sources, or None."""
        if digest is None:
            return None
        if digest not in self.sources:
            raise self.error(path, f'"{digest[:64]}" is not one of the document\'s "sources"')
        return self.sources[digest]

    def provenance(self, fields, path):
        """Takes a row's "source" and "source_line" out of its fields, for its record."""
        source = self.film_source
        if "source" in fields:
            source = self.source_named(fields.pop("source"), _join(path, "source"))
        return {"source": source, "source_line": fields.pop("source_line", None)}

    def tagline(self, value, path):
        """A tagline's text, and its (source, line) where it gives one."""
        value = self.typed(value, path, (str, dict))
        if isinstance(value, str):
            return value, None
        fields = self.fields(value, path, _TAGLINE)
        provenance = self.provenance(fields, path)
        return fields["text"], (provenance["source"], provenance["source_line"])

    def film(self, value, path):
        fields = self.fields(value, path, _FILM)
        self.film_source = self.document
        if "source" in fields:
            self.film_source = self.source_named(fields.pop("source"), _join(path, "source"))
        lists = {
            "genres": lambda values, p: self.items(values, p, self.named),
            "taglines": lambda values, p: self.items(values, p, self.tagline),
            "credits": lambda values, p: self.items(values, p, self.credit),
            "trivia": lambda values, p: self.items(values, p, self.trivia),
            "reviews": lambda values, p: self.items(values, p, self.review),
            "filming_locations": lambda values, p: self.items(values, p, self.filming_location),
            "removed_items": lambda values, p: self.items(values, p, self.removed_item),
        }
        for key, read in lists.items():
            fields[key] = read(fields.get(key, []), _join(path, key))
        taglines = fields["taglines"]
        fields["taglines"] = [text for text, _ in taglines]
        fields["tagline_sources"] = {
            order: provenance
            for order, (_, provenance) in enumerate(taglines, start=1)
            if provenance is not None
        }
        genres = fields["genres"]
        fields["genres"] = [name for name, _ in genres]
        fields["genre_slugs"] = {name: slug for name, slug in genres if slug}
        self.gross_currency(fields, path)
        if "poster" in fields:
            fields["poster"] = self.picture(fields["poster"], _join(path, "poster"))
        return FilmRecord(**fields, source=self.film_source, origin=self.origin.at_path(path))

    def picture(self, value, path):
        """A picture file inside the document's folder: a path that is absolute or climbs
        out of it (`..`) is refused."""
        fields = self.fields(value, path, _PICTURE)
        file = PurePosixPath(fields["file"])
        if not fields["file"] or file.is_absolute() or ".." in file.parts or "\\" in str(file):
            raise self.error(
                _join(path, "file"),
                f'"{fields["file"]}" is not a path inside the document\'s folder',
            )
        return PictureRecord(**fields, origin=self.origin.at_path(path))

    def named(self, value, path):
        """A genre or place: (name, slug), from its name alone or an object with both."""
        value = self.typed(value, path, (str, dict))
        if isinstance(value, str):
            return value, ""
        fields = self.fields(value, path, _NAMED)
        return fields["name"], fields.get("slug", "")

    def gross_currency(self, fields, path):
        """A gross carries its ISO 4217 code. Documents written before the code existed have
        no "gross_currency" key: their grosses were all US dollars."""
        gross, currency = fields.get("gross"), fields.get("gross_currency")
        if currency is None:
            fields["gross_currency"] = currency = "" if gross is None else "USD"
        where = _join(path, "gross_currency")
        if gross is None and currency:
            raise self.error(where, f'"{currency}" is given but there is no gross')
        if gross is not None and not currency:
            raise self.error(where, "a gross needs its currency, an ISO 4217 code like USD")
        if currency and not is_currency(currency):
            raise self.error(where, f'"{currency}" is not an ISO 4217 currency code')

    def credit(self, value, path):
        fields = self.fields(value, path, _CREDIT)
        person = self.fields(fields["person"], f"{path}.person", _PERSON)
        for key in ("professions", "known_for"):
            if key in person:
                person[key] = ",".join(self.strings(person[key], f"{path}.person.{key}"))
        if "photo" in person:
            person["photo"] = self.picture(person["photo"], f"{path}.person.photo")
        fields["person"] = PersonRecord(**person)
        return self.row(CreditRecord, fields, path)

    def trivia(self, value, path):
        return self.row(TriviaRecord, self.fields(value, path, _TRIVIA), path)

    def review(self, value, path):
        return self.row(ReviewRecord, self.fields(value, path, _REVIEW), path)

    def removed_item(self, value, path):
        fields = self.fields(value, path, _REMOVED_ITEM)
        return RemovedItemRecord(**fields, origin=self.origin.at_path(path))

    def filming_location(self, value, path):
        fields = self.fields(value, path, _FILMING_LOCATION)
        place = self.place(fields["location"], f"{path}.location")
        fields["location"], fields["slug"] = place.name, place.slug
        fields["place"] = place if place.given else None
        return self.row(FilmingLocationRecord, fields, path)

    def place(self, value, path, *, around=()):
        """A place: its name alone, or an object that may give its coordinates and the place
        it lies in (the chain of places up to the outermost, none named twice)."""
        value = self.typed(value, path, (str, dict))
        if isinstance(value, str):
            return PlaceRecord(value, origin=self.origin.at_path(path))
        fields = self.fields(value, path, _PLACE)
        if fields["name"] in around:
            raise self.error(_join(path, "name"), f'"{fields["name"][:80]}" lies in itself')
        given = []
        if "latitude" in fields or "longitude" in fields:
            given.append("coordinates")
            self.coordinates(fields, path)
        if "parent" in fields:
            given.append("parent")
            if fields["parent"] is not None:
                around = (*around, fields["name"])
                fields["parent"] = self.place(fields["parent"], f"{path}.parent", around=around)
        return PlaceRecord(**fields, given=tuple(given), origin=self.origin.at_path(path))

    def coordinates(self, fields, path):
        """A place's latitude and longitude: both numbers on the Earth, or both null."""
        pair = "a place has both a latitude and a longitude, or neither"
        for key in _DEGREES:
            if key not in fields:
                raise self.error(_join(path, key), f"missing: {pair}")
        if (fields["latitude"] is None) != (fields["longitude"] is None):
            null, number = _DEGREES if fields["latitude"] is None else reversed(_DEGREES)
            raise self.error(_join(path, null), f"null while the {number} is a number: {pair}")
        for key, limit in _DEGREES.items():
            if fields[key] is not None and abs(fields[key]) > limit:
                raise self.error(
                    _join(path, key), f"{fields[key]} is outside -{limit} to {limit} degrees"
                )

    def row(self, record, fields, path):
        provenance = self.provenance(fields, path)
        return record(**fields, **provenance, origin=self.origin.at_path(path))


class _Object(dict):
    """A JSON object that remembers the keys it was given twice, where json.loads alone would
    silently keep the last value."""

    repeated = ()

    @classmethod
    def of(cls, pairs):
        value = cls(pairs)
        if len(value) < len(pairs):
            seen = set()
            value.repeated = list(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))
        return value


class _LongInteger:
    """An integer too long for any field, kept as its digits: Python reads no integer of more
    than 4,300 digits, and raises an error that names no place in the file."""

    def __init__(self, digits):
        self.digits = digits


def _integer(digits):
    return int(digits) if len(digits) <= 100 else _LongInteger(digits)


def _join(path, key):
    return f"{path}.{key}" if path else key


def _describe(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _LongInteger):
        return f"a number of {len(value.digits.lstrip('-')):,} digits"
    if isinstance(value, str):
        return f'the string "{value[:40]}"'
    if isinstance(value, int | float):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"
