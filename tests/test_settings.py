"""Production settings, read from the environment as a deployment sets it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from moviedb.request_log import request_id_var, tag_error_report
from tests.processes import environment

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k8Vq3pL0xW7rT2nZ9yB4mH6cJ1dF5gS8aE3uR0iO7pK2lN4vX9bQ6wY1tZ5",
    "DJANGO_ALLOWED_HOSTS": "moviedb.example",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "DATABASE_URL": "postgres://moviedb@db.internal:5432/moviedb",
    "DATABASE_REPLICA_URLS": "postgres://moviedb@replica1.internal/moviedb, "
    "postgres://moviedb@replica2.internal/moviedb",
    "DATABASE_STATEMENT_TIMEOUT": "2500",
    "DJANGO_ADMIN_URL": "backstage/",
    "DJANGO_SITE_URL": "https://Films.Example.org/",
}


def run(*args, **env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def production():
    """The settings a process started with the PRODUCTION environment ends up with."""
    script = (
        "import django, json; django.setup(); "
        "from django.conf import settings; from django.urls import reverse; "
        "names = [n for n in dir(settings) if n.isupper()]; "
        "values = {n: getattr(settings, n) for n in names}; "
        "values['admin_index'] = reverse('admin:index'); "
        "print(json.dumps(values, default=str))"
    )
    result = run("-c", script, DJANGO_SETTINGS_MODULE="moviedb.settings", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_production_settings():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_settings_are_strict(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert production["CACHES"]["freshness"]["LOCATION"] == PRODUCTION["REDIS_URL"]


def test_replicas_become_database_aliases_with_the_same_timeouts(production):
    databases = production["DATABASES"]
    assert set(databases) == {"default", "replica_0", "replica_1"}
    assert databases["replica_1"]["HOST"] == "replica2.internal"
    for alias in databases.values():
        assert alias["OPTIONS"]["options"] == "-c statement_timeout=2500"
        assert alias["OPTIONS"]["connect_timeout"] == 5
        assert alias["CONN_HEALTH_CHECKS"] is True


def test_the_site_url_is_read_as_an_origin(production):
    assert production["SITE_URL"] == "https://films.example.org"


def test_logs_name_the_request_and_errors_go_to_stderr(production):
    logging = production["LOGGING"]
    assert logging["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    assert logging["handlers"]["stderr"]["filters"] == ["request_id"]
    assert logging["root"] == {"handlers": ["stderr"], "level": "INFO"}
    assert "%(request_id)s" in logging["formatters"]["line"]["format"]
    assert production["MIDDLEWARE"][0] == "moviedb.request_log.RequestIdMiddleware"


def test_the_admin_session_lasts_a_working_day(production):
    assert production["SESSION_COOKIE_AGE"] == 8 * 60 * 60


def test_the_admin_address_is_configurable(production):
    assert production["admin_index"] == "/backstage/"


def test_malformed_values_are_refused_with_a_reason():
    for name, value in [
        ("DJANGO_SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO"),
        ("DATABASE_STATEMENT_TIMEOUT", "30s"),
        ("DJANGO_SITE_URL", "films.example.org"),
        ("DJANGO_SITE_URL", "ftp://films.example.org"),
        ("DJANGO_SITE_URL", "https://films.example.org/films/"),
        ("DJANGO_SITE_URL", "https://films.example.org?utm=1"),
        ("DJANGO_SITE_URL", "https://films.example.org:http"),
        ("DJANGO_SITE_URL", "https://someone@films.example.org"),
    ]:
        result = run("manage.py", "check", **{**PRODUCTION, name: value})
        assert result.returncode != 0
        assert f"ImproperlyConfigured: {name}" in result.stderr


@pytest.mark.django_db
def test_postgresql_cancels_slow_statements(settings):
    """One slow query cannot hold a worker: PostgreSQL cancels it after the timeout."""
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        assert int(cursor.fetchone()[0]) == settings.DATABASE_STATEMENT_TIMEOUT
        cursor.execute("SET LOCAL statement_timeout = 50")
        with pytest.raises(OperationalError, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(1)")


def test_production_without_secret_key_refuses_to_start():
    """With debugging off, a missing DJANGO_SECRET_KEY is an error that names the variable."""
    result = run("manage.py", "check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_development_defaults_run_on_sqlite():
    """With debugging on and nothing else set, the site runs on the SQLite file."""
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    )
    result = run("-c", script, DJANGO_SETTINGS_MODULE="moviedb.settings", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_allowed_hosts_are_read_as_a_list(production):
    assert production["ALLOWED_HOSTS"] == ["moviedb.example"]


SENTRY_PROBE = (
    "import django, sys; django.setup(); from django.conf import settings; "
    "print('sentry_sdk' in sys.modules)"
)


def fake_sentry(directory, body):
    package = directory / "sentry_sdk"
    package.mkdir()
    (package / "__init__.py").write_text(body)
    return str(directory)


def test_errors_go_to_sentry_only_when_a_dsn_is_set(tmp_path):
    """sentry-sdk is optional: imported only with SENTRY_DSN, and then initialised with it
    and the hook that tags each report with its request id (a stand-in package records the
    call, so the test runs without sentry-sdk installed)."""
    path = fake_sentry(
        tmp_path,
        "import json\n"
        "def init(**options):\n"
        "    hook = options.pop('before_send')\n"
        "    options['before_send'] = f'{hook.__module__}.{hook.__name__}'\n"
        "    print('init', json.dumps(options))\n",
    )
    without = run(
        "-c", SENTRY_PROBE, DJANGO_SETTINGS_MODULE="moviedb.settings", PYTHONPATH=path, **PRODUCTION
    )
    assert without.returncode == 0, without.stderr
    assert without.stdout.split() == ["False"]
    dsn = "https://key@errors.example.org/1"
    result = run(
        "-c",
        SENTRY_PROBE,
        DJANGO_SETTINGS_MODULE="moviedb.settings",
        PYTHONPATH=path,
        SENTRY_DSN=dsn,
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    init, loaded = result.stdout.splitlines()
    options = json.loads(init.removeprefix("init "))
    assert options["dsn"] == dsn
    assert options["send_default_pii"] is False
    assert options["before_send"] == "moviedb.request_log.tag_error_report"
    assert loaded == "True"


def test_a_dsn_without_sentry_installed_is_refused_with_a_reason(tmp_path):
    path = fake_sentry(tmp_path, "raise ImportError('No module named sentry_sdk')\n")
    result = run(
        "manage.py",
        "check",
        PYTHONPATH=path,
        SENTRY_DSN="https://key@errors.example.org/1",
        **PRODUCTION,
    )
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: SENTRY_DSN is set but sentry-sdk is not installed" in result.stderr
    )


def test_an_error_report_is_tagged_with_its_request_id():
    token = request_id_var.set("0123abcd")
    try:
        event = tag_error_report({"tags": {"release": "1"}}, hint={})
    finally:
        request_id_var.reset(token)
    assert event["tags"] == {"release": "1", "request_id": "0123abcd"}


def test_pictures_go_to_s3_and_the_csp_allows_only_their_origin():
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['default'], settings.SECURE_CSP['img-src']]))"
    )
    environment = {
        "DJANGO_MEDIA_S3_BUCKET": "moviedb-media",
        "DJANGO_MEDIA_S3_ENDPOINT_URL": "https://s3.example.net",
        "DJANGO_MEDIA_S3_CUSTOM_DOMAIN": "media.example.org",
    }
    result = run(
        "-c", script, DJANGO_SETTINGS_MODULE="moviedb.settings", **PRODUCTION, **environment
    )
    assert result.returncode == 0, result.stderr
    storage, img_src = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "moviedb-media"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert img_src == ["'self'", "https://media.example.org"]


def test_pictures_on_local_disk_come_from_the_site_itself(production):
    assert production["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert production["SECURE_CSP"]["img-src"] == ["'self'"]
