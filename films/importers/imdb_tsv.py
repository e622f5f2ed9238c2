"""IMDb's TSV datasets read into typed rows: title.basics, title.ratings, title.principals,
name.basics and, if present, title.crew, each as `.tsv` or `.tsv.gz`.

Text in, rows out, and nothing of the database: each line of a file is checked and becomes
zero or more rows (`Title`, `Rating`, `Principal`, `Name`, `CrewMember`), named tuples whose
fields are the columns importimdb stages them in (films/importers/imdb.py). Files are read a
block of lines at a time (BLOCK_BYTES) and rows are yielded a block at a time, so memory
stays flat whatever the size of the files. Values are held to films/rules.py as they are
read: a year outside its range is unknown, text too long for its column is cut.

Each line is read by its dataset's `parse`, which checks it and names what is wrong; the
lines that plainly pass those checks (most of them), told by one regular expression over a
block, go by a faster path to the same rows, a column at a time (Dataset).

IMDb's conventions: a header row, tabs between fields, `\\N` for null, no quoting (titles
hold stray quotation marks), comma-separated lists and `characters` as a JSON array.
"""

import functools
import gzip
import hashlib
import itertools
import json
import operator
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from films.rules import (
    CHARACTER_LENGTH,
    FILM_YEARS,
    IMDB_ID_LENGTH,
    JOB_LENGTH,
    KNOWN_FOR_LENGTH,
    NAME_LENGTH,
    PERSON_YEARS,
    PROFESSIONS_LENGTH,
    TITLE_LENGTH,
    slug_base,
)

from .text import without_controls

NULL = "\\N"
# Lines are read and made into rows this many bytes at a time: few enough that a block's
# objects stay in the processor's cache (a megabyte at a time takes 1.6 times the CPU).
BLOCK_BYTES = 1 << 16
DEFAULT_TITLE_TYPES = ("movie", "tvMovie")
REQUIRED_FILES = ("title.basics", "title.ratings", "title.principals", "name.basics")
OPTIONAL_FILES = ("title.crew",)

# IMDb's categories as the values of Credit.Role (tests/test_import_imdb_tsv.py checks them).
ROLES = {
    "actor": "cast",
    "actress": "cast",
    "self": "self",
    "archive_footage": "archive_footage",
    "director": "director",
    "writer": "writer",
    "producer": "producer",
    "composer": "composer",
    "cinematographer": "cinematographer",
    "editor": "editor",
    "production_designer": "production_designer",
    "casting_director": "casting_director",
}
OTHER_ROLE = "other"


class MalformedRow(ValueError):
    """A line that cannot be read; the message says why."""


