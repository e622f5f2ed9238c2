"""IMDb's TSV datasets read into typed rows: title.basics, title.ratings, title.principals,
name.basics and, if present, title.crew, each as `.tsv` or `.tsv.gz`.

Text in, rows out, and nothing of the database: each line of a file is checked and becomes
zero or more rows (`Title`, `Rating`, `Principal`, `Name`, `CrewMember`), named tuples whose
fields are the columns importimdb stages them in (films/importers/imdb.py). Files are read a
megabyte at a time and rows are yielded as they are made, so memory stays flat whatever the
size of the files. Values are held to films/rules.py as they are read: a year outside its
range is unknown, text too long for its column is cut.

IMDb's conventions: a header row, tabs between fields, `\\N` for null, no quoting (titles
hold stray quotation marks), comma-separated lists and `characters` as a JSON array.
"""

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
    """The bytes of an open file up to `end`, read as _text_lines reads a stream."""

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
    opener = gzip.open if path.name.endswith(".gz") else open
    stream = opener(path, "rb")
    lines = _text_lines(stream, path.name)
    try:
        _, header = next(lines, (1, ""))
    except UnreadableFile:
        stream.close()
        raise
    if part is not None:
        stream.close()
        stream = open(path, "rb")  # noqa: SIM115 (closed by rows())
        stream.seek(part.start)
        stream = _Slice(stream, part.end)
        lines = _text_lines(stream, path.name, part.lines_before)

    def rows():
        with stream:
            for line_number, line in lines:
                yield line_number, line.split("\t")

    return header.split("\t"), rows()


# Control bytes but tab and newline, deleted at once from a block with bytes.translate;
# C1 controls (U+0080 to U+009F) are two bytes in UTF-8.
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10}) + b"\x7f"
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")


def _text_lines(stream, name, number=0):
    """(line number, text without its newline) for each line of a binary stream, read and
    decoded a megabyte at a time, the first numbered `number` + 1; only a block that holds
    a control character is searched for them."""
    try:
        while block := stream.read(1 << 20):
            block += stream.readline()  # the rest of the block's last line
            controls = len(block.translate(None, _CONTROL_BYTES)) < len(block)
            if controls or _C1_CONTROL.search(block):
                if (nul := block.find(b"\x00")) >= 0:
                    line = number + block.count(b"\n", 0, nul) + 1
                    raise UnreadableFile(f"{name}:{line}: a NUL byte; this is not a text file")
                text = without_controls(_decoded(block, name, number))
            else:
                text = _decoded(block, name, number)
            lines = text.split("\n")
            if not lines[-1]:
                lines.pop()
            yield from enumerate(lines, start=number + 1)
            number += len(lines)
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
    if not value.startswith(prefix) or not (digits.isascii() and digits.isdigit()):
        raise MalformedRow(f"{what} is not an IMDb id: {value!r}")
    return value


def _required(value, what):
    if value == NULL or not value:
        raise MalformedRow(f"{what} is empty")
    return value


_SURROGATE = re.compile(r"[\ud800-\udfff]")


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
    # JSON's escapes write what a line may not hold: control characters, lone surrogates.
    names = (without_controls(str(name)) for name in names if name not in (None, ""))
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
        titles.add(tconst, chosen=title_type in chosen_types)
        if title_type not in chosen_types:
            return [Title(tconst, False)]
        names = [] if genres == NULL else [g for g in genres.split(",") if g]
        genres_seen.update(names)
        original = _text(original_title) or ""
        return [
            Title(
                tconst,
                True,
                title[:TITLE_LENGTH],
                original[:TITLE_LENGTH] if original != title else "",
                title_type,
                year,
                runtime,
                json.dumps(names),
                slug_base(title, year, fallback=tconst),
            )
        ]

    return parse


def _parse_rating(tconst, average, votes):
    try:
        rating = round(float(average), 1)
    except ValueError:
        raise MalformedRow(f"averageRating is not a number: {average!r}") from None
    if not 0 <= rating <= 10:
        raise MalformedRow(f"averageRating is not between 0 and 10: {average!r}")
    return [Rating(_id(tconst, "tt", "tconst"), rating, _int(votes, "numVotes") or 0)]


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

    return parse


