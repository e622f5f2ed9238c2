"""Jinja2 for the film list's content: its cards, filter form, facets, chips and pages.

Django's template engine resolves every variable, filter and tag node by node; for the
film list's 24 cards and some forty facets, inputs and links that took 4-5 ms of the page,
more than counting and reading its films. Jinja2 compiles the same markup to Python and
renders it in a tenth of that. The page's frame (base.html: header, footer, head) and every
other page stay Django templates; the content (templates/films/film_list.jinja and the
fragments it includes) is rendered to safe HTML and printed by films/film_list.html.
Autoescaping is on, as in Django's.
"""

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from .templatetags import moviedb


def _picture(picture, *, alt, width, sizes, eager=False, shape="poster"):
    """The picture tag's <picture> or placeholder (includes/picture.html)."""
    context = moviedb.picture(picture, alt=alt, width=width, sizes=sizes, eager=eager, shape=shape)
    return Markup(render_to_string("includes/picture.html", context))


_environment = Environment(
    loader=FileSystemLoader(settings.BASE_DIR / "templates"),
    autoescape=True,
    auto_reload=settings.DEBUG,
)
_environment.filters |= {"number": moviedb.number, "pluralize": pluralize}
_environment.globals |= {"picture": _picture, "drawing": moviedb.drawing}


def render_fragment(name, **context):
    """templates/`name` rendered by Jinja2 with `context`, as safe HTML."""
    return mark_safe(_environment.get_template(name).render(**context))


def render_macro(name, macro, *args):
    """The macro `macro` of templates/`name` called with `args`, as safe HTML: a piece the
    Jinja2 pages and Django's templates share (films/templatetags/fragments.py)."""
    return mark_safe(getattr(_environment.get_template(name).module, macro)(*args))
