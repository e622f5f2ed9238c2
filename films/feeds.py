"""The Atom feed of films recently added, for feed readers: /feed.atom.

Its addresses are absolute on the site's origin (moviedb/origin.py), never on the Host a
request sent: the page cache keeps the feed and serves it to everyone.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from moviedb.origin import site_origin

from .models import Film

FEED_SIZE = 30


class RecentFilmsFeed(Feed):
    feed_type = Atom1Feed
    title = "moviedb: films recently added"
    subtitle = "The films most recently added to moviedb, newest first."
    author_name = "moviedb"

    def get_object(self, request, *args, **kwargs):
        return site_origin(request)

    def link(self, origin):
        return origin + reverse("films:film_list")

    def feed_url(self, origin):
        return origin + reverse("films:feed")

    def feed_guid(self, origin):
        return self.feed_url(origin)

    def items(self, origin):
        films = list(Film.objects.recently_added().select_related("source")[:FEED_SIZE])
        for film in films:
            film.url = origin + film.get_absolute_url()
        return films

    def item_title(self, film):
        return str(film)

    def item_description(self, film):
        return film.logline

    def item_link(self, film):
        return film.url

    def item_pubdate(self, film):
        return film.added_at

    def item_updateddate(self, film):
        return film.updated_at

    def item_copyright(self, film):
        """The attribution the film's source asks for (IMDb's), as the entry's rights."""
        return film.source.attribution if film.source and film.source.attribution else None
