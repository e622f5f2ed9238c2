"""IMDb's TSV datasets: title.basics, title.ratings, title.principals, name.basics and,
if present, title.crew, each as `.tsv` or `.tsv.gz`.

The import runs in two phases inside one transaction:

1. Staging. Each file is streamed line by line; a line is checked and turned into plain
   tuples (parsing knows nothing of the ORM) which go straight into a temporary staging
   table: with COPY on PostgreSQL, with batched `executemany` on SQLite. Nothing is kept
   in memory beyond one batch, so memory stays flat whatever the size of the files.
2. Merging. Set-based SQL, the same on both databases, merges the staging tables into
   films, genres, people and credits. Films and people are matched by their IMDb ids:
   those already on the site are updated where a value differs, so a second identical run
   changes nothing, and only in the columns IMDb knows, so a film loaded earlier from a
   scraped page keeps its slug, plot, trivia, reviews and making-of; the others are
   inserted. On PostgreSQL, new rows that outnumber a table's existing ones go into the
   table with its indexes and constraints dropped and built again afterwards.

IMDb's conventions: a header row, tabs between fields, `\\N` for null, no quoting (titles
hold stray quotation marks), comma-separated lists and `characters` as a JSON array.
"""

import gzip
import json
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from films.freshness import data_changed
from films.models import Credit, Film, Genre, Person
from films.prominence import refresh_prominence
from films.slugs import new_slugs, new_slugs_sql, slug_base

from .text import without_controls

NULL = "\\N"
DEFAULT_TITLE_TYPES = ("movie", "tvMovie")
REQUIRED_FILES = ("title.basics", "title.ratings", "title.principals", "name.basics")
OPTIONAL_FILES = ("title.crew",)
EXAMPLES = 5  # how many ids a report quotes for each kind of problem

# Keep in step with the max_length of the columns they fill: PostgreSQL refuses longer text.
TITLE_LENGTH = Film._meta.get_field("title").max_length
NAME_LENGTH = Person._meta.get_field("name").max_length
PROFESSIONS_LENGTH = Person._meta.get_field("professions").max_length
KNOWN_FOR_LENGTH = Person._meta.get_field("known_for").max_length
JOB_LENGTH = Credit._meta.get_field("job").max_length
CHARACTER_LENGTH = Credit._meta.get_field("character").max_length
FILM_YEARS = range(1870, 2101)  # what Film's check constraint allows; others are unknown
PERSON_YEARS = range(1, 2101)

ROLES = {
    "actor": Credit.Role.CAST,
    "actress": Credit.Role.CAST,
    "self": Credit.Role.SELF,
    "archive_footage": Credit.Role.ARCHIVE_FOOTAGE,
    "director": Credit.Role.DIRECTOR,
    "writer": Credit.Role.WRITER,
    "producer": Credit.Role.PRODUCER,
    "composer": Credit.Role.COMPOSER,
    "cinematographer": Credit.Role.CINEMATOGRAPHER,
    "editor": Credit.Role.EDITOR,
    "production_designer": Credit.Role.PRODUCTION_DESIGNER,
    "casting_director": Credit.Role.CASTING_DIRECTOR,
}
STARS_PER_FILM = 3  # the first billed cast members, as IMDb lists "Stars"


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


# Parsing: text in, plain tuples out. ------------------------------------------------------


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


def read_tsv(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header's column names, and an iterator of (line number, fields) for the rest.

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

    def rows():
        with stream:
            for line_number, line in lines:
                yield line_number, line.split("\t")

    return header.split("\t"), rows()


# Control bytes but tab and newline, deleted at once from a block with bytes.translate;
# C1 controls (U+0080 to U+009F) are two bytes in UTF-8.
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10}) + b"\x7f"
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")


def _text_lines(stream, name):
    """(line number, text without its newline) for each line of a binary stream, read and
    decoded a megabyte at a time; only a block that holds a control character is searched
    for them."""
    number = 0
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
        role, job = Credit.Role.OTHER, f"{category}: {job}" if job else category
    return role, (job or "")[:JOB_LENGTH]