def _parse_name(nconst, name, birth_year, death_year, professions, known_for):
    nconst = _id(nconst, "nm", "nconst")
    name = _required(name, "primaryName")[:NAME_LENGTH]
    born = _year(birth_year, "birthYear", PERSON_YEARS)
    died = _year(death_year, "deathYear", PERSON_YEARS)
    if born and died and died < born:
        died = None
    professions = (_text(professions) or "")[:PROFESSIONS_LENGTH]
    known_for = (_text(known_for) or "")[:KNOWN_FOR_LENGTH]
    return [
        Name(nconst, name, slug_base(name, fallback=nconst), born, died, professions, known_for)
    ]


def _parse_crew(titles):
    def parse(tconst, directors, writers, line):
        if titles.drops(_id(tconst, "tt", "tconst")):
            return []
        rows = []
        for role, people in (("director", directors), ("writer", writers)):
            if people != NULL:
                # dict.fromkeys: a person listed twice is credited once, at the first place.
                for position, nconst in enumerate(dict.fromkeys(people.split(",")), start=1):
                    rows.append(
                        CrewMember(tconst, _id(nconst, "nm", "nconst"), role, position, line)
                    )
        if rows:
            rows[0] = rows[0]._replace(digest=_digest(f"{directors}\t{writers}"))
        return rows

    return parse


@dataclass(frozen=True)
class Dataset:
    """One of IMDb's files: the columns read from each line, the kind of row a line gives,
    and how (`parse` takes the columns' values, returns a list of rows)."""

    name: str
    columns: tuple[str, ...]
    row: type
    parse: Callable[..., list]

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
                _parse_basics(chosen, titles, genres_seen),
            ),
            Dataset(
                "title.ratings", ("tconst", "averageRating", "numVotes"), Rating, _parse_rating
            ),
            Dataset(
                "title.principals",
                ("tconst", "ordering", "nconst", "category", "job", "characters"),
                Principal,
                _parse_principal(titles),
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
            ),
            Dataset(
                "title.crew", ("tconst", "directors", "writers"), CrewMember, _parse_crew(titles)
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
    rows = _rows_of(path, dataset, errors, on_progress, rows_read, part)
    return title_digests(rows) if dataset.row is Principal else rows


def _digest(text):
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _rows_of(path, dataset, errors, on_progress, rows_read, part):
    header, lines = read_tsv(path, part)
    # The columns read, and the parser, looked up once: this loop runs for every line.
    pick = operator.itemgetter(*_positions(header, path, dataset.columns))
    parse, numbered = dataset.parse, "line" in dataset.row._fields
    stage = path.name
    width = len(header)
    started = time.monotonic()
    count = 0
    for line_number, fields in lines:
        count += 1
        if not count % 50_000 and on_progress:
            on_progress(Progress(stage, count, time.monotonic() - started))
        if len(fields) != width:
            errors.add(f"{path.name}:{line_number}: {len(fields)} fields, expected {width}")
            continue
        try:
            yield from parse(*pick(fields), line_number) if numbered else parse(*pick(fields))
        except MalformedRow as error:
            errors.add(f"{path.name}:{line_number}: {error}")
    if on_progress:
        on_progress(Progress(stage, count, time.monotonic() - started, done=True))
    if rows_read is not None:
        rows_read[stage] = count


def merge_duplicate_credits(rows: Iterable[Principal]) -> Iterator[Principal]:
    """Principal rows of one title that name the same person, role and character become one
    row with the lowest billing order and their jobs joined ("screenplay, novel").

    IMDb's file lists a title's rows together, so only one title is held at a time.
    """
    for title in _merged_titles(rows):
        yield from title


def title_digests(rows: Iterable[Principal]) -> Iterator[Principal]:
    """merge_duplicate_credits, each title's first row with the digest of all of that
    title's rows: the same rows give the same digest in every file, wherever their lines
    are. importimdb keeps it to tell which films' credits changed since the last import."""
    for title in _merged_titles(rows):
        # Separators no field holds: the reader removes these control characters.
        text = "\x1e".join(
            f"{r.nconst}\x1f{r.role}\x1f{r.job}\x1f{r.character}\x1f{r.ordering}" for r in title
        )
        title[0] = title[0]._replace(digest=_digest(text))
        yield from title


def _merged_titles(rows):
    """The merged rows of each title, a list per title."""
    current, merged = None, {}
    for row in rows:
        if row.tconst != current:
            if merged:
                yield list(merged.values())
            current, merged = row.tconst, {}
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
    if merged:
        yield list(merged.values())
