"""A real site for the production drills: a database of its own, gunicorn with
gunicorn.conf.py and production settings, and wrk to load it (bench/serving.py)."""

import os
from pathlib import Path

import pytest
import redis

from bench.serving import WRK, Site, prepare_database, production_env, scratch_database_url

# The drills' sites listen on PORT and the next few ports; OPS_PORT moves them all, so that
# runs side by side on one machine do not collide.
PORT = int(os.environ.get("OPS_PORT", 8016))
REDIS_URL = "redis://127.0.0.1:6379/14"


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


def require_wrk():
    require(WRK, "wrk is not installed (apt-get install wrk)")


def assert_clean(load):
    """Every request answered, and every answer a 2xx or 3xx."""
    assert load.result["requests"] > 0, load.output
    assert load.errors == 0, load.output
    assert load.result["bad_status"] == 0, load.output


@pytest.fixture(scope="session")
def ops_database(tmp_path_factory):
    """A database of the drills' own, beside the one the suite runs on."""
    url = scratch_database_url(
        os.environ.get("DATABASE_URL", ""), "ops", tmp_path_factory.mktemp("ops")
    )
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
    require_wrk()
    require(redis_reachable() or not os.environ.get("CI"), f"Redis is not answering at {REDIS_URL}")
    prefix = f"moviedb-ops-{os.getpid()}"
    cache = {"REDIS_URL": REDIS_URL, "DJANGO_CACHE_KEY_PREFIX": prefix}
    running = Site(production_env(ops_database, **cache if redis_reachable() else {}), PORT)
    yield running.start()
    running.stop()
    if redis_reachable():
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
