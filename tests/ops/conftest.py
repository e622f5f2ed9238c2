"""A real site for the production drills: a database of its own, gunicorn with
gunicorn.conf.py and production settings, and wrk to load it. Loopback only."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
# The drills' sites listen on PORT and the next few ports; OPS_PORT moves them all, so that
# runs side by side on one machine do not collide.
PORT = int(os.environ.get("OPS_PORT", 8016))
REDIS_URL = "redis://127.0.0.1:6379/14"
WRK = shutil.which("wrk")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.ops)


def require(condition, reason):
    """Outside CI a missing tool skips the drill; in CI it fails it."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def production_env(database_url, **extra):
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    keep.pop("REDIS_URL", None)
    return {
        **keep,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "ops-drill-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS proxy in front of these drills.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        **extra,
    }


def prepare_database(env):
    """Migrates, loads the seed film and collects static files, as `make run` does."""
    script = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('loaddata', 'mask', verbosity=0); "
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "moviedb.settings"},
        check=True,
        capture_output=True,
    )


def fresh_postgres_database(url):
    """Drops and creates the database `url` names, through the server's postgres database."""
    import psycopg

    config = dj_database_url.parse(url)
    server = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def ops_database_url(tmp_path_factory):
    """A database of the drills' own, beside the one the suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        ops_url = url.rsplit("/", 1)[0] + f"/{config['NAME']}_ops"
        fresh_postgres_database(ops_url)
        return ops_url
    return f"sqlite:///{tmp_path_factory.mktemp('ops') / 'ops.sqlite3'}"


def get(url, timeout=10, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Site:
    def __init__(self, env, port=PORT):
        self.env = env
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.process = None

    def start(self):
        (ROOT / "var").mkdir(exist_ok=True)
        self.log = open(ROOT / "var" / f"gunicorn-ops-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "moviedb.wsgi"],
            cwd=ROOT,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.read_log()
            try:
                if get(self.base + "/healthz", timeout=1)[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer /healthz in 30 s\n" + self.read_log())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown: the drill is over
            self.process.wait(timeout=40)
        self.log.close()

    def read_log(self):
        self.log.flush()
        return (ROOT / "var" / f"gunicorn-ops-{self.port}.log").read_text()[-4000:]

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return set(children.read_text().split())

    def get(self, path, **kwargs):
        return get(self.base + path, **kwargs)

    def paths(self):
        """A mix of what visitors ask for: pages, a list, a search and a static file."""
        status, home = self.get("/")
        assert status == 200, home
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home)[1]
        return ["/", "/films/mask-1985/", "/films/", "/search/?q=mask", stylesheet]

    @contextmanager
    def load(self, seconds, connections=32, headers=(), paths=None):
        """Runs wrk against the site in the background, over `paths` or else the usual mix;
        `.result` holds its report."""
        require(WRK, "wrk is not installed (apt-get install wrk)")
        command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        command += [arg for header in headers for arg in ("-H", header)]
        command += ["-s", str(Path(__file__).parent / "mix.lua"), self.base]
        command += ["--", *(paths or self.paths())]
        run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        load = Load()
        load.process = run
        try:
            yield load
        finally:
            output, _ = run.communicate(timeout=seconds + 60)
        print(output)
        load.result = json.loads(output.strip().splitlines()[-1])
        load.output = output


class Load:
    result = None
    process = None

    def stop(self):
        """Ends the run before its time is up; wrk still reports what it did until then."""
        self.process.send_signal(signal.SIGINT)

    @property
    def errors(self):
        r = self.result
        return r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]


def assert_clean(load):
    """Every request answered, and every answer a 2xx or 3xx."""
    assert load.result["requests"] > 0, load.output
    assert load.errors == 0, load.output
    assert load.result["bad_status"] == 0, load.output


@pytest.fixture(scope="session")
def ops_database(tmp_path_factory):
    url = ops_database_url(tmp_path_factory)
    prepare_database(production_env(url))
    return url


def redis_reachable():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def site(ops_database):
    """gunicorn on the drills' database with the page cache on: in Redis, as in production,
    when Redis answers (it must in CI), in each worker's memory otherwise."""
    require(redis_reachable() or not os.environ.get("CI"), f"Redis is not answering at {REDIS_URL}")
    prefix = f"moviedb-ops-{os.getpid()}"
    cache = {"REDIS_URL": REDIS_URL, "DJANGO_CACHE_KEY_PREFIX": prefix}
    running = Site(production_env(ops_database, **cache if redis_reachable() else {})).start()
    yield running
    running.stop()
    if redis_reachable():
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
