import functools

from django import forms
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse

from moviedb.http import read_only
from moviedb.origin import absolute_url, site_origin
from moviedb.query import understands

from . import jsonld
from .cards import (
    CARD_COLUMNS,
    card_rows,
    film_cards,
    genres_from_database,
    render_cards,
)
from .feeds import RecentFilmsFeed
from .film_page import film_page
from .filters import (
    TEXT_MAX_LENGTH,
    CreditFilter,
    FilmFilter,
    FilterForm,
    LocationFilter,
    MakingOfFilter,
    NameFilter,
    TriviaFilter,
    people_named_like,
)
from .freshness import remember
from .jinja import render_fragment
from .maps import place_map
from .models import (
    Credit,
    Film,
    FilmQuerySet,
    Location,
    Person,
    RemovedItem,
    Review,
    Trivia,
    attributions,
)
from .pagination import CappedPaginator
from .paths import site_paths, slug_paths
from .search import ranked_matches
from .sitemaps import for_origin as sitemap_sections
from .templatetags.moviedb import links_of_pages

# Lists, search and the home page.

FILMS_PER_PAGE = 24
NAMES_PER_PAGE = 60
SEARCH_RESULTS_PER_KIND = 20
HOME_SHELF_SIZE = 8
# The most places a location page marks on its map: those in it, for a country or a region.
MAP_PLACES = 200
# The people suggested as a name is typed in the film list's person box, and how much of a
# name must be typed first.
PERSON_SUGGESTIONS = 10
PERSON_SUGGESTION_MIN_LENGTH = 2


class PageNotInList(Http404):
    """A page number a list does not have (past its end, or not a number)."""

    def __init__(self, request, paginator, *, name, number):
        self.number = number
        self.num_pages = paginator.num_pages
        query = request.GET.copy()
        query["page"] = self.num_pages
        if self.num_pages == 1:
            del query["page"]
        self.last_page_url = f"{request.path}?{query.urlencode()}" if query else request.path
        pages = f"{self.num_pages} page{pluralize(self.num_pages)}"
        number = str(number)
        if number.isdigit() and len(number) <= 20 and int(number) > self.num_pages:
            message = f"{name} has {pages}; there is no page {number}."
        else:
            shown = number if len(number) <= 20 else f"{number[:20]}…"
            message = f"{name} has no page “{shown}”; its pages are numbered 1 to {self.num_pages}."
        super().__init__(message)


def paginate(request, queryset, per_page, *, name, total=None):
    """The page of `queryset` the query string asks for; a page that doesn't exist raises
    PageNotInList, which says which list (`name`, "The film list") it was. Lists are paged
    at most MAX_PAGES deep, with a total that may be estimated (see films/pagination.py)
    unless the caller counted it (`total`)."""
    paginator = CappedPaginator(queryset, per_page, total=total)
    number = request.GET.get("page") or 1
    try:
        page = paginator.page(number)
    except InvalidPage as error:
        raise PageNotInList(request, paginator, name=name, number=number) from error
    return page


