"""The origin of every absolute URL the site writes: canonical links, og:url, JSON-LD, the
site map and robots.txt.

DJANGO_SITE_URL names it. Without it, the URL is made of the request's scheme and Host, but
a port in Host that is not the one the request came in on is left out: a client's made-up
`Host: localhost:1` must not end up in pages that caches keep and serve to others.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port

DEFAULT_PORTS = {"http": "80", "https": "443"}


def site_origin(request):
    """scheme://host[:port], without a trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL
    scheme = request.scheme
    domain, port = split_domain_port(request.get_host())
    served = request.META.get("SERVER_PORT")
    if port and port == served and port != DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{domain}:{port}"
    return f"{scheme}://{domain}"


def absolute_url(request, path):
    """The full URL of path (which starts with "/") on the site's origin. A URL that is
    absolute already (a picture in object storage) stays as it is."""
    if urlsplit(path).scheme:
        return path
    return site_origin(request) + path