class ImportAborted(Exception):
    """Too many malformed rows: the import stopped and nothing was saved."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} malformed rows")
        self.errors = errors


class UnreadableFile(ImportAborted):
    """A file that is not IMDb's text: bytes that are not UTF-8, a NUL byte, a header without
    the columns needed, or gzip data that is corrupt or cut short. Nothing was saved."""

    def __init__(self, message):
        super().__init__([message])
        self.message = message

    def __str__(self):
        return self.message


class MissingFiles(FileNotFoundError):
    pass


# The rows. A field added here is a column of its staging table (films/importers/imdb.py).


class Title(NamedTuple):
    """A line of title.basics; only `tconst` and `selected` for a title of a type not chosen."""

    tconst: str
    selected: bool
    title: str | None = None
    original_title: str | None = None  # "" when it is the title
    title_type: str | None = None
    year: int | None = None
    runtime: int | None = None
    genres: str | None = None  # a JSON array of names
    slug: str | None = None  # the slug the title claims (films/slugs.py)


class Rating(NamedTuple):
    tconst: str
    rating: float  # 0 to 10, one decimal
    votes: int


class Principal(NamedTuple):
    """A credit of title.principals."""

    tconst: str
    nconst: str
    role: str  # a Credit.Role value
    job: str
    character: str
    ordering: int
    line: int  # of the file, for the credit's provenance
    digest: str | None = None  # on a title's first row: that of all its rows (title_digests)


class Name(NamedTuple):
    """A person of name.basics."""

    nconst: str
    name: str
    slug: str
    birth_year: int | None
    death_year: int | None
    professions: str  # IMDb's comma lists, verbatim: "actor,producer"
    known_for: str  # "tt0089560,tt0093779"


class CrewMember(NamedTuple):
    """A director or writer of title.crew, `billing` being the place in its list."""

    tconst: str
    nconst: str
    role: str
    billing: int
    line: int
    digest: str | None = None  # on a line's first row: that of the line's people


@dataclass
class Progress:
    """Reported while a file is read (rows so far) and once when it is done."""

    stage: str
    rows: int
    elapsed: float
    done: bool = False


# Reading files and values. -------------------------------------------------------------


def find_datasets(directory: Path) -> dict[str, Path]:
    """Maps each dataset name to its file, `.tsv` or `.tsv.gz`; raises if a required one is
    missing."""
    found = {}
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        for suffix in (".tsv", ".tsv.gz"):
            if (directory / f"{name}{suffix}").is_file():
                found[name] = directory / f"{name}{suffix}"
                break
    missing = [name for name in REQUIRED_FILES if name not in found]
    if missing:
        raise MissingFiles(f"{directory} has no {', '.join(f'{m}.tsv[.gz]' for m in missing)}")
    return found


class Part(NamedTuple):
    """A part of a plain file, from byte `start` to `end`, beginning after `lines_before`
    lines (the header's included)."""

    start: int
    end: int
    lines_before: int


def parts_of(path: Path, count: int) -> list[Part]:
    """A plain file (not gzipped) cut into about `count` parts of about equal size, each
    beginning where the first column's value changes: all the rows of a title (or of a
    person) lie in one part."""
    size = path.stat().st_size
    with open(path, "rb") as file:
        file.readline()  # the header
        bounds = [file.tell()]
        for number in range(1, count):
            file.seek(max(bounds[-1], size * number // count))
            file.readline()  # the rest of a line begun before
            line = file.readline()
            key, start = line.split(b"\t", 1)[0], size
            while line:
                start = file.tell()
                line = file.readline()
                if line.split(b"\t", 1)[0] != key:
                    break
            bounds.append(start if line else size)
        bounds.append(size)
        bounds = sorted(set(bounds))
        parts, lines, position = [], 1, bounds[0]
        file.seek(position)
        for start, end in itertools.pairwise(bounds):
            while position < start:  # count the lines between two starts
                block = file.read(min(1 << 20, start - position))
                lines += block.count(b"\n")
                position += len(block)
            parts.append(Part(start, end, lines))
    return parts or [Part(size, size, 1)]


class _Slice:
    """The bytes of an open file up to `end`, read as _text_blocks reads a stream."""

    def __init__(self, file, end):
        self.file, self.end = file, end

    def read(self, size):
        return self.file.read(max(0, min(size, self.end - self.file.tell())))

    def readline(self):
        left = self.end - self.file.tell()
        return self.file.readline(left) if left > 0 else b""

    def close(self):
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_tsv(
    path: Path, part: Part | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header's column names, and an iterator of (line number, fields) for the rest
    (for the lines of `part` only, if given: a plain file's).

    No quote processing: a quotation mark is an ordinary character. Lines end at "\\n" only;
    a stray carriage return, like every control character but tab, is removed. Raises
    UnreadableFile, naming the file and line, at bytes that are not UTF-8, a NUL byte, or
    gzip data that is corrupt or cut short.
    """
    header, blocks = _read_blocks(path, part)

    def rows():
        for number, text in blocks:
            for line_number, line in enumerate(text.split("\n")[:-1], start=number + 1):
                yield line_number, line.split("\t")

    return header, rows()


def _read_blocks(path, part=None):
    """read_tsv's header, and its lines as blocks of text: (the number of the lines before,
    lines that each end with "\\n")."""
    opener = gzip.open if path.name.endswith(".gz") else open
    stream = opener(path, "rb")
    blocks = _text_blocks(stream, path.name)
    try:
        _, first = next(blocks, (0, ""))
    except UnreadableFile:
        stream.close()
        raise
    header, _, rest = first.partition("\n")
    if part is not None:
        stream.close()
        stream = open(path, "rb")  # noqa: SIM115 (closed by rest_blocks())
        stream.seek(part.start)
        stream = _Slice(stream, part.end)
        blocks, rest = _text_blocks(stream, path.name, part.lines_before), ""

    def rest_blocks():
        with stream:
            if rest:
                yield 1, rest
            yield from blocks

    return header.split("\t"), rest_blocks()


# Control bytes but tab and newline, deleted at once from a block with bytes.translate;
# C1 controls (U+0080 to U+009F) are two bytes in UTF-8.
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10}) + b"\x7f"
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")


def _text_blocks(stream, name, number=0):
    """(the number of the lines before, text) for each block of a binary stream, read and
    decoded BLOCK_BYTES at a time, the first line numbered `number` + 1; each block is whole
    lines, each ending with "\\n" (the file's last one too). Only a block that holds a
    control character is searched for them."""
    try:
        while block := stream.read(BLOCK_BYTES):
            block += stream.readline()  # the rest of the block's last line
            controls = len(block.translate(None, _CONTROL_BYTES)) < len(block)
            if controls or _C1_CONTROL.search(block):
                if (nul := block.find(b"\x00")) >= 0:
                    line = number + block.count(b"\n", 0, nul) + 1
                    raise UnreadableFile(f"{name}:{line}: a NUL byte; this is not a text file")
                text = without_controls(_decoded(block, name, number))
            else:
                text = _decoded(block, name, number)
            if not text:  # nothing but control characters
                continue
            if not text.endswith("\n"):
                text += "\n"
            yield number, text
            number += text.count("\n")
    except EOFError:
        raise UnreadableFile(
            f"{name}: the file is cut short (its gzip data ends after line {number})"
        ) from None
    except (OSError, zlib.error) as error:
        raise UnreadableFile(f"{name}: not a readable gzip file ({error})") from None


def _decoded(block, name, lines_before):
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError as error:
        line = lines_before + block.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(
            f"{name}:{line}: not UTF-8 text (byte 0x{block[error.start]:02x} cannot be decoded)"
        ) from None


def _text(value):
    return None if value == NULL else value


def _int(value, what):
    if value == NULL:
        return None
    if not (value.isascii() and value.isdigit()):
        raise MalformedRow(f"{what} is not a whole number: {value!r}")
    if len(value) > 9:  # the database's integer columns stop at 2,147,483,647
        raise MalformedRow(f"{what} is too large: {value!r}")
    return int(value)


def _year(value, what, plausible):
    year = _int(value, what)
    # Not `None in range(...)`: that walks the whole range.
    return year if year is not None and year in plausible else None


def _id(value, prefix, what):
    digits = value[len(prefix) :]
    if (
        not value.startswith(prefix)
        or not (digits.isascii() and digits.isdigit())
        or len(value) > IMDB_ID_LENGTH
    ):
        raise MalformedRow(f"{what} is not an IMDb id: {value!r}")
    return value


def _required(value, what):
    if value == NULL or not value:
        raise MalformedRow(f"{what} is empty")
    return value


# The values the checks above accept, as patterns of a field (followed by a tab or a
# newline): a line whose every value read matches its column's is read by a dataset's fast
# path (Dataset.plain). tests/test_import_imdb_tsv.py holds each pattern to its check.
# Possessive (*+, ++): a field's characters are never given back to match what follows,
# which is a tab or a newline that they cannot be, and matching is faster.
ANY = r"[^\t\n]*+"
WHOLE = r"[0-9]{1,9}+"  # the values _int reads as a number
WHOLE_OR_NULL = rf"\\N|{WHOLE}"  # those _int accepts
_DIGITS = rf"[0-9]{{1,{IMDB_ID_LENGTH - 2}}}+"
TCONST, NCONST = f"tt{_DIGITS}", f"nm{_DIGITS}"  # those _id accepts with "tt", with "nm"
REQUIRED = r"(?!\\N[\t\n])[^\t\n]++"  # those _required accepts


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A run of whitespace holding a tab or a line break, which a character's name, one line,
# cannot hold.
_BREAK = re.compile(r"\s*[\t\n\r]\s*")


def _part_name(name):
    """A part's name from the JSON as one line without control characters: each run of
    whitespace holding a tab or a line break is one space, and then the ends are stripped.
    Breaks first: a carriage return is a control character."""
    one_line, breaks = _BREAK.subn(" ", name)
    one_line = without_controls(one_line)
    return one_line.strip() if breaks else one_line


def characters(value: str | None) -> str:
    """IMDb's JSON array of characters as one string: `["Mary","Jane"]` becomes "Mary / Jane",
    as IMDb shows a person playing several parts: one credit naming all of them."""
    if value is None:
        return ""
    inner = value[2:-2]
    if value[:2] == '["' and value[-2:] == '"]' and '"' not in inner and "\\" not in inner:
        # One plain name, the usual case: no JSON parsing.
        return without_controls(inner)[:CHARACTER_LENGTH]
    try:
        names = json.loads(value)
    except (ValueError, RecursionError):
        names = [value.removeprefix("[").removesuffix("]").strip('"')]
    if not isinstance(names, list):
        names = [names]
    # JSON's escapes write what a line may not hold: tabs, line breaks, control characters,
    # lone surrogates.
    names = (_part_name(str(name)) for name in names if name not in (None, ""))
    text = " / ".join(name for name in names if name)[:CHARACTER_LENGTH]
    if _SURROGATE.search(text):
        raise MalformedRow(f"characters hold a lone surrogate, which is not a character: {value!r}")
    return text


def role_and_job(category: str, job: str | None) -> tuple[str, str]:
    """IMDb's category as a credit role; a category the site has no role for is kept as
    `other` with the category in the job."""
    role = ROLES.get(category)
    if role is None:
        role, job = OTHER_ROLE, f"{category}: {job}" if job else category
    return role, (job or "")[:JOB_LENGTH]


def _positions(header, path, columns):
    missing = [column for column in columns if column not in header]
    if missing:
        raise UnreadableFile(f"{path.name}:1: the header has no {', '.join(missing)} column")
    return [header.index(column) for column in columns]


class TitleTypes:
    """Which titles title.basics listed and which of them have a chosen type, so credits of
    the others (most of IMDb's 98 million are TV episodes') are dropped while reading.

    One bit per title id in each of two byte arrays that grow with the highest id: a few
    megabytes for all of IMDb, however many rows the files have. Ids past `LIMIT` are not
    recorded and their credits are kept, to be sorted out by the merge.
    """

    LIMIT = 1 << 28

    def __init__(self):
        self.listed, self.chosen = bytearray(), bytearray()
        self.rows_dropped = 0
        self._last, self._last_dropped = None, False

    def add(self, tconst, *, chosen):
        self._last = None
        number = int(tconst[2:])
        if number >= self.LIMIT:
            return
        byte, bit = divmod(number, 8)
        if byte >= len(self.listed):
            grow = max(byte + 1 - len(self.listed), len(self.listed))
            self.listed.extend(bytes(grow))
            self.chosen.extend(bytes(grow))
        self.listed[byte] |= 1 << bit
        if chosen:
            self.chosen[byte] |= 1 << bit

    def drops(self, tconst):
        """True for a title title.basics listed with a type not chosen."""
        if tconst != self._last:  # a title's rows come one after another: look it up once
            self._last, self._last_dropped = tconst, self._dropped(tconst)
        self.rows_dropped += self._last_dropped
        return self._last_dropped

    def dropped(self, tconsts):
        """The ids among `tconsts` that drops() is true of, their rows not counted."""
        return {tconst for tconst in dict.fromkeys(tconsts) if self._dropped(tconst)}

    def _dropped(self, tconst):
        number = int(tconst[2:])
        byte, bit = divmod(number, 8)
        if number >= self.LIMIT or byte >= len(self.listed):
            return False
        return bool(self.listed[byte] >> bit & 1 and not self.chosen[byte] >> bit & 1)


def _parse_basics(chosen_types, titles, genres_seen):
    def parse(tconst, title_type, title, original_title, start_year, runtime, genres):
        tconst = _id(tconst, "tt", "tconst")
        title = _required(title, "primaryTitle")
        year = _year(start_year, "startYear", FILM_YEARS)
        runtime = _int(runtime, "runtimeMinutes")
        return [row(tconst, title_type, title, original_title, year, runtime, genres)]

    def row(tconst, title_type, title, original_title, year, runtime, genres):
        """The row of a line whose values passed parse's checks."""
        titles.add(tconst, chosen=title_type in chosen_types)
        if title_type not in chosen_types:
            return Title(tconst, False)
        names, genres = _genres(genres)
        genres_seen.update(names)
        original = _text(original_title) or ""
        return Title(
            tconst,
            True,
            title[:TITLE_LENGTH],
            original[:TITLE_LENGTH] if original != title else "",
            title_type,
            year,
            runtime,
            genres,
            slug_base(title, year, fallback=tconst),
        )

    year_of = _recurring(_year, "startYear", FILM_YEARS)
    runtime_of = _recurring(_int, "runtimeMinutes")

    def plain(tconsts, title_types, names, original_titles, start_years, runtimes, genres):
        years, runtimes = map(year_of, start_years), map(runtime_of, runtimes)
        return _columns(
            map(row, tconsts, title_types, names, original_titles, years, runtimes, genres)
        )

    return parse, plain


@functools.lru_cache(maxsize=1 << 12)
def _genres(genres):
    """IMDb's comma list of a title's genres: their names, and them as a JSON array. A few
    thousand lists recur."""
    names = () if genres == NULL else tuple(g for g in genres.split(",") if g)
    return names, json.dumps(list(names))


def _recurring(read, *args):
    """read(value, *args) for the values of a column that recur (years, runtimes), each
    looked up once."""
    return functools.lru_cache(maxsize=1 << 12)(lambda value: read(value, *args))


def _rating(average):
    try:
        rating = round(float(average), 1)
    except ValueError:
        raise MalformedRow(f"averageRating is not a number: {average!r}") from None
    if not 0 <= rating <= 10:
        raise MalformedRow(f"averageRating is not between 0 and 10: {average!r}")
    return rating


def _votes(votes):
    return _int(votes, "numVotes") or 0


def _parse_rating(tconst, average, votes):
    rating = _rating(average)
    return [Rating(_id(tconst, "tt", "tconst"), rating, _votes(votes))]


def _plain_ratings(tconsts, averages, votes):
    try:
        ratings = list(map(_rating, averages))
    except MalformedRow:
        return None  # a rating out of bounds, which parse names
    return [tconsts, ratings, list(map(_votes, votes))]


@functools.lru_cache(maxsize=1 << 14)
def _characters_of(value):
    """characters() of a field, `\\N` being None; the same few recur (none, "Himself")."""
    return characters(_text(value))


@functools.lru_cache(maxsize=1 << 14)
def _role_and_job_of(category, job):
    """role_and_job() of the fields, `\\N` being None; most jobs are none or a handful."""
    return role_and_job(category, _text(job))


def _parse_principal(titles):
    checked = [None]  # the last title id found well formed: its rows follow one another

    def parse(tconst, ordering, nconst, category, job, characters_json, line):
        if tconst != checked[0]:
            checked[0] = _id(tconst, "tt", "tconst")
        if titles.drops(tconst):
            return []
        role, job = role_and_job(_required(category, "category"), _text(job))
        return [
            Principal(
                tconst,
                _id(nconst, "nm", "nconst"),
                role,
                job,
                characters(_text(characters_json)),
                _int(ordering, "ordering") or 0,
                line,
            )
        ]

    def plain(tconsts, orderings, nconsts, categories, jobs, characters_json, lines):
        # Each row as parse makes it: the checks passed (the patterns), so the ordering is a
        # number, and the rows of titles dropped are left out (and counted) as drops() does.
        columns = tconsts, orderings, nconsts, categories, jobs, characters_json, lines
        count = len(tconsts)
        if dropped := titles.dropped(tconsts):
            kept = [tconst not in dropped for tconst in tconsts]
            if not any(kept):
                titles.rows_dropped += count
                return []
            columns = [list(itertools.compress(column, kept)) for column in columns]
        tconsts, orderings, nconsts, categories, jobs, characters_json, lines = columns
        try:
            parts = list(map(_characters_of, characters_json))
        except MalformedRow:
            return None  # a lone surrogate, which parse names: nothing is counted yet
        titles.rows_dropped += count - len(tconsts)
        roles, jobs = _columns(list(map(_role_and_job_of, categories, jobs)))
        orderings = list(map(int, orderings))
        return [tconsts, nconsts, roles, jobs, parts, orderings, lines, [None] * len(tconsts)]

    return parse, plain


def _parse_name(nconst, name, birth_year, death_year, professions, known_for):
    nconst = _id(nconst, "nm", "nconst")
    name = _required(name, "primaryName")
    born = _year(birth_year, "birthYear", PERSON_YEARS)
    died = _year(death_year, "deathYear", PERSON_YEARS)
    return [_name(nconst, name, born, died, professions, known_for)]


def _name(nconst, name, born, died, professions, known_for):
    """The row of a line whose values passed _parse_name's checks, its years read."""
    name = name[:NAME_LENGTH]
    if born and died and died < born:
        died = None
    professions = (_text(professions) or "")[:PROFESSIONS_LENGTH]
    known_for = (_text(known_for) or "")[:KNOWN_FOR_LENGTH]
    return Name(nconst, name, slug_base(name, fallback=nconst), born, died, professions, known_for)


def _plain_names(nconsts, names, birth_years, death_years, professions, known_for):
    born = map(_birth_year, birth_years)
    died = map(_death_year, death_years)
    return _columns(map(_name, nconsts, names, born, died, professions, known_for))


_birth_year = _recurring(_year, "birthYear", PERSON_YEARS)
_death_year = _recurring(_year, "deathYear", PERSON_YEARS)


def _parse_crew(titles):
    def parse(tconst, directors, writers, line):
        if titles.drops(_id(tconst, "tt", "tconst")):
            return []
        for people in (directors, writers):
            if people != NULL:
                for nconst in people.split(","):
                    _id(nconst, "nm", "nconst")
        return rows(tconst, directors, writers, line)

    def rows(tconst, directors, writers, line):
        """The rows of a line whose values passed parse's checks."""
        rows = []
        for role, people in (("director", directors), ("writer", writers)):
            if people != NULL:
                # dict.fromkeys: a person listed twice is credited once, at the first place.
                for position, nconst in enumerate(dict.fromkeys(people.split(",")), start=1):
                    # The line's first row carries the digest of its people.
                    digest = None if rows else _digest(f"{directors}\t{writers}")
                    rows.append(CrewMember(tconst, nconst, role, position, line, digest))
        return rows

    def plain(tconsts, directors, writers, lines):
        made = []
        for tconst, people, more, line in zip(tconsts, directors, writers, lines, strict=True):
            if not titles.drops(tconst):
                made += rows(tconst, people, more, line)
        return _columns(made)

    return parse, plain


@dataclass(frozen=True)
class Dataset:
    """One of IMDb's files: the columns read from each line, the kind of row a line gives,
    and how (`parse` takes the columns' values, returns a list of rows).

    The fast path: `plain` holds a pattern per column (those above) that its values match
    only where parse's checks pass. Lines whose values all match theirs, a run of them at a
    time, go to `parse_plain` as columns (a list of each column's values, and one of the
    lines' numbers for rows with a `line` field), which gives the rows parse gives for those
    lines in turn, as columns too (_columns), or else None, having changed nothing: the
    lines are then read in halves, down to single lines read by parse, as every line that
    is not plain is."""

    name: str
    columns: tuple[str, ...]
    row: type
    parse: Callable[..., list]
    plain: tuple[str, ...] = ()
    parse_plain: Callable[..., list | None] | None = None

    def rows(self, values, line_number):
        """The rows of one line, given its columns' values: rows with a `line` field (those
        of credits, for their provenance) are told the line's number."""
        if "line" in self.row._fields:
            return self.parse(*values, line_number)
        return self.parse(*values)


def datasets(title_types: Iterable[str], titles: "TitleTypes", genres_seen: set[str]):
    """The datasets by name, in the order they are read: title.basics first, as it tells
    which titles the others' rows of are dropped (`titles`); it also collects the names of
    the chosen titles' genres in `genres_seen`."""
    chosen = set(title_types)
    basics, plain_basics = _parse_basics(chosen, titles, genres_seen)
    principal, plain_principals = _parse_principal(titles)
    crew, plain_crew = _parse_crew(titles)
    people = rf"\\N|{NCONST}(?:,{NCONST})*+"
    return {
        dataset.name: dataset
        for dataset in (
            Dataset(
                "title.basics",
                (
                    "tconst",
                    "titleType",
                    "primaryTitle",
                    "originalTitle",
                    "startYear",
                    "runtimeMinutes",
                    "genres",
                ),
                Title,
                basics,
                plain=(TCONST, ANY, REQUIRED, ANY, WHOLE_OR_NULL, WHOLE_OR_NULL, ANY),
                parse_plain=plain_basics,
            ),
            Dataset(
                "title.ratings",
                ("tconst", "averageRating", "numVotes"),
                Rating,
                _parse_rating,
                plain=(TCONST, ANY, WHOLE_OR_NULL),
                parse_plain=_plain_ratings,
            ),
            Dataset(
                "title.principals",
                ("tconst", "ordering", "nconst", "category", "job", "characters"),
                Principal,
                principal,
                plain=(TCONST, WHOLE, NCONST, REQUIRED, ANY, ANY),
                parse_plain=plain_principals,
            ),
            Dataset(
                "name.basics",
                (
                    "nconst",
                    "primaryName",
                    "birthYear",
                    "deathYear",
                    "primaryProfession",
                    "knownForTitles",
                ),
                Name,
                _parse_name,
                plain=(NCONST, REQUIRED, WHOLE_OR_NULL, WHOLE_OR_NULL, ANY, ANY),
                parse_plain=_plain_names,
            ),
            Dataset(
                "title.crew",
                ("tconst", "directors", "writers"),
                CrewMember,
                crew,
                plain=(TCONST, people, people),
                parse_plain=plain_crew,
            ),
        )
    }


class Errors:
    """The messages of the malformed rows read so far, into a list; past `limit` of them,
    ImportAborted."""

    def __init__(self, limit, into):
        self.limit, self.messages = limit, into

    def add(self, message):
        self.messages.append(message)
        if len(self.messages) > self.limit:
            raise ImportAborted(self.messages)


def rows_of(path, dataset, errors, on_progress=None, rows_read=None, part=None):
    """The rows of one file (or of one `part` of it), reporting malformed lines to `errors`
    and progress as it goes, and the number of lines read in `rows_read` (by file name)
    when done. Principals of one title that name the same person, role and character come
    as one row, and the first principal of each title carries the digest of them all."""
    blocks = blocks_of(path, dataset, errors, on_progress, rows_read, part)
    return itertools.chain.from_iterable(map(dataset.row, *block) for block in blocks)


def blocks_of(path, dataset, errors, on_progress=None, rows_read=None, part=None):
    """rows_of's rows, a block of them for each block of lines (BLOCK_BYTES): a list of
    columns, one per field of the dataset's row type, whose rows are `zip(*block)`. Rows
    held as columns are what COPY and the merging of credits go through fastest, and no
    object per row is kept for the garbage collector to go over."""
    blocks = _row_blocks(path, dataset, errors, on_progress, rows_read, part)
    return _credit_blocks(blocks) if dataset.row is Principal else blocks


def _columns(rows):
    """Rows (tuples, a list of them) as columns: a list of each field's values; [] for no
    rows. (Not zip(*rows), which makes an iterator per row.)"""
    rows = list(rows)
    return (
        [list(map(operator.itemgetter(field), rows)) for field in range(len(rows[0]))]
        if rows
        else []
    )


def _digest(text):
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _row_blocks(path, dataset, errors, on_progress, rows_read, part):
    header, blocks = _read_blocks(path, part)
    read = _block_reader(dataset, header, path, errors)
    stage = path.name
    started = time.monotonic()
    count = 0
    for number, text in blocks:
        block = read(number, text)
        before, count = count, count + text.count("\n")
        if on_progress and count // 50_000 > before // 50_000:
            on_progress(Progress(stage, count, time.monotonic() - started))
        yield block
    if on_progress:
        on_progress(Progress(stage, count, time.monotonic() - started, done=True))
    if rows_read is not None:
        rows_read[stage] = count


def _block_reader(dataset, header, path, errors):
    """A function of a block of lines (_read_blocks') that gives their rows as columns:
    each run of plain lines (Dataset) through the dataset's fast path, each other line
    through its parse, malformed lines reported to `errors` by file and line."""
    positions = _positions(header, path, dataset.columns)
    # The columns read, and the parser, looked up once: this runs for every line.
    pick = operator.itemgetter(*positions)
    parse, numbered = dataset.parse, "line" in dataset.row._fields
    width, fields = len(header), len(dataset.row._fields)

    def read_line(line, number, rows):
        values = line.split("\t")
        if len(values) != width:
            errors.add(f"{path.name}:{number}: {len(values)} fields, expected {width}")
            return
        parse_line(pick(values), number, rows)

    def parse_line(values, number, rows):
        try:
            rows += parse(*values, number) if numbered else parse(*values)
        except MalformedRow as error:
            errors.add(f"{path.name}:{number}: {error}")

    if dataset.parse_plain is None:

        def read(number, text):
            rows = []
            for line_number, line in enumerate(text.split("\n")[:-1], start=number + 1):
                read_line(line, line_number, rows)
            return _joined([_columns(rows)], fields)

        return read

    def read_plain(columns, number, pieces, rows):
        """Plain lines as columns, the first numbered `number` + 1, by the fast path; lines
        it gives up on are read in halves, down to single lines read by parse."""
        made = dataset.parse_plain(*columns)
        if made is not None:
            pieces += [_columns(rows), made]
            rows.clear()
        elif len(columns[0]) == 1:
            parse_line([column[0] for column in columns[: len(positions)]], number + 1, rows)
        else:
            half = len(columns[0]) // 2
            read_plain([column[:half] for column in columns], number, pieces, rows)
            read_plain([column[half:] for column in columns], number + half, pieces, rows)

    # A run of plain lines: `width` fields each (no pattern takes a tab or a newline), those
    # read matching their columns' patterns.
    patterns = [ANY] * width
    for position, pattern in zip(positions, dataset.plain, strict=True):
        patterns[position] = f"(?:{pattern})"
    plain_lines = re.compile(f"(?:{'\t'.join(patterns)}\n)*+")

    def read(number, text):
        pieces, rows, start = [], [], 0  # pieces: columns, in the order of the lines
        while start < len(text):
            end = plain_lines.match(text, start).end()
            if end > start:
                run = text[start:end]
                count = run.count("\n")
                values = run.replace("\n", "\t").split("\t")
                values.pop()  # the nothing after the last newline
                columns = [values[position::width] for position in positions]
                if numbered:
                    columns.append(list(range(number + 1, number + 1 + count)))
                read_plain(columns, number, pieces, rows)
                number, start = number + count, end
            if start < len(text):  # a line that is not plain
                end = text.index("\n", start) + 1
                number += 1
                read_line(text[start : end - 1], number, rows)
                start = end
        pieces.append(_columns(rows))
        return _joined(pieces, fields)

    return read


def _joined(pieces, fields):
    """Pieces of columns (those of no rows being []) as one: `fields` columns."""
    pieces = [piece for piece in pieces if piece]
    if len(pieces) == 1:
        return pieces[0]
    if not pieces:
        return [()] * fields
    return [list(itertools.chain.from_iterable(column)) for column in zip(*pieces, strict=True)]


_TCONST = operator.itemgetter(0)
_GROUP = operator.itemgetter(1)  # of a (key, group) of itertools.groupby


def merge_duplicate_credits(rows: Iterable[Principal]) -> Iterator[Principal]:
    """Principal rows of one title that name the same person, role and character become one
    row with the lowest billing order and their jobs joined ("screenplay, novel").

    IMDb's file lists a title's rows together, so only one title is held at a time.
    """
    for _, title in itertools.groupby(rows, key=_TCONST):
        yield from _merged(title)


def title_digests(rows: Iterable[Principal]) -> Iterator[Principal]:
    """merge_duplicate_credits, each title's first row with the digest of all of that
    title's rows: the same rows give the same digest in every file, wherever their lines
    are. importimdb keeps it to tell which films' credits changed since the last import."""
    for block in _credit_blocks([_columns(rows)]):
        yield from map(Principal, *block)


def _credit_blocks(blocks):
    """title_digests of blocks of principals (blocks_of's columns): the rows of a block's
    last title, which may go on in the next block, wait for it."""
    held = [()] * len(Principal._fields)
    for block in blocks:
        if not block or not block[0]:
            continue
        if held[0]:
            block = [[*before, *column] for before, column in zip(held, block, strict=True)]
        titles = _titles(block[0])
        last = titles.pop()[0]
        held = [column[last:] for column in block]
        yield _credits([column[:last] for column in block], titles)
    if held[0]:
        yield _credits(held, _titles(held[0]))


def _titles(tconsts):
    """(start, end) of each title's rows, one after another in the file."""
    sizes = map(len, map(list, map(_GROUP, itertools.groupby(tconsts))))
    ends = list(itertools.accumulate(sizes))
    return list(zip([0, *ends], ends, strict=False))  # the starts: 0 and the ends but the last


def _credits(block, titles):
    """A block of principals, each title's rows (`titles`, their bounds) merged and the
    first carrying the digest of them all."""
    # Only a title that names a person twice may name a credit twice.
    nconsts = block[1]
    twice = [(start, end) for start, end in titles if len(set(nconsts[start:end])) < end - start]
    if twice:
        block = _merge_credits(block, twice)
        titles = _titles(block[0])
    texts = _credit_texts(*block[1:6])
    digests = [None] * len(block[0])
    for start, end in titles:
        digests[start] = _digest("\x1e".join(texts[start:end]))
    return [*block[:-1], digests]


def _merge_credits(block, titles):
    """The block with the rows of the titles `titles` (their bounds) merged (_merged)."""
    pieces, done = [], 0  # of the block, as columns: rows as they are, then a title merged
    for start, end in titles:
        title = list(map(Principal, *(column[start:end] for column in block)))
        pieces += [[column[done:start] for column in block], _columns(_merged(title))]
        done = end
    return _joined([*pieces, [column[done:] for column in block]], len(block))


def _credit_texts(nconsts, roles, jobs, characters, orderings):
    """What each credit gives its title's digest: its fields, between separators no field
    holds (the reader removes these control characters)."""
    fields = zip(nconsts, roles, jobs, characters, map(str, orderings), strict=True)
    return list(map("\x1f".join, fields))


def _merged(title):
    """One title's rows merged: merge_duplicate_credits."""
    merged = {}
    for row in title:
        key = (row.nconst, row.role, row.character)
        if key not in merged:
            merged[key] = row
            continue
        kept = merged[key]
        jobs = kept.job.split(", ") if kept.job else []
        if row.job and row.job not in jobs:
            jobs.append(row.job)
        merged[key] = kept._replace(
            job=", ".join(jobs)[:JOB_LENGTH], ordering=min(kept.ordering, row.ordering)
        )
    return list(merged.values())
