"""Maps of filming locations, drawn on the server so that they need no network and no
JavaScript: markers on the world of static/img/world.svg (scripts/world_map.py), in its
equirectangular projection, where x is the longitude and y the latitude negated. With
DJANGO_MAP_TILE_URL set, static/js/place-map.js turns the same figure into a zoomable tile
map, reading the places from the list of coordinates under it.
"""

from dataclasses import dataclass

from django.conf import settings

WORLD = (-180.0, -90.0, 360.0, 180.0)  # the view box of the whole world
# The least of the world a map shows, in degrees of longitude: a single place is seen with
# the country around it.
MIN_WIDTH = 40.0
MARGIN = 0.15  # of the span of the places, on every side


@dataclass(frozen=True)
class Marker:
    name: str
    url: str
    latitude: object  # Decimal
    longitude: object

    @property
    def x(self):
        return round(float(self.longitude), 3)

    @property
    def y(self):
        return round(-float(self.latitude), 3)


@dataclass(frozen=True)
class PlaceMap:
    title: str
    markers: list
    unknown: int  # places with no known position, left off the map
    view_box: tuple

    @property
    def view_box_attribute(self):
        return " ".join(f"{value:g}" for value in self.view_box)

    @property
    def marker_radius(self):
        return round(self.view_box[2] / 90, 3)

    @property
    def marker_stroke(self):
        return round(self.view_box[2] / 270, 3)

    @property
    def tile_url(self):
        return settings.MAP_TILE_URL

    @property
    def tile_attribution(self):
        return settings.MAP_TILE_ATTRIBUTION


def place_map(places, *, title):
    """The map of places (Location rows, their coordinates loaded), or None when none of
    them has a known position."""
    markers = [
        Marker(place.name, place.get_absolute_url(), place.latitude, place.longitude)
        for place in places
        if place.has_coordinates
    ]
    if not markers:
        return None
    return PlaceMap(
        title=title,
        markers=markers,
        unknown=len(places) - len(markers),
        view_box=view_box(markers),
    )


def view_box(markers):
    """The part of the world (x, y, width, height; twice as wide as high, as the world is)
    that shows every marker with a margin around them."""
    xs, ys = [m.x for m in markers], [m.y for m in markers]
    span = max(max(xs) - min(xs), 2 * (max(ys) - min(ys)))
    width = min(max(span * (1 + 2 * MARGIN), MIN_WIDTH), WORLD[2])
    height = width / 2
    x = _within((min(xs) + max(xs)) / 2 - width / 2, WORLD[0], WORLD[0] + WORLD[2] - width)
    y = _within((min(ys) + max(ys)) / 2 - height / 2, WORLD[1], WORLD[1] + WORLD[3] - height)
    return (round(x, 3), round(y, 3), round(width, 3), round(height, 3))


def _within(value, low, high):
    return max(low, min(value, high))
