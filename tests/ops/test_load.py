"""Load: a bounded wrk run against gunicorn over a mix of pages, search and static files."""

import os
import urllib.request

from .conftest import assert_clean

SECONDS = int(os.environ.get("LOADTEST_SECONDS", 5))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", 32))


def test_the_site_answers_every_request_under_load(site, capsys):
    with site.load(SECONDS, CONNECTIONS) as load:
        pass
    result = load.result
    with capsys.disabled():  # the figures are the point of the run: always show them
        print(
            f"\n{result['requests']} requests in {result['seconds']} s over {CONNECTIONS} "
            f"connections: {result['rps']} requests/s, p50 {result['p50_ms']} ms, "
            f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms"
        )
    assert_clean(load)


def test_static_files_are_cached_forever(site):
    """Hashed static names never change content, so any cache may keep them for good."""
    stylesheet = next(path for path in site.paths() if path.startswith("/static/"))
    with urllib.request.urlopen(site.base + stylesheet, timeout=10) as response:
        cache_control = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert {"public", "immutable"} <= cache_control
    assert "max-age=315360000" in cache_control
