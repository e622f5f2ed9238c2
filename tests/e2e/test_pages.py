"""A visitor's way through a film's pages in Chromium: journey, layout, accessibility."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from films.models import Credit, Film
from tests.builders import make_person
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

PAGES = {
    "film": "/films/mask-1985/",
    "cast": "/films/mask-1985/cast/",
    "making-of": "/films/mask-1985/making-of/",
    "trivia": "/films/mask-1985/trivia/",
    "reviews": "/films/mask-1985/reviews/",
    "person": "/people/cher/",
    "filmography": "/people/cher/filmography/cast/",
    "location": "/locations/azusa-california-usa/",
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_home_to_search_to_film_to_cast_to_filtered_making_of_to_a_person_and_back(
    site, open_context, console_errors, javascript
):
    page = console_errors(open_context(java_script_enabled=javascript).new_page())
    page.goto(f"{site}/")
    search_box = page.get_by_label("Search titles, names and places")
    search_box.fill("mask")
    search_box.press("Enter")
    # Mask is the one exact match, so the search opens its page.
    expect(page).to_have_url(re.compile(r"/films/mask-1985/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mask (1985)")

    page.get_by_role("link", name="Full cast & crew (16)").click()
    expect(page).to_have_url(re.compile(r"/films/mask-1985/cast/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Full cast & crew")
    expect(page.get_by_text("Florence 'Rusty' Dennis")).to_be_visible()

    page.get_by_role("navigation", name="Mask: sections").get_by_role(
        "link", name="Making-of"
    ).click()
    page.get_by_label("Contributed by").select_option(label="Dominic (1)")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"contributor=Dominic"))
    expect(page.locator(".item")).to_have_count(1)
    expect(page.locator(".item")).to_contain_text("Michael Westmore")

    page.get_by_role("link", name="Mask (1985)").first.click()
    page.get_by_role("link", name="Eric Stoltz").first.click()
    expect(page).to_have_url(re.compile(r"/people/eric-stoltz/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Eric Stoltz")
    expect(page.get_by_text("Roy L.'Rocky' Dennis")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/films/mask-1985/$"))
    assert console_errors.errors == []


@pytest.fixture
def prolific(site):
    """A person with 120 cast credits (one film a year) and 2 as director."""
    person = make_person(name="Prolific Player", slug="prolific-player")
    films = Film.objects.bulk_create(
        Film(title=f"Picture {i:03}", slug=f"picture-{i:03}", year=1900 + i) for i in range(120)
    )
    Credit.objects.bulk_create(
        Credit(person=person, film=film, role=Credit.Role.CAST, character=f"Part {i}")
        for i, film in enumerate(films)
    )
    Credit.objects.bulk_create(
        Credit(person=person, film=film, role=Credit.Role.DIRECTOR) for film in films[:2]
    )
    return person


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_long_filmography_is_shown_in_part_and_paged_in_full(
    site, prolific, open_context, console_errors, javascript
):
    page = console_errors(open_context(java_script_enabled=javascript).new_page())
    page.goto(f"{site}/people/prolific-player/")
    cast = page.get_by_role("region", name="Cast")
    expect(cast.locator(".filmography__item")).to_have_count(50)
    expect(cast.locator(".filmography__item").first).to_contain_text("Picture 119")

    cast.get_by_role("link", name="All 120 cast credits").click()
    expect(page).to_have_url(re.compile(r"/people/prolific-player/filmography/cast/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cast")
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.locator(".filmography__item")).to_have_count(50)
    expect(page.locator(".filmography__item").first).to_contain_text("Picture 069")

    page.get_by_role("link", name="Director 2").click()
    expect(page.locator(".filmography__item")).to_have_count(2)
    page.get_by_role("link", name="All roles").click()
    expect(page).to_have_url(re.compile(r"/people/prolific-player/$"))
    assert console_errors.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["", "filmography/cast/?page=2"], ids=["person", "filmography"])
def test_long_filmography_pages_fit_the_screen_and_pass_axe(
    site, prolific, open_context, width, scheme, path
):
    """Nothing overflows sideways, no serious accessibility violation; screenshots are left
    under tests/screenshots/."""
    context = open_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site}/people/prolific-player/{path}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    SCREENSHOTS.mkdir(exist_ok=True)
    name = "person" if not path else "filmography"
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{scheme}.png", full_page=True)


def test_skip_link_is_the_first_stop_and_moves_to_the_content(site, page):
    page.goto(f"{site}/films/mask-1985/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # shown on screen while focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_film_page_fits_the_screen_and_is_photographed(site, open_context, width, scheme):
    """Nothing overflows sideways; the screenshot is left under tests/screenshots/."""
    context = open_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site}/films/mask-1985/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"film-{width}-{scheme}.png", full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(
    site, open_context, console_errors, name, scheme
):
    page = console_errors(open_context(color_scheme=scheme).new_page())
    page.goto(f"{site}{PAGES[name]}")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert page.locator("h1").count() == 1
    assert console_errors.errors == []


STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"


@pytest.mark.parametrize("name", PAGES)
def test_page_needs_nothing_a_strict_content_security_policy_refuses(
    site, page, console_errors, name
):
    """No inline script or style: served under a strict CSP, the page logs no refusal."""

    def with_strict_csp(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    address = f"{site}{PAGES[name]}"
    page.route(address, with_strict_csp)  # the policy is the document's; it governs the rest
    page.goto(address, wait_until="networkidle")
    page.unroute_all(behavior="wait")
    assert page.locator("h1").count() == 1
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"  # site.css applied
    assert console_errors.errors == []
