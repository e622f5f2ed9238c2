"""Maps of filming locations in Chromium: drawn without JavaScript or network, zoomable with a
tile server (a stub on 127.0.0.1 here), and allowed by the Content Security Policy."""

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils.csp import CSP
from playwright.sync_api import expect

from films.models import FilmingLocation, Location
from tests.builders import make_film
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e


def _png():
    """A tile of one colour, 256 pixels square."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xa0\xc8\xe6" * 256 for _ in range(256))
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def tile_server():
    """A tile server on loopback that answers every tile with one PNG and counts them."""
    tile, asked = _png(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.asked = asked
    server.origin = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def tour(site):
    """A film shot in three places, two of them on the map."""
    film = make_film(title="A Grand Tour", year=1990, slug="a-grand-tour-1990")
    for name, latitude, longitude in (
        ("Paris, France", "48.85341", "2.34880"),
        ("Tokyo, Japan", "35.68950", "139.69171"),
        ("Springfield, USA", None, None),
    ):
        place = Location.objects.create(
            name=name, slug=name.split(",")[0].lower(), latitude=latitude, longitude=longitude
        )
        FilmingLocation.objects.create(film=film, location=place)
    return f"{site}{film.get_absolute_url()}"


MAP_PAGES = {"location": "/locations/azusa-california-usa/", "film": "/films/a-grand-tour-1990/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_without_javascript_the_drawn_map_and_the_coordinates_remain(
    site, tour, open_context, width, scheme
):
    context = open_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, java_script_enabled=False
    )
    page = context.new_page()
    world = []
    page.on("response", lambda r: "/img/world" in r.url and world.append(r.status))
    for name, path in MAP_PAGES.items():
        world.clear()
        page.goto(f"{site}{path}")
        drawn = page.locator("svg.place-map__world")
        expect(drawn).to_be_visible()
        assert drawn.bounding_box()["width"] <= width
        assert world == [200]  # the world's shapes, from this site
        # Each marker is a link named after its place, and the places are listed.
        first = "Azusa, California, USA" if name == "location" else "Paris, France"
        expect(drawn.get_by_role("link", name=first)).to_have_count(1)
        expect(page.locator(".place-map__places li").first).to_contain_text(first)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"map-{name}-{width}-{scheme}.png", full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", MAP_PAGES)
def test_pages_with_maps_fit_the_screen_and_pass_axe(
    site, tour, open_context, console_errors, name, scheme
):
    page = console_errors(
        open_context(viewport={"width": 375, "height": 900}, color_scheme=scheme).new_page()
    )
    page.goto(f"{site}{MAP_PAGES[name]}")
    expect(page.locator("svg.place-map__world")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert console_errors.errors == []


def test_with_a_tile_server_the_map_zooms_and_the_policy_lets_only_its_tiles_in(
    site, tour, page, console_errors, settings, tile_server
):
    settings.MAP_TILE_URL = f"{tile_server.origin}/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_ATTRIBUTION = "Tiles of the test"
    settings.SECURE_CSP = {**settings.SECURE_CSP, "img-src": [CSP.SELF, tile_server.origin]}
    page.goto(tour, wait_until="networkidle")
    tiles = page.locator(".place-map__tiles")
    expect(tiles).to_be_visible()
    expect(page.locator("svg.place-map__world")).to_be_hidden()
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
    assert tile_server.asked
    assert page.locator("img.leaflet-tile").evaluate_all(
        f"tiles => tiles.every(tile => tile.src.startsWith({tile_server.origin!r}))"
    )
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Tiles of the test")
    # Both places are marked; a marker opens a link to its place.
    expect(page.locator("path.place-map__pin")).to_have_count(2)
    page.locator("path.place-map__pin").first.click()
    expect(page.locator(".leaflet-popup-content a")).to_have_count(1)
    # The list of coordinates stays under the map.
    expect(page.locator(".place-map__places li")).to_have_count(2)
    assert console_errors.errors == []


def test_the_policy_refuses_tiles_from_anywhere_else(
    site, tour, page, console_errors, settings, tile_server
):
    """A tile server the policy does not name is refused: the policy is what lets one in."""
    settings.MAP_TILE_URL = f"{tile_server.origin}/{{z}}/{{x}}/{{y}}.png"
    page.goto(tour, wait_until="networkidle")
    expect(page.locator(".place-map__tiles")).to_be_visible()
    assert tile_server.asked == []
    assert any("Content Security Policy" in error for error in console_errors.errors)
