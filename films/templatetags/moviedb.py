"""Formatting shared by every page, so a number or a date reads the same everywhere.

{% load moviedb %} then: 12168|number → "12,168"; date|long_date → "8 March 1985";
gross|money:"USD" → "$42,400,000", gross|money:"DEM" → "DEM 3,250,000";
124|runtime → "2h 4m"; 124|iso_duration → "PT2H4M";
rating|rating → "7.0"; score|out_of_five:scale → 4.5; {% stars value %} draws 5 stars;
place|coordinates → "34.1336° N, 117.9076° W".
"""

import functools
import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from films.currencies import format_amount
from films.pictures import MIME_TYPES, SHARE_WIDTH
from moviedb.origin import absolute_url
from moviedb.query import canonical_query_string

register = template.Library()

# What json_script escapes: nothing in the data can close the <script> element around it.
# Replaced one by one: str.translate() with a mapping took milliseconds on a page's JSON-LD.
_SCRIPT_SAFE = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def number(value):
    """A whole number with thousands separators: 12168 → "12,168"."""
    if value is None or value == "":
        return ""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def coordinates(place):
    """A place's latitude and longitude in degrees, to four places (some ten metres):
    34.13362, -117.90756 → "34.1336° N, 117.9076° W"; "" when its position is unknown."""
    latitude, longitude = _decimal(place.latitude), _decimal(place.longitude)
    if latitude is None or longitude is None:
        return ""
    north = "N" if latitude >= 0 else "S"
    east = "E" if longitude >= 0 else "W"
    return f"{abs(latitude):.4f}° {north}, {abs(longitude):.4f}° {east}"


@register.filter
def money(value, currency):
    """A whole amount in its own currency (films/currencies.py): 42400000|money:"USD" →
    "$42,400,000", 3250000|money:"DEM" → "DEM 3,250,000"."""
    if value is None or value == "":
        return ""
    try:
        return format_amount(int(value), currency)
    except (TypeError, ValueError):
        return value


@register.filter
def long_date(value):
    """A date as people write it: "8 March 1985"."""
    if not value:
        return ""
    return dateformat.format(value, "j F Y")


@register.filter
def runtime(minutes):
    """A running time: 124 → "2h 4m", 90 → "1h 30m", 45 → "45m", 120 → "2h"."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    parts = [f"{hours}h"] if hours else []
    if rest or not hours:
        parts.append(f"{rest}m")
    return " ".join(parts)


@register.filter
def iso_duration(minutes):
    """A running time in ISO 8601, as schema.org wants it: 124 → "PT2H4M"."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


