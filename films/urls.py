from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from moviedb.query import understands

from . import views
from .converters import RoleConverter
from .sitemaps import SITEMAPS

app_name = "films"
register_converter(RoleConverter, "role")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("films/", views.film_list, name="film_list"),
    path("films/<slug:slug>/", views.film_detail, name="film_detail"),
    path("films/<slug:slug>/cast/", views.film_cast, name="film_cast"),
    path("films/<slug:slug>/making-of/", views.film_making_of, name="film_making_of"),
    path("films/<slug:slug>/trivia/", views.film_trivia, name="film_trivia"),
    path("films/<slug:slug>/reviews/", views.film_reviews, name="film_reviews"),
    path("people/", views.person_list, name="person_list"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path(
        "people/<slug:slug>/filmography/<role:role>/",
        views.person_filmography,
        name="person_filmography",
    ),
    path("locations/", views.location_list, name="location_list"),
    path("locations/<slug:slug>/", views.location_detail, name="location_detail"),
]

urlpatterns += [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        understands()(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "films:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        understands("p")(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
