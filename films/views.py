from django import forms
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .filters import TEXT_MAX_LENGTH, FilmFilter, FilterForm, NameFilter
from .models import Credit, Film, Location, Person
from .search import matches, relevance

# Lists, search and the home page.

FILMS_PER_PAGE = 30
NAMES_PER_PAGE = 60
SEARCH_RESULTS_PER_KIND = 20
HOME_SHELF_SIZE = 8


def paginate(request, queryset, per_page):
    """The page of `queryset` the query string asks for; a page that doesn't exist is a 404."""
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page") or 1
    try:
        page = paginator.page(number)
    except InvalidPage as error:
        raise Http404(f"This list has no page {number!r}.") from error
    # The page links: first, last and the neighbours, with "…" between (a template can't pass
    # the page number to get_elided_page_range itself).
    page.nearby_numbers = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return page


def tidy_query_redirect(request):
    """A GET form sends its empty fields too; redirect to the URL without them, the one worth
    sharing. None when the query string is already tidy."""
    if all(value for _, values in request.GET.lists() for value in values):
        return None
    query = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        query.setlist(name, [value for value in values if value])
    encoded = query.urlencode()
    return redirect(f"{request.path}?{encoded}" if encoded else request.path)


@require_safe
def home(request):
    films = Film.objects.all()
    return render(
        request,
        "films/home.html",
        {
            "film_total": films.count(),
            "person_total": Person.objects.count(),
            "top_rated": films.top_rated()[:HOME_SHELF_SIZE],
            "recently_added": films.recently_added()[:HOME_SHELF_SIZE],
            "decade_counts": films.decade_counts(),
            "genre_counts": films.genre_counts(),
        },
    )


class SearchForm(FilterForm):
    q = forms.CharField(label="Search for", max_length=TEXT_MAX_LENGTH, required=False)


@require_safe
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "query": query}
    if query:
        # One more than is shown of each kind, to know whether to link to the whole list.
        limit = SEARCH_RESULTS_PER_KIND + 1
        films = (
            Film.objects.title_matches(query)
            .annotate(relevance=relevance("title", query))
            .order_by("relevance", "-vote_count", "title", "pk")
            .for_list()[:limit]
        )
        people = (
            Person.objects.filter(matches("name", query))
            .annotate(relevance=relevance("name", query))
            .order_by("relevance", "name", "pk")[:limit]
        )
        locations = (
            Location.objects.filter(matches("name", query))
            .annotate(relevance=relevance("name", query))
            .order_by("relevance", "name", "pk")[:limit]
        )
        found = [*films, *people, *locations]
        if len(found) == 1 and found[0].relevance == 0:
            return redirect(found[0])
        context |= {
            "films": films[:SEARCH_RESULTS_PER_KIND],
            "more_films": len(films) == limit,
            "people": people[:SEARCH_RESULTS_PER_KIND],
            "more_people": len(people) == limit,
            "locations": locations[:SEARCH_RESULTS_PER_KIND],
            "more_locations": len(locations) == limit,
            "found_any": bool(found),
        }
    return render(request, "films/search.html", context)


@require_safe
def film_list(request):
    if tidied := tidy_query_redirect(request):
        return tidied
    # The FilterSet applies the visitor's filters and sort order to the default-sorted films.
    filters = FilmFilter(request.GET, queryset=Film.objects.sorted_by(FilmFilter.DEFAULT_SORT))
    films = filters.qs
    return render(
        request,
        "films/film_list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, films.for_list(), FILMS_PER_PAGE),
            "chips": filters.chips(),
            "problems": filters.problems(),
            "genre_facets": filters.genre_facets(films.genre_counts()),
            "decade_facets": filters.decade_facets(films.decade_counts()),
        },
    )


@require_safe
def person_list(request):
    if tidied := tidy_query_redirect(request):
        return tidied
    # A subquery per person on the page rather than a join: only the page's rows are counted.
    film_count = (
        Credit.objects.filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(count=Count("film", distinct=True))
        .values("count")
    )
    people = Person.objects.annotate(
        film_count=Coalesce(Subquery(film_count, output_field=IntegerField()), 0)
    ).order_by("name", "pk")
    filters = NameFilter(request.GET, queryset=people)
    return render(
        request,
        "people/person_list.html",
        {"filters": filters, "page_obj": paginate(request, filters.qs, NAMES_PER_PAGE)},
    )


@require_safe
def location_list(request):
    if tidied := tidy_query_redirect(request):
        return tidied
    # FilmingLocation is unique per film and location, so this counts films.
    locations = Location.objects.annotate(film_count=Count("filmings")).order_by("name", "pk")
    filters = NameFilter(request.GET, queryset=locations)
    return render(
        request,
        "locations/location_list.html",
        {"filters": filters, "page_obj": paginate(request, filters.qs, NAMES_PER_PAGE)},
    )


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("films:sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")


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
