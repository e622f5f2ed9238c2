"""The site's URLs, plus a bare view: the floor the page benchmark compares pages with."""

from django.http import HttpResponse
from django.urls import path

from moviedb.urls import urlpatterns as site_urlpatterns


def bare(request):
    """A fixed string: the cost of gunicorn and the middleware stack without any page."""
    return HttpResponse("moviedb", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
