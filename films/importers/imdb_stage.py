"""importimdb's staging on PostgreSQL: IMDb's files read on both cores, by a worker process
and by a thread of the import's own process, each COPYing its rows into a staging table
through a connection of its own, while the import's session merges what is already staged.

Reading is Python's work, a quarter of an import when done in line on one core; here the
films are merged while the credits are still being read, and title.principals and
name.basics, when plain text, are cut into a part per reader (parts_of). The price: the
import's session only sees committed rows, so each staging table is an UNLOGGED table (no
WAL: it is thrown away after the import), with a name unique to the run, created and
filled in one transaction by its reader and committed. Leaving Staging drops every one of
them, whether the import committed, failed or was a dry run; a reader that fails rolls
back, leaving no table behind. What a killed import left, or a drop that its caller's
transaction took back, the next import drops: each run holds an advisory lock while it
lasts, and the tables of runs whose lock is free are over.

title.basics is read first, with title.ratings and name.basics beside it: it tells which
titles are of the chosen types (TitleTypes), which the readers of title.principals and
title.crew need to drop the credits of the others. Malformed lines are counted across all
readers, so that --max-errors stops the import as it does when the files are read in line.

The worker process is started fresh ("spawn") and imports only the reader
(films/importers/imdb_tsv.py) and psycopg, not a copy of the site; the thread takes the
main process's share of the GIL, which waits on the database meanwhile.
"""

import multiprocessing
import secrets
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .imdb_tsv import (
    Errors,
    ImportAborted,
    Part,
    Progress,
    TitleTypes,
    UnreadableFile,
    blocks_of,
    datasets,
    parts_of,
)

# title.principals and title.crew drop the credits of titles of other types: they wait for
# title.basics.
AFTER_BASICS = ("title.principals", "title.crew")
# The big files, when plain text, are cut into a part per reader (at a change of title or
# person), each staged into a table of its own; gzip is read from its start only.
SPLIT = ("title.principals", "name.basics")
SPLIT_BYTES = 16 << 20
LOCKS = 0x494D4442  # the advisory locks' namespace ("IMDB"): one lock per run
# Files are read by a worker process and by a thread of the import's own process, which
# mostly waits on the database meanwhile: both cores, and one process's memory less.
READERS = 2


@dataclass(frozen=True)
class Job:
    """What a reader needs to stage one file, or a part of it."""

    name: str  # the dataset: "title.basics", ...
    path: Path
    table: str
    columns: str  # the staging table's column definitions
    title_types: tuple[str, ...]
    connection: dict  # psycopg.connect()'s keyword arguments
    part: Part | None = None  # of the file: all of it if None
    listed: bytes = b""  # TitleTypes of title.basics, for principals and crew
    chosen: bytes = b""


@dataclass
class Staged:
    """What a reader reports of the file (or part) it staged. `failure` is an UnreadableFile's
    message, or "aborted" when the import stopped on too many malformed lines."""

    rows_read: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    failure: str | None = None
    genres_seen: set[str] = field(default_factory=set)
    rows_dropped: int = 0
    listed: bytes = b""
    chosen: bytes = b""


class _Stopped(Exception):
    """The import stopped: another reader failed, or it was interrupted."""


class _SharedErrors(Errors):
    """Errors counted across every reader: past the limit of them in all, ImportAborted."""

    def add(self, message):
        self.messages.append(message)
        with _errors_total.get_lock():
            _errors_total.value += 1
            total = _errors_total.value
        if total > self.limit:
            _stop.set()
            raise ImportAborted(self.messages)


_errors_total = None  # a multiprocessing.Value: malformed lines read by every reader
_stop = None  # a multiprocessing.Event: the import stops


def _share(errors_total, stop):
    global _errors_total, _stop
    _errors_total, _stop = errors_total, stop


def _check_stop(progress):
    if _stop.is_set():
        raise _Stopped


def _size(path):
    return path.stat().st_size


def stage(job: Job, max_errors: int) -> Staged:
    """Reads one file (or a part of it) into its staging table, committed; runs in a
    reader, the worker process or the thread."""
    started = time.monotonic()
    titles = TitleTypes()
    titles.listed, titles.chosen = bytearray(job.listed), bytearray(job.chosen)
    genres_seen: set[str] = set()
    dataset = datasets(job.title_types, titles, genres_seen)[job.name]
    staged = Staged()
    errors = _SharedErrors(max_errors, staged.errors)
    rows_read = {}
    names = ", ".join(f'"{name}"' for name in dataset.row._fields)
    try:
        with psycopg.connect(**job.connection) as conn:  # commits unless an error escapes
            conn.execute("SET statement_timeout = 0")
            conn.execute(f"CREATE UNLOGGED TABLE {job.table} ({job.columns})")
            blocks = blocks_of(job.path, dataset, errors, _check_stop, rows_read, job.part)
            with conn.cursor().copy(f"COPY {job.table} ({names}) FROM STDIN") as copy:
                for block in blocks:
                    if text := copy_text(block):
                        copy.write(text)
            # Statistics choose the merges' join methods; a small sample tells them apart.
            conn.execute("SET default_statistics_target = 10")
            conn.execute(f"ANALYZE {job.table}")
    except UnreadableFile as error:
        staged.failure = error.message
    except ImportAborted:
        staged.failure = "aborted"
    except _Stopped:
        staged.failure = "stopped"
    staged.rows_read = rows_read.get(job.path.name, 0)
    staged.seconds = time.monotonic() - started
    staged.genres_seen = genres_seen
    staged.rows_dropped = titles.rows_dropped
    if job.name == "title.basics":
        staged.listed, staged.chosen = bytes(titles.listed), bytes(titles.chosen)
    return staged


