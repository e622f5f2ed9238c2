from django.urls import path, register_converter

from . import views
from .converters import RoleConverter

app_name = "films"
register_converter(RoleConverter, "role")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/people/", views.person_suggest, name="person_suggest"),
    path("films/", views.film_list, name="film_list"),
    path("feed.atom", views.recent_films_feed, name="feed"),
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
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
]
