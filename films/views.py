from django.shortcuts import get_object_or_404, render

from .models import Film, Location, Person

# Lists, search and the home page.


def home(request):
    films = Film.objects.order_by("-added_at", "title")[:50]
    return render(request, "films/home.html", {"films": films})


def search(request):
    return render(request, "films/home.html", {"films": Film.objects.none()})


def film_list(request):
    return render(request, "films/home.html", {"films": Film.objects.all()[:100]})


def person_list(request):
    return render(request, "films/home.html", {"films": Film.objects.none()})


def location_list(request):
    return render(request, "films/home.html", {"films": Film.objects.none()})


# Pages of one film, one person, one location.


def film_detail(request, slug):
    film = get_object_or_404(Film, slug=slug)
    return render(request, "films/film_detail.html", {"film": film})


def film_cast(request, slug):
    return film_detail(request, slug)


def film_making_of(request, slug):
    return film_detail(request, slug)


def film_trivia(request, slug):
    return film_detail(request, slug)


def film_reviews(request, slug):
    return film_detail(request, slug)


def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    return render(request, "films/simple_detail.html", {"object": person})


def location_detail(request, slug):
    location = get_object_or_404(Location, slug=slug)
    return render(request, "films/simple_detail.html", {"object": location})