# COPY's text format: a tab between values, a newline after each row, \\N for null, and
# backslash escapes for a backslash and the characters that would end a value or a row.
COPY_NULL = "\\N"
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}  # backslash first
_COPY_BOOLEANS = {True: "t", False: "f"}
_COPY_NULLS = {None: COPY_NULL}
_COPY_FORMATS = {int: str, float: repr, bool: _COPY_BOOLEANS.get}


def copy_text(columns) -> str:
    """Rows given as columns (imdb_tsv.blocks_of's blocks) as the lines of COPY's text
    format: what copy.write_row() sends for each, a column at a time rather than a value
    at a time. Values are text, whole numbers, floats, booleans or None."""
    texts = [_copy_column(column) for column in columns]
    if not texts or not texts[0]:
        return ""
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def _copy_column(values):
    """A column's values as COPY text: at once for values of one kind, or None."""
    try:
        text, nulls = "\0".join(values), False
    except TypeError:  # not only text
        kinds = set(map(type, values))
        nulls = type(None) in kinds
        kinds.discard(type(None))
        if len(kinds) == 1 and (kind := kinds.pop()) in _COPY_FORMATS:
            texts = list(map(_COPY_FORMATS[kind], values))  # None's text replaced below
            return list(map(_COPY_NULLS.get, values, texts)) if nulls else texts
        if kinds and kinds != {str}:
            return list(map(_copy_value, values))
        text = "\0".join(filter(None, values))
    texts = _escaped(values) if any(c in text for c in _COPY_ESCAPES) else values
    # None as COPY_NULL, the others as their text: dict.get(value, text).
    return list(map(_COPY_NULLS.get, values, texts)) if nulls else texts


def _escaped(values):
    """Texts (or None) escaped for COPY at once: joined at NUL, which no text in a
    database holds (if one did, they are escaped one by one)."""
    text = "\0".join(map({None: ""}.get, values, values))
    for character, escape in _COPY_ESCAPES.items():
        text = text.replace(character, escape)
    texts = text.split("\0")
    return texts if len(texts) == len(values) else list(map(_copy_value, values))


_COPY_TRANSLATION = str.maketrans(_COPY_ESCAPES)


def _copy_value(value):
    if value is None:
        return COPY_NULL
    if isinstance(value, str):
        return value.translate(_COPY_TRANSLATION)
    if (format_value := _COPY_FORMATS.get(type(value))) is None:
        raise TypeError(f"no COPY text for {type(value).__name__} {value!r}")
    return format_value(value)