def _positions(header, path, columns):
    missing = [column for column in columns if column not in header]
    if missing:
        raise UnreadableFile(f"{path.name}:1: the header has no {', '.join(missing)} column")
    return [header.index(column) for column in columns]


@dataclass
class Staging:
    """A staging table: its name, columns (name and SQL type) and the rows one line gives."""

    table: str
    columns: tuple[tuple[str, str], ...]
    source_columns: tuple[str, ...]
    parse: Callable[..., list[tuple]]

    @property
    def column_names(self):
        return [name for name, _ in self.columns]


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

    def add(self, tconst, *, chosen):
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
        number = int(tconst[2:])
        byte, bit = divmod(number, 8)
        if number >= self.LIMIT or byte >= len(self.listed):
            return False
        if self.listed[byte] >> bit & 1 and not self.chosen[byte] >> bit & 1:
            self.rows_dropped += 1
            return True
        return False


def _parse_basics(chosen_types, titles, genres_seen):
    def parse(tconst, title_type, title, original_title, start_year, runtime, genres):
        tconst = _id(tconst, "tt", "tconst")
        title = _required(title, "primaryTitle")
        year = _year(start_year, "startYear", FILM_YEARS)
        runtime = _int(runtime, "runtimeMinutes")
        titles.add(tconst, chosen=title_type in chosen_types)
        if title_type not in chosen_types:
            return [(tconst, False, None, None, None, None, None, None, None)]
        names = [] if genres == NULL else [g for g in genres.split(",") if g]
        genres_seen.update(names)
        original = _text(original_title) or ""
        return [
            (
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
    return [(_id(tconst, "tt", "tconst"), rating, _int(votes, "numVotes") or 0)]


def _parse_principal(titles):
    def parse(tconst, ordering, nconst, category, job, characters_json):
        if titles.drops(_id(tconst, "tt", "tconst")):
            return []
        role, job = role_and_job(_required(category, "category"), _text(job))
        return [
            (
                tconst,
                _id(nconst, "nm", "nconst"),
                role,
                job,
                characters(_text(characters_json)),
                _int(ordering, "ordering") or 0,
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
    # Kept verbatim, IMDb's comma lists: "actor,producer", "tt0089560,tt0093779".
    professions = (_text(professions) or "")[:PROFESSIONS_LENGTH]
    known_for = (_text(known_for) or "")[:KNOWN_FOR_LENGTH]
    return [(nconst, name, slug_base(name, fallback=nconst), born, died, professions, known_for)]


def _parse_crew(titles):
    def parse(tconst, directors, writers):
        if titles.drops(_id(tconst, "tt", "tconst")):
            return []
        rows = []
        for role, people in ((Credit.Role.DIRECTOR, directors), (Credit.Role.WRITER, writers)):
            if people != NULL:
                for position, nconst in enumerate(people.split(","), start=1):
                    rows.append((tconst, _id(nconst, "nm", "nconst"), role, position))
        return rows

    return parse


def stagings(title_types, titles, genres_seen) -> dict[str, Staging]:
    return {
        "title.basics": Staging(
            "imdb_title",
            (
                ("tconst", "text"),
                ("selected", "boolean"),
                ("title", "text"),
                ("original_title", "text"),
                ("title_type", "text"),
                ("year", "integer"),
                ("runtime", "integer"),
                ("genres", "text"),
                ("slug", "text"),
            ),
            (
                "tconst",
                "titleType",
                "primaryTitle",
                "originalTitle",
                "startYear",
                "runtimeMinutes",
                "genres",
            ),
            _parse_basics(set(title_types), titles, genres_seen),
        ),
        "title.ratings": Staging(
            "imdb_rating",
            (("tconst", "text"), ("rating", "numeric(3, 1)"), ("votes", "integer")),
            ("tconst", "averageRating", "numVotes"),
            _parse_rating,
        ),
        "title.principals": Staging(
            "imdb_principal",
            (
                ("tconst", "text"),
                ("nconst", "text"),
                ("role", "text"),
                ("job", "text"),
                ('"character"', "text"),
                ("ordering", "integer"),
            ),
            ("tconst", "ordering", "nconst", "category", "job", "characters"),
            _parse_principal(titles),
        ),
        "name.basics": Staging(
            "imdb_name",
            (
                ("nconst", "text"),
                ("name", "text"),
                ("slug", "text"),
                ("birth_year", "integer"),
                ("death_year", "integer"),
                ("professions", "text"),
                ("known_for", "text"),
            ),
            (
                "nconst",
                "primaryName",
                "birthYear",
                "deathYear",
                "primaryProfession",
                "knownForTitles",
            ),
            _parse_name,
        ),
        "title.crew": Staging(
            "imdb_crew",
            (("tconst", "text"), ("nconst", "text"), ("role", "text"), ("billing", "integer")),
            ("tconst", "directors", "writers"),
            _parse_crew(titles),
        ),
    }


def merge_duplicate_credits(rows: Iterable[tuple]) -> Iterator[tuple]:
    """Principal rows of one title that name the same person, role and character become one
    row with the lowest billing order and their jobs joined ("screenplay, novel").

    IMDb's file lists a title's rows together, so only one title is held at a time.
    """
    current, merged = None, {}
    for row in rows:
        tconst, nconst, role, job, character, ordering = row
        if tconst != current:
            yield from merged.values()
            current, merged = tconst, {}
        key = (nconst, role, character)
        if key not in merged:
            merged[key] = row
            continue
        kept = merged[key]
        jobs = kept[3].split(", ") if kept[3] else []
        if job and job not in jobs:
            jobs.append(job)
        merged[key] = (*kept[:3], ", ".join(jobs)[:JOB_LENGTH], character, min(kept[5], ordering))
    yield from merged.values()


# Loading: staging tables and set-based merges. -------------------------------------------


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Progress:
    """Reported while a file is read (rows so far) and once when it is done."""

    stage: str
    rows: int
    elapsed: float
    done: bool = False


@dataclass
class ImportResult:
    method: str = ""  # how rows were staged: "copy" (PostgreSQL) or "executemany" (SQLite)
    dry_run: bool = False
    rows_read: dict[str, int] = field(default_factory=dict)
    films: Tally = field(default_factory=Tally)
    people: Tally = field(default_factory=Tally)
    credits: Tally = field(default_factory=Tally)
    credits_removed: int = 0
    genres_created: int = 0
    genre_links_added: int = 0
    genre_links_removed: int = 0
    titles_skipped: int = 0  # other title types, too few votes, past --limit
    credits_of_other_types: int = 0  # principal and crew rows dropped while reading
    missing_person_credits: int = 0
    missing_person_examples: list[str] = field(default_factory=list)
    missing_title_credits: int = 0
    missing_title_examples: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def total_rows(self):
        return sum(self.rows_read.values())

    @property
    def changed(self):
        """Whether the import wrote anything a page shows."""
        tallies = (self.films, self.people, self.credits)
        return bool(
            any(tally.created or tally.updated for tally in tallies)
            or self.credits_removed
            or self.genres_created
            or self.genre_links_added
            or self.genre_links_removed
        )


class _Errors:
    def __init__(self, limit, into):
        self.limit, self.messages = limit, into

    def add(self, message):
        self.messages.append(message)
        if len(self.messages) > self.limit:
            raise ImportAborted(self.messages)


def _rows_of(path, staging, errors, on_progress, rows_read):
    """The staging rows of one file, reporting malformed lines and progress as it goes, and
    the number of lines read in `rows_read` when done."""
    header, lines = read_tsv(path)
    positions = _positions(header, path, staging.source_columns)
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
            yield from staging.parse(*[fields[i] for i in positions])
        except MalformedRow as error:
            errors.add(f"{path.name}:{line_number}: {error}")
    if on_progress:
        on_progress(Progress(stage, count, time.monotonic() - started, done=True))
    rows_read[stage] = count


class _Database:
    """Runs the import's SQL, and holds the few statements that differ between PostgreSQL
    and SQLite."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.staged_with = None  # how load() wrote rows: "copy" or "executemany"
        self.distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"

    def execute(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.rowcount

    def scalar(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.fetchone()[0]

    def rows(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def column(self, sql, params=()):
        self.cursor.execute(sql, params)
        return [row[0] for row in self.cursor.fetchall()]

    def create(self, staging):
        columns = ", ".join(f"{name} {kind}" for name, kind in staging.columns)
        self.execute(f"DROP TABLE IF EXISTS {staging.table}")
        self.execute(f"CREATE TEMPORARY TABLE {staging.table} ({columns})")

    def load(self, staging, rows, batch_size=5_000):
        names = ", ".join(staging.column_names)
        if self.postgres:
            raw = connection.connection  # psycopg's own connection, for COPY
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {staging.table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            self.staged_with = "copy"
            return
        placeholders = ", ".join(["%s"] * len(staging.columns))
        sql = f"INSERT INTO {staging.table} ({names}) VALUES ({placeholders})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                self.cursor.executemany(sql, batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)
        self.staged_with = "executemany"

    def index(self, table, *columns):
        """Indexes a staging table for the merges' joins: SQLite needs them; PostgreSQL's
        hash joins only need fresh statistics, temporary tables getting none by themselves."""
        if self.postgres:
            self.execute(f"ANALYZE {table}")
        else:
            self.execute(f"CREATE INDEX {table}_key ON {table} ({', '.join(columns)})")

    def genre_names(self, alias):
        """A join giving one row `g` per name in `alias.genres` (a JSON array), and the
        expression of that name."""
        if self.postgres:
            return f"CROSS JOIN jsonb_array_elements_text({alias}.genres::jsonb) AS g", "g"
        return f"CROSS JOIN json_each({alias}.genres) AS g", "g.value"

    @contextmanager
    def bulk_load(self, table, *, bulk):
        """On PostgreSQL and when `bulk`, drops the table's indexes and constraints other
        than its primary key, and creates them again from their saved definitions after
        the block: one sort per index and one set-based check per foreign key, where
        row-by-row inserts would update every index and queue two checks for each row.
        The table is locked meanwhile; it all happens in the import's transaction."""
        if not (self.postgres and bulk):
            yield
            return
        self.cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC
            """,
            [table],
        )
        constraints = self.cursor.fetchall()  # unique ones first: foreign keys need them
        self.cursor.execute(
            """
            SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid = %s::regclass AND NOT indisprimary
              AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)
            """,
            [table],
        )
        indexes = self.cursor.fetchall()
        quote = connection.ops.quote_name
        # Checks deferred so far run now: PostgreSQL alters no table with checks pending.
        self.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _ in constraints:
            self.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            self.execute(f"DROP INDEX {name}")
        yield
        for _, definition in indexes:
            self.execute(definition)
        for name, definition in constraints:
            self.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")

    def count(self, model):
        return self.scalar(f"SELECT count(*) FROM {model._meta.db_table}")


def import_imdb(
    *,
    directory: Path,
    title_types: Iterable[str] = DEFAULT_TITLE_TYPES,
    min_votes: int = 0,
    limit: int | None = None,
    max_errors: int = 100,
    dry_run: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
) -> ImportResult:
    """Imports the datasets in `directory` in one transaction and says what changed.

    Raises MissingFiles if a required file is absent and ImportAborted (after rolling
    everything back) once more than `max_errors` lines are malformed.
    """
    paths = find_datasets(directory)
    genres_seen: set[str] = set()
    titles = TitleTypes()
    plans = stagings(title_types, titles, genres_seen)
    with transaction.atomic(), connection.cursor() as cursor:
        db = _Database(cursor)
        if db.postgres:
            # Sorts and hashes over staging tables stay in memory instead of spilling to disk.
            db.execute("SET LOCAL work_mem = '256MB'")
            # ...and so do the index builds after a bulk load.
            db.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # The site's statement timeout guards page queries; a million films take minutes.
            db.execute("SET LOCAL statement_timeout = 0")
        result = ImportResult(dry_run=dry_run)
        errors = _Errors(max_errors, result.errors)
        for name, staging in plans.items():
            db.create(staging)
            if name not in paths:
                continue
            rows = _rows_of(paths[name], staging, errors, on_progress, result.rows_read)
            if name == "title.principals":
                rows = merge_duplicate_credits(rows)
            db.load(staging, rows)
        result.method = db.staged_with
        result.credits_of_other_types = titles.rows_dropped
        _index_staging(db)
        _merge(db, result, genres_seen, min_votes=min_votes, limit=limit, on_progress=on_progress)
        with _timed(on_progress, "ranking people"):
            refresh_prominence()
        for staging in plans.values():
            db.execute(f"DROP TABLE {staging.table}")
        db.execute("DROP TABLE imdb_selected")
        db.execute("DROP TABLE imdb_credit")
        if dry_run:
            transaction.set_rollback(True)
        elif result.changed:
            # COPY and set-based SQL send no signals: cached pages learn of it from here.
            data_changed()
    return result


def _index_staging(db):
    db.index("imdb_title", "tconst")
    db.index("imdb_rating", "tconst")
    db.index("imdb_principal", "tconst", "nconst", "role")
    db.index("imdb_name", "nconst")
    db.index("imdb_crew", "tconst", "nconst", "role")


@contextmanager
def _timed(on_progress, stage):
    """Reports how long a merge step took."""
    started = time.monotonic()
    yield
    if on_progress:
        on_progress(Progress(stage, 0, time.monotonic() - started, done=True))


def _merge(db, result, genres_seen, *, min_votes, limit, on_progress):
    film, person, credit = Film._meta.db_table, Person._meta.db_table, Credit._meta.db_table
    film_genre = Film.genres.through._meta.db_table
    now = timezone.now()
    distinct = db.distinct
    order = connection.ops.quote_name("order")

    with _timed(on_progress, "selecting titles"):
        db.execute("DROP TABLE IF EXISTS imdb_selected")
        db.execute(
            f"""
            CREATE TEMPORARY TABLE imdb_selected AS
            SELECT t.tconst, t.title, t.original_title, t.title_type, t.year, t.runtime,
                   t.genres, t.slug, r.rating, COALESCE(r.votes, 0) AS votes,
                   f.id AS film_id
            FROM imdb_title t
            LEFT JOIN imdb_rating r ON r.tconst = t.tconst
            LEFT JOIN {film} f ON f.imdb_id = t.tconst
            WHERE t.selected AND COALESCE(r.votes, 0) >= %s
            ORDER BY t.tconst
            {"LIMIT %s" if limit is not None else ""}
            """,
            [min_votes] + ([limit] if limit is not None else []),
        )
        db.index("imdb_selected", "tconst")
        selected = db.scalar("SELECT count(*) FROM imdb_selected")
        result.titles_skipped = db.scalar("SELECT count(*) FROM imdb_title") - selected

    with _timed(on_progress, "merging films"):
        # Films already on the site get what IMDb knows of them, where it differs.
        updated = db.execute(
            f"""
            UPDATE {film} SET
                title = s.title, original_title = s.original_title, title_type = s.title_type,
                year = s.year, runtime_minutes = s.runtime, rating = s.rating,
                vote_count = s.votes, updated_at = %s
            FROM imdb_selected s
            WHERE s.film_id = {film}.id
              AND ({film}.title {distinct} s.title
                   OR {film}.original_title {distinct} s.original_title
                   OR {film}.title_type {distinct} s.title_type
                   OR {film}.year {distinct} s.year
                   OR {film}.runtime_minutes {distinct} s.runtime
                   OR {film}.rating {distinct} s.rating
                   OR {film}.vote_count {distinct} s.votes)
            """,
            [now],
        )
        # New films get slugs by the rule of films/slugs.py: `title-year` when free and
        # wanted by no earlier new title (by id), else with the IMDb id; the rare rows whose
        # candidate is taken too are numbered in Python. Films already on the site keep
        # their slugs: permalinks do not move.
        new = selected - db.scalar("SELECT count(*) FROM imdb_selected WHERE film_id IS NOT NULL")
        new_films = "SELECT * FROM imdb_selected WHERE film_id IS NULL"
        with db.bulk_load(film, bulk=new > db.count(Film)):
            created = db.execute(
                f"""
                INSERT INTO {film} (title, original_title, title_type, slug, year,
                    runtime_minutes, rating, vote_count, imdb_id, release_country, logline, plot,
                    gross_region, added_at, updated_at)
                SELECT s.title, s.original_title, s.title_type, s.new_slug,
                    s.year, s.runtime, s.rating, s.votes, s.tconst, '', '', '', '', %s, %s
                FROM ({new_slugs_sql(Film, rows=new_films, imdb_id="tconst")}) s
                """,
                [now, now],
            )
            leftovers = db.rows(
                f"""
                SELECT s.tconst, s.slug, s.title, s.original_title, s.title_type, s.year,
                    s.runtime, s.rating, s.votes
                FROM imdb_selected s
                WHERE s.film_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM {film} f WHERE f.imdb_id = s.tconst)
                ORDER BY s.tconst
                """
            )
            if leftovers:
                slugs = new_slugs(Film, [(row[1], row[0]) for row in leftovers])
                Film.objects.bulk_create(
                    Film(
                        imdb_id=tconst,
                        slug=slug,
                        title=title,
                        original_title=original_title,
                        title_type=title_type,
                        year=year,
                        runtime_minutes=runtime,
                        rating=rating,
                        vote_count=votes,
                        added_at=now,
                        updated_at=now,
                    )
                    for slug, (
                        tconst,
                        _,
                        title,
                        original_title,
                        title_type,
                        year,
                        runtime,
                        rating,
                        votes,
                    ) in zip(slugs, leftovers, strict=True)
                )
                created += len(leftovers)
        result.films = Tally(created, updated, selected - created - updated)

    with _timed(on_progress, "merging genres"):
        existing = set(Genre.objects.filter(name__in=genres_seen).values_list("name", flat=True))
        names = sorted(genres_seen - existing)
        slugs = new_slugs(Genre, [(slug_base(name, fallback="genre"), None) for name in names])
        for name, slug in zip(names, slugs, strict=True):
            Genre.objects.create(name=name, slug=slug)
            result.genres_created += 1
        each_genre, genre_name = db.genre_names("s")
        links = f"""
            SELECT f.id AS film_id, genre.id AS genre_id
            FROM imdb_selected s
            JOIN {film} f ON f.imdb_id = s.tconst
            {each_genre}
            JOIN {Genre._meta.db_table} genre ON genre.name = {genre_name}
            WHERE s.film_id IS {{}} NULL
        """
        if new < selected:  # films already on the site: add and remove their genres
            result.genre_links_added = db.execute(
                f"""
                INSERT INTO {film_genre} (film_id, genre_id)
                SELECT film_id, genre_id FROM ({links.format("NOT")}) w
                WHERE true
                ON CONFLICT (film_id, genre_id) DO NOTHING
                """
            )
            result.genre_links_removed = db.execute(
                f"""
                DELETE FROM {film_genre}
                WHERE film_id IN (SELECT film_id FROM imdb_selected WHERE film_id IS NOT NULL)
                  AND NOT EXISTS (
                      SELECT 1 FROM ({links.format("NOT")}) w
                      WHERE w.film_id = {film_genre}.film_id
                        AND w.genre_id = {film_genre}.genre_id
                  )
                """
            )
        with db.bulk_load(film_genre, bulk=new > db.count(Film) - new):
            result.genre_links_added += db.execute(
                f"INSERT INTO {film_genre} (film_id, genre_id) {links.format('')}"
            )

    with _timed(on_progress, "merging people"):
        db.execute("DROP TABLE IF EXISTS imdb_credited")
        db.execute(
            f"""
            CREATE TEMPORARY TABLE imdb_credited AS
            SELECT n.nconst, n.name, n.slug, n.birth_year, n.death_year, n.professions,
                   n.known_for, p.id AS person_id
            FROM imdb_name n
            LEFT JOIN {person} p ON p.imdb_id = n.nconst
            WHERE n.nconst IN (
                SELECT p.nconst FROM imdb_principal p JOIN imdb_selected s ON s.tconst = p.tconst
                UNION
                SELECT c.nconst FROM imdb_crew c JOIN imdb_selected s ON s.tconst = c.tconst
            )
            """
        )
        db.index("imdb_credited", "nconst")
        wanted = db.scalar("SELECT count(*) FROM imdb_credited")
        updated = db.execute(
            f"""
            UPDATE {person} SET name = n.name, birth_year = n.birth_year,
                death_year = n.death_year, professions = n.professions,
                known_for = n.known_for
            FROM imdb_credited n
            WHERE n.person_id = {person}.id
              AND ({person}.name {distinct} n.name
                   OR {person}.birth_year {distinct} n.birth_year
                   OR {person}.death_year {distinct} n.death_year
                   OR {person}.professions {distinct} n.professions
                   OR {person}.known_for {distinct} n.known_for)
            """
        )
        new = wanted - db.scalar("SELECT count(*) FROM imdb_credited WHERE person_id IS NOT NULL")
        # Slugs as for films: the first new person (by id) to want a name gets it bare.
        new_people = "SELECT * FROM imdb_credited WHERE person_id IS NULL"
        with db.bulk_load(person, bulk=new > db.count(Person)):
            created = db.execute(
                f"""
                INSERT INTO {person} (name, slug, birth_year, death_year, imdb_id,
                    professions, known_for)
                SELECT n.name, n.new_slug, n.birth_year, n.death_year, n.nconst,
                    n.professions, n.known_for
                FROM ({new_slugs_sql(Person, rows=new_people, imdb_id="nconst")}) n
                """
            )
            leftovers = db.rows(
                f"""
                SELECT n.nconst, n.slug, n.name, n.birth_year, n.death_year, n.professions,
                    n.known_for
                FROM imdb_credited n
                WHERE n.person_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM {person} p WHERE p.imdb_id = n.nconst)
                ORDER BY n.nconst
                """
            )
            if leftovers:
                slugs = new_slugs(Person, [(row[1], row[0]) for row in leftovers])
                Person.objects.bulk_create(
                    Person(
                        imdb_id=nconst,
                        slug=slug,
                        name=name,
                        birth_year=born,
                        death_year=died,
                        professions=professions,
                        known_for=known_for,
                    )
                    for slug, (nconst, _, name, born, died, professions, known_for) in zip(
                        slugs, leftovers, strict=True
                    )
                )
                created += len(leftovers)
        result.people = Tally(created, updated, wanted - created - updated)
        db.execute("DROP TABLE imdb_credited")

    with _timed(on_progress, "merging credits"):
        _merge_credits(db, result, film=film, person=person, credit=credit, order=order)


def _merge_credits(db, result, *, film, person, credit, order):
    # Every credit of the selected titles: principals, then title.crew's directors and
    # writers that the principals do not already name, billed after them.
    wanted = """
        SELECT p.tconst, p.nconst, p.role, p.job, p."character", p.ordering
        FROM imdb_principal p JOIN imdb_selected s ON s.tconst = p.tconst
        UNION ALL
        SELECT c.tconst, c.nconst, c.role, '', '', COALESCE(last.ordering, 0) + c.billing
        FROM imdb_crew c
        JOIN imdb_selected s ON s.tconst = c.tconst
        LEFT JOIN (
            SELECT tconst, max(ordering) AS ordering FROM imdb_principal GROUP BY tconst
        ) last ON last.tconst = c.tconst
        WHERE NOT EXISTS (
            SELECT 1 FROM imdb_principal p
            WHERE p.tconst = c.tconst AND p.nconst = c.nconst AND p.role = c.role
        )
    """
    db.execute("DROP TABLE IF EXISTS imdb_credit")
    # GROUP BY guards the unique (film, person, role, character) against a file whose rows
    # of one title are not together; merge_duplicate_credits already joined their jobs.
    # A credit whose person is in no file keeps a null person_id, to be counted.
    db.execute(
        f"""
        CREATE TEMPORARY TABLE imdb_credit AS
        SELECT f.id AS film_id, max(pe.id) AS person_id, w.nconst, w.role, w."character",
               min(w.job) AS job, min(w.ordering) AS ordering
        FROM ({wanted}) w
        JOIN {film} f ON f.imdb_id = w.tconst
        LEFT JOIN {person} pe ON pe.imdb_id = w.nconst
        GROUP BY f.id, w.nconst, w.role, w."character"
        """
    )
    db.index("imdb_credit", "film_id", "person_id", "role", '"character"')
    missing_person = "FROM imdb_credit WHERE person_id IS NULL"
    result.missing_person_credits = db.scalar(f"SELECT count(*) {missing_person}")
    result.missing_person_examples = db.column(
        f"SELECT DISTINCT nconst {missing_person} ORDER BY nconst LIMIT {EXAMPLES}"
    )
    db.execute(f"DELETE {missing_person}")
    missing_title = """
        FROM (SELECT tconst FROM imdb_principal UNION ALL SELECT tconst FROM imdb_crew) w
        WHERE NOT EXISTS (SELECT 1 FROM imdb_title t WHERE t.tconst = w.tconst)
    """
    result.missing_title_credits = db.scalar(f"SELECT count(*) {missing_title}")
    result.missing_title_examples = db.column(
        f"SELECT DISTINCT w.tconst {missing_title} ORDER BY w.tconst LIMIT {EXAMPLES}"
    )

    wanted_count = db.scalar("SELECT count(*) FROM imdb_credit")
    before = db.count(Credit)
    old_films = "SELECT film_id FROM imdb_selected WHERE film_id IS NOT NULL"
    # The first billed cast members are the film's stars. (Cast first, then billing: a sort
    # with no text in its key.)
    credits = f"""
        SELECT film_id, person_id, role, job, "character", '' AS credited_as,
               false AS uncredited, ordering, role = 'cast' AND rank <= {STARS_PER_FILM} AS star
        FROM (
            SELECT imdb_credit.*, row_number() OVER (
                PARTITION BY film_id ORDER BY role <> 'cast', ordering, person_id
            ) AS rank
            FROM imdb_credit
        ) c
        WHERE film_id {{}} IN ({old_films})
    """
    columns = f"""film_id, person_id, role, job, "character", credited_as, uncredited,
        {order}, is_star"""
    changed = result.credits_removed = 0
    if db.scalar(f"SELECT count(*) FROM ({old_films}) o"):
        # Films already on the site: update their credits in place. Only the credits that
        # differ go through the upsert; finding them is one join, not a lookup per credit.
        changed = db.execute(
            f"""
            INSERT INTO {credit} ({columns})
            SELECT * FROM ({credits.format("")}) c
            WHERE NOT EXISTS (
                SELECT 1 FROM {credit} x
                WHERE x.film_id = c.film_id AND x.person_id = c.person_id
                  AND x.role = c.role AND x."character" = c."character" AND x.job = c.job
                  AND x.{order} = c.ordering AND x.is_star = c.star
            )
            ON CONFLICT (film_id, person_id, role, "character") DO UPDATE SET
                job = excluded.job, {order} = excluded.{order}, is_star = excluded.is_star
            """
        )
        # ...and remove those IMDb no longer lists (people with an IMDb id only: credits
        # entered by hand or from scraped pages stay).
        result.credits_removed = db.execute(
            f"""
            DELETE FROM {credit}
            WHERE film_id IN ({old_films})
              AND person_id IN (SELECT id FROM {person} WHERE imdb_id IS NOT NULL)
              AND NOT EXISTS (
                  SELECT 1 FROM imdb_credit c
                  WHERE c.film_id = {credit}.film_id AND c.person_id = {credit}.person_id
                    AND c.role = {credit}.role AND c."character" = {credit}."character"
              )
            """
        )
    # New films have no credits yet: theirs are plain inserts, into a table stripped of its
    # indexes when they outnumber the rows already there.
    new_credits = wanted_count - db.scalar(
        f"SELECT count(*) FROM imdb_credit WHERE film_id IN ({old_films})"
    )
    if new_credits:
        with db.bulk_load(credit, bulk=new_credits > before):
            changed += db.execute(f"INSERT INTO {credit} ({columns}) {credits.format('NOT')}")
    created = db.count(Credit) - before + result.credits_removed
    result.credits = _tally(wanted_count, changed, created)


def _tally(total, changed, created):
    """Splits `total` rows into created, updated (changed but not new) and unchanged."""
    return Tally(created=created, updated=changed - created, unchanged=total - changed)
