from django.urls import path, register_converter

from . import data, views
from .converters import ItemIdConverter, RoleConverter
from .filters import (
    CreditFilter,
    FilmFilter,
    LocationFilter,
    MakingOfFilter,
    NameFilter,
    TriviaFilter,
)

app_name = "films"
register_converter(RoleConverter, "role")
register_converter(ItemIdConverter, "item")

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
    # One item of a film's section, at its id: the address never changes (films/views.py).
    path(
        "films/<slug:slug>/trivia/<item:item_id>/",
        views.film_item,
        {"section": "trivia"},
        name="trivia_item",
    ),
    path(
        "films/<slug:slug>/making-of/<item:item_id>/",
        views.film_item,
        {"section": "making_of"},
        name="making_of_item",
    ),
    path(
        "films/<slug:slug>/reviews/<item:item_id>/",
        views.film_item,
        {"section": "reviews"},
        name="reviews_item",
    ),
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

# Each page's data: the page's path without its last slash, ending in .json or .csv.
urlpatterns += [
    *data.data_paths("films", data.data_view(data.FilmList, *FilmFilter.base_filters), "film_list"),
    *data.data_paths("films/<slug:slug>", data.data_view(data.FilmDetail), "film_detail"),
    *data.data_paths(
        "films/<slug:slug>/cast",
        data.data_view(data.FilmCast, *CreditFilter.base_filters),
        "film_cast",
    ),
    *data.data_paths(
        "films/<slug:slug>/making-of",
        data.data_view(data.FilmMakingOf, *MakingOfFilter.base_filters),
        "film_making_of",
    ),
    *data.data_paths(
        "films/<slug:slug>/trivia",
        data.data_view(data.FilmTrivia, *TriviaFilter.base_filters),
        "film_trivia",
    ),
    *data.data_paths("films/<slug:slug>/reviews", data.data_view(data.FilmReviews), "film_reviews"),
    *data.data_paths(
        "films/<slug:slug>/trivia/<item:item_id>", data.data_view(data.TriviaItem), "trivia_item"
    ),
    *data.data_paths(
        "films/<slug:slug>/making-of/<item:item_id>",
        data.data_view(data.MakingOfItem),
        "making_of_item",
    ),
    *data.data_paths(
        "films/<slug:slug>/reviews/<item:item_id>", data.data_view(data.ReviewItem), "reviews_item"
    ),
    *data.data_paths(
        "people", data.data_view(data.PersonList, *NameFilter.base_filters), "person_list"
    ),
    *data.data_paths("people/<slug:slug>", data.data_view(data.PersonDetail), "person_detail"),
    *data.data_paths(
        "people/<slug:slug>/filmography/<role:role>",
        data.data_view(data.PersonFilmography),
        "person_filmography",
    ),
    *data.data_paths(
        "locations",
        data.data_view(data.LocationList, *LocationFilter.base_filters),
        "location_list",
    ),
    *data.data_paths(
        "locations/<slug:slug>", data.data_view(data.LocationFilms), "location_detail"
    ),
    path("api/", views.api, name="api"),
    path("api/schema/", data.schema, name="api_schema"),
]

urlpatterns += [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
]
