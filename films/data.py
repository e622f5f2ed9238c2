"""The site's pages as data: add `.json` or `.csv` to the path of a list or a detail page.

`/films.json?genre=drama` is `/films/?genre=drama` as JSON: the same FilterSet
(films/filters.py) narrows and sorts the same base queryset, so a shared address and its
data always agree. Django REST framework serializes, and drf-spectacular describes every JSON
endpoint at /api/schema/ (the FilterSets' parameters included).

- JSON lists are paged by a keyset cursor (films/keyset.py): `next` reaches the end of any
  list, past the HTML's page cap, with the list's total (exact, or an estimate past
  EXACT_UP_TO rows on PostgreSQL, as the HTML says "about").
- CSV streams the whole list, a header row first, reading the database in chunks: memory
  stays flat however long the list. Its ETag is made from the data version and the query,
  since its body is never held.
- Answers go through the page cache, the rate limit and conditional GET like pages
  (moviedb/middleware.py), and carry `Access-Control-Allow-Origin: *`: the data is public.

A page gets its data in a few lines: a ListView or DetailView subclass naming its serializer
and rows (and FilterSet), and `data_paths(...)` beside its HTML path in films/urls.py (the
README shows an item page's).
"""

import copy
import csv
import functools
import hashlib
import itertools
import logging
import re
import threading

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.urls import path
from django.utils.http import http_date
from django_filters.rest_framework import ChoiceFilter, DjangoFilterBackend, MultipleChoiceFilter
from drf_spectacular.drainage import set_override
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import BasePagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from moviedb.http import read_only
from moviedb.middleware import CACHE_ERRORS, is_public_request
from moviedb.origin import absolute_url
from moviedb.query import canonical_query_string, understands

from . import keyset, pagination
from .filters import (
    CreditFilter,
    FilmFilter,
    LocationFilter,
    MakingOfFilter,
    NameFilter,
    TriviaFilter,
)
from .freshness import data_version, remember
from .models import (
    NEWEST_FILM_FIRST,
    Credit,
    Film,
    FilmingLocation,
    Location,
    Person,
    RemovedItem,
    Review,
    Source,
    Trivia,
)
from .pagination import count_total
from .views import _Moved, follows_moves, get_by_slug

logger = logging.getLogger(__name__)

FORMATS = ("json", "csv")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
ROWS_PER_PAGE = 100
CSV_ROWS_PER_CHUNK = 1000


# Fields


@extend_schema_field(OpenApiTypes.URI)
class PageUrl(serializers.Field):
    """The absolute address of the row's HTML page (its get_absolute_url)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, row):
        return absolute_url(self.context["request"], row.get_absolute_url())


def slugs(**kwargs):
    return serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug", **kwargs)


# Serializers: one row of each list, and the detail pages.


class SourceSerializer(serializers.ModelSerializer):
    """Where a row's facts came from (films/provenance.py); null for a row an editor made."""

    class Meta:
        model = Source
        fields = [
            "file_name",
            "content_hash",
            "format",
            "dataset_date",
            "terms",
            "attribution",
            "imported_at",
        ]


def source():
    return SourceSerializer(read_only=True, allow_null=True)


class FilmSerializer(serializers.ModelSerializer):
    genres = slugs(help_text="Genre slugs, as `genre=` takes them.")
    url = PageUrl()

    class Meta:
        model = Film
        fields = [
            "slug",
            "title",
            "original_title",
            "year",
            "rating",
            "vote_count",
            "runtime_minutes",
            "genres",
            "url",
        ]


class FilmDetailSerializer(FilmSerializer):
    taglines = serializers.SlugRelatedField(many=True, read_only=True, slug_field="text")
    credit_count = serializers.IntegerField(read_only=True)
    trivia_count = serializers.IntegerField(read_only=True)
    making_of_count = serializers.IntegerField(read_only=True)
    review_count = serializers.IntegerField(read_only=True)
    source = source()

    class Meta(FilmSerializer.Meta):
        fields = [
            *FilmSerializer.Meta.fields,
            "release_date",
            "release_country",
            "logline",
            "plot",
            "gross",
            "gross_currency",
            "gross_region",
            "imdb_id",
            "taglines",
            "credit_count",
            "trivia_count",
            "making_of_count",
            "review_count",
            "source",
        ]


