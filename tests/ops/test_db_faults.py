"""Database faults on PostgreSQL: killed connections, and the server stopping and starting.

The stop/start drill runs its own throwaway PostgreSQL cluster (initdb into a temporary
directory, port 54329), never the shared server.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from bench.serving import Site, production_env

from .conftest import PORT, assert_clean, require, require_wrk

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
pytestmark = pytest.mark.skipif(not POSTGRES, reason="database faults are drilled on PostgreSQL")

# The newest PostgreSQL server binaries Debian has installed.
BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), default=None)
THROWAWAY_PORT = 54329
KILL_SECONDS = 10


@pytest.fixture(scope="module")
def uncached_site(ops_database):
    """Every request reaches the database: the page cache is off."""
    require_wrk()
    running = Site(production_env(ops_database, DJANGO_PAGE_CACHE_SECONDS="0"), port=PORT + 1)
    yield running.start()
    running.stop()


def terminate_site_connections(database_url):
    config = dj_database_url.parse(database_url)
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"], user=config["USER"], dbname="postgres"
    ) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [config["NAME"]],
        ).fetchone()[0]


def retried(site):
    """The count of retried requests, from /readyz."""
    status, body = site.get("/readyz")
    assert status == 200, body
    return int(re.search(r"^retried: (\d+)$", body, re.MULTILINE)[1])


def test_killed_connections_fail_no_request(uncached_site, ops_database):
    """Every second, every connection the site holds is killed, under load: each request
    that loses its connection runs again on a fresh one, and none fails."""
    before = retried(uncached_site)
    kills = []
    # One connection per thread: requests do not queue, so a retry is over well before the
    # next kill (a request that loses its connection twice fails).
    with uncached_site.load(KILL_SECONDS, connections=8) as during:
        time.sleep(1)
        while during.process.poll() is None and len(kills) < KILL_SECONDS - 2:
            kills.append(terminate_site_connections(ops_database))
            time.sleep(1)
    assert sum(kills) > 0, "the site held no connection to kill"
    assert_clean(during)
    assert retried(uncached_site) > before, "no request lost its connection: nothing was drilled"
    with uncached_site.load(2) as after:
        pass
    assert_clean(after)


def postgres(*args):
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, text=True
    )


@pytest.fixture
def throwaway_cluster():
    require(os.geteuid() == 0 and shutil.which("runuser"), "needs root to run as postgres")
    require(BIN and (BIN / "initdb").exists(), "PostgreSQL's initdb is not installed")
    directory = Path(tempfile.mkdtemp(prefix="moviedb-pg-"))
    shutil.chown(directory, "postgres", "postgres")
    data = directory / "data"
    postgres(str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {THROWAWAY_PORT} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg_ctl(action):
        postgres(
            str(BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(directory / "log"),
            "-w",
            "-m",
            "fast",
            action,
        )

    pg_ctl("start")
    try:
        yield pg_ctl
    finally:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(BIN / "pg_ctl"),
                "-D",
                str(data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(directory, ignore_errors=True)


def timed_get(site, path):
    started = time.monotonic()
    status, _ = site.get(path, timeout=30)
    return status, time.monotonic() - started


def copy_database(source, target):
    """Copies the drills' database into the throwaway cluster: faster than migrating."""
    dump = subprocess.run(["pg_dump", "--no-owner", source], capture_output=True, check=True)
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", target],
        input=dump.stdout,
        capture_output=True,
        check=True,
    )


def test_the_site_survives_postgresql_stopping_and_starting(throwaway_cluster, ops_database):
    url = f"postgres://postgres@127.0.0.1:{THROWAWAY_PORT}/moviedb"
    with psycopg.connect(
        f"postgres://postgres@127.0.0.1:{THROWAWAY_PORT}/postgres", autocommit=True
    ) as conn:
        conn.execute("CREATE DATABASE moviedb")
    copy_database(ops_database, url)
    env = production_env(url, DJANGO_PAGE_CACHE_SECONDS="0")
    site = Site(env, port=PORT + 2).start()
    try:
        assert site.get("/readyz")[0] == 200
        assert site.get("/films/mask-1985/")[0] == 200

        throwaway_cluster("stop")
        for path, expected in [("/readyz", 503), ("/films/mask-1985/", 500), ("/", 500)]:
            status, seconds = timed_get(site, path)
            assert (status, path) == (expected, path)
            assert seconds < 3, f"{path} took {seconds:.1f} s with the database down"
        assert site.get("/healthz")[0] == 200  # the process itself is fine

        throwaway_cluster("start")
        deadline = time.monotonic() + 15
        while site.get("/readyz")[0] != 200:
            assert time.monotonic() < deadline, "the site did not recover in 15 s"
            time.sleep(0.2)
        for path in ["/films/mask-1985/", "/", "/films/"]:
            assert site.get(path)[0] == 200, path
    finally:
        site.stop()