def lists_pages(view):
    """A view whose page number may be past the end of its list: that answers 404 with a
    page saying which list it was and linking to its last page."""

    @functools.wraps(view)
    def view_with_pages(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PageNotInList as missing:
            context = {"message": str(missing), "last_page_url": missing.last_page_url}
            return render(request, "films/page_not_in_list.html", context, status=404)

    return view_with_pages


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


@read_only
@understands()
def home(request):
    films = Film.objects.all()
    people = Person.objects.all()
    # Totals and facets pass over every film: counted once per change of the data.
    return render(
        request,
        "films/home.html",
        {
            "film_total": remember("count", films, films.count),
            "person_total": remember("count", people, people.count),
            "top_rated": films.top_rated()[:HOME_SHELF_SIZE],
            "recently_added": films.recently_added()[:HOME_SHELF_SIZE],
            "decade_counts": remember("decade-counts", films, lambda: list(films.decade_counts())),
            "genre_counts": remember("genre-counts", films, lambda: list(films.genre_counts())),
        },
    )


SEARCHED_TITLES = ("title", "original_title")


class SearchForm(FilterForm):
    q = forms.CharField(label="Search for", max_length=TEXT_MAX_LENGTH, required=False)


@read_only
@understands(*SearchForm.base_fields)
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "query": query}
    if query:
        # One more than is shown of each kind, to know whether to link to the whole list.
        limit = SEARCH_RESULTS_PER_KIND + 1
        films = ranked_matches(
            Film.objects.all(), SEARCHED_TITLES, query, "title", "pk", prominence="vote_count"
        )
        film_rows = list(films.values(*CARD_COLUMNS, "relevance")[:limit])
        people = ranked_matches(
            Person.objects.with_description(), "name", query, "name", "pk", prominence="prominence"
        )
        people = people[:limit]
        locations = ranked_matches(Location.objects.all(), "name", query, "name", "pk")[:limit]
        film_path = slug_paths("films:film_detail")
        found = [
            *((row["relevance"], film_path(row["slug"])) for row in film_rows),
            *((match.relevance, match.get_absolute_url()) for match in [*people, *locations]),
        ]
        if len(found) == 1 and found[0][0] == 0:
            return redirect(found[0][1])
        cards = film_cards(film_rows[:SEARCH_RESULTS_PER_KIND], genres_from_database)
        context |= {
            "films": cards,
            "film_cards": render_cards(cards),
            "more_films": len(film_rows) == limit,
            "people": people[:SEARCH_RESULTS_PER_KIND],
            "more_people": len(people) == limit,
            "locations": locations[:SEARCH_RESULTS_PER_KIND],
            "more_locations": len(locations) == limit,
            "found_any": bool(found),
        }
    return render(request, "films/search.html", context)


@read_only
@understands(*SearchForm.base_fields)
def person_suggest(request):
    """People whose name holds the typed words, with their descriptions, as JSON for the
    film list's person box: {"results": [{"slug", "name", "description", "url"}, ...]}."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    people = []
    if len(query) >= PERSON_SUGGESTION_MIN_LENGTH:
        people = people_named_like(query, limit=PERSON_SUGGESTIONS)
    results = [
        {
            "slug": person.slug,
            "name": person.name,
            "description": person.description,
            "url": person.get_absolute_url(),
        }
        for person in people
    ]
    return JsonResponse({"results": results})


@read_only
@understands(*FilmFilter.base_filters, "page")
@lists_pages
def film_list(request):
    if tidied := tidy_query_redirect(request):
        return tidied
    # The FilterSet applies the visitor's filters and sort order to the default-sorted films.
    filters = FilmFilter(request.GET, queryset=Film.objects.sorted_by(FilmFilter.DEFAULT_SORT))
    if indexed := filters.from_catalogue():
        # The filters on the films' own columns and genres: counted and paged in memory
        # (films/catalogue.py).
        index, counts = indexed
        genre_counts, decade_counts = counts.genre_counts, counts.decade_counts
        film_ids = index.ranked(counts, filters.form.cleaned_data.get("sort"))
        page = paginate(request, film_ids, FILMS_PER_PAGE, name="The film list", total=counts.total)
        genres_of = index.genres_of
    else:
        # Each facet counts the films the other filters keep (FilmFilter.without); the decade
        # facet's counts give the list's total too.
        genre_counts, decade_counts = filters.facet_counts()
        rows = filters.qs.values(*CARD_COLUMNS)
        total = filters.total(decade_counts)
        page = paginate(request, rows, FILMS_PER_PAGE, name="The film list", total=total)
        genres_of = genres_from_database
    rows = card_rows(page.object_list) if indexed else list(page.object_list)
    page.object_list = film_cards(rows, genres_of)
    context = {
        "filters": filters,
        "page_obj": page,
        "chips": filters.chips(),
        "person_choices": filters.person_choices(),
        "problems": filters.problems(),
        "inputs": filters.form_inputs(),
        "genre_facets": filters.genre_facets(genre_counts),
        "genre_match": filters.genre_match_choices(),
        "decade_facets": filters.decade_facets(decade_counts),
    }
    # The page's content is rendered by Jinja2 (films/jinja.py), its frame by Django.
    content = render_fragment(
        "films/film_list.jinja",
        **context,
        cards=page.object_list,
        links=links_of_pages(request.GET, page),
        site_paths=site_paths(request)["site_paths"],
    )
    # What the sources of the cards' facts ask a page showing them to say, each once.
    credits = list(dict.fromkeys(card.attribution for card in page if card.attribution))
    return render(
        request,
        "films/film_list.html",
        {**context, "content_html": content, "attributions": credits},
    )


@read_only
@understands(*NameFilter.base_filters, "page")
@lists_pages
def person_list(request):
    if tidied := tidy_query_redirect(request):
        return tidied
    filters = NameFilter(request.GET, queryset=Person.objects.for_list())
    return render(
        request,
        "people/person_list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, filters.qs, NAMES_PER_PAGE, name="The list of people"),
        },
    )


@read_only
@understands(*LocationFilter.base_filters, "page")
@lists_pages
def location_list(request):
    if tidied := tidy_query_redirect(request):
        return tidied
    locations = Location.objects.for_list().order_by("name", "pk")
    filters = LocationFilter(request.GET, queryset=locations)
    page = paginate(request, filters.qs, NAMES_PER_PAGE, name="The list of filming locations")
    within = filters.within_place
    return render(
        request,
        "locations/location_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "within": within,
            # Countries, or the regions of the place browsed: the places with places in them.
            "subdivisions": Location.objects.containing_places(within),
            "place_map": place_map(
                page.object_list,
                title=f"Map of the filming locations in {within.name}"
                if within
                else ("Map of the filming locations on this page"),
            ),
            "breadcrumbs": [
                ("Locations", reverse("films:location_list")),
                *((place.short_name, place.get_places_url()) for place in within.ancestors()),
                (within.short_name, None),
            ]
            if within
            else None,
        },
    )


recent_films_feed = read_only(understands()(RecentFilmsFeed()))


@read_only
@understands()
def api(request):
    """The page that explains the pages' data and links to its OpenAPI description."""
    return render(
        request,
        "films/api.html",
        {
            "breadcrumbs": [("Data and API", None)],
            "canonical_url": absolute_url(request, request.path),
            "schema_url": absolute_url(request, reverse("films:api_schema")),
            "example_url": absolute_url(request, reverse("films:film_list_json")),
        },
    )


