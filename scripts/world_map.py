"""Draws static/img/world.svg, the map the site places filming locations on, from Natural
Earth's country shapes (public domain) as the world-atlas npm package ships them:

    npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python scripts/world_map.py package/countries-110m.json > static/img/world.svg

The projection is equirectangular: x is the longitude, y the latitude negated, so the view
box is -180 -90 360 180 and films/maps.py places markers with no arithmetic beyond that.
Each country is one path of the symbol "land", with no colours of its own: the page colours
it (light and dark mode) where it uses it.
"""

import json
import sys

NON_SCALING = 'vector-effect="non-scaling-stroke"'  # borders stay thin however far one zooms


def rings(topology):
    """The rings of every country, as lists of (longitude, latitude)."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantized
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes):
        points = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        return points

    for country in topology["objects"]["countries"]["geometries"]:
        polygons = country.get("arcs", [])
        if country["type"] == "Polygon":
            polygons = [polygons]
        yield (
            country.get("properties", {}).get("name", ""),
            [ring(r) for polygon in polygons for r in polygon],
        )


def unwrapped(points):
    """A ring that crosses the antimeridian drawn without a line across the world: its
    longitudes made continuous (past 180 if need be), closed along the pole it goes round
    (Antarctica), and drawn again a world to the side for the part past the edge."""
    ring = [points[0]]
    for longitude, latitude in points[1:]:
        previous = ring[-1][0]
        longitude += 360 * round((previous - longitude) / 360)
        ring.append((longitude, latitude))
    if abs(ring[-1][0] - ring[0][0]) > 180:  # round a pole
        pole = -90 if sum(lat for _, lat in ring) < 0 else 90
        ring += [(ring[-1][0], pole), (ring[0][0], pole)]
    low, high = min(lon for lon, _ in ring), max(lon for lon, _ in ring)
    shifts = [0] + ([360] if low < -180 else []) + ([-360] if high > 180 else [])
    return [[(lon + shift, lat) for lon, lat in ring] for shift in shifts]


def path(country_rings):
    parts = []
    for points in (drawn for ring in country_rings for drawn in unwrapped(ring)):
        coords, last = [], None
        for longitude, latitude in points:
            point = (round(longitude, 1), round(-latitude, 1))
            if point != last:
                coords.append(f"{point[0]:g} {point[1]:g}")
                last = point
        if len(coords) >= 3:
            parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def main(source):
    with open(source, encoding="utf-8") as stream:
        topology = json.load(stream)
    print('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-180 -90 360 180">')
    print("<!-- Natural Earth 1:110m countries (public domain), via world-atlas. -->")
    print('<symbol id="land" viewBox="-180 -90 360 180">')
    for name, country_rings in rings(topology):
        if drawn := path(country_rings):
            print(f'<path d="{drawn}" {NON_SCALING}><title>{name}</title></path>')
    print("</symbol>")
    print('<use href="#land"/>')
    print("</svg>")


if __name__ == "__main__":
    main(sys.argv[1])
