"""django-filter FilterSets behind every filter form on the site."""

from collections import Counter

import django_filters
from django.db.models import Count, Q

from .models import Credit, Trivia

# Filters of one film's pages: full cast, making-of, trivia.


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice filters show how many items each choice holds.

    `facets` names the ChoiceFilters to count. A filter declared with choices offers those
    present in the queryset (and the one asked for, so that asking for a valid but absent
    one finds nothing rather than fails), in declared order; one declared without choices
    offers the values present, most frequent first. One grouped query counts them all.
    """

    facets = ()

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        rows = self.queryset.order_by().values(*self.facets).annotate(n=Count("pk"))
        counts = {name: Counter() for name in self.facets}
        for row in rows:
            for name in self.facets:
                counts[name][row[name]] += row["n"]
        self.counts = counts
        for name in self.facets:
            declared = self.base_filters[name].extra.get("choices")
            if declared:
                asked = self.data.get(name) if self.data is not None else None
                values = [(v, label) for v, label in declared if counts[name][v] or v == asked]
            else:
                by_count = sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))
                values = [(value, value) for value, _ in by_count if value]
            self.filters[name].extra["choices"] = [
                (value, f"{label} ({counts[name][value]})") for value, label in values
            ]

    @property
    def is_active(self):
        """Whether any filter was given a value."""
        return any(self.data.get(name) for name in self.filters) if self.data else False


def _text_filter(*fields):
    """A filter method matching value anywhere in any of fields, ignoring case."""

    def filter_text(queryset, name, value):
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": value})
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
