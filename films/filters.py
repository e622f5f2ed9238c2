"""The filter forms of the site. Each FilterSet validates the query string and narrows a
queryset through the named methods of the models' querysets."""

import copy
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db import router
from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import reverse, reverse_lazy

from . import catalogue
from .freshness import held, remember
from .models import Credit, Film, Genre, Location, Person, Trivia
from .search import matches, ranked_matches

TEXT_MAX_LENGTH = 200
# How many people a name that is not one person's address offers to choose from.
PERSON_CANDIDATES = 20


def people_named_like(text, limit=PERSON_CANDIDATES):
    """The people whose name holds every word of text, with their descriptions: the closest
    names first (the exact name leads), then the most prominent (Person.prominence, as
    search ranks them), so that of two John Smiths the one people mean comes first."""
    people = Person.objects.with_description()
    return ranked_matches(people, "name", text, "name", "pk", prominence="prominence")[:limit]


def _encoded(name, values):
    """name=value&name=value..., as urlencode() writes them."""
    return urlencode([(name, value) for value in values])


class FilterForm(forms.Form):
    """Labels without the trailing colon, as the rest of the site writes them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FilmFilterForm(FilterForm):
    genre_moves = {}  # a genre's old slug: its current one

    def clean_genre(self):
        # ?genre=drama&genre=drama is one filter: one subquery, one chip.
        chosen = (self.genre_moves.get(slug, slug) for slug in self.cleaned_data["genre"])
        return list(dict.fromkeys(chosen))


class SharedFields(dict):
    """A form class's fields that its forms share rather than deep-copy (Form.__init__ does,
    a millisecond of every film list): they only clean values, and never change."""

    def __deepcopy__(self, memo):
        return dict(self)


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


@dataclass(frozen=True)
class Chip:
    """An active filter, with the URL of the same list without it."""

    label: str
    remove_url: str


@dataclass(frozen=True)
class PersonChoice:
    """A person a name may mean, with the URL of the list of their films."""

    person: Person
    url: str


@dataclass(frozen=True)
class Choice:
    """One of a few ways to read the filters, linking to the list read that way."""

    label: str
    url: str
    selected: bool


@dataclass(frozen=True)
class FormInput:
    """One input of the film list's form: its label, the value as the query string gave it
    ("" for none), whether the form refused it, and a select's (value, label, selected)."""

    label: str
    value: str
    invalid: bool
    options: tuple = ()


@dataclass(frozen=True)
class Facet:
    """One value of a facet with how many results have it, linking to the list with that value
    added or, when already chosen, removed."""

    label: str
    count: int
    url: str
    selected: bool


