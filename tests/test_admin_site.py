"""The admin site's select-box search answers whatever text is typed into it."""

import pytest
from django.contrib import admin
from django.urls import reverse

from moviedb.admin import AdminSite


def test_the_admin_is_moviedbs_site():
    assert isinstance(admin.site, AdminSite)


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("Dra\x00ma", ["Drama"]),
        ("\x00", ["Drama"]),
        ("\u202eDrama", []),
        ("x" * 5000, []),
    ],
    ids=["nul-inside", "only-nul", "right-to-left", "long"],
)
def test_autocomplete_answers_any_typed_text(admin_client, mask, term, found):
    """A NUL character is dropped from the search, on PostgreSQL as on SQLite; the results
    come in a stable order, page after page."""
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "films", "model_name": "film", "field_name": "genres"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == found


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_autocomplete_lists_locations_in_order(admin_client, mask):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "a",
            "app_label": "films",
            "model_name": "filminglocation",
            "field_name": "location",
        },
    )
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert names
    assert names == sorted(names)
