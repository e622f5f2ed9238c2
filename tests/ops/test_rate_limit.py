"""Rate limit: gunicorn with production settings and the limit on, its workers counting in
one Redis (in each worker's memory when Redis does not answer, outside CI)."""

import os
import urllib.error
import urllib.request

import pytest
import redis

from bench.serving import Site, production_env

from .conftest import PORT, REDIS_URL, redis_reachable, require, require_wrk

LIMIT = 20


@pytest.fixture(scope="module")
def limited_site(ops_database):
    require_wrk()
    require(redis_reachable() or not os.environ.get("CI"), f"Redis is not answering at {REDIS_URL}")
    prefix = f"moviedb-ops-limit-{os.getpid()}"
    cache = {"REDIS_URL": REDIS_URL, "DJANGO_CACHE_KEY_PREFIX": prefix}
    env = production_env(
        ops_database, DJANGO_RATE_LIMIT=str(LIMIT), **cache if redis_reachable() else {}
    )
    running = Site(env, PORT + 7)
    yield running.start()
    running.stop()
    if redis_reachable():
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def fetch(site, path):
    try:
        with urllib.request.urlopen(site.base + path, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_a_client_past_the_limit_gets_429_but_cached_pages(limited_site):
    site = limited_site
    film = "/films/mask-1985/"
    assert fetch(site, film)[0] == 200  # rendered once, then served from the cache
    # Distinct searches, each rendered. The limit counts per minute: however the minutes
    # fall, one of them holds more than LIMIT of these 2 * LIMIT + 1 requests.
    answers = []
    for n in range(2 * LIMIT + 1):
        answers.append(fetch(site, f"/films/?title=no-such-film-{n}"))
        if answers[-1][0] == 429:
            break
    statuses = [status for status, _ in answers]
    assert set(statuses) == {200, 429}, statuses
    retry_after = int(answers[-1][1]["Retry-After"])
    assert 1 <= retry_after <= 60
    assert fetch(site, film)[0] == 200
    assert fetch(site, "/healthz")[0] == 200
    assert fetch(site, "/films/?title=one-more")[0] == 429
    assert "429 to 127.0.0.1 for GET '/films/'" in site.read_log()
