"""The film list's counts and pages from arrays in memory, for the filters every film's own
row answers.

A crawler asks the film list for filter combinations nobody asked for before, so no cached
count helps, and counting the facets in the database reads every film the other filters
keep (a tenth of the catalogue for a 15-year range): the list cost more than all the rest
of its page. The filters on a film's own columns and genres (years, decade, genres, the
least rating and votes) and the sort orders are few and small, so each worker keeps them
for every film as numpy arrays:

- the films in the order of their year (undated last), then id, so that a range of years
  or a decade is a slice found by binary search;
- each film's year, rating (in tenths), vote count, and its place in each sort order of the
  list, read from the database's own ORDER BY (ROW_NUMBER() over it), so ties, NULLs and the
  collation of titles order exactly as the SQL path orders them;
- each film's genres, as one of the combinations of genres films have (a few thousand at
  most), genres in the order of their names.

Facet counts are bincounts over boolean masks of a slice (the genre facet a count of
combinations), the total the mask's count, and the page the films of the lowest sort ranks:
for a short list an argpartition of its ranks, for a long one a walk along the sort order of
every film until the page's films have turned up. One query then reads those films' cards
(films/cards.py). Other filters (title, person, role, location, country, making-of) take
the SQL path. At a million films the arrays take about 50 MB per worker, and 4 MB more for
each sort order a long list was walked in.

The index is read once per data version (films/freshness.py) and database, in three
queries, and read again after a writer says the data changed; the counts of the last few
lists are kept with it. A thread of the worker's own reads it, with a database connection
of its own, once a list finds none for the current version: at a million films that takes
some ten seconds, which no visitor waits for. Until then lists take the SQL path, the first one
too. A read that fails is logged, and the first list a second later starts another; the
wait doubles with each failure in a row, up to a minute, so that a database that keeps
failing is not read in full for every list. An index is held for the version it was read
at, never used for a later one: when the data changed during the read, the next list starts
another. A worker's first read is no exception: gunicorn replaces workers every ten
thousand requests or so (max_requests), and the database counts a list far sooner than the
index is read. A worker forked while its parent was reading starts a read of its own: the
parent's thread is not alive in it.

With the count cache off (COUNT_CACHE_SECONDS = 0, as in tests, whose writes never commit)
it is read for every list, in the request. A request inside a transaction takes the SQL
path: another connection would not see the rows the transaction wrote.
"""

import logging
import math
import threading
import time
from dataclasses import dataclass, replace

import numpy as np
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, IntegerField, Value, Window
from django.db.models.functions import Cast, Coalesce, Round, RowNumber

from .freshness import CACHE_ERRORS, data_version
from .models import Film, FilmQuerySet, Genre

logger = logging.getLogger(__name__)

# The filters the index answers; any other with a value takes the SQL path.
INDEXED_FILTERS = frozenset(
    {"year_min", "year_max", "decade", "genre", "genre_match", "rating_min", "votes_min", "sort"}
)
SORTS = tuple(FilmQuerySet.SORT_ORDERS)
UNDATED = np.iinfo(np.int16).max  # sorts after every year
UNRATED = -1  # below every rating_min, as NULL >= x is never true
# The Counts of the last lists asked for, per worker and data version.
COUNTS_KEPT = 16
# How long lists wait before reading the index again after a failed read, doubled for each
# failure in a row up to the longest.
RETRY_SECONDS = 1
RETRY_SECONDS_LONGEST = 60


@dataclass(frozen=True)
class Query:
    """A film list's filters as the index reads them: years inclusive (None: unbounded),
    genres by id, rating in tenths."""

    year_min: int | None = None
    year_max: int | None = None
    decade: int | None = None
    genres: tuple = ()
    all_genres: bool = False
    rating_min: int | None = None  # tenths
    votes_min: int | None = None
    sort: str = "votes"


@dataclass(frozen=True)
class Counts:
    """What the index tells one list: the facets' counts as the SQL path gives them, the total,
    and which films it holds (Catalogue.ranked puts them in order)."""

    genre_counts: list  # [(slug, name, films)], the most films first, then by name
    decade_counts: list  # [{"decade": 1980, "film_count": 12}, ...], undated as None, last
    total: int
    start: int  # the position in the index of the first film `listed` tells of
    listed: np.ndarray  # whether each film from `start` on is in the list


