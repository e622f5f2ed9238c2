"""Pages the cache does not serve are limited per client address: 429 with Retry-After."""

import logging
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.test import RequestFactory

from moviedb.counters import counts
from moviedb.ratelimit import RateLimitMiddleware, client_network

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture
def rate_limit(settings, local_caches, monkeypatch):
    """A limit of LIMIT uncached pages a minute, counted in this test's own cache. The clock
    django-ratelimit reads stands still, so that no test straddles the end of a minute."""
    settings.RATE_LIMIT = LIMIT
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1.8e9))


def statuses(client, paths, **headers):
    return [client.get(path, **headers).status_code for path in paths]


def test_the_request_past_the_limit_answers_429(client, mask, rate_limit, caplog):
    url = mask.get_absolute_url()
    assert statuses(client, [url] * LIMIT) == [200] * LIMIT
    with caplog.at_level(logging.WARNING, logger="moviedb.ratelimit"):
        response = client.get(url)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Content-Type"].startswith("text/plain")
    assert len(response.content) < 100
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert [r.getMessage() for r in caplog.records if r.name == "moviedb.ratelimit"] == [
        f"429 to 127.0.0.1 for GET '{url}': over {LIMIT} pages a minute "
        f"(request {response['X-Request-ID']})"
    ]
    assert counts("rate_limited") == {"rate_limited": 1}
    assert client.get("/films/").status_code == 429  # every page the cache does not serve
    assert counts("rate_limited") == {"rate_limited": 2}


def test_pages_served_from_the_cache_are_never_limited(client, mask, rate_limit, settings):
    settings.PAGE_CACHE_SECONDS = 600
    url = mask.get_absolute_url()
    assert statuses(client, [url] * 20) == [200] * 20  # one render, then the cache
    assert statuses(client, ["/films/", "/people/", "/locations/"]) == [200, 200, 429]
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?utm_source=junk").status_code == 200  # the same cached page


def test_a_limit_of_0_is_no_limit(client, mask, rate_limit, settings):
    settings.RATE_LIMIT = 0
    assert statuses(client, [mask.get_absolute_url()] * 10) == [200] * 10


def test_health_checks_are_never_limited(client, mask, rate_limit):
    assert statuses(client, ["/films/"] * LIMIT + ["/films/"]) == [200] * LIMIT + [429]
    assert statuses(client, ["/healthz", "/readyz"]) == [200, 200]


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(client, mask, rate_limit, settings):
    """Without a trusted proxy, X-Forwarded-For is the client's to invent: every request is
    counted against the address it comes from."""
    url = mask.get_absolute_url()
    invented = [{"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"} for n in range(LIMIT + 1)]
    assert [client.get(url, **h).status_code for h in invented] == [200] * LIMIT + [429]

    settings.TRUSTED_PROXY_COUNT = 1
    one_client = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 198.51.100.1", "REMOTE_ADDR": "10.0.0.2"}
    assert statuses(client, [url] * (LIMIT + 1), **one_client) == [200] * LIMIT + [429]
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 198.51.100.2", "REMOTE_ADDR": "10.0.0.2"}
    assert client.get(url, **other).status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_network():
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert client_network(None, request) == "2001:db8:1:2::"
    assert client_network(None, RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"


def test_the_log_line_names_the_request(mask, rate_limit, caplog):
    """The request id (set by the request-id middleware further out) ties the 429 to the
    access log."""
    middleware = RateLimitMiddleware(lambda request: None)
    for _ in range(LIMIT + 1):
        request = RequestFactory().get("/films/")
        request.request_id = "5f0c3a"
        response = middleware(request)
    assert response.status_code == 429
    assert "(request 5f0c3a)" in caplog.records[-1].getMessage()


def test_pages_are_served_when_the_cache_is_down(client, mask, rate_limit, settings):
    """The limit is counted in the cache: without one, requests go through."""
    down = {
        "BACKEND": "moviedb.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    settings.CACHES = {"default": down, "freshness": down}
    assert statuses(client, [mask.get_absolute_url()] * (LIMIT + 1)) == [200] * (LIMIT + 1)