class PersonSerializer(serializers.ModelSerializer):
    description = serializers.CharField(read_only=True)
    url = PageUrl()

    class Meta:
        model = Person
        fields = ["slug", "name", "description", "birth_year", "death_year", "imdb_id", "url"]


class PersonListSerializer(PersonSerializer):
    film_count = serializers.IntegerField(read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "film_count"]


class PersonDetailSerializer(PersonSerializer):
    credit_counts = serializers.SerializerMethodField(
        help_text="How many credits the person has in each role."
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "professions", "known_for", "credit_counts"]

    def get_credit_counts(self, person) -> dict[str, int]:
        return person.credits.count_by_role()


class LocationSerializer(serializers.ModelSerializer):
    film_count = serializers.IntegerField(read_only=True)
    url = PageUrl()

    class Meta:
        model = Location
        fields = ["slug", "name", "film_count", "url"]


class CreditSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    person_name = serializers.CharField(source="person.name", read_only=True)
    source = source()

    class Meta:
        model = Credit
        fields = [
            "person",
            "person_name",
            "role",
            "job",
            "character",
            "credited_as",
            "uncredited",
            "order",
            "is_star",
            "source",
            "source_line",
        ]


class FilmographySerializer(serializers.ModelSerializer):
    film = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    film_title = serializers.CharField(source="film.title", read_only=True)
    film_year = serializers.IntegerField(source="film.year", read_only=True)

    class Meta:
        model = Credit
        fields = ["film", "film_title", "film_year", "role", "job", "character", "credited_as"]


class TriviaSerializer(serializers.ModelSerializer):
    url = PageUrl()
    source = source()

    class Meta:
        model = Trivia
        fields = [
            "id",
            "kind",
            "text",
            "goof_category",
            "character",
            "contributor",
            "order",
            "url",
            "source",
            "source_line",
        ]


class ReviewSerializer(serializers.ModelSerializer):
    url = PageUrl()
    source = source()

    class Meta:
        model = Review
        fields = [
            "id",
            "title",
            "body",
            "author",
            "published",
            "score",
            "scale",
            "order",
            "url",
            "source",
            "source_line",
        ]


class FilmingSerializer(serializers.ModelSerializer):
    film = FilmSerializer(read_only=True)

    class Meta:
        model = FilmingLocation
        fields = ["film", "note"]


# Paging and formats


class CursorPaging(BasePagination):
    """ROWS_PER_PAGE rows after (or before) the cursor, in the list's own order; see
    films/keyset.py."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        keys = keyset.keys_of(queryset)
        exact_up_to = pagination.EXACT_UP_TO
        self.total = remember(
            "total", queryset, lambda: count_total(queryset, exact_up_to=exact_up_to)
        )
        backwards, values = False, None
        if cursor := request.query_params.get(self.cursor_query_param):
            try:
                backwards, values = keyset.read_cursor(cursor, keys)
            except keyset.BadCursor as error:
                raise ValidationError({self.cursor_query_param: [str(error)]}) from error
        walk = [key.reversed() for key in keys] if backwards else keys
        rows = queryset.order_by(*(key.order_by() for key in walk))
        if values is not None:
            rows = rows.filter(keyset.after(walk, values))
        page = list(rows[: ROWS_PER_PAGE + 1])
        more = len(page) > ROWS_PER_PAGE
        page = page[:ROWS_PER_PAGE]
        if backwards:
            page.reverse()
        has_next = more if not backwards else values is not None
        has_previous = more if backwards else values is not None
        self.next = page and has_next and keyset.make_cursor(keys, page[-1])
        self.previous = page and has_previous and keyset.make_cursor(keys, page[0], backwards=True)
        return page

    def _link(self, cursor):
        if not cursor:
            return None
        query = self.request.query_params.copy()
        query[self.cursor_query_param] = cursor
        return absolute_url(self.request, f"{self.request.path}?{canonical_query_string(query)}")

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.total.count,
                "count_is_estimate": self.total.estimated,
                "next": self._link(self.next),
                "previous": self._link(self.previous),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["count", "count_is_estimate", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer"},
                "count_is_estimate": {
                    "type": "boolean",
                    "description": "The count is PostgreSQL's estimate (past 10,000 rows).",
                },
                "next": link,
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the `next` or `previous` link gives it.",
                "schema": {"type": "string"},
            }
        ]


class WholeList(CursorPaging):
    """Every row on one page, for lists their HTML page shows whole (a film's cast)."""

    def paginate_queryset(self, queryset, request, view=None):
        page = list(queryset)
        self.total = pagination.Total(len(page))
        self.next = self.previous = None
        return page

    def get_schema_operation_parameters(self, view):
        return []


class InertJSONRenderer(JSONRenderer):
    """JSON with `<`, `>` and `&` written as escapes (`\\u003c`), as Django's json_script writes
    them: text from the data or echoed from the query string never reads as markup, whatever
    reads the answer. Those characters appear only inside strings, so the JSON is the same."""

    ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}

    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        return body.decode().translate(self.ESCAPES).encode()


