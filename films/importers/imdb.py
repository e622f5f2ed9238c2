"""importimdb's database side: IMDb's TSV datasets, read into typed rows by
films/importers/imdb_tsv.py, merged into films, genres, people and credits.

The import runs in two phases, the site's tables written in one transaction:

1. Staging. Each file's rows go, as they are read, into a staging table whose columns are
   the rows' fields. On PostgreSQL, worker processes read the files on every core and COPY
   them into tables of their own, committed for the import's session to read while it
   merges what is staged already (films/importers/imdb_stage.py); on SQLite, the import's
   session reads them in line into temporary tables with batched `executemany`. Nothing is
   kept in memory beyond one batch, so memory stays flat whatever the size of the files.
2. Merging. Set-based SQL, the same on both databases, one function per table it writes
   (merge_films, merge_genres, merge_people, merge_credits). Films and people are matched
   by their IMDb ids: those already on the site are updated where a value differs, so a
   second identical run changes nothing, and only in the columns IMDb knows, so a film
   loaded earlier from a scraped page keeps its slug, plot, trivia, reviews and making-of;
   the others are inserted. On PostgreSQL, rows for a table that is empty go in with its
   indexes and constraints dropped and built once afterwards; a table the site already
   serves keeps them, so that pages are read throughout an import (Database.bulk_load, in
   films/importers/sql.py).

On PostgreSQL, the first import into a site without films or people has a second session
work out the selected titles and the new people, with the ids they will have, and build and
index the people's table, while the import's session writes the films and the credits
(Preparation); the import's session swaps in the people's table (Database.swap_in).
"""

import concurrent.futures
import datetime
import functools
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import psycopg
from django.db import connection, transaction
from django.utils import timezone

from films.freshness import data_changed
from films.models import Credit, Film, Genre, ImportedCredits, Person, Source
from films.prominence import refresh_prominence
from films.provenance import imdb_dataset_source
from films.rules import new_slugs, new_slugs_sql, slug_base

from .imdb_stage import Staging
from .imdb_tsv import (
    DEFAULT_TITLE_TYPES,
    Errors,
    ImportAborted,
    MissingFiles,
    Progress,
    TitleTypes,
    UnreadableFile,
    datasets,
    find_datasets,
    rows_of,
)
from .sql import Database

__all__ = [
    "DEFAULT_TITLE_TYPES",
    "ImportAborted",
    "ImportResult",
    "MissingFiles",
    "Progress",
    "Tally",
    "UnreadableFile",
    "import_imdb",
]

EXAMPLES = 5  # how many ids a report quotes for each kind of problem
STARS_PER_FILM = 3  # the first billed cast members, as IMDb lists "Stars"
# What IMDb knows of a film and of a person: their columns, and the staging columns of
# imdb_selected and imdb_credited that fill them (None: the same name).
FILM_COLUMNS = {
    "title": None,
    "original_title": None,
    "title_type": None,
    "year": None,
    "runtime_minutes": "runtime",
    "rating": None,
    "vote_count": "votes",
}
PERSON_COLUMNS = (
    "name",
    "birth_year",
    "death_year",
    "professions",
    "known_for",
)

# The staging table of each dataset. Its columns are the fields of the dataset's rows
# (films/importers/imdb_tsv.py), text unless named here.
STAGING_TABLES = {
    "title.basics": "imdb_title",
    "title.ratings": "imdb_rating",
    "title.principals": "imdb_principal",
    "name.basics": "imdb_name",
    "title.crew": "imdb_crew",
}
# The columns SQLite indexes each staging table by, for the merges' joins.
STAGING_KEYS = {
    "title.basics": ("tconst",),
    "title.ratings": ("tconst",),
    "title.principals": ("tconst", "nconst", "role"),
    "name.basics": ("nconst",),
    "title.crew": ("tconst", "nconst", "role"),
}
COLUMN_TYPES = {
    "selected": "boolean",
    "year": "integer",
    "runtime": "integer",
    "rating": "numeric(3, 1)",
    "votes": "integer",
    "ordering": "integer",
    "birth_year": "integer",
    "death_year": "integer",
    "billing": "integer",
    "line": "integer",
}
# The files whose rows the films and credits written are said to come from (films/provenance.py):
# a film's own facts from title.basics, or from title.ratings where only its rating or votes
# changed; a credit from the line of title.principals or title.crew that lists it.
FILM_BASICS_COLUMNS = ("title", "original_title", "title_type", "year", "runtime_minutes")
SOURCE_FILES = ("title.basics", "title.ratings", "title.principals", "title.crew")


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


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
    # People on the site before whose films' votes or credits changed: new people come
    # with their prominence.
    prominence_changed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total_rows(self):
        return sum(self.rows_read.values())

    @property
    def all_new(self):
        """Whether every film and person the import wrote is new: then no one on the site
        before is credited in a film it wrote, and everyone's prominence is as it was."""
        return not any(tally.updated or tally.unchanged for tally in (self.films, self.people))

    @property
    def prominence_may_change(self):
        """Whether someone on the site before may have a new prominence: a film's votes
        changed (or another fact: films are not told apart by which), or a credit was
        added or removed."""
        if self.all_new:
            return False
        return bool(self.films.updated or self.credits.created or self.credits_removed)

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


