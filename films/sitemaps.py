from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Film, Location, Person


class ListPageSitemap(Sitemap):
    def items(self):
        return ["films:home", "films:film_list", "films:person_list", "films:location_list"]

    def location(self, item):
        return reverse(item)


class FilmSitemap(Sitemap):
    def items(self):
        return Film.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, film):
        return film.updated_at


class PersonSitemap(Sitemap):
    def items(self):
        return Person.objects.order_by("pk").only("slug")


class LocationSitemap(Sitemap):
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
