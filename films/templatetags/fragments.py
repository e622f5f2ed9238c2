"""The pieces of markup the Jinja2 pages (films/jinja.py) and Django's templates share,
kept once, in Jinja2: {% load fragments %}."""

from django import template

from ..jinja import render_macro
from .moviedb import links_of_pages

register = template.Library()


@register.simple_tag(takes_context=True)
def pagination(context, page_obj, noun="results"):
    """A list's pagination (templates/includes/pagination.jinja), its links the request's
    query string with the page replaced."""
    links = links_of_pages(context.request.GET, page_obj)
    return render_macro("includes/pagination.jinja", "pagination", page_obj, links, noun)


@register.simple_tag
def person_description(person):
    """What tells `person` from namesakes (templates/people/description.jinja)."""
    return render_macro("people/description.jinja", "description", person)