class Catalogue:
    def __init__(self, films, pairs, genres):
        """films: rows (id, year or UNDATED, rating in tenths or UNRATED, votes, a rank per
        sort) in year, then id order; pairs: (film id, genre id); genres: (id, slug, name)
        in the order of names."""
        films = np.asarray(films, dtype=np.int64).reshape(-1, 4 + len(SORTS))
        self.ids = films[:, 0].copy()
        self.year = films[:, 1].astype(np.int16)
        self.rating = films[:, 2].astype(np.int16)
        self.votes = films[:, 3].astype(np.int32)  # a PositiveIntegerField
        self.ranks = {sort: films[:, 4 + n].astype(np.int32) for n, sort in enumerate(SORTS)}
        self.dated = int(np.searchsorted(self.year, UNDATED))
        self.genres = list(genres)  # (id, slug, name), by name
        self.genre_index = {pk: n for n, (pk, _, _) in enumerate(self.genres)}
        self._by_id = np.argsort(self.ids)
        # Each film's genres as one of the few combinations films have (a few thousand at
        # most, against a million films): a filter on genres is a lookup of each film's
        # combination, and the genre facet a count of combinations.
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        genre_ids = np.array([pk for pk, _, _ in self.genres], dtype=np.int64)
        # A pair of a film or genre the other rows do not hold (written between the reads,
        # where they are not one snapshot) is left out rather than put on another film.
        film_at, known_film = _find(self.ids, pairs[:, 0])
        genre_at, known_genre = _find(genre_ids, pairs[:, 1])
        known = known_film & known_genre
        film_at, genre_at = film_at[known], genre_at[known]
        words = max(1, -(-len(self.genres) // 64))
        bits = np.zeros((len(self.ids), words), dtype=np.uint64)
        np.bitwise_or.at(
            bits, (film_at, genre_at // 64), np.uint64(1) << (genre_at % 64).astype(np.uint64)
        )
        combinations, combination = np.unique(bits, axis=0, return_inverse=True)
        self.combination = combination.reshape(-1).astype(np.int32)
        # (combinations, genres): whether each combination holds each genre.
        columns = np.arange(len(self.genres))
        self.combination_genres = (
            combinations[:, columns // 64] >> (columns % 64).astype(np.uint64)
        ) & np.uint64(1) == 1
        self._genre_lists = [np.flatnonzero(row).tolist() for row in self.combination_genres]
        self._counted = {}
        self._orders = {}
        self._counting = threading.Lock()

    @property
    def nbytes(self):
        arrays = [self.ids, self.year, self.rating, self.votes, *self.ranks.values()]
        arrays += [self._by_id, self.combination, self.combination_genres]
        return sum(array.nbytes for array in arrays)

    def position_of(self, film_ids):
        return self._by_id[np.searchsorted(self.ids, film_ids, sorter=self._by_id)]

    def knows_genres(self, genre_ids):
        return all(pk in self.genre_index for pk in genre_ids)

    def _years(self, low, high):
        """The slice of films whose year is in [low, high] (None: unbounded); with neither
        bound, every film, the undated too."""
        if low is None and high is None:
            return 0, len(self.ids)
        dated = self.year[: self.dated]
        # A numpy scalar of the array's type: a Python int would make numpy search a copy
        # of the years in a wider type.
        start = 0 if low is None else int(np.searchsorted(dated, np.int16(low), "left"))
        stop = self.dated if high is None else int(np.searchsorted(dated, np.int16(high), "right"))
        return start, max(start, stop)

    def count(self, query):
        """The Counts of the films `query` keeps: each facet over the films the other
        filters keep, as FilmFilter.without() says. The last few are kept: a list asked for
        again (its next page, another sort) costs nothing."""
        key = replace(query, sort="")
        counted = self._counted.get(key)
        if counted is None:
            counted = self._count(query)
            with self._counting:  # a worker's threads share the index
                if len(self._counted) >= COUNTS_KEPT:
                    self._counted.pop(next(iter(self._counted)), None)
                self._counted[key] = counted
        return counted

    def _count(self, query):
        start, stop = self._years(query.year_min, query.year_max)
        year = self.year[start:stop]
        kept = np.ones(stop - start, dtype=bool)
        if query.rating_min is not None:
            kept &= self.rating[start:stop] >= query.rating_min
        if query.votes_min is not None:
            kept &= self.votes[start:stop] >= query.votes_min
        combination = self.combination[start:stop]
        in_genres = kept
        if query.genres:
            chosen = self.combination_genres[:, [self.genre_index[pk] for pk in query.genres]]
            matches = chosen.all(axis=1) if query.all_genres else chosen.any(axis=1)
            in_genres = kept & matches[combination]
        in_decade = kept
        listed = in_genres
        if query.decade is not None:
            decade = (year >= query.decade) & (year <= query.decade + 9)
            in_decade = kept & decade
            listed = in_genres & decade
        genre_films = listed if query.all_genres else in_decade
        by_combination = np.bincount(
            combination[genre_films], minlength=len(self.combination_genres)
        )
        by_genre = by_combination @ self.combination_genres
        genre_counts = [
            (slug, name, int(by_genre[n]))
            for n, (_, slug, name) in enumerate(self.genres)
            if by_genre[n]
        ]
        genre_counts.sort(key=lambda genre: -genre[2])  # stable: names stay in order
        decade_films = year[in_genres]
        undated = int(np.count_nonzero(decade_films == UNDATED))
        dated = decade_films[decade_films != UNDATED] // 10
        by_decade = np.bincount(dated - dated.min()) if len(dated) else np.zeros(0, np.int64)
        decade_counts = [
            {"decade": (int(dated.min()) + n) * 10, "film_count": int(films)}
            for n, films in enumerate(by_decade.tolist())
            if films
        ]
        if undated:
            decade_counts.append({"decade": None, "film_count": undated})
        total = int(np.count_nonzero(listed))
        return Counts(genre_counts, decade_counts, total, start, listed)

    def ranked(self, counts, sort):
        """The ids of the films of a list (its Counts) in the order of `sort` (None: the
        default), as a sequence a Paginator slices."""
        return RankedIds(self, counts, sort or SORTS[0])

    def page(self, counts, sort, bottom, top):
        """The ids of the list's films ranked bottom to top (exclusive) in `sort`."""
        top = min(top, counts.total)
        if bottom >= top:
            return []
        if counts.total**2 > top * len(self.ids):
            # A long list: its first films turn up early in the sort order of all films.
            positions = self._first_in_order(counts, sort, top)
        else:
            # A short one: the first `top` of its films by rank, in no order, then those sorted.
            positions = np.flatnonzero(counts.listed) + counts.start
            ranks = self.ranks[sort][positions]
            if top < len(ranks):
                positions = positions[np.argpartition(ranks, top - 1)[:top]]
            positions = positions[np.argsort(self.ranks[sort][positions])]
        return self.ids[positions[bottom:top]].tolist()

    def _first_in_order(self, counts, sort, top):
        """The positions of the list's first `top` films in `sort`, walking the order of
        every film in chunks: some top / (total / films) films are read, not the list."""
        order = self._order(sort)
        # The walk starts at the first film of the list's years in this order: a list of the
        # 1980s read newest first would otherwise walk past every later film. Ranks are
        # ROW_NUMBER()s, 1 to the number of films, so the film of rank r is order[r - 1].
        years = self.ranks[sort][counts.start : counts.start + len(counts.listed)]
        found, have, at = [], 0, int(years.min()) - 1 if len(years) else 0
        chunk = max(4096, 2 * top * len(self.ids) // counts.total)
        while have < top and at < len(order):
            positions = order[at : at + chunk] - counts.start
            at += chunk
            chunk *= 2
            inside = (positions >= 0) & (positions < len(counts.listed))
            inside[inside] = counts.listed[positions[inside]]
            found.append(positions[inside] + counts.start)
            have += len(found[-1])
        return np.concatenate(found)[:top]

    def _order(self, sort):
        """Every film's position in the order of `sort`, made on first use."""
        order = self._orders.get(sort)
        if order is None:
            order = self._orders[sort] = np.argsort(self.ranks[sort]).astype(np.int32)
        return order

    def genres_of(self, film_ids):
        """{film id: [(slug, name)]} of these films, genres by name."""
        combinations = self.combination[self.position_of(film_ids)].tolist()
        return {
            film_id: [self.genres[genre][1:] for genre in self._genre_lists[combination]]
            for film_id, combination in zip(film_ids, combinations, strict=True)
        }


def _find(values, wanted):
    """(positions in `values` of each of `wanted`, whether it is there at all)."""
    if not len(values):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    order = np.argsort(values)
    found = np.minimum(np.searchsorted(values, wanted, sorter=order), len(values) - 1)
    positions = order[found]
    return positions, values[positions] == wanted


class RankedIds:
    def __init__(self, index, counts, sort):
        self.index, self.counts, self.sort = index, counts, sort

    def __len__(self):
        return self.counts.total

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("RankedIds are read a page at a time, by a slice.")
        start, stop, _ = key.indices(self.counts.total)
        return self.index.page(self.counts, self.sort, start, stop)


def _rank(sort):
    orders = [*FilmQuerySet.SORT_ORDERS[sort], F("title").asc(), F("pk").asc()]
    return Window(RowNumber(), order_by=orders)


def read(alias):
    """The Catalogue of the films in database `alias`: three queries, on PostgreSQL in one
    snapshot, so that an import committing meanwhile is either all in or not at all."""
    connection = connections[alias]
    if connection.in_atomic_block:
        return _read(alias)  # the snapshot of the transaction around it (in tests)
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _read(alias)


def _read(alias):
    films = (
        Film.objects.using(alias)
        .order_by(F("year").asc(nulls_last=True), "pk")
        .values_list(
            "pk",
            Coalesce("year", Value(int(UNDATED)), output_field=IntegerField()),
            Coalesce(Cast(Round(F("rating") * 10), IntegerField()), Value(UNRATED)),
            "vote_count",
            *(_rank(sort) for sort in SORTS),
        )
    )
    pairs = Film.genres.through.objects.using(alias).values_list("film_id", "genre_id")
    genres = Genre.objects.using(alias).order_by("name", "pk").values_list("pk", "slug", "name")
    return Catalogue(list(films), list(pairs), list(genres))


_current = {}  # alias: (data version, Catalogue)
_readers = {}  # alias: the thread reading its Catalogue
_failed = {}  # alias: (seconds waited since its last read failed, time.monotonic() of the next)
_starting = threading.Lock()


def catalogue():
    """This worker's Catalogue of the films as they are now, or None (the list takes the SQL
    path) until a thread of its own has read it."""
    alias = router.db_for_read(Film)
    if not settings.COUNT_CACHE_SECONDS:
        return read(alias)
    # The version first: a writer moves it on after it commits, so the rows read after it
    # are at least as new as it is. Without it (the cache is down), the index cannot know
    # whether it is fresh: the database counts.
    try:
        version = data_version()
    except CACHE_ERRORS as error:
        logger.warning("Counting the film list in the database: the cache failed: %s", error)
        return None
    held = _current.get(alias)
    if held and held[0] == version:
        return held[1]
    if connections[alias].in_atomic_block:
        return None  # a thread's own connection would not see this transaction's rows
    failed = _failed.get(alias)
    if failed and time.monotonic() < failed[1]:
        return None  # the last read failed a moment ago
    with _starting:
        # A thread started before this worker was forked is not alive in it.
        reader = _readers.get(alias)
        if not (reader and reader.is_alive()):
            # No list uses the index of an older version again: its memory back while the
            # new one is read (50 MB at a million films).
            _current.pop(alias, None)
            reader = threading.Thread(
                target=_read_for, args=(alias, version), name=f"catalogue-{alias}", daemon=True
            )
            reader.start()
            _readers[alias] = reader
    return None


def _read_for(alias, version):
    """Reads the Catalogue of database `alias` and holds it for `version` (a reader thread)."""
    try:
        index = read(alias)
    except Exception:
        last = _failed.get(alias)
        seconds = min(2 * last[0], RETRY_SECONDS_LONGEST) if last else RETRY_SECONDS
        _failed[alias] = (seconds, time.monotonic() + seconds)
        logger.exception(
            "Reading the film list's index failed; the first list after %d s reads it again",
            seconds,
        )
    else:
        _failed.pop(alias, None)
        _current[alias] = (version, index)
    finally:
        connections.close_all()  # this thread's own


def query_of(cleaned, genre_ids):
    """The Query of a FilmFilter's valid values (genres by slug, genre_ids their ids), or
    None when a filter the index does not answer has a value."""
    for name, value in cleaned.items():
        if name not in INDEXED_FILTERS and value not in (None, "", [], False):
            return None
    rating_min = cleaned.get("rating_min")
    decade = cleaned.get("decade")
    genres = tuple(genre_ids[slug] for slug in cleaned.get("genre") or ())
    return Query(
        year_min=cleaned.get("year_min"),
        year_max=cleaned.get("year_max"),
        decade=int(decade) if decade else None,
        genres=genres,
        all_genres=cleaned.get("genre_match") == "all" and bool(genres),
        rating_min=None if rating_min is None else math.ceil(rating_min * 10),
        votes_min=cleaned.get("votes_min"),
        sort=cleaned.get("sort") or SORTS[0],
    )
