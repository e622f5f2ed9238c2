"""Item pages in Chromium: reached from a list by the item's link, laid out at phone and
desktop widths in both colour schemes, accessible."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from films.models import Film, Trivia
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e


@pytest.fixture
def goofs(site):
    """The seed film with three goofs, so that the middle one has two neighbours."""
    film = Film.objects.get(slug="mask-1985")
    Trivia.objects.bulk_create(
        [
            Trivia(film=film, kind="goof", goof_category="Continuity", order=2, text="A wheel."),
            Trivia(film=film, kind="goof", goof_category="Factual errors", order=3, text="Moon."),
        ]
    )
    return site


def test_an_items_link_shows_on_hover_and_focus_and_opens_its_page(goofs, page):
    page.goto(f"{goofs}/films/mask-1985/trivia/")
    item = page.locator(".item", has_text="A wheel.")
    link = item.get_by_role("link", name="Link to this goof")
    assert link.evaluate("a => getComputedStyle(a).opacity") == "0"
    item.hover()
    expect(link).to_have_css("opacity", "1")
    page.mouse.move(0, 0)
    link.focus()
    expect(link).to_have_css("opacity", "1")
    link.click()
    expect(page).to_have_url(re.compile(r"/films/mask-1985/trivia/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Goof · Continuity in Mask (1985)")
    page.get_by_role("link", name=re.compile("^Next goof")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Goof · Factual errors in Mask (1985)"
    )
    page.get_by_role("link", name="All trivia, goofs and quotes of Mask (1985)").click()
    expect(page).to_have_url(re.compile(r"/films/mask-1985/trivia/#item-\d+$"))


def test_the_link_is_always_shown_where_nothing_can_hover(goofs, open_context):
    context = open_context(viewport={"width": 375, "height": 900}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{goofs}/films/mask-1985/making-of/", wait_until="load")
    assert page.evaluate("matchMedia('(hover: none)').matches")
    expect(page.get_by_role("link", name="Link to this story").first).to_have_css("opacity", "1")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_item_page_fits_the_screen_passes_axe_and_is_photographed(
    goofs, open_context, console_errors, width, scheme
):
    goof = Trivia.objects.get(text="A wheel.")
    context = open_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = console_errors(context.new_page())
    page.goto(f"{goofs}/films/mask-1985/trivia/{goof.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert console_errors.errors == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"item-{width}-{scheme}.png", full_page=True)