class CSVRenderer(BaseRenderer):
    """Accepts `.csv` addresses; the views write the CSV themselves (csv_chunks), streamed
    for a list."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("The views write CSV themselves.")


class _Lines:
    """A file-like object csv.writer writes one line to and hands back."""

    def write(self, line):
        return line


def csv_chunks(columns, records):
    """CSV text of records (dicts with the columns) under a header row, in chunks of
    CSV_ROWS_PER_CHUNK rows."""
    writer = csv.writer(_Lines())
    yield writer.writerow(columns)
    for chunk in itertools.batched(records, CSV_ROWS_PER_CHUNK):
        yield "".join(
            writer.writerow([csv_cell(record[column]) for column in columns]) for record in chunk
        )


def csv_cell(value):
    if isinstance(value, list):
        return "|".join(str(each) for each in value)
    if isinstance(value, dict):
        return "|".join(f"{key}={each}" for key, each in value.items())
    return "" if value is None else value


# Views


class PageFilters(DjangoFilterBackend):
    """The page's FilterSet, given the query string less its empty values: a page redirects
    to its address without them (views.tidy_query_redirect), its data reads them as absent."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        given = QueryDict(mutable=True)
        for name, values in kwargs["data"].lists():
            if values := [value for value in values if value]:
                given.setlist(name, values)
        return {**kwargs, "data": given}

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is None or not getattr(view, "swagger_fake_view", False):
            return filterset_class
        # The description is being made: drf-spectacular builds each filter's form field,
        # which a filter keeps, and every FilterSet would then copy it with the choices of
        # that moment (no genres, no facet counts). It reads copies of the filters instead.
        described = type(filterset_class.__name__, (filterset_class,), {})
        described.base_filters = copy.deepcopy(filterset_class.base_filters)
        for filter_ in described.base_filters.values():
            if isinstance(filter_, ChoiceFilter | MultipleChoiceFilter) and not filter_.extra.get(
                "choices"
            ):
                # Choices the FilterSet reads from the data when it is made (genres): text.
                set_override(filter_, "field", OpenApiTypes.STR)
        return described


class DataSchema(AutoSchema):
    """The description of the JSON: one operation per page, named after its path."""

    def map_renderers(self, attribute):
        return [JSONRenderer.media_type]

    def get_operation_id(self):
        return re.sub(r"\W+", "_", self.path.removesuffix(".json")).strip("_")

    def get_tags(self):
        return [self.path.strip("/").split("/")[0].removesuffix(".json")]

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        errors = {"type": "object", "additionalProperties": True}
        for status, meaning in (
            ("400", "A parameter the filters cannot read, named with what is wrong with it."),
            ("404", "Nothing at this slug (`detail` says so)."),
        ):
            bodies.setdefault(
                status,
                {"description": meaning, "content": {JSONRenderer.media_type: {"schema": errors}}},
            )
        return bodies


