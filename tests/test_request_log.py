"""Every response carries a request id, and every log line of its request names it: the
access line, and an error's traceback, line by line."""

import io
import logging
import re

import pytest
from django.http import HttpResponse
from django.urls import path

from moviedb import urls as site_urls
from moviedb.request_log import RequestIdMiddleware, request_id_var

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


def broken_page(request):
    raise RuntimeError("the page broke")


# The site's own URLs and 500 handler, plus a page that raises.
urlpatterns = [path("broken/", broken_page), *site_urls.urlpatterns]
handler500 = site_urls.handler500


@pytest.fixture
def logged():
    """What the site's log handlers write while the test runs: {"stderr": ..., "access": ...}."""
    handlers = {
        handler.name: handler
        for logger in (logging.getLogger(), logging.getLogger("moviedb.access"))
        for handler in logger.handlers
        if handler.name in ("stderr", "access")
    }
    assert set(handlers) == {"stderr", "access"}
    streams = {name: io.StringIO() for name in handlers}
    previous = {name: handler.setStream(streams[name]) for name, handler in handlers.items()}
    yield streams
    for name, handler in handlers.items():
        handler.setStream(previous[name])


def test_every_response_carries_a_new_request_id(client, mask):
    first = client.get(mask.get_absolute_url())
    second = client.get(mask.get_absolute_url())
    assert GENERATED.fullmatch(first["X-Request-ID"])
    assert GENERATED.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/no/such/page/")["X-Request-ID"]
    assert client.get("/healthz")["X-Request-ID"]


def test_a_clients_request_id_is_not_trusted_without_a_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/healthz", HTTP_X_REQUEST_ID="chosen-by-the-client")
    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_the_proxys_request_id_is_kept_when_well_formed(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.9_2")
    assert kept["X-Request-ID"] == "lb-7f3a.9_2"
    for malformed in ["x" * 65, "two words", "new\nline", "", "ünïcode"]:
        response = client.get("/healthz", HTTP_X_REQUEST_ID=malformed)
        assert GENERATED.fullmatch(response["X-Request-ID"]), malformed


def test_a_cached_page_carries_its_own_request_id(
    client, mask, local_caches, settings, django_assert_num_queries
):
    """The id is set outside the page cache: a page served from the cache never replays the
    id of the request that rendered it."""
    settings.PAGE_CACHE_SECONDS = 600
    rendered = client.get(mask.get_absolute_url())
    with django_assert_num_queries(0):
        cached = client.get(mask.get_absolute_url())
    assert cached.content == rendered.content
    assert GENERATED.fullmatch(cached["X-Request-ID"])
    assert cached["X-Request-ID"] != rendered["X-Request-ID"]
    assert rendered["X-Request-ID"] not in cached.content.decode()


def test_the_request_id_is_available_to_views_and_log_lines(rf):
    seen = {}

    def view(request):
        seen["attribute"] = request.request_id
        seen["context"] = request_id_var.get()
        return HttpResponse()

    response = RequestIdMiddleware(view)(rf.get("/"))
    assert seen["attribute"] == seen["context"] == response["X-Request-ID"]
    assert request_id_var.get() == "-"  # nothing leaks to what runs after the request


def test_one_access_line_per_request_names_the_request(client, logged):
    response = client.get("/healthz?probe=1", REMOTE_ADDR="192.0.2.8")
    lines = logged["access"].getvalue().splitlines()
    assert len(lines) == 1
    assert f"[{response['X-Request-ID']}] 192.0.2.8 GET /healthz?probe=1 200 " in lines[0]
    assert re.search(r" \d+\.\dms$", lines[0])
    assert logged["stderr"].getvalue() == ""


@pytest.mark.urls(__name__)
def test_an_error_is_logged_with_its_traceback_under_the_id_on_the_500_page(
    client, settings, logged, caplog
):
    """A view that raises answers the 500 page naming the request's id, and the error log
    holds the traceback, every line of it marked with the same id."""
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert GENERATED.fullmatch(request_id)
    html = response.content.decode()
    assert "Something went wrong" in html
    assert f"Reference: <code>{request_id}</code>" in html

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is RuntimeError
    assert record.request_id == request_id

    error_log = logged["stderr"].getvalue()
    assert "Traceback (most recent call last):" in error_log
    assert "RuntimeError: the page broke" in error_log
    assert "in broken_page" in error_log
    lines = error_log.rstrip("\n").split("\n")
    assert len(lines) > 3
    assert all(request_id in line for line in lines), error_log
    assert f"[{request_id}] 127.0.0.1 GET /broken/ 500 " in logged["access"].getvalue()


def test_client_errors_are_logged_under_the_request_id(client, logged):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    [line] = logged["stderr"].getvalue().splitlines()
    assert f"WARNING [{response['X-Request-ID']}] django.request: Not Found: /no/such/page/" in line
