"""A limit on the pages one client can make the site render.

A page served from the page cache costs next to nothing and is never limited: this
middleware sits inside the page cache, so it sees only the requests the cache did not
answer. Each of those counts towards DJANGO_RATE_LIMIT a minute for the client's address
(behind proxies, the one DJANGO_TRUSTED_PROXY_COUNT names); past it the site answers 429
with Retry-After until the minute is over. The health checks are never limited.

django-ratelimit counts, in the default cache: Redis in production, so the limit holds
across every process and host; without Redis each process counts on its own. A cache that
fails lets the request through.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django_ratelimit.core import get_usage

from .counters import count
from .middleware import CACHE_ERRORS, UNCACHED_PATHS, client_ip

logger = logging.getLogger(__name__)


def client_network(group, request):
    """The client's address; for IPv6 the /64 it belongs to, as one household or server
    usually holds a whole /64."""
    address = client_ip(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.RATE_LIMIT and request.path not in UNCACHED_PATHS:
            usage = self.usage(request)
            if usage is not None and usage["should_limit"]:
                return self.too_many_requests(request, usage)
        return self.get_response(request)

    def usage(self, request):
        """This request counted: django-ratelimit's usage of the client's minute, or None
        when the cache cannot count."""
        try:
            return get_usage(
                request,
                group="renders",
                key=client_network,
                rate=(settings.RATE_LIMIT, 60),
                increment=True,
            )
        except CACHE_ERRORS as error:
            logger.warning("Not rate limiting %s: the cache failed: %s", request.path, error)
            return None

    def too_many_requests(self, request, usage):
        retry_after = max(usage["time_left"], 1)
        logger.warning(
            "429 to %s for %s %r: over %s pages a minute (request %s)",
            client_network(None, request),
            request.method,
            request.path,
            settings.RATE_LIMIT,
            getattr(request, "request_id", "-"),
        )
        count("rate_limited")
        response = HttpResponse(
            f"Too many requests: try again in {retry_after} seconds.\n",
            content_type="text/plain; charset=utf-8",
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        patch_cache_control(response, private=True, no_store=True)
        return response