@read_only
@understands()
def robots_txt(request):
    sitemap_url = absolute_url(request, reverse("films:sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")


@read_only
@understands()
@sitemap_views.x_robots_tag
def sitemap_index(request):
    """/sitemap.xml: Django's index of the site map's sections, on the site's origin."""
    items = []
    for name, section in sitemap_sections(site_origin(request)).items():
        url = absolute_url(request, reverse("films:sitemap_section", kwargs={"section": name}))
        lastmod = section.get_latest_lastmod()
        items.append(sitemap_views.SitemapIndexItem(url, lastmod))
        items += [
            sitemap_views.SitemapIndexItem(f"{url}?p={number}", lastmod)
            for number in range(2, section.paginator.num_pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )


@read_only
@understands("p")
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, sitemap_sections(site_origin(request)), section=section)


# Pages of one film, one person, one location.

REVIEWS_PER_PAGE = 20
CREDITS_PER_ROLE = 50
DID_YOU_KNOW = (Trivia.Kind.TRIVIA, Trivia.Kind.GOOF, Trivia.Kind.QUOTE)


class _Moved(Exception):
    def __init__(self, url):
        super().__init__(url)
        self.url = url


def get_by_slug(request, queryset, slug):
    """The row of queryset at slug. For a slug in another letter case, or one the row had
    before an editor or an import changed it, the page redirects permanently to the same page
    at the current slug (the view must be wrapped in @follows_moves); Http404 when slug
    names nothing."""
    row = queryset.filter(slug=slug).first()
    if row is None:
        not_at_slug(request, queryset.model, slug)
    return row


def not_at_slug(request, model, slug):
    """Raises for a slug at which no row of model is found: the redirect to the current slug
    get_by_slug() describes, or Http404."""
    current = model.objects.current_slug(slug)
    if current is None or current == slug:
        raise Http404(f"Nothing is found at “{slug}”.")
    match = request.resolver_match
    url = reverse(match.view_name, kwargs={**match.kwargs, "slug": current})
    if query := request.META.get("QUERY_STRING"):
        url = f"{url}?{query}"
    raise _Moved(url)


def follows_moves(view):
    """Answers a view's get_by_slug() that found an old address with a permanent redirect."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Moved as moved:
            return HttpResponsePermanentRedirect(moved.url)

    return wrapper


def _canonical_url(request, page):
    """The address search engines should keep for this page of a list: each page is its own
    page (the first has no `?page=`), and any other query parameter is left out."""
    url = absolute_url(request, request.path)
    return url if page.number == 1 else f"{url}?page={page.number}"


def _film_crumbs(film, page=None):
    crumbs = [("Films", reverse("films:film_list"))]
    if page is None:
        return [*crumbs, (str(film), None)]
    return [*crumbs, (str(film), film.get_absolute_url()), (page, None)]


# The pages of one film, by the section that marks their tab.
FILM_SECTIONS = {
    "overview": "films:film_detail",
    "cast": "films:film_cast",
    "making_of": "films:film_making_of",
    "trivia": "films:film_trivia",
    "reviews": "films:film_reviews",
}


def _render_film_page(request, template, film, *, section, page_name=None, **context):
    """A page of one film: section marks its tab, page_name ends its breadcrumbs."""
    return render(
        request,
        template,
        {
            "film": film,
            "film_paths": {
                name: slug_paths(view_name)(film.slug) for name, view_name in FILM_SECTIONS.items()
            },
            "section": section,
            "page_name": page_name,
            "breadcrumbs": _film_crumbs(film, page_name),
            "canonical_url": absolute_url(request, request.path),
            "site_origin": site_origin(request),
            **context,
        },
    )


@read_only
@follows_moves
@understands()
def film_detail(request, slug):
    page = film_page(slug)
    if page is None:
        not_at_slug(request, Film, slug)
    person_path = slug_paths("films:person_detail")
    headline = page.headline_credits
    for credit in headline:
        credit["person_url"] = person_path(credit["person_slug"])
    directors = [c for c in headline if c["role"] == Credit.Role.DIRECTOR]
    top_cast = [
        c
        for c in headline
        if c["role"] == Credit.Role.CAST and c["billing"] <= FilmQuerySet.TOP_BILLED
    ]
    firsts = {item["kind"]: item for item in page.first_trivia}
    making_of = [firsts[kind] for kind in Trivia.MAKING_OF_KINDS if kind in firsts]
    for item in page.first_trivia:
        item["noun"] = Trivia.NOUNS[item["kind"]]
    genre_list = reverse("films:film_list")  # a genre's page is the list filtered by it
    genres = [{**genre, "url": f"{genre_list}?genre={genre['slug']}"} for genre in page.genres]
    location_path = slug_paths("films:location_detail")
    filming_locations = [
        {**filming, "url": location_path(filming["slug"])} for filming in page.filming_locations
    ]
    writers = [c for c in headline if c["role"] == Credit.Role.WRITER]
    stars = [c for c in headline if c["is_star"]]
    credit_rows = [("Director", directors), ("Writer", writers), ("Star", stars)]
    origin = site_origin(request)
    return _render_film_page(
        request,
        "films/film_detail.html",
        page.film,
        section="overview",
        genres=genres,
        taglines=page.taglines,
        filming_locations=filming_locations,
        directors=directors,
        credit_rows=[(label, credits) for label, credits in credit_rows if credits],
        top_cast=top_cast,
        did_you_know=[firsts[kind] for kind in DID_YOU_KNOW if kind in firsts],
        making_of_teaser=making_of[0] if making_of else None,
        review=page.review,
        sources=page.sources,
        attributions=attributions(page.sources),
        place_map=place_map(page.places, title=f"Map of the filming locations of {page.film}"),
        movie=jsonld.movie(
            page.film,
            genres=genres,
            directors=directors,
            cast=top_cast,
            review=page.review,
            absolute=lambda path: origin + path,
        ),
    )


@read_only
@follows_moves
@understands(*CreditFilter.base_filters)
def film_cast(request, slug):
    film = get_by_slug(request, _film_with_source(), slug)
    credits = film.credits.select_related("person", "source").in_role_order()
    credit_filter = CreditFilter(request.GET, queryset=credits)
    return _render_film_page(
        request,
        "films/film_cast.html",
        film,
        section="cast",
        page_name="Full cast & crew",
        filter=credit_filter,
        credits=credit_filter.qs,
        attributions=attributions([film.source, *(credit.source for credit in credit_filter.qs)]),
    )


SECTION_HEADINGS = {
    Trivia.Kind.TRIVIA: "Trivia",
    Trivia.Kind.GOOF: "Goofs",
    Trivia.Kind.QUOTE: "Quotes",
    Trivia.Kind.BEHIND_THE_SCENES: "Behind the scenes",
    Trivia.Kind.DELETED_SCENE: "Deleted scenes",
    Trivia.Kind.ALTERNATE_VERSION: "Alternate versions",
}


def _film_with_source():
    """A film for one of its section pages, with the source of its own facts."""
    return Film.objects.with_section_counts().select_related("source")


def _shared_source(items):
    """The source every one of items came from, if they share one: the page names it once."""
    return items[0].source if len({item.source_id for item in items}) == 1 else None


def _sections(items, kinds):
    """Items grouped under each of kinds, in the kinds' order, empty groups included; each
    group names the source its items share, if they share one."""
    sections = []
    for kind in kinds:
        of_kind = [item for item in items if item.kind == kind]
        sections.append(
            {
                "kind": kind,
                "heading": SECTION_HEADINGS[kind],
                "items": of_kind,
                "source": _shared_source(of_kind),
            }
        )
    return {"sections": sections, "matched": len(items)}


@read_only
@follows_moves
@understands(*MakingOfFilter.base_filters)
def film_making_of(request, slug):
    film = get_by_slug(request, _film_with_source(), slug)
    items = film.trivia.filter(kind__in=Trivia.MAKING_OF_KINDS).select_related("source")
    making_of_filter = MakingOfFilter(request.GET, queryset=items.in_kind_order())
    items = list(making_of_filter.qs)
    return _render_film_page(
        request,
        "films/film_making_of.html",
        film,
        section="making_of",
        page_name="Making-of",
        filter=making_of_filter,
        attributions=attributions([film.source, *(item.source for item in items)]),
        **_sections(items, Trivia.MAKING_OF_KINDS),
    )


@read_only
@follows_moves
@understands(*TriviaFilter.base_filters)
def film_trivia(request, slug):
    film = get_by_slug(request, _film_with_source(), slug)
    items = film.trivia.exclude(kind__in=Trivia.MAKING_OF_KINDS).select_related("source")
    trivia_filter = TriviaFilter(request.GET, queryset=items.in_kind_order())
    kinds = [kind for kind in Trivia.Kind if kind not in Trivia.MAKING_OF_KINDS]
    items = list(trivia_filter.qs)
    return _render_film_page(
        request,
        "films/film_trivia.html",
        film,
        section="trivia",
        page_name="Trivia, goofs and quotes",
        filter=trivia_filter,
        attributions=attributions([film.source, *(item.source for item in items)]),
        **_sections(items, kinds),
    )


@read_only
@follows_moves
@understands("page")
@lists_pages
def film_reviews(request, slug):
    film = get_by_slug(request, _film_with_source(), slug)
    reviews = film.reviews.select_related("source").order_by("order")
    page = paginate(request, reviews, REVIEWS_PER_PAGE, name=f"The list of reviews of {film}")
    shown = list(page.object_list)
    return _render_film_page(
        request,
        "films/film_reviews.html",
        film,
        section="reviews",
        page_name="Reviews",
        page_obj=page,
        reviews=shown,
        shared_source=_shared_source(shown),
        attributions=attributions([film.source, *(review.source for review in shown)]),
        canonical_url=_canonical_url(request, page),
    )


# One item of a film on a page of its own.

# section: (the film's page that lists its items, that page's name, a link to it before
# the film's name)
ITEM_SECTIONS = {
    "trivia": ("films:film_trivia", "Trivia, goofs and quotes", "All trivia, goofs and quotes of"),
    "making_of": ("films:film_making_of", "Making-of", "The making of"),
    "reviews": ("films:film_reviews", "Reviews", "All reviews of"),
}
# How an item's page names it with its film: "Goof · Anachronisms in Mask (1985)", but
# "Review of Mask (1985)".
ITEMS_OF_A_FILM = {Trivia.Kind.BEHIND_THE_SCENES, Trivia.Kind.ALTERNATE_VERSION, RemovedItem.REVIEW}


def _item_label(item):
    """What an item is: "Goof · Anachronisms", "Quote", "Review"."""
    if isinstance(item, Review):
        return "Review"
    label = item.get_kind_display()
    return f"{label} · {item.goof_category}" if item.goof_category else label


def _item_text(item):
    return item.body if isinstance(item, Review) else item.text


def _neighbour(item):
    """What the link to a neighbouring item shows; None for no neighbour."""
    if item is None:
        return None
    summary = item.title if isinstance(item, Review) and item.title else _item_text(item)
    return {"url": item.get_absolute_url(), "noun": item.noun, "summary": summary}


def _section_url(film, item):
    """The film's page that lists item, at the item: the page of the reviews it is on."""
    page = ITEM_SECTIONS[item.section][0]
    url = reverse(page, args=[film.slug])
    if isinstance(item, Review):
        number = item.position // REVIEWS_PER_PAGE + 1
        return f"{url}?page={number}#review-{item.pk}" if number > 1 else f"{url}#review-{item.pk}"
    return f"{url}#item-{item.pk}"


@read_only
@follows_moves
@understands()
def film_item(request, slug, item_id, section):
    """A trivia item, goof, quote, making-of story or review on a page of its own, at its
    film's address (which follows the film's moves) and its id, which no re-import changes.
    An item that was removed answers 410 Gone, linking to its film's section; an id the
    film never had, 404, and so does an item asked for under another film."""
    try:
        film = get_by_slug(
            request, Film.objects.with_section_counts().select_related("source"), slug
        )
    except Http404:
        if removed := RemovedItem.objects.of_address(section, item_id, film_slug=slug):
            return _removed_item(request, removed)
        raise
    # Through the film's own manager, the items found know their film without a query.
    siblings = film.reviews.all() if section == "reviews" else film.trivia.all()
    found = siblings.with_position() if section == "reviews" else siblings
    item = found.select_related("source").filter(pk=item_id).first()
    if item is None:
        if removed := RemovedItem.objects.of_address(section, item_id, film=film):
            return _removed_item(request, removed)
        raise Http404(f"{film} has no such item.")
    if item.section != section:  # an editor moved it between trivia and the making-of
        return HttpResponsePermanentRedirect(item.get_absolute_url())
    previous, following = siblings.neighbours(item)
    _, section_name, section_link = ITEM_SECTIONS[section]
    label = _item_label(item)
    section_url = _section_url(film, item)
    return _render_film_page(
        request,
        "films/item_detail.html",
        film,
        section="item",
        page_name=label,
        item=item,
        preposition="of" if getattr(item, "kind", RemovedItem.REVIEW) in ITEMS_OF_A_FILM else "in",
        section_url=section_url,
        section_name=section_name,
        section_link=section_link,
        text=_item_text(item),
        previous=_neighbour(previous),
        next=_neighbour(following),
        breadcrumbs=[
            *_film_crumbs(film, section_name)[:-1],
            (section_name, section_url),
            (label, None),
        ],
        attributions=attributions([film.source, item.source]),
        item_data=jsonld.item(
            item, film, name=label, absolute=functools.partial(absolute_url, request)
        ),
    )


def _removed_item(request, removed):
    """410 Gone for an item that was removed, with a link to its film's section."""
    film = removed.film
    page, _, section_link = ITEM_SECTIONS[removed.section]
    context = {
        "removed": removed,
        "film": film,
        # A film that went too leaves the film list to look in.
        "section_url": reverse(page, args=[film.slug]) if film else reverse("films:film_list"),
        "section_link": section_link,
    }
    return render(request, "films/item_removed.html", context, status=410)


def _person_crumbs(person, page=None):
    crumbs = [("People", reverse("films:person_list"))]
    if page is None:
        return [*crumbs, (person.name, None)]
    return [*crumbs, (person.name, person.get_absolute_url()), (page, None)]


@read_only
@follows_moves
@understands()
def person_detail(request, slug):
    """A person's filmography by role: the newest CREDITS_PER_ROLE credits of each role,
    and a link to the whole list of a role that has more."""
    person = get_by_slug(request, Person.objects, slug)
    # Each role's count, and the year from which its newest credits are read: only those,
    # not the whole filmography, leave the index.
    roles = person.credits.newest_years_by_role(CREDITS_PER_ROLE)
    filmography = list(
        person.credits.select_related("film").newest_of_each_role(
            CREDITS_PER_ROLE, from_years={role: year for role, (_, year) in roles.items()}
        )
    )
    sections = [
        {
            "role": role,
            "total": roles[role][0],
            "credits": [credit for credit in filmography if credit.role == role],
        }
        for role in Credit.Role
        if role in roles
    ]
    known_for = Film.objects.known_for(person)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "sections": sections,
            "known_for": known_for,
            "breadcrumbs": _person_crumbs(person),
            "canonical_url": absolute_url(request, request.path),
            "person_data": jsonld.person(
                person, known_for=known_for, absolute=functools.partial(absolute_url, request)
            ),
        },
    )