def import_imdb(
    *,
    directory: Path,
    title_types: Iterable[str] = DEFAULT_TITLE_TYPES,
    min_votes: int = 0,
    limit: int | None = None,
    max_errors: int = 100,
    dry_run: bool = False,
    dataset_date: datetime.date | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> ImportResult:
    """Imports the datasets in `directory` in one transaction and says what changed.

    The films and credits it writes name the files they came from as their Source, dated
    `dataset_date` (by default, each file's modification day). Raises MissingFiles if a
    required file is absent and ImportAborted (after rolling
    everything back) once more than `max_errors` lines are malformed.
    """
    paths = find_datasets(directory)
    result = ImportResult(dry_run=dry_run)
    prepared = None
    if connection.vendor == "postgresql":
        staging = _ParallelStaging(paths, title_types, max_errors, result)
        if Preparation.wanted():
            prepared = Preparation(staging, min_votes=min_votes, limit=limit)
    else:
        staging = _InlineStaging(paths, title_types, max_errors, result)
    # The preparation ends after the import's transaction, which reads and drops its tables.
    with staging, prepared or nullcontext(), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The site's statement timeout guards page queries; a million films take minutes.
            # Lifted first: the import's first query is as bound by it as any other.
            cursor.execute("SET LOCAL statement_timeout = 0")
        db = Database(cursor, served=Film._meta.db_table)
        if db.postgres:
            # Sorts and hashes over staging tables stay in memory instead of spilling to disk.
            db.execute("SET LOCAL work_mem = '256MB'")
            # ...and so do the index builds after a bulk load.
            db.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # A few big statements: compiling them costs more than it saves.
            db.execute("SET LOCAL jit = off")
            db.scratch_schema(staging.run, prepared=prepared)
        sources = {
            name: imdb_dataset_source(path=paths[name], dataset_date=dataset_date).pk
            for name in SOURCE_FILES
            if name in paths
        }
        # The films first: they need only title.basics and title.ratings, and are merged
        # while the other files are read (on PostgreSQL).
        with _timed(on_progress, "reading titles"):
            staging.stage(db, ["title.basics", "title.ratings"], on_progress)
        with _timed(on_progress, "selecting titles"):
            if prepared:
                prepared.start()
                prepared.wait("titles")
            else:
                select_titles(db, min_votes=min_votes, limit=limit)
            result.titles_skipped = db.scalar("SELECT count(*) FROM imdb_title") - _selected(db)
        with _timed(on_progress, "merging films"):
            merge_films(db, result, now=timezone.now(), sources=sources, prepared=prepared)
        with _timed(on_progress, "merging genres"):
            merge_genres(db, result, staging.genres_seen)
        with _timed(on_progress, "reading credits and people"):
            staging.stage(db, ["title.principals", "name.basics", "title.crew"], on_progress)
        result.credits_of_other_types = staging.rows_dropped
        if prepared:
            with _timed(on_progress, "merging credits and people"):
                merge_credits(db, result, sources=sources, prepared=prepared)
        else:
            find_missing_titles(db)
            with _timed(on_progress, "merging people"):
                merge_people(db, result)
            with _timed(on_progress, "merging credits"):
                merge_credits(db, result, sources=sources)
        if prepared:
            prepared.wait("missing titles")
        count_missing_titles(db, result)
        if result.prominence_may_change:
            with _timed(on_progress, "ranking people"):
                result.prominence_changed = refresh_prominence()
        staging.drop_views(db)
        db.execute("DROP TABLE imdb_selected")
        if db.postgres:
            db.execute(f"DROP SCHEMA {db.schema}")
        if dry_run:
            transaction.set_rollback(True)
        elif result.changed:
            # COPY and set-based SQL send no signals: cached pages learn of it from here.
            data_changed()
    return result


def _columns(row):
    """The column definitions of a staging table for `row` (a named tuple type)."""
    return ", ".join(f'"{name}" {COLUMN_TYPES.get(name, "text")}' for name in row._fields)


class _InlineStaging:
    """SQLite: each file read in line when the merges ask for it, into a temporary table
    named as STAGING_TABLES says."""

    def __init__(self, paths, title_types, max_errors, result):
        self.paths, self.result = paths, result
        self.genres_seen: set[str] = set()
        self.titles = TitleTypes()
        self.readers = datasets(title_types, self.titles, self.genres_seen)
        self.errors = Errors(max_errors, result.errors)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    @property
    def rows_dropped(self):
        return self.titles.rows_dropped

    def stage(self, db, names, on_progress):
        for name in names:
            dataset, table = self.readers[name], STAGING_TABLES[name]
            db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"CREATE TEMPORARY TABLE {table} ({_columns(dataset.row)})")
            if name in self.paths:
                rows = rows_of(
                    self.paths[name], dataset, self.errors, on_progress, self.result.rows_read
                )
                db.load(table, dataset.row, rows)
            db.index(table, *STAGING_KEYS[name])
        self.result.method = "executemany"

    def drop_views(self, db):
        for table in STAGING_TABLES.values():
            db.execute(f"DROP TABLE {table}")


