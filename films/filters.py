"""The filter forms of the lists. Each FilterSet validates the query string and narrows a
queryset through the named methods of the models' querysets."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.urls import reverse

from .models import Credit, Genre
from .search import matches

TEXT_MAX_LENGTH = 200


class FilterForm(forms.Form):
    """Labels without the trailing colon, as the rest of the site writes them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FilmFilterForm(FilterForm):
    def clean_genre(self):
        # ?genre=drama&genre=drama is one filter: one subquery, one chip.
        return list(dict.fromkeys(self.cleaned_data["genre"]))


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


@dataclass(frozen=True)
class Chip:
    """An active filter, with the URL of the same list without it."""

    label: str
    remove_url: str


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
    person = django_filters.CharFilter(
        label="Person", max_length=TEXT_MAX_LENGTH, method="filter_credit"
    )
    role = django_filters.ChoiceFilter(
        label="Role", choices=Credit.Role.choices, empty_label="Any role", method="filter_credit"
    )
    location = django_filters.CharFilter(
        label="Filming location", max_length=TEXT_MAX_LENGTH, method="filter_location"
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

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["genre"].extra["choices"] = list(Genre.objects.values_list("slug", "name"))

    def filter_title(self, queryset, name, value):
        return queryset.title_matches(value)

    def filter_decade(self, queryset, name, value):
        return queryset.in_decade(int(value))

    def filter_genres(self, queryset, name, value):
        return queryset.in_genres(value)

    def filter_credit(self, queryset, name, value):
        # Person and role describe one credit (Cher as cast, not Cher in any role in a film
        # that has some cast), so both apply together, once.
        person, role = self.form.cleaned_data.get("person"), self.form.cleaned_data.get("role")
        if name == "role" and person:
            return queryset
        return queryset.with_credit(person=person, role=role)

    def filter_location(self, queryset, name, value):
        return queryset.shot_at(value)

    def filter_making_of(self, queryset, name, value):
        return queryset.with_making_of() if value else queryset

    def sort_films(self, queryset, name, value):
        return queryset.sorted_by(value)

    # The links of the page, each the current query string with one change.

    def url_with(self, **changes):
        """This list's URL with the given parameters replaced (None removes one), on page 1."""
        query = self.data.copy()
        query.pop("page", None)
        for name, value in changes.items():
            if value is None or value == []:
                query.pop(name, None)
            elif isinstance(value, list):
                query.setlist(name, value)
            else:
                query[name] = value
        encoded = query.urlencode()
        return f"{reverse('films:film_list')}?{encoded}" if encoded else reverse("films:film_list")

    def chips(self):
        """One chip per active, valid filter; a chip per genre."""
        chips = []
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or value in (None, "", [], False):
                continue
            if name == "genre":
                genre_names = dict(self.filters["genre"].extra["choices"])
                chips += [
                    Chip(genre_names[slug], self.url_with(genre=[g for g in value if g != slug]))
                    for slug in value
                ]
                continue
            chips.append(Chip(self._describe(name, value), self.url_with(**{name: None})))
        return chips

    def _describe(self, name, value):
        if name == "decade":
            return f"{value}s"
        if name == "role":
            return f"Role: {Credit.Role(value).label}"
        if name == "making_of":
            return "Has making-of"
        return f"{self.filters[name].label}: {value}"

    def problems(self):
        """The parameters that were not understood, with the URL of the list without each."""
        return [
            Chip(f"{self.filters[name].label}: {' '.join(errors)}", self.url_with(**{name: None}))
            for name, errors in self.form.errors.items()
            if name in self.filters
        ]

    def genre_facets(self, genre_counts):
        chosen = self.form.cleaned_data.get("genre") or []
        return [
            Facet(
                genre.name,
                genre.film_count,
                self.url_with(
                    genre=[g for g in chosen if g != genre.slug]
                    if genre.slug in chosen
                    else [*chosen, genre.slug]
                ),
                genre.slug in chosen,
            )
            for genre in genre_counts
        ]

    def decade_facets(self, decade_counts):
        chosen = self.form.cleaned_data.get("decade")
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
