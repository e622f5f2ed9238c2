"""Pages of long lists that cost the same at ten thousand films as at a million.

A plain Paginator counts every matching row on every request (COUNT(*) over a million
films) and reaches its last page with an OFFSET past all the others. Instead:

- A list is paged at most MAX_PAGES deep. The deepest page reads MAX_PAGES * per_page
  rows in the list's order (from an index, for every sort of the film list), however
  long the list is. Filters reach the rest; every film stays reachable through them, its
  people and places, search and the sitemap.
- The total is counted exactly up to EXACT_UP_TO rows, with a count that stops there
  (`SELECT count(*) FROM (... LIMIT n)`). Past that, on PostgreSQL, the total is the
  planner's row estimate for the query (EXPLAIN, from the tables' statistics), rounded to
  two significant figures, and pages say "about". SQLite, the small embedded database,
  has no estimate and counts on.
- Totals are kept in the cache under the query and the data version (films/freshness.py),
  so each filter state is counted once per change of the data.
- A list that counts its rows anyway (the film list's decade facet counts every film it
  shows) passes its exact total instead: no second pass, and no estimate.
"""

import json
from dataclasses import dataclass
from math import ceil

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

from .freshness import remember

MAX_PAGES = 100
EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class Total:
    """How many rows a list holds; `estimated` when it is the planner's estimate."""

    count: int
    estimated: bool = False


def two_significant_figures(number):
    """98_765 → 99_000: an estimate shown no more precisely than it is known."""
    digits = len(str(number))
    if digits <= 2:
        return number
    scale = 10 ** (digits - 2)
    return round(number / scale) * scale


def planner_estimate(queryset):
    """PostgreSQL's estimate of how many rows queryset returns, without running it."""
    plan = json.loads(queryset.explain(format="json"))
    # [{"Plan": {...}}]; psycopg hands Django the array already parsed, Django gives it back
    # as text.
    if isinstance(plan, list):
        plan = plan[0]
    return int(plan["Plan"]["Plan Rows"])


def count_total(queryset, *, exact_up_to=EXACT_UP_TO):
    """The total of queryset: exact up to exact_up_to rows, else estimated on PostgreSQL."""
    rows = queryset.order_by()
    counted = rows.values("pk")[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return Total(counted)
    if connections[rows.db].vendor != "postgresql":
        return Total(rows.count())
    estimate = max(planner_estimate(rows), exact_up_to + 1)
    return Total(two_significant_figures(estimate), estimated=True)


class CappedPage(Page):
    def end_index(self):
        # Django's last page ends at the total, which is an estimate when pages are capped.
        return min(self.number * self.paginator.per_page, self.paginator.count)


class CappedPaginator(Paginator):
    """A Paginator over at most max_pages pages, with a total counted as above (and cached).

    Templates read `count` as usual, plus `estimated` (say "about") and `capped` (more
    rows than pages)."""

    def __init__(self, object_list, per_page, *, max_pages=None, exact_up_to=None, total=None):
        super().__init__(object_list, per_page)
        self.max_pages = max_pages or MAX_PAGES
        self.exact_up_to = exact_up_to or EXACT_UP_TO
        self.known_total = total

    @cached_property
    def total(self):
        if self.known_total is not None:
            return Total(self.known_total)
        rows = self.object_list
        # Counting at least every row the pages can show: when the total is an estimate
        # (perhaps too low), there are more rows than pages, and every page is full.
        bound = max(self.exact_up_to, self.max_pages * self.per_page)
        return remember("total", rows, lambda: count_total(rows, exact_up_to=bound))

    @cached_property
    def count(self):
        return self.total.count

    @property
    def estimated(self):
        return self.total.estimated

    @cached_property
    def num_pages(self):
        if self.count == 0:
            return 1
        return min(ceil(self.count / self.per_page), self.max_pages)

    @property
    def capped(self):
        return self.count > self.max_pages * self.per_page

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)
