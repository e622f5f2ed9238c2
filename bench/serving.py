"""The site served as in production, and wrk to load it: shared by the page benchmark
(bench/pages.py) and the production drills (tests/ops/). Loopback only.

A Site is gunicorn started with gunicorn.conf.py and production settings on 127.0.0.1;
`Site.load()` runs wrk against it with bench/mix.lua, which cycles through the paths it is
given and reports one JSON line: requests, errors, requests/s and latency percentiles.
"""

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

ROOT = Path(__file__).resolve().parents[1]
WRK = shutil.which("wrk")
MIX = Path(__file__).resolve().parent / "mix.lua"


def production_env(database_url, **extra):
    """This process's environment without its Django and database settings, plus production
    settings for a site on plain HTTP on loopback, on `database_url`, with two workers of
    four threads each and no rate limit: the load comes from one address."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    keep.pop("REDIS_URL", None)
    return {
        **keep,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "loopback-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS proxy in front.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "DJANGO_RATE_LIMIT": "0",
        **extra,
    }


def prepare_database(env, import_paths=()):
    """Migrates, loads the seed film, imports `import_paths` (files or folders, with
    `importfilms`) and collects static files, as `make run` does."""
    script = (
        "import sys, django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('loadseed', 'mask', verbosity=0); "
        "sys.argv[1:] and call_command('importfilms', *sys.argv[1:], verbosity=0); "
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    subprocess.run(
        [sys.executable, "-c", script, *map(str, import_paths)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "moviedb.settings"},
        check=True,
        capture_output=True,
    )


def scratch_database_url(url, suffix, folder, template=None):
    """A fresh database beside the one `url` names: on the same PostgreSQL server (named
    after it, plus `suffix`; empty, or a copy of the database `template` names), or an empty
    SQLite file in `folder`."""
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        scratch = url.rsplit("/", 1)[0] + f"/{config['NAME']}_{suffix}"
        fresh_postgres_database(scratch, template=template)
        return scratch
    return f"sqlite:///{Path(folder) / f'{suffix}.sqlite3'}"


def fresh_postgres_database(url, drop_only=False, template=None):
    """Drops and creates the database `url` names (a copy of the database `template` names,
    if given), through the server's postgres database."""
    import psycopg

    config = dj_database_url.parse(url)
    server = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        if not drop_only:
            copy = f' TEMPLATE "{dj_database_url.parse(template)["NAME"]}"' if template else ""
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"{copy}')


def get(url, timeout=10, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Site:
    """gunicorn serving the site with gunicorn.conf.py on 127.0.0.1:`port`."""

    def __init__(self, env, port):
        self.env = env
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.process = None
        self.log_path = ROOT / "var" / f"gunicorn-{port}.log"

    def start(self):
        self.log_path.parent.mkdir(exist_ok=True)
        self.log = open(self.log_path, "w")  # noqa: SIM115
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
            self.process.send_signal(signal.SIGINT)  # quick shutdown: the run is over
            self.process.wait(timeout=40)
        self.log.close()

    def read_log(self):
        self.log.flush()
        return self.log_path.read_text()[-4000:]

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
        """Runs wrk against `paths` (by default `self.paths()`) in the background while the
        block runs; `.result` then holds its report."""
        if not WRK:
            raise RuntimeError("wrk is not installed (apt-get install wrk)")
        command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        command += [arg for header in headers for arg in ("-H", header)]
        command += ["-s", str(MIX), self.base, "--", *(paths or self.paths())]
        run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        load = Load()
        load.process = run
        try:
            yield load
        finally:
            output, _ = run.communicate(timeout=seconds + 60)
        load.result = json.loads(output.strip().splitlines()[-1])
        load.output = output


class Load:
    result = None
    output = ""
    process = None

    def stop(self):
        """Ends the run before its time is up; wrk still reports what it did until then."""
        self.process.send_signal(signal.SIGINT)

    @property
    def errors(self):
        r = self.result
        return r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
