"""The data commands run as an operator runs them, on what they cannot use as it is: a
database not migrated, standard output closed under them. A message each, never a
traceback."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import generate
from tests.processes import environment
from tests.seeds import FILM_PAGE, MAKING_OF_PAGE

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "films" / "migrations"


def manage(*args, database, output_closed=False):
    """Runs `manage.py args` on the SQLite file `database`, its output read by nobody or,
    if `output_closed`, by a reader gone before the first line. Returns its exit status and
    standard error."""
    env = environment(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{database}")
    # Standard output buffered, as an operator's is, whatever this run's Python does.
    env.pop("PYTHONUNBUFFERED", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if output_closed else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if output_closed:
        process.stdout.close()
    _, errors = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, None, errors)


@pytest.fixture(scope="module")
def imdb_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("imdb")
    generate(films=20, out=folder, seed=1)
    return folder


@pytest.mark.parametrize(
    "command",
    [
        ["importfilms", FILM_PAGE, MAKING_OF_PAGE],
        ["importimdb", "imdb"],
        ["importimages", "."],
        ["exportfilms", "--output", "films.json"],
        ["locateplaces"],
        ["loadseed", "mask"],
    ],
    ids=lambda command: command[0],
)
def test_a_database_not_migrated_is_a_message(command, tmp_path, imdb_files):
    """Each data command says to migrate before it reads or writes a row, instead of its
    first query's "no such table" (a traceback, or each file of a batch failing alike)."""
    command = [imdb_files if arg == "imdb" else arg for arg in command]
    ran = manage(*command, database=tmp_path / "new.sqlite3")
    assert ran.returncode == 1, ran.stderr
    assert ran.stderr.startswith("CommandError: The database is not migrated: "), ran.stderr
    assert "migrations are not applied" in ran.stderr
    assert ran.stderr.endswith("Run `manage.py migrate` first.\n")
    assert "Traceback" not in ran.stderr


def test_importimdb_into_a_closed_pipe_stops_and_says_so(tmp_path, imdb_files):
    """`importimdb -v 2 DIR | head -0`: rolled back, one line on stderr, and Python's exit
    does not complain of the pipe again."""
    database = tmp_path / "site.sqlite3"
    migrated = manage("migrate", database=database)
    assert migrated.returncode == 0, migrated.stderr
    ran = manage(
        "importimdb", "--verbosity", "2", imdb_files, database=database, output_closed=True
    )
    assert (ran.returncode, ran.stderr) == (
        1,
        "CommandError: Stopped: standard output was closed; nothing was imported.\n",
    )
    with sqlite3.connect(database) as rows:
        assert rows.execute("SELECT count(*) FROM films_film").fetchone() == (0,)
    with_output = manage("importimdb", imdb_files, database=database)
    assert with_output.returncode == 0, with_output.stderr
    with sqlite3.connect(database) as rows:
        assert rows.execute("SELECT count(*) FROM films_film").fetchone()[0] > 0


@pytest.mark.parametrize(
    "only",
    [[], ["--film", "untitled"]],
    ids=["the seed film, written past the output's buffer", "a film within it"],
)
def test_exportfilms_into_a_closed_pipe_says_so(only, tmp_path):
    """`exportfilms | head`: one line on stderr, whether the pipe is found closed while the
    document is written or when it is flushed, and Python's exit does not complain of the
    pipe again."""
    database = tmp_path / "site.sqlite3"
    for command in (["migrate"], ["loadseed", "mask"]):
        done = manage(*command, database=database)
        assert done.returncode == 0, done.stderr
    with sqlite3.connect(database) as rows:
        rows.execute(
            "INSERT INTO films_film (title, original_title, title_type, slug, release_country, "
            "logline, plot, gross_region, vote_count, added_at, updated_at) "
            "VALUES ('Untitled', '', '', 'untitled', '', '', '', '', 0, '2026-11-30', '2026-11-30')"
        )
    ran = manage("exportfilms", *only, database=database, output_closed=True)
    assert (ran.returncode, ran.stderr) == (
        1,
        "CommandError: Stopped: standard output was closed.\n",
    )


def test_code_newer_than_the_database_is_a_message(tmp_path, imdb_files):
    """Deployed without `migrate`: the database lacks the newest migration, and the import
    names it instead of failing on its column."""
    database = tmp_path / "site.sqlite3"
    *_, before, newest = sorted(path.stem for path in MIGRATIONS.glob("0*.py"))
    assert manage("migrate", database=database).returncode == 0
    unmigrated = manage("migrate", "films", before, database=database)
    assert unmigrated.returncode == 0, unmigrated.stderr
    ran = manage("importimdb", imdb_files, database=database)
    assert (ran.returncode, ran.stderr) == (
        1,
        f"CommandError: The database is not migrated: 1 migration is not applied, the first "
        f"films.{newest}. Run `manage.py migrate` first.\n",
    )