class FilmFilter(django_filters.FilterSet):
    SORT_CHOICES = [
        ("votes", "Most votes"),
        ("rating", "Highest rated"),
        ("newest", "Newest"),
        ("oldest", "Oldest"),
        ("title", "Title"),
    ]
    DEFAULT_SORT = SORT_CHOICES[0][0]
    DECADE_CHOICES = [(str(d), f"{d}s") for d in range(1870, 2100, 10)]

    title = django_filters.CharFilter(
        label="Title", max_length=TEXT_MAX_LENGTH, method="filter_title"
    )
    year_min = IntegerFilter(
        field_name="year", lookup_expr="gte", label="From year", min_value=1870, max_value=2100
    )
    year_max = IntegerFilter(
        field_name="year", lookup_expr="lte", label="To year", min_value=1870, max_value=2100
    )
    # Decades and genres are chosen through the facet links, so their inputs are hidden.
    decade = django_filters.ChoiceFilter(
        label="Decade", choices=DECADE_CHOICES, widget=forms.HiddenInput, method="filter_decade"
    )
    genre = django_filters.MultipleChoiceFilter(
        label="Genre", widget=forms.MultipleHiddenInput, method="filter_genres"
    )
    GENRE_MATCH_CHOICES = [("any", "any"), ("all", "all")]
    genre_match = django_filters.ChoiceFilter(
        label="Genres to match",
        choices=GENRE_MATCH_CHOICES,
        widget=forms.HiddenInput,
        method="read_with_genres",
    )
    rating_min = django_filters.NumberFilter(
        field_name="rating",
        lookup_expr="gte",
        label="Min. rating",
        min_value=0,
        max_value=10,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "10"}),
    )
    votes_min = IntegerFilter(
        field_name="vote_count",
        lookup_expr="gte",
        label="Min. votes",
        min_value=0,
        max_value=2**31 - 1,
    )
    # The address (slug) of one person. A name typed in the box is no address: the list then
    # offers the people of that name to choose from (person_choices); a script suggests
    # people as the name is typed (static/js/person-suggest.js).
    person = django_filters.CharFilter(
        label="Person",
        max_length=TEXT_MAX_LENGTH,
        method="filter_credit",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "data-suggest-url": reverse_lazy("films:person_suggest"),
            }
        ),
    )
    role = django_filters.ChoiceFilter(
        label="Role", choices=Credit.Role.choices, empty_label="Any role", method="filter_credit"
    )
    location = django_filters.CharFilter(
        label="Filming location", max_length=TEXT_MAX_LENGTH, method="filter_location"
    )
    country = django_filters.CharFilter(
        label="Filmed in", max_length=TEXT_MAX_LENGTH, method="filter_country"
    )
    making_of = django_filters.BooleanFilter(
        label="Has making-of", widget=forms.CheckboxInput, method="filter_making_of"
    )
    # The sort menu sits above the results, outside the <form>; the attribute ties it to it.
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=SORT_CHOICES,
        empty_label=None,
        method="sort_films",
        widget=forms.Select(attrs={"form": "film-filters"}),
    )

    class Meta:
        form = FilmFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # As BaseFilterSet.__init__, but for its deep copy of every filter with its widget and
        # choices (a millisecond of every list): each filter is copied with its own `extra`,
        # all that a FilmFilter changes (the genre choices), and its own field, made later.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = Film.objects.all() if queryset is None else queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = self.filters[name] = copy.copy(base)
            filter_.__dict__.pop("_field", None)
            filter_.extra = dict(base.extra)
            filter_.method = base.method  # a FilterMethod of this copy, not of the base
            filter_.model = self.queryset.model
            filter_.parent = self
        # One row per genre and old slug: a genre's old slug still chooses it (clean_genre).
        alias = router.db_for_read(Genre)
        genres = Genre.objects.using(alias)
        genres = genres.values_list("pk", "slug", "name", "slug_redirects__old_slug")
        genres = held(f"genre-choices:{alias}", lambda: list(genres))
        self.genre_ids = {slug: pk for pk, slug, _, _ in genres}
        self.genres_by_id = {pk: (slug, name) for pk, slug, name, _ in genres}
        choices = {slug: name for _, slug, name, _ in genres}
        choices |= {old: name for _, _, name, old in genres if old}
        self.filters["genre"].extra["choices"] = list(choices.items())
        self.form.genre_moves = {old: slug for _, slug, _, old in genres if old}

    # Form classes by their genre choices: a new class makes every filter's field again.
    _form_classes = {}

    def get_form_class(self):
        choices = tuple(self.filters["genre"].extra["choices"])
        form_class = self._form_classes.get(choices)
        if form_class is None:
            if len(self._form_classes) > 8:
                self._form_classes.clear()  # old genres
            form_class = self._form_classes[choices] = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
        return form_class

    def filter_title(self, queryset, name, value):
        return queryset.title_matches(value)

    def filter_decade(self, queryset, name, value):
        return queryset.in_decade(int(value))

    def filter_genres(self, queryset, name, value):
        genre_ids = [self.genre_ids[slug] for slug in value]
        if self.matches_all_genres:
            return queryset.in_genres(genre_ids)
        return queryset.in_any_genre(genre_ids)

    def read_with_genres(self, queryset, name, value):
        return queryset  # filter_genres reads it

    @property
    def matches_all_genres(self):
        return self.form.cleaned_data.get("genre_match") == "all"

    def filter_credit(self, queryset, name, value):
        # Person and role describe one credit (Cher as cast, not Cher in any role in a film
        # that has some cast), so both apply together, once.
        person, role = self.chosen_person, self.form.cleaned_data.get("role")
        if name == "person":
            if person is None:
                # A name, not an address: the list stays whole and offers the people it
                # names (person_choices); a role applies on its own.
                return queryset
            return queryset.with_credit(person=person, role=role)
        if person is not None:
            return queryset  # the role was applied with the person
        return queryset.with_credit(role=role)

    @cached_property
    def chosen_person(self):
        """The person whose films are listed, with their description; None when the person
        parameter names no one's address (or is absent)."""
        slug = self._cleaned("person")
        if not slug:
            return None
        people = Person.objects.with_description().with_namesakes()
        # A shared link keeps working after the person's address changed: an old slug
        # still names them (one more query, only for an address that is not current).
        return (
            people.filter(slug=slug).first() or people.filter(slug_redirects__old_slug=slug).first()
        )

    def _cleaned(self, name):
        """The valid value of one parameter, or None (the form is cleaned once)."""
        if not self.is_bound:
            return None
        self.form.is_valid()  # cleans the form, once; invalid values are left out
        return self.form.cleaned_data.get(name)

    def person_choices(self):
        """For a person parameter that is no one's address (an old link, a name typed without
        the suggestions): the people it may mean, most likely first."""
        text = self._cleaned("person")
        if not text or self.chosen_person is not None:
            return []
        return [
            PersonChoice(person, self.url_with(person=person.slug))
            for person in people_named_like(text)
        ]

    def filter_location(self, queryset, name, value):
        return queryset.shot_at(value)

    def filter_country(self, queryset, name, value):
        return queryset.filmed_in(value)

    def filter_making_of(self, queryset, name, value):
        return queryset.with_making_of() if value else queryset

    def sort_films(self, queryset, name, value):
        return queryset.sorted_by(value)

    def form_inputs(self):
        """{name: FormInput} of every filter, as Django's widgets would show them (the value
        as given, checked when given and not "false", a select's given value chosen), for
        the list's template to print: the widgets' own templates cost the list milliseconds.
        The genres are a list of values, one hidden input each."""
        data, errors = self.form.data, self.form.errors
        inputs = {}
        for name, filter_ in self.filters.items():
            value = data.getlist("genre") if name == "genre" else data.get(name) or ""
            options = ()
            if name in ("sort", "role"):
                field = self.form.fields[name]
                options = tuple((str(v), label, str(v) == value) for v, label in field.choices)
            if name == "making_of":
                value = value.lower() != "false" if value else False
            inputs[name] = FormInput(str(filter_.label), value, name in errors, options)
        return inputs

    # The links of the page, each the current query string with one change.

    @cached_property
    def _page_one_query(self):
        """Each parameter of the query string but the page number, URL-encoded with its values
        ("genre=drama&genre=comedy"). A page links to some fifty lists (facets, chips): each
        encodes only the parameter it changes."""
        return {
            name: _encoded(name, values) for name, values in self.data.lists() if name != "page"
        }

    @cached_property
    def _list_path(self):
        return reverse("films:film_list")

    def url_with(self, **changes):
        """This list's URL with the given parameters replaced (None removes one), on page 1."""
        query = dict(self._page_one_query)
        for name, value in changes.items():
            if value is None or value == []:
                query.pop(name, None)
            else:
                query[name] = _encoded(name, value if isinstance(value, list) else [value])
        encoded = "&".join(query.values())
        return f"{self._list_path}?{encoded}" if encoded else self._list_path

    def chips(self):
        """One chip per active, valid filter; a chip per genre."""
        chips = []
        for name, value in self.form.cleaned_data.items():
            if name in ("sort", "genre_match") or value in (None, "", [], False):
                continue
            if name == "genre":
                genre_names = dict(self.filters["genre"].extra["choices"])
                chips += [
                    Chip(genre_names[slug], self.url_with(genre=[g for g in value if g != slug]))
                    for slug in value
                ]
                continue
            if name == "person" and self.chosen_person is None:
                continue  # no filter: the list offers the people instead (person_choices)
            chips.append(Chip(self._describe(name, value), self.url_with(**{name: None})))
        return chips

    def _describe(self, name, value):
        if name == "decade":
            return f"{value}s"
        if name == "role":
            return f"Role: {Credit.Role(value).label}"
        if name == "making_of":
            return "Has making-of"
        if name == "person":
            # The description only where the name alone would not do.
            person = self.chosen_person
            return f"Person: {person.choice_label if person.has_namesakes else person.name}"
        return f"{self.filters[name].label}: {value}"

    def problems(self):
        """The parameters that were not understood, with the URL of the list without each."""
        return [
            Chip(f"{self.filters[name].label}: {' '.join(errors)}", self.url_with(**{name: None}))
            for name, errors in self.form.errors.items()
            if name in self.filters
        ]

    # Facets: each counts the films the other filters keep, so that its own choice does not
    # hide its other values; "all of the genres" narrows with every genre added, so its
    # genres are counted over the films shown.

    def without(self, *names):
        """The films every valid filter but those `names` keeps."""
        queryset = self.queryset.all()
        self.form.is_valid()  # fills cleaned_data with the valid values
        for each, value in self.form.cleaned_data.items():
            if each not in names:
                queryset = self.filters[each].filter(queryset, value)
        return queryset

    def facet_counts(self):
        """The genre facet's (slug, name, films), the most common first, and the decade
        facet's {"decade", "film_count"} rows, undated films as decade None; each counted
        once per filter state and data version (at a million films, a pass over every film
        the other filters keep)."""
        genres = self.form.cleaned_data.get("genre") or []
        if len(genres) == 1 and not self.matches_all_genres:
            return self._facet_counts_in_one_pass(self.genre_ids[genres[0]])
        genre_films, decade_films = self.genre_facet_films(), self.decade_facet_films()
        # Keys of their own: the home page caches its genre and decade counts, in another
        # shape, under the same films when no filter is chosen.
        genre_counts = remember(
            "genre-facet-counts",
            genre_films,
            lambda: [(g.slug, g.name, g.film_count) for g in genre_films.genre_counts()],
        )
        decade_counts = remember(
            "decade-facet-counts",
            decade_films,
            lambda: list(decade_films.decade_counts(undated=True)),
        )
        return genre_counts, decade_counts

    def _facet_counts_in_one_pass(self, genre_id):
        """With one genre chosen, both facets come from one grouped count of the films the
        genre and decade filters leave out: a film's genres in the chosen decade make the
        genre facet, the chosen genre's films in each decade the decade facet."""
        films = self.without("genre", "decade")
        rows = remember("decade-genre-counts", films, lambda: list(films.decade_genre_counts()))
        decade = self.form.cleaned_data.get("decade")
        by_genre, by_decade = Counter(), Counter()
        for row in rows:
            if row["genre"] is not None and (not decade or str(row["decade"]) == decade):
                by_genre[row["genre"]] += row["film_count"]
            if row["genre"] == genre_id:
                by_decade[row["decade"]] += row["film_count"]
        genre_counts = sorted(
            ((*self.genres_by_id[pk], count) for pk, count in by_genre.items()),
            key=lambda genre: (-genre[2], genre[1]),
        )
        decade_counts = [
            {"decade": each, "film_count": by_decade[each]}
            for each in sorted(by_decade, key=lambda each: (each is None, each or 0))
        ]
        return genre_counts, decade_counts

    def from_catalogue(self):
        """(Catalogue, Counts) of this list from the catalogue index (films/catalogue.py),
        the same facets, total and films as facet_counts() and qs give; None when a filter
        the index does not answer has a value, or while the index is being read."""
        self.form.is_valid()
        query = catalogue.query_of(self.form.cleaned_data, self.genre_ids)
        if query is None:
            return None
        index = catalogue.catalogue()
        if index is None or not index.knows_genres(query.genres):
            return None  # being read, or a genre added since it was read
        return index, index.count(query)

    def genre_facet_films(self):
        return self.qs if self.matches_all_genres else self.without("genre")

    def decade_facet_films(self):
        return self.without("decade")

    def genre_match_choices(self):
        chosen = self.form.cleaned_data.get("genre_match") or "any"
        return [
            Choice(
                label, self.url_with(genre_match=None if value == "any" else value), value == chosen
            )
            for value, label in self.GENRE_MATCH_CHOICES
        ]

    def genre_facets(self, genre_counts):
        chosen = self.form.cleaned_data.get("genre") or []
        counts = list(genre_counts)
        # A chosen genre that no film of the other filters has is still shown, to be removed.
        names = dict(self.filters["genre"].extra["choices"])
        counted = {slug for slug, _, _ in counts}
        counts += [(slug, names[slug], 0) for slug in chosen if slug not in counted]
        return [
            Facet(
                name,
                film_count,
                self.url_with(
                    genre=[g for g in chosen if g != slug] if slug in chosen else [*chosen, slug]
                ),
                slug in chosen,
            )
            for slug, name, film_count in counts
        ]

    def total(self, decade_counts):
        """How many films the list shows, from its decade facet's counts (with the undated
        films): the list is the decade facet's films in the chosen decade, or all of them.
        Exact, and no second pass over the films to count them."""
        chosen = self.form.cleaned_data.get("decade")
        return sum(
            row["film_count"] for row in decade_counts if not chosen or str(row["decade"]) == chosen
        )

    def decade_facets(self, decade_counts):
        chosen = self.form.cleaned_data.get("decade")
        decade_counts = [row for row in decade_counts if row["decade"] is not None]
        if chosen and all(str(row["decade"]) != chosen for row in decade_counts):
            decade_counts = sorted(
                [*decade_counts, {"decade": int(chosen), "film_count": 0}],
                key=lambda row: row["decade"],
            )
        return [
            Facet(
                f"{row['decade']}s",
                row["film_count"],
                self.url_with(decade=None if str(row["decade"]) == chosen else str(row["decade"])),
                str(row["decade"]) == chosen,
            )
            for row in decade_counts
        ]