@register.filter
def rating(value):
    """A score with one decimal: 7 → "7.0"."""
    score = _decimal(value)
    if score is None:
        return ""
    return str(score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@register.filter
def score(value):
    """A review score without a needless ".0": 4.5 → "4.5", 10.0 → "10"."""
    number_ = _decimal(value)
    if number_ is None:
        return ""
    return f"{number_.normalize():f}"


@register.filter
def out_of_five(score_, scale):
    """A score on any scale as stars out of 5, to the nearest half: 7 of 10 → 3.5."""
    score_, scale = _decimal(score_), _decimal(scale)
    if score_ is None or not scale:
        return None
    halves = (score_ / scale * 10).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return halves / 2


@register.simple_tag
def stars(value):
    """Five stars filled to value (0 to 5, in halves), read out as "3.5 out of 5 stars"."""
    value = _decimal(value)
    if value is None:
        return ""
    halves = max(0, min(10, int(value * 2)))
    label = f"{score(Decimal(halves) / 2)} out of 5 stars"
    return format_html(
        '<span class="stars" role="img" aria-label="{}">'
        '<span class="stars__filled stars__filled--{}" aria-hidden="true">★★★★★</span>'
        "</span>",
        label,
        halves,
    )


@register.filter
def jsonld(data):
    """A JSON-LD data block; like json_script, "</script>" inside the data cannot end it."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for character, escaped in _SCRIPT_SAFE:
        text = text.replace(character, escaped)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


@register.simple_tag
def page_range(page_obj, on_each_side=2, on_ends=1):
    """The page numbers to link around page_obj, with Paginator.ELLIPSIS for the gaps."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


def links_of_pages(query, page_obj, on_each_side=2, on_ends=1):
    """The links of a pagination under the query string `query` (a QueryDict): {"previous":
    path, "next": path (None at either end), "pages": [(number or Paginator.ELLIPSIS, path)]}.
    Each is the query string with its page replaced, as {% querystring page=n %} writes it;
    the other parameters are encoded once, not once a link."""
    parts, page_at = [], None
    for name, values in query.lists():
        if name == "page":
            page_at = len(parts)  # the page keeps its place
        else:
            parts.append(urlencode([(name, value) for value in values]))
    before, after = parts[:page_at], parts[page_at:] if page_at is not None else []

    def path(number):
        return "?" + "&".join([*before, f"page={number}", *after])

    pages = page_range(page_obj, on_each_side, on_ends)
    ellipsis = page_obj.paginator.ELLIPSIS
    return {
        "previous": path(page_obj.previous_page_number()) if page_obj.has_previous() else None,
        "next": path(page_obj.next_page_number()) if page_obj.has_next() else None,
        "pages": [(n, None if n == ellipsis else path(n)) for n in pages],
    }


@register.inclusion_tag("includes/picture.html")
def picture(picture, *, alt, width, sizes, eager=False, shape="poster"):
    """A <picture> of a stored Picture, `width` CSS pixels wide, in its modern formats with a
    fallback; or, without one, a placeholder of the same size (shape: "poster" or "photo").
    `sizes` tells the browser how wide it is shown, so it loads the rendition it needs; only
    an `eager` picture (one in the first screenful) loads before it is scrolled to."""
    return {
        "picture": picture,
        "drawing": None if picture else drawing(shape, width),
        "src": picture.url(width) if picture else "",
        "alt": alt,
        "width": width,
        "height": picture.height_at(width) if picture else None,
        "sizes": sizes,
        "lazy": not eager,
        "shape": shape,
    }


@functools.cache
def drawing(shape, width):
    """The drawing of a missing picture (includes/picture_drawing.html), `width` CSS pixels
    wide, rendered once per shape and width: the picture tag's placeholder and the film
    cards' (films/jinja.py)."""
    # It keeps the 2:3 shape of posters and portraits.
    context = {"shape": shape, "width": width, "height": round(width * 3 / 2)}
    return mark_safe(render_to_string("includes/picture_drawing.html", context))


@register.inclusion_tag("includes/share_image.html", takes_context=True)
def share_image(context, picture, *, alt):
    """Open Graph and Twitter card tags for a page's picture, at an absolute address; without a
    picture, a plain summary card."""
    if not picture:
        return {"picture": None}
    rendition = picture.fallback(SHARE_WIDTH)
    return {
        "picture": picture,
        "url": absolute_url(context["request"], picture.url(SHARE_WIDTH)),
        "type": MIME_TYPES[rendition.format],
        "width": rendition.width,
        "height": rendition.height,
        "alt": alt,
    }


def json_address(request):
    """The address of the JSON of the page `request` asks for, with its query string (less
    the page number: JSON lists page by cursor); None for a page without JSON (films/data.py
    names every `.json` route `<page>_json`)."""
    address = request.path.removesuffix("/") + ".json"
    if not _has_json(address, get_urlconf()):
        return None
    query = request.GET.copy()
    query.pop("page", None)
    return f"{address}?{canonical_query_string(query)}" if query else address


@functools.lru_cache(maxsize=4096)
def _has_json(address, urlconf):
    """Whether `address` is a page's JSON: resolving it took a fifth of a millisecond of
    every page."""
    try:
        return resolve(address, urlconf).url_name.endswith("_json")
    except Resolver404:
        return False


@register.simple_tag(takes_context=True)
def json_alternate(context):
    """<link rel="alternate"> to the JSON of the page being rendered, if it has one."""
    request = context.get("request")
    address = json_address(request) if request is not None else None
    if address is None:
        return ""
    return format_html('<link rel="alternate" type="application/json" href="{}">', address)
