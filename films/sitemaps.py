from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Film, Location, Person


class SiteSitemap(Sitemap):
    """A section whose URLs start with the site's origin (moviedb/origin.py), not with
    whatever Host the request that asked for it sent."""

    def __init__(self, origin):
        self.scheme, self.domain = origin.split("://")

    def get_protocol(self, protocol=None):
        return self.scheme

    def get_domain(self, site=None):
        return self.domain


class ListPageSitemap(SiteSitemap):
    def items(self):
        return ["films:home", "films:film_list", "films:person_list", "films:location_list"]

    def location(self, item):
        return reverse(item)


class FilmSitemap(SiteSitemap):
    def items(self):
        return Film.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, film):
        return film.updated_at


class PersonSitemap(SiteSitemap):
    def items(self):
        return Person.objects.order_by("pk").only("slug")


class LocationSitemap(SiteSitemap):
    def items(self):
        return Location.objects.order_by("pk").only("slug")


# /sitemap.xml is an index of these sections, each paginated at 50,000 URLs as the protocol
# requires, so the site map keeps working when an import brings millions of people.
SITEMAPS = {
    "pages": ListPageSitemap,
    "films": FilmSitemap,
    "people": PersonSitemap,
    "locations": LocationSitemap,
}


def for_origin(origin):
    """The sections, each writing its URLs on origin."""
    return {name: section(origin) for name, section in SITEMAPS.items()}