class NameFilter(django_filters.FilterSet):
    """A search box over a list of people or places: names containing the text."""

    q = django_filters.CharFilter(label="Name", max_length=TEXT_MAX_LENGTH, method="filter_name")

    class Meta:
        form = FilterForm

    def filter_name(self, queryset, name, value):
        return queryset.filter(matches("name", value))


class LocationFilter(NameFilter):
    """The list of places: names containing the text, in one place (a country, a region),
    given by its slug."""

    within = django_filters.CharFilter(
        label="In", max_length=TEXT_MAX_LENGTH, widget=forms.HiddenInput, method="filter_within"
    )

    @cached_property
    def within_place(self):
        """The place browsed, with the places it lies in; None for all of them."""
        slug = self.form.cleaned_data.get("within") if self.form.is_valid() else None
        if not slug:
            return None
        return Location.objects.with_ancestors().filter(slug=slug).first()

    def filter_within(self, queryset, name, value):
        return queryset.within(Location.objects.filter(slug=value)).exclude(slug=value)


# Filters of one film's pages: full cast, making-of, trivia.


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice filters show how many items each choice holds.

    `facets` names the ChoiceFilters to count. Each facet's counts are of the items the
    other filters keep (its own choice left out, so that its other values stay in view), and
    a value none of them has is not offered: with "Deleted scene" chosen, only contributors
    of deleted scenes. A filter declared with choices offers them in declared order; one
    declared without choices offers the values the items have, most frequent first. The value
    asked for stays a choice when the items have it at all, so that a combination matching
    nothing shows nothing rather than fails. One grouped query counts every facet.
    """

    facets = ()

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        asked = {name: (self.data or {}).get(name) or None for name in self.facets}
        counted = self.queryset.order_by().values(*self.facets)
        narrowed = self._filtered_by_others(self.queryset)
        if narrowed is not self.queryset:
            counted = counted.annotate(n=Count("pk", filter=Q(pk__in=narrowed.values("pk"))))
        else:
            counted = counted.annotate(n=Count("pk"))
        rows = remember("facet-counts", counted, lambda: list(counted))
        counts = {name: Counter() for name in self.facets}
        present = {name: set() for name in self.facets}
        for name in self.facets:
            declared = dict(self.base_filters[name].extra.get("choices") or ())
            if asked[name] is not None and declared and asked[name] not in declared:
                asked[name] = None  # the form refuses it, so it narrows nothing
        for row in rows:
            for name in self.facets:
                present[name].add(row[name])
                others_match = all(
                    asked[other] is None or row[other] == asked[other]
                    for other in self.facets
                    if other != name
                )
                if others_match:
                    counts[name][row[name]] += row["n"]
        self.counts = counts
        for name in self.facets:
            declared = self.base_filters[name].extra.get("choices")
            if declared:
                values = [
                    (v, label) for v, label in declared if counts[name][v] or v == asked[name]
                ]
            else:
                by_count = sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))
                values = [(value, value) for value, n in by_count if value and n]
                if asked[name] in present[name] and not counts[name][asked[name]]:
                    values.append((asked[name], asked[name]))
            self.filters[name].extra["choices"] = [
                (value, f"{label} ({counts[name][value]})") for value, label in values
            ]

    def _filtered_by_others(self, queryset):
        """queryset narrowed by the valid values of the filters that are not facets (the
        text search); queryset itself when none applies."""
        for name, filter_ in self.filters.items():
            if name in self.facets or not (self.data or {}).get(name):
                continue
            try:
                value = filter_.field.clean(self.data.get(name))
            except forms.ValidationError:
                continue
            queryset = filter_.filter(queryset, value)
        return queryset

    @property
    def is_active(self):
        """Whether any filter was given a value."""
        return any(self.data.get(name) for name in self.filters) if self.data else False


def _text_filter(*fields):
    """A filter method matching value anywhere in any of fields, ignoring case and accents."""

    def filter_text(queryset, name, value):
        match = Q()
        for field in fields:
            match |= matches(field, value)
        return queryset.filter(match)

    return filter_text


class CreditFilter(FacetedFilterSet):
    role = django_filters.ChoiceFilter(choices=Credit.Role.choices, empty_label="Every role")
    q = django_filters.CharFilter(
        label="Name or character",
        method=_text_filter("person__name", "character", "credited_as"),
    )

    facets = ("role",)

    class Meta:
        model = Credit
        fields = ["role", "q"]


class MakingOfFilter(FacetedFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=[(kind.value, kind.label) for kind in Trivia.MAKING_OF_KINDS],
        empty_label="Every kind",
    )
    contributor = django_filters.ChoiceFilter(label="Contributed by", empty_label="Anyone")
    q = django_filters.CharFilter(label="Text", method=_text_filter("text", "contributor"))

    facets = ("kind", "contributor")

    class Meta:
        model = Trivia
        fields = ["kind", "contributor", "q"]


class TriviaFilter(FacetedFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=[
            (kind.value, kind.label) for kind in Trivia.Kind if kind not in Trivia.MAKING_OF_KINDS
        ],
        empty_label="Every kind",
    )
    goof_category = django_filters.ChoiceFilter(label="Goof category", empty_label="Any category")
    q = django_filters.CharFilter(label="Text", method=_text_filter("text", "character"))

    facets = ("kind", "goof_category")

    class Meta:
        model = Trivia
        fields = ["kind", "goof_category", "q"]
