"""Load: a bounded wrk run against gunicorn over a mix of pages, search and static files."""

import os

from .conftest import assert_clean

SECONDS = int(os.environ.get("LOADTEST_SECONDS", 5))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", 32))


def test_the_site_answers_every_request_under_load(site):
    with site.load(SECONDS, CONNECTIONS) as load:
        pass
    result = load.result
    print(
        f"\n{result['requests']} requests in {result['seconds']} s over {CONNECTIONS} "
        f"connections: {result['rps']} requests/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms"
    )
    assert_clean(load)
