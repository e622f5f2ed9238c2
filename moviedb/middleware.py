"""The page cache, replica reads, and the client's address behind proxies.

A *public request* is an anonymous GET or HEAD outside the admin and the health checks.
Only public requests are served from the page cache and read from a replica; editors, the
admin and every write see the primary database and uncached pages.
"""

import hashlib
import logging
import time

import redis
from django.conf import settings
from django.core.cache import caches
from django.middleware.csp import get_nonce
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_cache_control, set_response_etag

from films.freshness import data_version_and

from .query import canonical_query_string, understood_query
from .routers import as_in_the_view, replica_reads

logger = logging.getLogger(__name__)

CACHE_ERRORS = (OSError, redis.RedisError)
UNCACHED_PATHS = ("/healthz", "/readyz")


def is_public_request(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(f"/{settings.ADMIN_URL}")
        and request.path not in UNCACHED_PATHS
    )


def is_shareable(request, response):
    """The response is the same for every anonymous visitor, so any cache may keep it."""
    cache_control = {d.split("=")[0] for d in _tokens(response.get("Cache-Control", ""))}
    vary = _tokens(response.get("Vary", ""))
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not cache_control & {"private", "no-cache", "no-store"}
        and not vary - {"accept-encoding"}
        # A nonce must differ on every response; a page that uses one cannot be reused.
        and not get_nonce(request)
    )


def page_key(request):
    """The cache key of a public page: its address with only the parameters the page
    understands (moviedb/query.py), and the encoding GZipMiddleware will answer in, so that
    a cached page is kept, and served, already compressed."""
    query = canonical_query_string(request.GET) if request.META.get("QUERY_STRING") else ""
    accepts_gzip = re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    address = f"{request.build_absolute_uri(request.path)}?{query}"
    encoding = "gzip" if accepts_gzip else "identity"
    return "page:" + hashlib.sha256(f"{address} {encoding}".encode()).hexdigest()


def _tokens(header):
    return {token.strip().lower() for token in header.split(",") if token.strip()}


class PageCacheMiddleware:
    """Serves public pages from the cache while the films data is unchanged.

    Each cached page remembers the data version it was rendered at (films/freshness.py); a
    page whose version is not the current one is rendered again, so any change to the data
    shows at the next request. Shareable responses are marked public with an ETag, and
    ConditionalGetMiddleware turns a matching If-None-Match into a 304. A page is kept under
    the parameters it understands and the encoding it is sent in (page_key).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_request(request):
            response = self.get_response(request)
            if request.method in ("GET", "HEAD"):
                patch_cache_control(response, private=True)
            return response

        if request.META.get("QUERY_STRING"):
            # Rendered, and kept, from the parameters the page understands alone.
            request.GET = understood_query(request)
        key = page_key(request)
        version, cached = self.lookup(key)
        if cached is not None and cached[0] == version:
            return cached[1]

        response = self.get_response(request)
        if not is_shareable(request, response):
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            return response
        patch_cache_control(
            response, public=True, max_age=settings.PAGE_MAX_AGE, s_maxage=settings.PAGE_MAX_AGE
        )
        set_response_etag(response)
        # While replicas may still be catching up with the latest change, keep no page.
        settled = time.time_ns() - (version or 0) > settings.DATABASE_REPLICA_LAG * 10**9
        if version is not None and settled:
            try:
                caches["default"].set(key, (version, response), settings.PAGE_CACHE_SECONDS)
            except CACHE_ERRORS as error:
                logger.warning("Not keeping %s: the cache failed: %s", request.path, error)
        return response

    def lookup(self, key):
        """The current data version and the cached (version, response), if any."""
        if not settings.PAGE_CACHE_SECONDS:
            return None, None
        try:
            return data_version_and(key)
        except CACHE_ERRORS as error:
            logger.warning("Rendering without the page cache: it failed: %s", error)
            return None, None


class ReplicaReadsMiddleware:
    """Lets public requests read from a replica (see moviedb/routers.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with replica_reads(is_public_request(request), getattr(request, "request_id", "-")):
            response = self.get_response(request)
            if response.streaming and not response.is_async:
                # Its body is made after this returns (a whole list as CSV): still here.
                response.streaming_content = as_in_the_view(response.streaming_content)
            return response


def client_ip(request):
    """The client's address: behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (each proxy appends the address it received the request from)."""
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")
