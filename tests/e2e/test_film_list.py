"""A visitor's way through the lists in a real browser, with JavaScript on and off."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from films.models import Credit, Film, Person
from tests.builders import make_film, make_genre, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def films(mask):
    """Mask and a few more films, so lists have something to filter and sort."""
    comedy = make_genre(name="Comedy", slug="comedy")
    cher = mask.credits.get(person__slug="cher").person
    for title, year, rating, votes in [
        ("The Mask", 1994, "6.9", 450_000),
        ("Moonstruck", 1987, "7.1", 70_000),
        ("Paper Moon", 1973, "8.1", 45_000),
    ]:
        film = make_film(title=title, year=year, rating=Decimal(rating), vote_count=votes)
        film.genres.add(comedy)
        if title == "Moonstruck":
            Credit.objects.create(film=film, person=cher, role="cast", character="Loretta")
    make_person(name="Someone Else")


def wait_for_query(page, path, **params):
    """Waits until the address is `path` with exactly these parameters, in any order."""
    expected = {name: [value] for name, value in params.items()}
    page.wait_for_url(
        lambda url: urlsplit(url).path == path and parse_qs(urlsplit(url).query) == expected
    )


def card_titles(page):
    return page.locator(".film-card__title a").all_inner_texts()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.mark.usefixtures("films")
def test_home_search_to_film_page(page, live_server):
    """From the home page, searching "mask" lists the films and leads to Mask's page."""
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_contain_text("Films, the people who made them")
    page.get_by_label("Search titles, names and places").fill("mask")
    page.get_by_label("Search titles, names and places").press("Enter")
    page.wait_for_url("**/search/?q=mask")
    expect(page.locator("h1")).to_have_text("Results for “mask”")
    assert card_titles(page) == ["Mask", "The Mask"]
    page.get_by_role("link", name="Mask", exact=True).click()
    page.wait_for_url("**/films/mask-1985/")
    expect(page.locator("h1")).to_contain_text("Mask")


@pytest.mark.usefixtures("films")
def test_filters_update_the_list_in_place_with_javascript(page, live_server):
    """With JavaScript, a filter change swaps the results without a page load and pushes
    the new URL; Back returns to the previous results."""
    page.goto(live_server.url + "/films/")
    assert card_titles(page) == ["The Mask", "Moonstruck", "Paper Moon", "Mask"]
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Sort by").select_option("oldest")
    wait_for_query(page, "/films/", sort="oldest")
    expect(page.locator(".film-card__title a").first).to_have_text("Paper Moon")
    assert card_titles(page) == ["Paper Moon", "Mask", "Moonstruck", "The Mask"]

    page.locator("#film-facets").get_by_role("link", name="Comedy").click()
    wait_for_query(page, "/films/", sort="oldest", genre="comedy")
    expect(page.locator(".chip")).to_have_text(["Comedy ✕, remove this filter"])
    assert card_titles(page) == ["Paper Moon", "Moonstruck", "The Mask"]

    page.get_by_label("Person").fill("cher")
    page.get_by_label("Person").press("Enter")
    wait_for_query(page, "/films/", sort="oldest", genre="comedy", person="cher")
    expect(page.locator(".film-card__title a")).to_have_text(["Moonstruck"])
    assert page.evaluate("window.stillTheSamePage") is True

    page.go_back()
    wait_for_query(page, "/films/", sort="oldest", genre="comedy")
    expect(page.locator(".film-card__title a")).to_have_count(3)
    expect(page.get_by_label("Person")).to_have_value("")
    assert page.evaluate("window.stillTheSamePage") is True


@pytest.mark.usefixtures("films")
def test_filters_work_without_javascript(page_without_js, live_server):
    """Without JavaScript, the filter form submits by GET to a tidy, shareable URL."""
    page = page_without_js
    page.goto(live_server.url + "/films/")
    page.get_by_text("Filters and facets").click()
    page.get_by_label("From year").fill("1980")
    page.get_by_label("Sort by").select_option("title")
    page.get_by_role("button", name="Show films").click()
    wait_for_query(page, "/films/", year_min="1980", sort="title")
    assert card_titles(page) == ["Mask", "Moonstruck", "The Mask"]
    page.get_by_role("link", name="From year: 1980").click()
    wait_for_query(page, "/films/", sort="title")
    assert card_titles(page) == ["Mask", "Moonstruck", "Paper Moon", "The Mask"]


@pytest.fixture
def two_chers(films):
    """The seed's Cher, an actress, and a make-up artist of the same name on Paper Moon."""
    Person.objects.filter(slug="cher").update(professions="actress", birth_year=1946)
    make_up = make_person(
        name="Cher", slug="cher-nm0000002", professions="make_up_department", birth_year=1972
    )
    Credit.objects.create(
        film=Film.objects.get(title="Paper Moon"), person=make_up, role="other", job="Make-up"
    )


@pytest.mark.usefixtures("two_chers")
def test_the_person_box_suggests_people_told_apart(page, live_server):
    """Typing a name lists the people who have it, each described; choosing one lists
    their films, names them in the box and in the chip."""
    page.goto(live_server.url + "/films/")
    box = page.get_by_role("combobox", name="Person")
    box.fill("che")
    options = page.get_by_role("listbox", name="People").get_by_role("option")
    expect(options).to_have_text(
        ["Cher actress, b. 1946, Moonstruck", "Cher make-up department, b. 1972, Paper Moon"]
    )
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    wait_for_query(page, "/films/", person="cher-nm0000002", sort="votes")
    expect(page.locator(".film-card__title a")).to_have_text(["Paper Moon"])
    expect(page.locator(".chip").first).to_have_text(
        "Person: Cher (make-up department, b. 1972, Paper Moon) ✕, remove this filter"
    )
    expect(page.get_by_role("combobox", name="Person")).to_have_value(
        "Cher (make-up department, b. 1972, Paper Moon)"
    )
    page.goto(live_server.url + "/films/?person=cher")
    expect(page.get_by_role("combobox", name="Person")).to_have_value(
        "Cher (actress, b. 1946, Moonstruck)"
    )


@pytest.mark.usefixtures("two_chers")
def test_a_typed_name_offers_the_people_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(live_server.url + "/films/")
    page.get_by_text("Filters and facets").click()
    page.get_by_label("Person").fill("Cher")
    page.get_by_role("button", name="Show films").click()
    wait_for_query(page, "/films/", person="Cher", sort="votes")
    expect(page.locator(".person-choices")).to_contain_text("“Cher” is not one person")
    assert len(card_titles(page)) == 4
    page.locator(".person-choices").get_by_role("link").first.click()
    wait_for_query(page, "/films/", person="cher", sort="votes")
    assert card_titles(page) == ["Moonstruck", "Mask"]
