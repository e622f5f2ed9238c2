from django.urls import path

from . import views

app_name = "films"

urlpatterns = [
    path("", views.home, name="home"),
    path("films/", views.film_list, name="film_list"),
    path("films/<str:slug>/", views.film_detail, name="film_detail"),
    path("films/<str:slug>/cast/", views.film_detail, name="film_cast"),
    path("films/<str:slug>/making-of/", views.film_detail, name="film_making_of"),
    path("films/<str:slug>/trivia/", views.film_detail, name="film_trivia"),
    path("films/<str:slug>/reviews/", views.film_detail, name="film_reviews"),
    path("people/<str:slug>/", views.person_detail, name="person_detail"),
    path("locations/<str:slug>/", views.location_detail, name="location_detail"),
]