class DataView(generics.GenericAPIView):
    """A page's data; subclasses name the queryset (and the FilterSet) of their page, and
    say what it is in their docstring, which the API description shows."""

    renderer_classes = [InertJSONRenderer, CSVRenderer]
    filter_backends = [PageFilters]
    schema = DataSchema()
    csv_name = "data"

    @property
    def default_response_headers(self):
        # The format is in the address, never negotiated: no `Vary: Accept`, which would keep
        # the answer out of the page cache.
        return {"Allow": ", ".join(self.allowed_methods)}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def handle_exception(self, exc):
        if isinstance(exc, _Moved):
            raise exc  # follows_moves answers it with a redirect
        # An error is JSON whatever format was asked for.
        self.request.accepted_renderer = InertJSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def stream_csv(self, rows):
        serializer = self.get_serializer()
        records = (
            serializer.to_representation(row)
            for row in rows.iterator(chunk_size=CSV_ROWS_PER_CHUNK)
        )
        response = StreamingHttpResponse(
            csv_chunks(list(serializer.fields), records), content_type=CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'inline; filename="{self.csv_name}.csv"'
        self.validate_by_version(response)
        return response

    def validate_by_version(self, response):
        """ETag and Last-Modified from the data version and the query, for a body that is
        never held whole (ConditionalGetMiddleware answers a match with 304)."""
        if not is_public_request(self.request):
            return
        try:
            version = data_version()
        except CACHE_ERRORS as error:
            logger.warning("No validators for %s: the cache failed: %s", self.request.path, error)
            return
        query = canonical_query_string(self.request.GET)
        digest = hashlib.sha256(f"{version} {self.request.path} {query}".encode()).hexdigest()
        response["ETag"] = f'"{digest[:32]}"'
        response["Last-Modified"] = http_date(version // 10**9)
        response["Cache-Control"] = (
            f"public, max-age={settings.PAGE_MAX_AGE}, s-maxage={settings.PAGE_MAX_AGE}"
        )


class ListView(ListModelMixin, DataView):
    """A list: JSON a page of it at a time, CSV all of it."""

    pagination_class = CursorPaging

    def get(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())
        if self.format_kwarg == "csv":
            return self.stream_csv(rows)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DetailView(DataView):
    """One row: by default the row of get_queryset() at the address's slug (an old slug
    redirects, as pages do); a page that finds its row otherwise overrides get_row()."""

    def get_row(self):
        return get_by_slug(self.request, self.get_queryset(), self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_row())
        if self.format_kwarg == "csv":
            body = "".join(csv_chunks(list(serializer.fields), [serializer.data]))
            response = HttpResponse(body, content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = f'inline; filename="{self.csv_name}.csv"'
            return response
        return Response(serializer.data)


class FilmList(ListView):
    """The film list, filtered and sorted as `/films/` is."""

    serializer_class = FilmSerializer
    filterset_class = FilmFilter
    csv_name = "films"

    def get_queryset(self):
        # As the HTML list: the FilterSet sorts the default-sorted films its own way.
        return Film.objects.sorted_by(FilmFilter.DEFAULT_SORT).prefetch_related("genres")


class FilmDetail(DetailView):
    """One film, as on its page, with how many items each of its sections holds."""

    serializer_class = FilmDetailSerializer
    csv_name = "film"

    def get_queryset(self):
        films = Film.objects.with_section_counts().select_related("source")
        return films.prefetch_related("genres", "taglines")


def film_at_address(request, slug):
    """The film of a section's or an item's address, with what its rows' addresses need."""
    return get_by_slug(request, Film.objects.only("pk", "slug", "title", "year"), slug)


class FilmSection(ListView):
    """A list under one film, read from the film found at the address's slug; whole, as its
    page shows it, but for reviews."""

    pagination_class = WholeList

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the API description is being made
            return self.serializer_class.Meta.model.objects.none()
        return self.items_of(self.film())

    def film(self):
        return film_at_address(self.request, self.kwargs["slug"])

    @property
    def csv_name(self):
        return f"{self.kwargs['slug']}-{self.section}"


class FilmCast(FilmSection):
    """A film's full cast and crew, in billing order within each role."""

    serializer_class = CreditSerializer
    filterset_class = CreditFilter
    section = "cast"

    def items_of(self, film):
        return film.credits.select_related("person", "source").in_role_order()


class FilmTrivia(FilmSection):
    """A film's trivia, goofs and quotes."""

    serializer_class = TriviaSerializer
    filterset_class = TriviaFilter
    section = "trivia"

    def items_of(self, film):
        trivia = film.trivia.exclude(kind__in=Trivia.MAKING_OF_KINDS)
        return trivia.select_related("source").in_kind_order()


class FilmMakingOf(FilmSection):
    """A film's behind-the-scenes stories, deleted scenes and alternate versions."""

    serializer_class = TriviaSerializer
    filterset_class = MakingOfFilter
    section = "making-of"

    def items_of(self, film):
        making_of = film.trivia.filter(kind__in=Trivia.MAKING_OF_KINDS)
        return making_of.select_related("source").in_kind_order()


class FilmReviews(FilmSection):
    """A film's reviews."""

    serializer_class = ReviewSerializer
    filter_backends = []
    pagination_class = CursorPaging
    section = "reviews"

    def items_of(self, film):
        return film.reviews.select_related("film", "source").order_by("order", "pk")


class Gone(APIException):
    status_code = 410
    default_detail = "This item was removed."
    default_code = "gone"


class FilmItem(DetailView):
    """One item of a film's section, at its id (`section_view`: the section's list view);
    an item that was removed is 410 Gone, an id the film never had 404."""

    section_view = None

    def get_row(self):
        film = film_at_address(self.request, self.kwargs["slug"])
        item_id, section = self.kwargs["item_id"], self.section_view.section.replace("-", "_")
        if item := self.section_view().items_of(film).filter(pk=item_id).first():
            return item
        if RemovedItem.objects.of_address(section, item_id, film=film):
            raise Gone()
        raise Http404(f"{film} has no such item.")

    @property
    def csv_name(self):
        return f"{self.kwargs['slug']}-{self.section_view.section}-{self.kwargs['item_id']}"


class TriviaItem(FilmItem):
    """One trivia item, goof or quote."""

    serializer_class = TriviaSerializer
    section_view = FilmTrivia


class MakingOfItem(FilmItem):
    """One behind-the-scenes story, deleted scene or alternate version."""

    serializer_class = TriviaSerializer
    section_view = FilmMakingOf


class ReviewItem(FilmItem):
    """One review."""

    serializer_class = ReviewSerializer
    section_view = FilmReviews


class PersonList(ListView):
    """People, by name."""

    serializer_class = PersonListSerializer
    filterset_class = NameFilter
    csv_name = "people"

    def get_queryset(self):
        return Person.objects.for_list()


class PersonDetail(DetailView):
    """One person, with how many credits they have in each role."""

    serializer_class = PersonDetailSerializer
    csv_name = "person"

    def get_queryset(self):
        return Person.objects.with_description()


class PersonFilmography(ListView):
    """Every credit of one role of a person, newest film first."""

    serializer_class = FilmographySerializer
    filter_backends = []

    @property
    def csv_name(self):
        return f"{self.kwargs['slug']}-{self.kwargs['role']}"

    def get_queryset(self):
        person = get_by_slug(self.request, Person.objects, self.kwargs["slug"])
        credits = person.credits.filter(role=self.kwargs["role"])
        return credits.select_related("film").order_by(*NEWEST_FILM_FIRST)


class LocationList(ListView):
    """Filming locations, by name."""

    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    csv_name = "locations"

    def get_queryset(self):
        return Location.objects.for_list().order_by("name", "pk")


class LocationFilms(ListView):
    """The films shot at one location, newest first."""

    serializer_class = FilmingSerializer
    filter_backends = []

    @property
    def csv_name(self):
        return self.kwargs["slug"]

    def get_queryset(self):
        location = get_by_slug(self.request, Location.objects, self.kwargs["slug"])
        return location.filmings.newest_films_first().prefetch_related("film__genres")


def data_view(view_class, *parameters):
    """The view of a DataView class, with the decorators of public pages: GET and HEAD only,
    old slugs redirect, and only `parameters` (and the cursor) reach it."""
    return read_only(follows_moves(understands(*parameters, "cursor")(view_class.as_view())))


def data_paths(route, view, name):
    """`route.json` and `route.csv` for the page at `route/` (route without its slash)."""
    return [
        path(f"{route}.{format}", view, {"format": format}, name=f"{name}_{format}")
        for format in FORMATS
    ]


def json_endpoints_only(endpoints):
    """drf-spectacular's preprocessing hook: the description lists the JSON addresses (the
    CSV of each is the same path ending in `.csv`)."""
    return [endpoint for endpoint in endpoints if endpoint[0].endswith(".json")]


_describing = threading.Lock()


@functools.cache
def _description():
    # drf-spectacular's generator is not safe to run in two threads at once (it loads its
    # extensions lazily, into class attributes), and the description changes only with the
    # code: made once per process, under a lock.
    with _describing:
        return SchemaGenerator().get_schema(request=None, public=True)


@read_only
@understands()
def schema(request):
    """The OpenAPI 3 description of every JSON address."""
    return JsonResponse(_description(), content_type="application/vnd.oai.openapi+json")
