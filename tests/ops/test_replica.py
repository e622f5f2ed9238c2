"""A real streaming replica: pages read through it, it stops (pages still answer, from the
primary, and /readyz says degraded), it starts again (reads go back to it), and it lags
(it is skipped until it catches up).

The replica is a hot standby of the cluster DATABASE_URL names, made with pg_basebackup
into a temporary directory and served on OPS_REPLICA_PORT (5433 by default). The cluster
must accept replication connections from 127.0.0.1 (.ci/run sees to it).
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

from .conftest import PORT, assert_clean, require
from .test_db_faults import BIN, POSTGRES, postgres

pytestmark = pytest.mark.skipif(not POSTGRES, reason="replicas are drilled on PostgreSQL")

REPLICA_PORT = int(os.environ.get("OPS_REPLICA_PORT", 5433))
# Settings a hot standby must have at least as high as its primary.
PRIMARY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
PAGES = ["/", "/films/mask-1985/", "/films/", "/people/"]


class StreamingReplica:
    def __init__(self, primary_url):
        self.primary = dj_database_url.parse(primary_url)
        self.directory = Path(tempfile.mkdtemp(prefix="moviedb-replica-"))
        self.data = self.directory / "data"
        self.url = primary_url.replace(f":{self.primary['PORT'] or 5432}/", f":{REPLICA_PORT}/", 1)

    def primary_connection(self):
        return psycopg.connect(self.url_on(self.primary["PORT"] or 5432), autocommit=True)

    def connection(self):
        return psycopg.connect(self.url, autocommit=True)

    def url_on(self, port):
        return f"postgres://postgres@127.0.0.1:{port}/{self.primary['NAME']}"

    def create(self):
        shutil.chown(self.directory, "postgres", "postgres")
        source = ["-h", "127.0.0.1", "-p", str(self.primary["PORT"] or 5432), "-U", "postgres"]
        target = ["-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"]
        backup = subprocess.run(
            ["runuser", "-u", "postgres", "--", str(BIN / "pg_basebackup"), *source, *target],
            capture_output=True,
            text=True,
        )
        require(
            backup.returncode == 0,
            f"pg_basebackup failed (does pg_hba.conf allow replication from 127.0.0.1?): "
            f"{backup.stderr}",
        )
        with self.primary_connection() as conn:
            minimums = [
                f"-c {name}={conn.execute(f'SHOW {name}').fetchone()[0]}"
                for name in PRIMARY_MINIMUMS
            ]
        # Debian keeps the primary's configuration outside its data directory: give the
        # standby its own.
        for name, text in [
            ("postgresql.conf", ""),
            ("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"),
            ("pg_ident.conf", ""),
        ]:
            (self.data / name).write_text(text)
            shutil.chown(self.data / name, "postgres", "postgres")
        self.options = " ".join(
            [
                f"-p {REPLICA_PORT} -k {self.directory} -c listen_addresses=127.0.0.1",
                "-c hot_standby=on -c fsync=off",
                *minimums,
            ]
        )
        self.start()
        return self

    def pg_ctl(self, *args):
        postgres(str(BIN / "pg_ctl"), "-D", str(self.data), *args)

    def start(self):
        self.pg_ctl("-o", self.options, "-l", str(self.directory / "log"), "-w", "start")
        self.wait_until_streaming()

    def stop(self):
        self.pg_ctl("-m", "fast", "-w", "stop")

    def destroy(self):
        stop = ["-D", str(self.data), "-m", "immediate", "stop"]
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), *stop], capture_output=True
        )
        shutil.rmtree(self.directory, ignore_errors=True)

    def wait_until_streaming(self):
        deadline = time.monotonic() + 30
        while True:
            try:
                with self.connection() as conn:
                    query = "SELECT status FROM pg_stat_wal_receiver"
                    if conn.execute(query).fetchone() == ("streaming",):
                        return
            except psycopg.OperationalError:
                pass
            assert time.monotonic() < deadline, "the replica is not streaming after 30 s"
            time.sleep(0.2)

    def now(self):
        with self.connection() as conn:
            return conn.execute("SELECT now()").fetchone()[0]

    def film_reads_since(self, moment):
        """Connections of the site whose latest query, started after `moment`, read films."""
        with self.connection() as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND query_start > %s AND query LIKE %s",
                [self.primary["NAME"], moment, "%films_%"],
            ).fetchone()[0]


@pytest.fixture(scope="module")
def replica(ops_database):
    require(os.geteuid() == 0 and shutil.which("runuser"), "needs root to run as postgres")
    require(BIN and (BIN / "pg_basebackup").exists(), "PostgreSQL's pg_basebackup is missing")
    standby = StreamingReplica(ops_database)
    try:
        yield standby.create()
    finally:
        standby.destroy()


@pytest.fixture(scope="module")
def site(replica, ops_database):
    """Every request reads the database (no page cache), from the replica while it is fit;
    it is checked every second and may lag by two."""
    env = production_env(
        ops_database,
        DATABASE_REPLICA_URLS=replica.url,
        DATABASE_REPLICA_LAG="2",
        DATABASE_REPLICA_CHECK_SECONDS="1",
        DJANGO_PAGE_CACHE_SECONDS="0",
    )
    running = Site(env, port=PORT + 3)
    yield running.start()
    running.stop()


def readiness(site):
    status, body = site.get("/readyz")
    assert status == 200, body
    return body


def wait_for_readiness(site, pattern, seconds=20):
    deadline = time.monotonic() + seconds
    while not re.search(pattern, body := readiness(site), re.MULTILINE):
        assert time.monotonic() < deadline, f"/readyz never matched {pattern!r}:\n{body}"
        time.sleep(0.2)
    return body


def skipped(site):
    return int(re.search(r"^replica_skipped: (\d+)$", readiness(site), re.MULTILINE)[1])


def read_pages(site):
    for path in PAGES:
        status, body = site.get(path)
        assert status == 200, (path, body[-2000:])


def assert_pages_read_from(replica, site, seconds=10):
    """Pages come to read from the replica again. /readyz answers for one worker; each of the
    others finds the replica fit at its own next check, up to a check interval later."""
    deadline = time.monotonic() + seconds
    while True:
        since = replica.now()
        read_pages(site)
        if replica.film_reads_since(since) > 0:
            return
        assert time.monotonic() < deadline, "pages never read from the replica again"
        time.sleep(0.2)


def test_pages_read_from_the_streaming_replica(site, replica):
    assert readiness(site).startswith("ready\nreplica_0: ok\n")
    since = replica.now()
    read_pages(site)
    assert replica.film_reads_since(since) > 0


def test_a_change_on_the_primary_shows_through_the_replica(site, replica):
    with replica.primary_connection() as conn:
        conn.execute("UPDATE films_film SET logline = 'Streamed.' WHERE slug = 'mask-1985'")
    try:
        deadline = time.monotonic() + 10
        while "Streamed." not in site.get("/films/mask-1985/")[1]:
            assert time.monotonic() < deadline, "the change never reached the replica's pages"
            time.sleep(0.2)
    finally:
        with replica.primary_connection() as conn:
            conn.execute("UPDATE films_film SET logline = '' WHERE slug = 'mask-1985'")


def test_a_stopped_replica_is_skipped_and_pages_still_answer(site, replica):
    before = skipped(site)
    with site.load(4, connections=8, paths=PAGES) as during:
        time.sleep(1)
        replica.stop()
    assert_clean(during)
    body = wait_for_readiness(site, r"^replica_0: down \(")
    assert body.startswith("degraded\n"), body
    read_pages(site)
    assert skipped(site) > before


def test_a_restarted_replica_is_read_from_again(site, replica):
    replica.start()
    wait_for_readiness(site, r"^replica_0: ok$")
    assert_pages_read_from(replica, site)


def test_a_lagging_replica_is_skipped_until_it_catches_up(site, replica):
    with replica.connection() as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
    try:
        with replica.primary_connection() as conn:  # a change the replica does not replay
            conn.execute("UPDATE films_film SET vote_count = vote_count WHERE slug = 'mask-1985'")
        body = wait_for_readiness(site, r"^replica_0: lagging ")
        assert body.startswith("degraded\n"), body
        # Each worker finds the lag at its own checks; soon none reads from the replica.
        deadline, clean_rounds = time.monotonic() + 20, 0
        while clean_rounds < 3:
            since = replica.now()
            read_pages(site)
            clean_rounds = clean_rounds + 1 if replica.film_reads_since(since) == 0 else 0
            assert time.monotonic() < deadline, "pages still read from the lagging replica"
    finally:
        with replica.connection() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")
    wait_for_readiness(site, r"^replica_0: ok$")
    assert_pages_read_from(replica, site)
