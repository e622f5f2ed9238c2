"""Hostile query strings: whatever a visitor puts after the `?` of a filtered or paginated
page, the page answers with a page, a redirect, a 400 or a 404, never a server error; so do
the page's `.json` and `.csv`.

The parameter names are those each page declares it understands, so a filter added later is
thrown at too.
"""

from urllib.parse import quote_plus

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from films.filters import CreditFilter, FilmFilter, MakingOfFilter, TriviaFilter
from films.models import Credit, Location, Trivia
from moviedb.query import query_parameters


def understood(path):
    """The parameters the page at `path` declares it understands (moviedb/query.py); a page
    that understands none is sent made-up ones only."""
    names = query_parameters(path.format(film="f", location="l", person="p", item=1))
    return sorted(names) or ["made-up"]


# name: (path of the page, given the seed film's slug, a location's and a cast member's,
# and one of the film's trivia items; the parameters it understands)
PAGES = {
    name: (path, understood(path))
    for name, path in {
        "film list": "/films/",
        "search": "/search/",
        "person suggestions": "/search/people/",
        "people": "/people/",
        "locations": "/locations/",
        "cast": "/films/{film}/cast/",
        "making-of": "/films/{film}/making-of/",
        "trivia": "/films/{film}/trivia/",
        "reviews": "/films/{film}/reviews/",
        "trivia item": "/films/{film}/trivia/{item}/",
        "location": "/locations/{location}/",
        "person": "/people/{person}/",
        "filmography": "/people/{person}/filmography/cast/",
        # The pages' data: the same filters, and a cursor.
        "film list as JSON": "/films.json",
        "film list as CSV": "/films.csv",
        "cast as JSON": "/films/{film}/cast.json",
        "trivia as CSV": "/films/{film}/trivia.csv",
        "reviews as JSON": "/films/{film}/reviews.json",
        "people as JSON": "/people.json",
        "location as CSV": "/locations/{location}.csv",
        "filmography as JSON": "/people/{person}/filmography/cast.json",
    }.items()
}

# Values a filter understands (so that the filtering and faceting behind them run too),
# and the classic troublemakers.
CHOICES = sorted(
    {
        str(value)
        for filterset in (FilmFilter, CreditFilter, MakingOfFilter, TriviaFilter)
        for f in filterset.base_filters.values()
        for value, _ in f.extra.get("choices") or ()
    }
)
TROUBLE = [
    *["", " ", "\x00", "a\x00b", "1\x00", "%00", "0", "-1", "1", "2", "-0", "+1", "1_000"],
    *["1.5", "1e309", "-1e309", "nan", "inf", "-inf", "0x10", "9" * 5000, str(2**63)],
    *["on", "off", "true", "false", "drama", "Cher", "%", "_", "\\", "'", '"', "*", "?"],
    *["\u202eevil\u202c", "\u05e9\u05dc\u05d5\u05dd", "\ufeff", "\U0001f3ac", "e\u0301"],
    *["<script>", "' OR 1=1 --", "x" * 10_000, "\ud800", "\udfff"],
]
values = st.one_of(
    st.sampled_from(TROUBLE + CHOICES),
    st.integers().map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(repr),
    st.text(),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Lo", "Mn"])),
    st.text(min_size=201, max_size=3000),
)


def encode(text):
    """Percent-encoded UTF-8; a lone surrogate becomes bytes that are not UTF-8 at all."""
    return quote_plus(text.encode("utf-8", "surrogatepass"))


def query_strings(names):
    pair = st.tuples(st.one_of(st.sampled_from(names), st.sampled_from(names), st.text()), values)
    few = st.lists(pair, max_size=12)
    # One parameter many times over, or very many parameters: past Django's limit of
    # DATA_UPLOAD_MAX_NUMBER_FIELDS as well as below it.
    repeated = st.builds(lambda p, n: [p] * n, pair, st.sampled_from([50, 999, 1000, 1001, 3000]))
    many = st.builds(
        lambda name, n: [(f"{name}{i}", str(i)) for i in range(n)] + [(name, "1")],
        st.sampled_from(names),
        st.sampled_from([500, 2000]),
    )
    return st.one_of(few, few, few, repeated, many).map(
        lambda pairs: "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)
    )


@pytest.fixture(autouse=True)
def page_cache(settings, local_caches):
    """The page cache on, as in production: its keys are made from the query string too."""
    settings.PAGE_CACHE_SECONDS = 600


def slugs_for(film):
    """The slugs PAGES' paths take: the film's, one of its locations' and cast members'."""
    location = Location.objects.filter(filmings__film=film).first()
    person = film.credits.filter(role=Credit.Role.CAST).first().person
    item = film.trivia.exclude(kind__in=Trivia.MAKING_OF_KINDS).first()
    return {"film": film.slug, "location": location.slug, "person": person.slug, "item": item.pk}


@pytest.fixture
def page_paths(mask):
    return slugs_for(mask)


@pytest.mark.parametrize("page", PAGES)
@hypothesis.settings(
    max_examples=50,
    deadline=None,
    # The fixtures' data is created once per page and only read by the examples, so sharing
    # the function-scoped fixtures between them is what is wanted; and the long strings and
    # thousands of parameters are slow to draw on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_query_string_makes_a_page_fail(page, client, page_paths, data):
    """Every parameter of every filtered or paginated page, given anything at all, gets an
    answer below 500 (the test client re-raises any exception a view lets escape)."""
    path_template, names = PAGES[page]
    path = path_template.format(**page_paths)
    query = data.draw(query_strings(names), label="query string")
    response = client.get(f"{path}?{query}")
    assert response.status_code < 500, (query[:500], response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)  # a streamed CSV fails, if at all, as it is read


def test_the_pages_under_test_exist(client, page_paths):
    """The paths above are real pages, so the examples exercise their views, not a 404."""
    for path_template, _ in PAGES.values():
        assert client.get(path_template.format(**page_paths)).status_code == 200