class _ParallelStaging:
    """PostgreSQL: the files read by worker processes into tables of their own
    (films/importers/imdb_stage.py), each seen by the merges through a temporary view
    named as STAGING_TABLES says."""

    def __init__(self, paths, title_types, max_errors, result):
        self.result = result
        self.genres_seen: set[str] = set()
        self.rows_dropped = 0
        self.views: list[str] = []
        rows = {name: dataset.row for name, dataset in datasets((), TitleTypes(), set()).items()}
        self.rows = rows
        self.staging = Staging(
            paths=paths,
            columns={name: _columns(row) for name, row in rows.items()},
            title_types=title_types,
            max_errors=max_errors,
            connection=connection.get_connection_params(),
            drop=self._drop,
        )

    @property
    def run(self):
        return self.staging.run

    @staticmethod
    def _drop(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def __enter__(self):
        self.staging.__enter__()
        return self

    def __exit__(self, *exc):
        self.staging.__exit__(*exc)

    def stage(self, db, names, on_progress):
        staged = self.staging.wait(*names, on_progress=on_progress)
        for name in names:
            if name in staged:
                self.result.rows_read[self.staging.paths[name].name] = staged[name].rows_read
                self.result.errors += staged[name].errors
                self.genres_seen |= staged[name].genres_seen
                self.rows_dropped += staged[name].rows_dropped
            self.define(db, name, "TEMPORARY")
            self.views.append(name)
        self.result.method = "copy"

    def define(self, db, name, kind=""):
        """Makes the staging table of the file `name`, as STAGING_TABLES names it: a view of
        its parts' tables, or an empty table for an optional file that is absent."""
        view = STAGING_TABLES[name]
        if name in self.staging.paths:
            parts = (f"SELECT * FROM {table}" for table in self.staging.tables[name])
            db.execute(f"CREATE OR REPLACE {kind} VIEW {view} AS {' UNION ALL '.join(parts)}")
        else:
            db.execute(f"DROP TABLE IF EXISTS {view}")
            db.execute(f"CREATE {kind} TABLE {view} ({_columns(self.rows[name])})")

    def staged(self, names, stopping):
        """Waits, without taking part, until the readers have staged the files `names`
        (those found); False if one could not be (Staging.report), or `stopping` is set."""
        names = [name for name in names if name in self.staging.futures]
        futures = [future for name in names for future in self.staging.futures[name]]
        while concurrent.futures.wait(futures, timeout=0.1).not_done:
            if stopping.is_set():
                return False
        return not any(self.staging.report(name).failure for name in names)

    def drop_views(self, db):
        for name in self.views:
            kind = "VIEW" if name in self.staging.staged else "TABLE"
            db.execute(f"DROP {kind} {STAGING_TABLES[name]}")


class Preparation:
    """PostgreSQL, the first import into a site without films or people: a second session,
    on the other core, works out what the import's session would otherwise compute itself,
    while that session writes and indexes the films and then the credits. From the committed
    staging tables it makes, each step committed into a schema of its own that the import's
    session has on its search path:

    - "titles": the selected titles, with the ids their films will have (select_titles);
    - "person ids": the ids the people of name.basics will have (person_ids), and an empty
      table LIKE films_person (imdb_new_person);
    - "people": the people the selected titles credit, with their prominence and slugs
      (credited_people), written into that table as films_person itself would hold them;
    - "person table": its keys and indexes;
    - "missing titles": the credits whose title is in no file (find_missing_titles), which
      only the import's result reports, found while the credits' foreign keys are checked.

    The import's session inserts the films as they are, then joins the credits to their
    films and their people's ids, writes and indexes them while this session builds the
    people's table, and swaps that in for the empty films_person (Database.swap_in) before
    the credits' foreign keys to people are checked, those to films and sources first
    (merge_credits): the two sessions' index builds run on both cores at once. The ids come
    from the tables' sequences, so the rows prepared name the films and people the import's
    session writes. This session sees only committed rows: it runs only when the site has
    no films or people and the import is not inside a transaction of its caller's, and the
    import's session waits for each step before it reads what that step makes. Nor does it
    read films_person after "person ids": from then on the import's session may hold that
    table locked."""

    steps = ("titles", "person ids", "people", "person table", "missing titles")

    def __init__(self, staging, *, min_votes, limit):
        self.staging = staging  # a _ParallelStaging
        self.min_votes, self.limit = min_votes, limit
        self.schema = f"imdb_{staging.run:08x}_prep"
        self.done = {step: concurrent.futures.Future() for step in self.steps}
        self.stopping = threading.Event()
        self.thread = self.session = None

    @staticmethod
    def wanted():
        """Whether an import now would be prepared: outside a transaction, and with no films
        or people on the site (the import's session locks the people's table while this
        session would still read it)."""
        if connection.in_atomic_block:
            return False
        return not Film.objects.exists() and not Person.objects.exists()

    def start(self):
        self.session = psycopg.connect(**self.staging.staging.connection)
        self.thread = threading.Thread(target=self._run, name=self.schema)
        self.thread.start()

    def wait(self, step):
        """Waits until `step` is committed; raises what stopped the preparation."""
        self.done[step].result()

    def _run(self):
        try:
            with self.session.cursor() as cursor:
                self._prepare(Database(cursor))
        except BaseException as error:
            for future in self.done.values():
                if not future.done():
                    future.set_exception(error)

    def _prepare(self, db):
        # As the import's session; and a lock it cannot have stops the import, not hangs it.
        for setting in ("statement_timeout = 0", "lock_timeout = '1min'", "work_mem = '256MB'"):
            db.execute(f"SET {setting}")
        db.execute("SET jit = off")
        db.execute(f"CREATE SCHEMA {self.schema}")
        db.execute(f"SET search_path = {self.schema}, public")
        for name in ("title.basics", "title.ratings"):
            self.staging.define(db, name)
        with self._ids(db, Film) as ids:
            ids.used = select_titles(
                db, min_votes=self.min_votes, limit=self.limit, first_id=ids.first
            )
        self._commit("titles")
        others = ("title.principals", "name.basics", "title.crew")
        if not self.staging.staged(others, self.stopping):
            # The import's session raises the readers' error when it waits for the files.
            raise _Stopped("a file could not be staged")
        for name in others:
            self.staging.define(db, name)
        with self._ids(db, Person) as ids:
            ids.used = person_ids(db, first_id=ids.first)
        # The last step to read films_person: once it commits, the import's session drops
        # the credits' foreign key to that table, which locks it against every reader.
        table = db.create_replacement(Person, "imdb_new_person")
        self._commit("person ids")
        credited_people(db, ids="imdb_person_id")
        columns, rows = new_people(db, ids=True, none_taken=True)
        db.execute(f"INSERT INTO imdb_new_person ({columns}) {rows}")
        self._commit("people")
        db.index_replacement(table)
        self._commit("person table")
        find_missing_titles(db)
        self._commit("missing titles")

    @staticmethod
    @contextmanager
    def _ids(db, model):
        """Ids of `model` for the rows the block makes: `ids.first` and on, `ids.used` of
        them, taken from the table's sequence in one go. The table is locked against
        writers, who draw theirs as they insert, until the step commits."""
        table = model._meta.db_table
        sequence = db.sequence(model, table)
        db.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        ids = SimpleNamespace(first=db.scalar("SELECT nextval(%s)", [sequence]), used=0)
        yield ids
        # The last id used, or, if none was, the first again for the next row.
        last = ids.first + max(ids.used - 1, 0)
        db.execute("SELECT setval(%s, %s, %s)", [sequence, last, bool(ids.used)])

    def _commit(self, step):
        self.session.commit()
        if self.stopping.is_set():
            raise _Stopped("the import stopped")
        self.done[step].set_result(None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        """Stops the session if it still works, and drops its schema."""
        self.stopping.set()
        if self.thread:
            while self.thread.is_alive():
                with suppress(psycopg.Error):  # a broken session has nothing to cancel
                    self.session.cancel_safe()
                self.thread.join(0.1)
        if self.session:
            # A session that fails here leaves the schema to the next import (Staging).
            with suppress(psycopg.Error), self.session:
                self.session.rollback()
                self.session.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


class _Stopped(Exception):
    """The preparation stopped: the import did, or a file could not be staged."""


@contextmanager
def _timed(on_progress, stage):
    """Reports how long a merge step took."""
    started = time.monotonic()
    yield
    if on_progress:
        on_progress(Progress(stage, 0, time.monotonic() - started, done=True))


def select_titles(db, *, min_votes, limit, first_id=None):
    """imdb_selected: the titles to import (chosen types, enough votes, the first `limit`
    by id) with their ratings, and the id and year of their film where the site has it;
    given `first_id`, the id each new film will have (`new_id`), counted on from it in the
    titles' order. Returns how many titles."""
    # By their bytes: IMDb's ids are ASCII, in the order the database's collation gives them.
    order = f"t.tconst{db.bytewise}"
    new_id = f"CASE WHEN f.id IS NULL THEN %s + row_number() OVER (ORDER BY {order}) END"
    db.execute("DROP TABLE IF EXISTS imdb_selected")
    selected = db.execute(
        f"""
        CREATE {db.scratch} TABLE imdb_selected AS
        SELECT t.tconst, t.title, t.original_title, t.title_type, t.year, t.runtime,
               t.genres, t.slug, r.rating, COALESCE(r.votes, 0) AS votes,
               f.id AS film_id, f.year AS film_year
               {f", {new_id} AS new_id" if first_id is not None else ""}
        FROM imdb_title t
        LEFT JOIN imdb_rating r ON r.tconst = t.tconst
        LEFT JOIN {Film._meta.db_table} f ON f.imdb_id = t.tconst
        WHERE t.selected AND COALESCE(r.votes, 0) >= %s
        ORDER BY {order}
        {"LIMIT %s" if limit is not None else ""}
        """,
        ([first_id - 1] if first_id is not None else [])
        + [min_votes]
        + ([limit] if limit is not None else []),
    )
    db.index("imdb_selected", "tconst")
    return selected


def _selected(db, *, new=None):
    """How many titles are selected; with new, only those that are (not) new films."""
    where = "" if new is None else f"WHERE film_id IS {'' if new else 'NOT '}NULL"
    return db.scalar(f"SELECT count(*) FROM imdb_selected {where}")


def merge_films(db, result, *, now, sources, prepared=None):
    """Films already on the site get what IMDb knows of them, where it differs, and only
    that; the others are created, with the ids imdb_selected gives them if a Preparation's
    session made it (`prepared`).

    New films get slugs by the rule of films/slugs.py: `title-year` when free and wanted by
    no earlier new title (by id), else with the IMDb id; the rare rows whose candidate is
    taken too are numbered in Python. Films already on the site keep their slugs: permalinks
    do not move."""
    film = Film._meta.db_table
    updated = db.update_changed(
        film,
        source="imdb_selected",
        key="film_id",
        columns=FILM_COLUMNS,
        also={"updated_at": now},
        source_ids=[
            (sources["title.basics"], FILM_BASICS_COLUMNS),
            (sources["title.ratings"], ("rating", "vote_count")),
        ],
    )
    new_films = "SELECT * FROM imdb_selected WHERE film_id IS NULL"
    slugged = new_slugs_sql(Film, rows=new_films, imdb_id="tconst", bytewise=db.bytewise)
    ids = {"id": "new_id"} if prepared else {}
    all_free = _slugs_all_free(db, Film)
    with db.bulk_load(film):
        created = db.execute(
            f"""
            INSERT INTO {film} ({"".join(f"{name}, " for name in ids)}title, original_title,
                title_type, slug, year, runtime_minutes, rating, vote_count, imdb_id,
                release_country, logline, plot, gross_region, added_at, updated_at, source_id)
            SELECT {"".join(f"s.{name}, " for name in ids.values())}s.title, s.original_title,
                s.title_type, s.new_slug, s.year, s.runtime, s.rating, s.votes, s.tconst,
                '', '', '', '', %s, %s, %s
            FROM ({slugged}) s
            """,
            [now, now, sources["title.basics"]],
        )
        if not all_free:
            created += _create_leftovers(
                db,
                Film,
                source="imdb_selected",
                imdb_id="tconst",
                new="film_id",
                columns={**ids, **FILM_COLUMNS},
                added_at=now,
                updated_at=now,
                source_id=sources["title.basics"],
            )
    result.films = Tally(created, updated, _selected(db) - created - updated)


def _slugs_all_free(db, model):
    """Whether new_slugs_sql will leave no new row of `model` to _create_leftovers: no row
    has a slug yet and none had one, so no candidate is taken. A first import then skips
    looking for them, a pass over every new row (6.5 s for 2.9 million people)."""
    history = model.slug_redirects.rel.related_model._meta.db_table
    return not db.scalar(
        f"SELECT EXISTS (SELECT 1 FROM {model._meta.db_table}) OR EXISTS (SELECT 1 FROM {history})"
    )


def _create_leftovers(db, model, *, source, imdb_id, columns, new=None, **values):
    """Creates the new rows of `source` (those whose `new` column is null, or all) that the
    SQL rule left without a slug, their name and IMDb id both being taken, with slugs from
    new_slugs(); returns how many. `columns` maps the model's fields to source's columns
    (None: the same name); `values` gives the same value to every row."""
    table = model._meta.db_table
    fields = list(columns)
    leftovers = db.rows(
        f"""
        SELECT n.{imdb_id}, n.slug, {", ".join(f"n.{columns[name] or name}" for name in fields)}
        FROM {source} n
        WHERE {f"n.{new} IS NULL" if new else "true"}
          AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.imdb_id = n.{imdb_id})
        ORDER BY n.{imdb_id}
        """
    )
    if leftovers:
        slugs = new_slugs(model, [(row[1], row[0]) for row in leftovers])
        model.objects.bulk_create(
            model(imdb_id=row[0], slug=slug, **dict(zip(fields, row[2:], strict=True)), **values)
            for slug, row in zip(slugs, leftovers, strict=True)
        )
    return len(leftovers)


def merge_genres(db, result, genres_seen):
    """Creates the genres the site does not have yet, and gives each selected film the
    genres IMDb lists: added and removed for films already on the site, inserted for new."""
    film, film_genre = Film._meta.db_table, Film.genres.through._meta.db_table
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
    new = _selected(db, new=True)
    if new < _selected(db):  # films already on the site: add and remove their genres
        db.execute("DROP TABLE IF EXISTS imdb_genre")
        db.execute(
            f"""
            CREATE {db.scratch} TABLE imdb_genre AS
            SELECT s.film_id, genre.id AS genre_id
            FROM imdb_selected s
            {each_genre}
            JOIN {Genre._meta.db_table} genre ON genre.name = {genre_name}
            WHERE s.film_id IS NOT NULL
            """
        )
        # Anti-joins find the few links that differ; ON CONFLICT only guards a genre that
        # a row lists twice.
        result.genre_links_added = db.execute(
            f"""
            INSERT INTO {film_genre} (film_id, genre_id)
            SELECT film_id, genre_id FROM imdb_genre w
            WHERE NOT EXISTS (
                SELECT 1 FROM {film_genre} x
                WHERE x.film_id = w.film_id AND x.genre_id = w.genre_id
            )
            ON CONFLICT (film_id, genre_id) DO NOTHING
            """
        )
        result.genre_links_removed = db.execute(
            f"""
            DELETE FROM {film_genre}
            WHERE film_id IN (SELECT film_id FROM imdb_selected WHERE film_id IS NOT NULL)
              AND NOT EXISTS (
                  SELECT 1 FROM imdb_genre w
                  WHERE w.film_id = {film_genre}.film_id
                    AND w.genre_id = {film_genre}.genre_id
              )
            """
        )
        db.execute("DROP TABLE imdb_genre")
    with db.bulk_load(film_genre, primary_key=True):
        result.genre_links_added += db.execute(
            f"INSERT INTO {film_genre} (film_id, genre_id) {links.format('')}"
        )


def merge_people(db, result, *, prepared=None):
    """People: those on the site (by IMDb id) get what name.basics knows of them where it
    differs, and those the selected titles credit who are not on the site are created
    (credited_people), their slugs made as films' are: the first new person (by id) to
    want a name gets it bare. `prepared`: a Preparation whose session made imdb_credited,
    with the people's ids, and built their table (imdb_new_person), swapped in for the
    empty films_person where it can be."""
    person = Person._meta.db_table
    on_site = f"""(
        SELECT n.*, p.id AS person_id FROM imdb_name n JOIN {person} p ON p.imdb_id = n.nconst
    )"""
    known = db.scalar(f"SELECT count(*) FROM {on_site} s")
    updated = db.update_changed(
        person, source=on_site, key="person_id", columns=dict.fromkeys(PERSON_COLUMNS)
    )
    all_free = _slugs_all_free(db, Person)
    if prepared:
        prepared.wait("person table")
    if prepared and db.swap_in(Person, "imdb_new_person"):
        created = db.count(Person)
    else:
        if prepared:
            columns = new_people(db, ids=True)[0]
            rows = f"SELECT {columns} FROM imdb_new_person"
        else:
            credited_people(db)
            columns, rows = new_people(db)
        with db.bulk_load(person):
            created = db.execute(f"INSERT INTO {person} ({columns}) {rows}")
    if not all_free:
        created += _create_leftovers(
            db,
            Person,
            source="imdb_credited",
            imdb_id="nconst",
            columns={
                **({"id": "new_id"} if prepared else {}),
                **dict.fromkeys(PERSON_COLUMNS),
                "prominence": "votes",
            },
        )
    result.people = Tally(created, updated, known - updated)
    # imdb_credited, the people new to the site, is kept for select_changed_credits.


def new_people(db, *, ids=False, none_taken=False):
    """The columns of films_person, and the SQL of their values, for the people of
    imdb_credited whose slugs new_slugs_sql makes (with their ids if `ids`; `none_taken`
    when the site has no people); the few others are left to _create_leftovers."""
    columns = {"id": "n.new_id"} if ids else {}
    columns |= {
        "name": "n.name",
        "slug": "n.new_slug",
        "birth_year": "n.birth_year",
        "death_year": "n.death_year",
        "imdb_id": "n.nconst",
        "professions": "n.professions",
        "known_for": "n.known_for",
        "prominence": "n.votes",
    }
    slugged = new_slugs_sql(
        Person,
        rows="SELECT * FROM imdb_credited",
        imdb_id="nconst",
        bytewise=db.bytewise,
        none_taken=none_taken,
    )
    return ", ".join(columns), f"SELECT {', '.join(columns.values())} FROM ({slugged}) n"


def credited_people(db, *, ids=None):
    """imdb_credited: the people the selected titles credit who are not on the site, with
    their prominence (films/prominence.py), the votes of the films they are credited in:
    it is inserted with them, and ranking people at the end of the import writes only what
    changed for the others. Given `ids` (person_ids, for a site without people, which is
    not read), the id each will have (`new_id`)."""
    person = Person._meta.db_table
    # Only the credits of people new to the site are summed: a refresh has few of them.
    new = "" if ids else f"WHERE NOT EXISTS (SELECT 1 FROM {person} p WHERE p.imdb_id = w.nconst)"
    db.execute("DROP TABLE IF EXISTS imdb_credited")
    db.execute(
        f"""
        CREATE {db.scratch} TABLE imdb_credited AS
        SELECT n.nconst, n.name, n.slug, n.birth_year, n.death_year, n.professions,
               n.known_for, credited.votes {", i.id AS new_id" if ids else ""}
        FROM imdb_name n
        JOIN (
            SELECT w.nconst, sum(s.votes) AS votes
            FROM (
                SELECT tconst{db.bytewise} AS tconst, nconst{db.bytewise} AS nconst
                FROM imdb_principal w {new}
                UNION
                SELECT tconst, nconst FROM imdb_crew w {new}
            ) w
            JOIN imdb_selected s ON s.tconst = w.tconst
            GROUP BY w.nconst
        ) credited ON credited.nconst = n.nconst
        {f"JOIN {ids} i ON i.nconst = n.nconst" if ids else ""}
        """
    )
    db.index("imdb_credited", "nconst")


def person_ids(db, *, first_id):
    """imdb_person_id: for a first import, whose people are all new, the id each person of
    name.basics will have if a selected title credits them, counted on from `first_id` in
    the order of their IMDb ids; the others leave theirs unused. The credits can then be
    joined to their people's ids while the people's votes are still being summed. Returns
    how many ids."""
    db.execute("DROP TABLE IF EXISTS imdb_person_id")
    # One sort by their bytes makes them distinct and orders them: 3.4 s for 3 million
    # people, where two by the database's collation took 4.8.
    used = db.execute(
        f"""
        CREATE {db.scratch} TABLE imdb_person_id AS
        SELECT nconst, %s + row_number() OVER (ORDER BY nconst) AS id
        FROM (SELECT DISTINCT nconst{db.bytewise} AS nconst FROM imdb_name) n
        """,
        [first_id - 1],
    )
    db.index("imdb_person_id", "nconst")
    return used


def select_changed_credits(db):
    """imdb_digest: each selected title's digest of its rows in title.principals and
    title.crew, its film where the site has it, and whether its credits are `unchanged`:
    the film's credits were merged by an import whose rows had the same digest
    (ImportedCredits). Only the others' credits are merged again.

    A title whose rows are not `together` in a file has several digests of a file: none, so
    that it is merged every time, as one whose rows named a missing person."""
    imported = ImportedCredits._meta.db_table
    digests = """
        SELECT tconst, CASE WHEN count(*) = 1 THEN min(digest) END AS digest, count(*) AS runs
        FROM {} WHERE digest IS NOT NULL GROUP BY tconst
    """
    db.execute("DROP TABLE IF EXISTS imdb_digest")
    db.execute(
        f"""
        CREATE {db.scratch} TABLE imdb_digest AS
        SELECT d.tconst, d.film_id, d.digest, d.together,
               k.film_id IS NOT NULL AND d.digest <> '' AS unchanged
        FROM (
            SELECT s.tconst, s.film_id,
                   COALESCE(p.runs, 0) <= 1 AND COALESCE(c.runs, 0) <= 1 AS together,
                   CASE WHEN p.digest IS NULL AND p.runs IS NOT NULL THEN ''
                        WHEN c.digest IS NULL AND c.runs IS NOT NULL THEN ''
                        ELSE COALESCE(p.digest, '') || '|' || COALESCE(c.digest, '')
                   END AS digest
            FROM imdb_selected s
            LEFT JOIN ({digests.format("imdb_principal")}) p ON p.tconst = s.tconst
            LEFT JOIN ({digests.format("imdb_crew")}) c ON c.tconst = s.tconst
        ) d
        LEFT JOIN {imported} k ON k.film_id = d.film_id AND k.digest = d.digest
        """
    )
    db.index("imdb_digest", "tconst")
    # A person new to the site (one deleted since, say) is credited where the rows name
    # them: their films' credits are merged again.
    if db.scalar("SELECT count(*) FROM imdb_digest WHERE unchanged"):
        db.execute(
            """
            UPDATE imdb_digest SET unchanged = false
            WHERE unchanged AND tconst IN (
                SELECT w.tconst
                FROM (SELECT tconst, nconst FROM imdb_principal
                      UNION ALL SELECT tconst, nconst FROM imdb_crew) w
                JOIN imdb_credited n ON n.nconst = w.nconst
            )
            """
        )


def find_missing_titles(db):
    """imdb_missing_title: the credits whose title is in no file, found in one pass over the
    credits (a Preparation's session finds them while the import's session merges the
    credits)."""
    db.execute("DROP TABLE IF EXISTS imdb_missing_title")
    db.execute(
        f"""
        CREATE {db.scratch} TABLE imdb_missing_title AS
        SELECT w.tconst
        FROM (SELECT tconst FROM imdb_principal UNION ALL SELECT tconst FROM imdb_crew) w
        WHERE NOT EXISTS (SELECT 1 FROM imdb_title t WHERE t.tconst = w.tconst)
        """
    )


def count_missing_titles(db, result):
    """Counts and quotes the credits whose title is in no file (find_missing_titles)."""
    result.missing_title_credits = db.scalar("SELECT count(*) FROM imdb_missing_title")
    result.missing_title_examples = db.column(
        f"SELECT DISTINCT tconst FROM imdb_missing_title ORDER BY tconst LIMIT {EXAMPLES}"
    )
    db.execute("DROP TABLE imdb_missing_title")


def missing_people(db, result):
    """Counts and quotes the credits of imdb_credit whose person is in no file, and takes
    them out: their films' credits are merged again next time (imdb_incomplete), when the
    person may be there. One pass over the credits finds them."""
    db.execute("DROP TABLE IF EXISTS imdb_missing_person")
    db.execute(
        f"""
        CREATE {db.scratch} TABLE imdb_missing_person AS
        SELECT film_id, nconst FROM imdb_credit WHERE person_id IS NULL
        """
    )
    count_missing_people(db, result)
    if result.missing_person_credits:
        db.execute("DELETE FROM imdb_credit WHERE person_id IS NULL")


def count_missing_people(db, result):
    """Counts and quotes the credits of imdb_missing_person (film_id, nconst), whose person
    is in no file, and keeps their films in imdb_incomplete for remember_credits."""
    result.missing_person_credits = db.scalar("SELECT count(*) FROM imdb_missing_person")
    result.missing_person_examples = db.column(
        f"SELECT DISTINCT nconst FROM imdb_missing_person ORDER BY nconst LIMIT {EXAMPLES}"
    )
    db.execute("DROP TABLE IF EXISTS imdb_incomplete")
    db.execute(
        f"""
        CREATE {db.scratch} TABLE imdb_incomplete AS
        SELECT DISTINCT film_id FROM imdb_missing_person
        """
    )
    db.execute("DROP TABLE imdb_missing_person")


def merge_credits(db, result, *, sources, prepared=None):
    """The credits of the selected titles whose rows changed since the last import
    (select_changed_credits): those of films already on the site updated in place (and
    removed where IMDb no longer lists them), those of new films inserted. A credit
    inserted or changed names the file and line it came from. `prepared`: a Preparation,
    whose session made the people's ids (imdb_person_id) and builds their table meanwhile;
    the people are merged (merge_people) once the credits are written and indexed and
    their other foreign keys checked, before those to people are."""
    credit = Credit._meta.db_table
    people = None
    select_changed_credits(db)
    if prepared:  # The digests do not need the people's ids: the two are made side by side.
        prepared.wait("person ids")
        people = "(SELECT id, nconst AS imdb_id FROM imdb_person_id)"
    rows, params = credit_rows(db, sources=sources, people=people)
    # The credits of films whose rows are unchanged: those that came from IMDb's files.
    unchanged_count = db.scalar(
        f"""
        SELECT count(*) FROM {credit} x
        WHERE x.film_id IN (SELECT film_id FROM imdb_digest WHERE unchanged)
          AND x.source_id IN (SELECT id FROM {Source._meta.db_table} WHERE format = %s)
        """,
        [Source.Format.IMDB_DATASET],
    )
    before = db.count(Credit)
    # A film whose year changed gives it to all its credits, those from other sources too.
    db.execute(
        f"""
        UPDATE {credit} SET year = s.year
        FROM imdb_selected s
        WHERE s.film_id = {credit}.film_id AND s.film_year {db.distinct} s.year
          AND {credit}.year {db.distinct} s.year
        """
    )
    # The people's table, swapped in once the credits are written and indexed.
    filling = prepared and (
        Person._meta.db_table,
        functools.partial(merge_people, db, result, prepared=prepared),
    )
    result.credits_removed = 0
    if _credits_straight_in(db):
        changed = merged_count = _insert_credits(db, result, rows, params, filling)
    else:
        changed, merged_count = _merge_credits_through_table(db, result, rows, params, filling)
    created = db.count(Credit) - before + result.credits_removed
    result.credits = _tally(merged_count + unchanged_count, changed, created)
    for table in ("imdb_digest", "imdb_incomplete", "imdb_credited"):
        db.execute(f"DROP TABLE {table}")


def _credits_straight_in(db):
    """Whether the credits go from the staged rows straight into films_credit, in one
    statement that keeps those of missing people aside as it goes: on PostgreSQL (SQLite
    has no INSERT inside WITH), when no film already on the site has its credits merged
    again (a first import). Otherwise they are written into imdb_credit first, for the
    upsert and the removals to read, and read again to be inserted."""
    return db.postgres and not db.scalar(f"SELECT EXISTS ({OLD_FILMS})")


def _insert_credits(db, result, rows, params, filling):
    """Inserts the credits `rows` (credit_rows) of new films, those of missing people
    counted and left out (count_missing_people); returns how many it inserted."""
    credit = Credit._meta.db_table
    db.execute(f"CREATE {db.scratch} TABLE imdb_missing_person (film_id bigint, nconst text)")
    with db.bulk_load(credit, primary_key=True, filling=filling):
        with db.settings(enable_mergejoin="off"):  # see credit_rows
            inserted = db.execute(
                f"""
                WITH imdb_staged_credit AS MATERIALIZED ({rows}),
                missing AS (
                    INSERT INTO imdb_missing_person
                    SELECT film_id, nconst FROM imdb_staged_credit WHERE person_id IS NULL
                )
                INSERT INTO {credit} ({CREDIT_COLUMNS}) {credits_sql("imdb_staged_credit")}
                """,
                params,
            )
        count_missing_people(db, result)
        remember_credits(db)
    return inserted


def _merge_credits_through_table(db, result, rows, params, filling):
    """Writes the credits `rows` (credit_rows) into imdb_credit, those of missing people
    taken out (missing_people); updates those of films already on the site in place from
    it, removes theirs that IMDb no longer lists, and inserts those of new films. Returns
    how many credits it changed (inserted or updated), and how many imdb_credit held."""
    person, credit = Person._meta.db_table, Credit._meta.db_table
    order = connection.ops.quote_name("order")
    db.execute("DROP TABLE IF EXISTS imdb_credit")
    with db.settings(enable_mergejoin="off"):  # see credit_rows
        db.execute(f"CREATE {db.scratch} TABLE imdb_credit AS {rows}", params)
    db.index("imdb_credit", "film_id", "person_id", "role", '"character"')
    missing_people(db, result)
    merged_count = new_credits = db.scalar("SELECT count(*) FROM imdb_credit")
    changed, new_films = 0, ""
    if db.scalar(f"SELECT EXISTS ({OLD_FILMS})"):
        # Films already on the site: update their credits in place. Only the credits that
        # differ go through the upsert; finding them is one join, not a lookup per credit.
        changed = db.execute(
            f"""
            INSERT INTO {credit} ({CREDIT_COLUMNS})
            SELECT * FROM ({credits_sql("imdb_credit", f"WHERE film_id IN ({OLD_FILMS})")}) c
            WHERE NOT EXISTS (
                SELECT 1 FROM {credit} x
                WHERE x.film_id = c.film_id AND x.person_id = c.person_id
                  AND x.role = c.role AND x."character" = c."character" AND x.job = c.job
                  AND x.{order} = c.ordering AND x.is_star = c.star
            )
            ON CONFLICT (film_id, person_id, role, "character") DO UPDATE SET
                job = excluded.job, {order} = excluded.{order}, is_star = excluded.is_star,
                source_id = excluded.source_id, source_line = excluded.source_line
            """
        )
        # ...and remove those IMDb no longer lists (people with an IMDb id only: credits
        # entered by hand or from scraped pages stay).
        result.credits_removed = db.execute(
            f"""
            DELETE FROM {credit}
            WHERE film_id IN ({OLD_FILMS})
              AND person_id IN (SELECT id FROM {person} WHERE imdb_id IS NOT NULL)
              AND NOT EXISTS (
                  SELECT 1 FROM imdb_credit c
                  WHERE c.film_id = {credit}.film_id AND c.person_id = {credit}.person_id
                    AND c.role = {credit}.role AND c."character" = {credit}."character"
              )
            """
        )
        new_credits -= db.scalar(f"SELECT count(*) FROM imdb_credit WHERE film_id IN ({OLD_FILMS})")
        new_films = f"WHERE film_id NOT IN ({OLD_FILMS})"
    remember_credits(db)
    # New films have no credits yet: theirs are plain inserts, into a table stripped of its
    # indexes when they outnumber the rows already there.
    if new_credits:
        with db.bulk_load(credit, primary_key=True, filling=filling):
            rows = credits_sql("imdb_credit", new_films)
            changed += db.execute(f"INSERT INTO {credit} ({CREDIT_COLUMNS}) {rows}")
    elif filling:
        _, fill = filling
        fill()
    db.execute("DROP TABLE imdb_credit")
    return changed, merged_count


# The films of imdb_digest already on the site whose credits are merged again.
OLD_FILMS = "SELECT film_id FROM imdb_digest WHERE film_id IS NOT NULL AND NOT unchanged"
CREDIT_COLUMNS = """film_id, person_id, role, job, "character", credited_as, uncredited,
    "order", is_star, year, source_id, source_line"""


def credits_sql(credits, where=""):
    """The rows of `credits` (imdb_credit, or the rows credit_rows makes) that `where` picks
    out (those of the films new to the site, or of those already on it), as the values of
    films_credit's CREDIT_COLUMNS; those of missing people are left out. The first billed
    cast members are the film's stars: only the cast is sorted, by billing, then by IMDb id
    (people's ids are drawn in different orders by a prepared import and one alone)."""
    return f"""
        SELECT film_id, person_id, role, job, "character", '' AS credited_as,
               false AS uncredited, ordering, star, year, source_id, source_line
        FROM (
            SELECT c.*, row_number() OVER (
                PARTITION BY film_id ORDER BY ordering, nconst
            ) <= {STARS_PER_FILM} AS star
            FROM {credits} c WHERE role = 'cast' AND person_id IS NOT NULL
            UNION ALL
            SELECT c.*, false FROM {credits} c WHERE role <> 'cast' AND person_id IS NOT NULL
        ) c
        {where}
    """


def credit_rows(db, *, sources, people=None):
    """The SQL, and its parameters, of the credits of the titles imdb_digest says changed,
    with the ids of their films and people: those in the site's tables, or in the relation
    `people` (id, imdb_id). A person in neither has a null id."""
    films, people = Film._meta.db_table, people or Person._meta.db_table
    # Every credit of those titles: principals, then title.crew's directors and writers
    # that the principals do not already name, billed after them. Few are not named: the
    # principals' last billing is looked up for their titles only (at a million films,
    # 6.5 s where taking every title's took 8.4 to 11.3). The literals stay outside that
    # subquery, where a null source (no title.crew) takes the principals' type in the UNION.
    wanted = """
        SELECT s.film_id, s.year, p.nconst, p.role, p.job, p."character", p.ordering,
               %s AS source_id, p.line
        FROM imdb_principal p JOIN {titles} s ON s.tconst = p.tconst
        UNION ALL
        SELECT c.film_id, c.year, c.nconst, c.role, '', '', c.ordering, %s, c.line
        FROM (
            WITH unnamed AS (
                SELECT c.*, s.film_id, s.year
                FROM imdb_crew c JOIN {titles} s ON s.tconst = c.tconst
                WHERE NOT EXISTS (
                    SELECT 1 FROM imdb_principal p
                    WHERE p.tconst = c.tconst AND p.nconst = c.nconst AND p.role = c.role
                      AND p.role IN ('director', 'writer')
                )
            )
            SELECT c.film_id, c.year, c.nconst, c.role,
                   COALESCE(last.ordering, 0) + c.billing AS ordering, c.line
            FROM unnamed c
            LEFT JOIN (
                SELECT tconst, max(ordering) AS ordering FROM imdb_principal
                WHERE tconst IN (SELECT tconst FROM unnamed) GROUP BY tconst
            ) last ON last.tconst = c.tconst
        ) c
    """
    # Each title with its film's id and year: joined once, not once per credit.
    titles = f"""(
        SELECT d.tconst, f.id AS film_id, f.year
        FROM imdb_digest d JOIN {films} f ON f.imdb_id = d.tconst
        WHERE NOT d.unchanged AND {{}}d.together
    )"""
    # A title's rows that lie together are one credit each (merge_duplicate_credits joined
    # their jobs, title.crew's lines name a person once); GROUP BY guards the unique (film,
    # person, role, character) for the rare title whose rows are apart, and is left out
    # when there is none. A credit whose person is in no file keeps a null person_id, to be
    # counted. The rows of one group all come from one file (title.crew's only where the
    # principals do not name the person in that role).
    together = f"""
        SELECT w.film_id, pe.id AS person_id, w.nconst, w.role, w."character",
               w.job, w.ordering, w.year, w.source_id, w.line AS source_line
        FROM ({wanted.format(titles=titles.format(""))}) w
        LEFT JOIN {people} pe ON pe.imdb_id = w.nconst
    """
    apart = f"""
        SELECT w.film_id, max(pe.id), w.nconst, w.role, w."character", min(w.job),
               min(w.ordering), w.year, min(w.source_id), min(w.line)
        FROM ({wanted.format(titles=titles.format("NOT "))}) w
        LEFT JOIN {people} pe ON pe.imdb_id = w.nconst
        GROUP BY w.film_id, w.year, w.nconst, w.role, w."character"
    """
    # The planner's other choice for the crew's NOT EXISTS, a parallel merge join, has each
    # of its processes sort every director and writer of title.principals: at a million
    # films the statement took 49 s with it, 42 s with the hash join (enable_mergejoin off).
    params = [sources["title.principals"], sources.get("title.crew")]
    if db.scalar("SELECT EXISTS (SELECT 1 FROM imdb_digest WHERE NOT unchanged AND NOT together)"):
        return f"{together} UNION ALL {apart}", params * 2
    return together, params


def remember_credits(db):
    """Keeps the digest of each merged film's rows for the next import (ImportedCredits);
    an empty one where a credit's person was missing."""
    imported = ImportedCredits._meta.db_table
    insert = f"""
        INSERT INTO {imported} (film_id, digest)
        SELECT f.id, CASE WHEN i.film_id IS NULL THEN d.digest ELSE '' END
        FROM imdb_digest d
        JOIN {Film._meta.db_table} f ON f.imdb_id = d.tconst
        LEFT JOIN imdb_incomplete i ON i.film_id = f.id
        WHERE NOT d.unchanged
    """
    if db.has_rows(imported):
        db.execute(f"{insert} ON CONFLICT (film_id) DO UPDATE SET digest = excluded.digest")
        return
    # The first import's: a plain insert, and the key built once after it (an upsert checks
    # every row against the key as it goes: 9.9 s where this takes 3.6, at a million films).
    with db.bulk_load(imported, primary_key=True):
        db.execute(insert)


def _tally(total, changed, created):
    """Splits `total` rows into created, updated (changed but not new) and unchanged."""
    return Tally(created=created, updated=changed - created, unchanged=total - changed)
