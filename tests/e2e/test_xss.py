"""Cross-site scripting in Chromium: the pages of a film whose every text field holds markup
run none of it."""

import pytest

from tests.test_xss import import_hostile_film, public_pages

pytestmark = pytest.mark.e2e


def test_no_page_of_a_hostile_film_runs_its_markup(
    live_server, transactional_db, page, console_errors, tmp_path
):
    """Opening every page that shows the film's fields never opens a dialog, and nothing on
    them is refused or fails (an injected inline script would be refused by the CSP, an
    injected image would fail to load)."""
    film = import_hostile_film(tmp_path)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in public_pages(film):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
    assert dialogs == []
    assert console_errors.errors == []
