"""The query parameters each page understands.

A view declares the parameters it reads with `@understands(...)`. A public page is rendered
from those parameters alone, and the page cache keeps it under them, in one order: a link
carrying `?utm_source=...` or a made-up `?zzz=...` is the same page as the plain address,
costs no render of its own, and cannot leave its parameters in the links of the page the
cache keeps. A view that declares nothing is rendered with every parameter it is given.
"""

from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import Resolver404, resolve


def understands(*names):
    """Declares the query parameters a view reads; any other is dropped before it runs."""

    def decorator(view):
        # The view itself carries the declaration; decorators above it copy it with wraps().
        view.query_parameters = frozenset(names)
        return view

    return decorator


def query_parameters(path):
    """The parameters the view at `path` declares it understands; None when it declares
    none, or when `path` is no page."""
    try:
        return getattr(resolve(path).func, "query_parameters", None)
    except Resolver404:
        return None


def understood_query(request):
    """`request.GET` with only the parameters its page understands, in the order given."""
    names = query_parameters(request.path_info)
    query = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if names is None or name in names:
            query.setlist(name, values)
    query._mutable = False
    return query


def canonical_query_string(query):
    """`query` encoded with its parameters sorted by name; the values of a repeated name keep
    their order. Two addresses that differ only in the order of their parameters are one page."""
    return urlencode(sorted(query.lists(), key=lambda item: item[0]), doseq=True)
