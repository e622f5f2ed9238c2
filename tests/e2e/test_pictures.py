"""Pages with pictures in Chromium: every picture loads under the site's own Content Security
Policy, fits its box, and the pages have no serious accessibility violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from films.models import Film, Person
from films.pictures import picture_from_file
from tests.builders import image_bytes
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

PAGES = {"home": "/", "films": "/films/", "film": "/films/mask-1985/", "person": "/people/cher/"}


@pytest.fixture
def pictured_site(site):
    """The seed film with a poster, and Cher with a photo; the rest of its cast without."""
    poster = picture_from_file(
        image_bytes(size=(300, 450)), name="mask.jpg", kind="films", credit="Studio", licence="CC0"
    )
    Film.objects.filter(slug="mask-1985").update(poster=poster)
    photo = picture_from_file(
        image_bytes(size=(200, 300), colour=(90, 60, 160)), name="c.jpg", kind="people"
    )
    Person.objects.filter(slug="cher").update(photo=photo)
    return site


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_pictures_load_and_pages_stay_accessible(
    pictured_site, open_context, console_errors, name, width, scheme
):
    context = open_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = console_errors(context.new_page())
    page.goto(f"{pictured_site}{PAGES[name]}", wait_until="networkidle")
    # Scrolled through, so that lazy pictures load too.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    images = page.eval_on_selector_all(
        "main img", "imgs => imgs.map(i => [i.currentSrc, i.complete && i.naturalWidth > 0])"
    )
    assert images, "no picture on the page"
    assert [src for src, loaded in images if not loaded] == []
    assert all(src.endswith((".avif", ".webp")) for src, _ in images)  # a modern format chosen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert console_errors.errors == []
    page.screenshot(path=SCREENSHOTS / f"pictures-{name}-{width}-{scheme}.png", full_page=True)
