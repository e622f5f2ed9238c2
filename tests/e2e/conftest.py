"""Browser tests: Playwright's sync API driving Debian's Chromium against the live server."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright import sync_api

# Playwright's sync API runs an event loop in the test thread, which Django would otherwise
# take for async code and refuse database access from.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM.exists(), f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server's address, serving the seed film."""
    call_command("loadseed", "mask", verbosity=0)
    return live_server.url


@pytest.fixture
def open_context(browser):
    """Opens browser contexts (viewport, colour scheme...) and closes them after the test."""
    contexts = []

    def open_(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def console_errors():
    """Collects errors a page logs (script errors, refused resources, CSP reports)."""
    errors = []

    def watch(page):
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    watch.errors = errors
    return watch


@pytest.fixture
def page(open_context, console_errors):
    return console_errors(open_context().new_page())
