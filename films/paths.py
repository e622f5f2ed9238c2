"""Paths of the site's pages, reversed once per process instead of once per link.

Django's reverse() matches a name against the URL patterns every time: a film page linking
to the site's lists, its own sections and thirty people spent a fifth of its rendering
there. The paths every page links to (header, footer, breadcrumbs) are reversed once, and
a page at a slug once per view: the path around a stand-in slug, into which each slug is
put (a slug is made of characters a path keeps as they are). Both are kept per URL
configuration and script prefix, so a site mounted under a prefix, or a test with other
URLs, gets its own.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

SLUG_STAND_IN = "slug-stand-in"
# The paths every page links to, by their URL names in the films namespace.
SITE_PAGES = ("home", "film_list", "person_list", "location_list", "search", "api")
# With those some pages link to: the feed, the film list's person suggestions.
LINKED_PAGES = (*SITE_PAGES, "feed", "person_suggest")


def site_paths(request):
    """Context processor: site_paths.home, site_paths.film_list, ... for every template."""
    return {"site_paths": _site_paths(*_resolving())}


def slug_paths(view_name):
    """slug -> the path of view_name's page at that slug."""
    before, after = _around_slug(view_name, *_resolving())
    return lambda slug: f"{before}{slug}{after}"


def _resolving():
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


@functools.lru_cache(maxsize=16)
def _site_paths(urlconf, script_prefix):
    return {name: reverse(f"films:{name}", urlconf=urlconf) for name in LINKED_PAGES}


@functools.lru_cache(maxsize=256)
def _around_slug(view_name, urlconf, script_prefix):
    before, after = reverse(view_name, urlconf=urlconf, args=[SLUG_STAND_IN]).split(SLUG_STAND_IN)
    return before, after