@read_only
@follows_moves
@understands("page")
@lists_pages
def person_filmography(request, slug, role):
    """Every credit of one role of a person, CREDITS_PER_ROLE to a page."""
    person = get_by_slug(request, Person.objects, slug)
    totals = person.credits.count_by_role()
    if role not in totals:
        raise Http404(f"{person} has no credits as {role.label.lower()}.")
    credits = person.credits.filter(role=role).select_related("film").in_filmography_order()
    name = f"The list of credits of {person.name} as {role.label.lower()}"
    page = paginate(request, credits, CREDITS_PER_ROLE, name=name)
    return render(
        request,
        "people/person_filmography.html",
        {
            "person": person,
            "role": role,
            "roles": [(each, totals[each]) for each in Credit.Role if each in totals],
            "page_obj": page,
            "credits": page.object_list,
            "breadcrumbs": _person_crumbs(person, role.label),
            "canonical_url": _canonical_url(request, page),
        },
    )


@read_only
@follows_moves
@understands("page")
@lists_pages
def location_detail(request, slug):
    location = get_by_slug(request, Location.objects.with_ancestors(), slug)
    # Each filming's note and its film's card columns, in one query per page.
    film_columns = {f"film__{column}": column for column in CARD_COLUMNS}
    filmings = location.filmings.newest_films_first().values("note", *film_columns)
    name = f"The list of films shot at {location.name}"
    page = paginate(request, filmings, FILMS_PER_PAGE, name=name)
    # A place with no position of its own (a country, a region) is shown by the places in it.
    places_inside = Location.objects.within(Location.objects.filter(pk=location.pk))
    places_inside = list(places_inside.exclude(pk=location.pk).order_by("name", "pk")[:MAP_PLACES])
    mapped = [location] if location.has_coordinates else places_inside
    return render(
        request,
        "locations/location_detail.html",
        {
            "location": location,
            "page_obj": page,
            "film_cards": render_cards(
                film_cards(
                    [
                        {column: row[key] for key, column in film_columns.items()}
                        | {"note": row["note"]}
                        for row in page.object_list
                    ],
                    genres_from_database,
                ),
                heading_level=2,
                items=False,
            ),
            "has_places_inside": bool(places_inside),
            "place_map": place_map(mapped, title=f"Map of {location.name}"),
            "breadcrumbs": [
                ("Locations", reverse("films:location_list")),
                *((place.short_name, place.get_absolute_url()) for place in location.ancestors()),
                (location.short_name, None),
            ],
            "canonical_url": _canonical_url(request, page),
            "place": jsonld.place(location, absolute=functools.partial(absolute_url, request)),
        },
    )