class Staging:
    """The staging of the files `paths` (dataset name to path) by the readers, each part of
    a file into a table of its own (`tables`), with the column definitions `columns` (by
    dataset name). Use as a context manager: leaving it stops the readers and drops every
    table they made."""

    def __init__(self, *, paths, columns, title_types, max_errors, connection, drop):
        self.paths, self.columns = paths, columns
        self.title_types, self.max_errors = tuple(title_types), max_errors
        # The settings' own (dbname, host, options...), not the Python objects Django adds.
        self.connection = {
            key: value for key, value in connection.items() if isinstance(value, str | int)
        }
        self.drop = drop  # runs SQL in the import's session
        self.run = secrets.randbits(31)
        self.parts: dict[str, list[Part | None]] = {
            name: parts_of(path, READERS)
            if name in SPLIT and not path.name.endswith(".gz") and _size(path) > SPLIT_BYTES
            else [None]
            for name, path in paths.items()
        }
        # Each file's tables, one per part.
        self.tables = {
            name: [
                f"imdb_{self.run:08x}_{name.replace('.', '_')}_{number}"
                for number in range(len(self.parts[name]))
            ]
            for name in paths
        }
        self.futures: dict[str, list[Future]] = {}
        self.staged: dict[str, Staged] = {}
        context = multiprocessing.get_context("spawn")
        self.errors_total, self.stop = context.Value("i", 0), context.Event()
        _share(self.errors_total, self.stop)  # for the thread
        self.executors = [ThreadPoolExecutor(max_workers=1)]
        self.executors.append(
            ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_share,
                initargs=(self.errors_total, self.stop),
            )
        )
        self.submitted = 0

    def __enter__(self):
        # The run's lock, held by a connection of its own until the run ends (or its
        # process dies): tables of runs whose lock is free are left over, and dropped.
        self.lock = psycopg.connect(**self.connection, autocommit=True)
        self.lock.execute("SELECT pg_advisory_lock(%s, %s)", [LOCKS, self.run])
        self._drop_left_over()
        for name in self.paths:
            if name not in AFTER_BASICS:
                self._submit(name)
        return self

    def _drop_left_over(self):
        """Drops the staging tables, and the schema of the prepared tables (imdb.Preparation),
        of earlier runs that are over: those of an import that was killed, or that ran
        inside a transaction of its caller's which rolled back (tests) and so took the drop
        back with it."""
        runs = self.lock.execute(
            r"""
            SELECT substr(tablename, 6, 8) FROM pg_tables
            WHERE schemaname = current_schema() AND tablename ~ '^imdb_[0-9a-f]{8}_'
            UNION
            SELECT substr(nspname, 6, 8) FROM pg_namespace WHERE nspname ~ '^imdb_[0-9a-f]{8}_prep$'
            """
        ).fetchall()
        self.lock.execute("SET lock_timeout = '1s'")
        for (run,) in runs:
            if not self.lock.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [LOCKS, int(run, 16)]
            ).fetchone()[0]:
                continue  # still running
            try:
                tables = self.lock.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename LIKE %s",
                    [f"imdb_{run}_%"],
                ).fetchall()
                if tables:
                    self.lock.execute(f"DROP TABLE IF EXISTS {', '.join(t for (t,) in tables)}")
                self.lock.execute(f"DROP SCHEMA IF EXISTS imdb_{run}_prep CASCADE")
            except psycopg.errors.LockNotAvailable:
                pass  # a session still reads them: a later run drops them
            finally:
                self.lock.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCKS, int(run, 16)])

    def _submit(self, name, **titles):
        jobs = [
            Job(
                name=name,
                path=self.paths[name],
                table=table,
                columns=self.columns[name],
                title_types=self.title_types,
                connection=self.connection,
                part=part,
                **titles,
            )
            for table, part in zip(self.tables[name], self.parts[name], strict=True)
        ]
        self.futures[name] = []
        for job in jobs:  # to the reader whose turn it is: they get even shares of work
            executor = self.executors[self.submitted % len(self.executors)]
            self.futures[name].append(executor.submit(stage, job, self.max_errors))
            self.submitted += 1

    def report(self, name):
        """What the readers of the parts of a file report, as one (those that ran)."""
        parts = [future.result() for future in self.futures[name] if not future.cancelled()]
        if not parts:
            return Staged(failure="stopped")
        failures = [part.failure for part in parts if part.failure]
        return Staged(
            rows_read=sum(part.rows_read for part in parts),
            seconds=max(part.seconds for part in parts),
            errors=[message for part in parts for message in part.errors],
            failure=next((f for f in failures if f not in ("aborted", "stopped")), None)
            or next(iter(failures), None),
            genres_seen=set().union(*(part.genres_seen for part in parts)),
            rows_dropped=sum(part.rows_dropped for part in parts),
            listed=parts[0].listed,
            chosen=parts[0].chosen,
        )

    def wait(self, *names, on_progress=None) -> dict[str, Staged]:
        """Waits for the files `names` (those found) to be staged, and reports each;
        raises UnreadableFile or ImportAborted if one could not be."""
        for name in names:
            if name not in self.paths or name in self.staged:
                continue
            staged = self.staged[name] = self.report(name)
            if staged.failure:
                self._fail(staged)
            if name == "title.basics":
                for after in AFTER_BASICS:
                    if after in self.paths:
                        self._submit(after, listed=staged.listed, chosen=staged.chosen)
            if on_progress:
                path = self.paths[name]
                on_progress(Progress(path.name, staged.rows_read, staged.seconds, done=True))
        if len(self.staged) == len(self.paths):  # all read: the worker's memory back
            for executor in self.executors:
                executor.shutdown()
        return {name: self.staged[name] for name in names if name in self.staged}

    def _fail(self, staged):
        self.stop.set()
        if staged.failure not in ("aborted", "stopped"):
            raise UnreadableFile(staged.failure)
        # Too many malformed lines in all: every reader's messages, in the files' order.
        for name, futures in self.futures.items():
            if name not in self.staged:
                for future in futures:
                    future.cancel()  # those not begun
                self.staged[name] = self.report(name)
        staged = [self.staged[name] for name in self.paths if name in self.staged]
        for each in staged:
            if each.failure not in (None, "aborted", "stopped"):
                raise UnreadableFile(each.failure)
        messages = [message for each in staged for message in each.errors]
        raise ImportAborted(messages[: self.max_errors + 1])

    def __exit__(self, *exc):
        self.stop.set()
        for executor in self.executors:
            executor.shutdown(wait=True, cancel_futures=True)
        try:
            tables = [table for tables in self.tables.values() for table in tables]
            self.drop(f"DROP TABLE IF EXISTS {', '.join(tables)}")
        finally:
            self.lock.close()
