"""Public views answer GET and HEAD only, and the static files' manifest is not served."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_urls(mask):
    """One address of each public view."""
    person = mask.credits.select_related("person").first().person
    location = mask.filming_locations.select_related("location").first().location
    return [
        reverse("films:home"),
        reverse("films:search") + "?q=nothing+like+it",
        reverse("films:film_list"),
        mask.get_absolute_url(),
        *(
            reverse(f"films:{name}", args=[mask.slug])
            for name in ("film_cast", "film_making_of", "film_trivia", "film_reviews")
        ),
        reverse("films:person_list"),
        person.get_absolute_url(),
        reverse("films:person_filmography", args=[person.slug, "cast"]),
        reverse("films:location_list"),
        location.get_absolute_url(),
        reverse("films:robots_txt"),
        reverse("films:sitemap"),
        reverse("films:sitemap_section", args=["films"]),
        reverse("healthz"),
        reverse("readyz"),
    ]


def test_public_views_answer_get_and_head(client, public_urls):
    for url in public_urls:
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, url


def test_options_answers_the_allowed_methods_without_a_page(client, public_urls):
    for url in public_urls:
        response = client.options(url)
        assert response.status_code == 204, url
        assert response["Allow"] == "GET, HEAD, OPTIONS", url
        assert response.content == b"", url
        assert "Content-Type" not in response, url


def test_other_methods_are_refused_without_a_page(client, public_urls):
    for url in public_urls:
        for method in ("post", "put", "patch", "delete", "trace"):
            response = getattr(client, method)(url)
            assert response.status_code == 405, (method, url)
            assert response["Allow"] == "GET, HEAD, OPTIONS", (method, url)
            assert response.content == b"", (method, url)


def test_a_post_without_its_csrf_token_is_refused_first(public_urls):
    client = Client(enforce_csrf_checks=True)
    for url in public_urls:
        assert client.post(url).status_code == 403, url


@pytest.fixture
def collected(settings, tmp_path):
    """A STATIC_ROOT as collectstatic leaves it: hashed files and the manifest."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.0123456789ab.css").write_text("body { margin: 0 }")
    (tmp_path / "staticfiles.json").write_text('{"paths": {"css/site.css": "..."}}')
    (tmp_path / "staticfiles.json.gz").write_bytes(b"")
    settings.STATIC_ROOT = tmp_path
    settings.WHITENOISE_AUTOREFRESH = False
    return tmp_path


def test_the_static_files_manifest_is_not_served(client, collected):
    response = client.get("/static/css/site.0123456789ab.css")
    assert response.status_code == 200
    assert response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert client.get("/static/staticfiles.json").status_code == 404
    assert client.get("/static/staticfiles.json.gz").status_code == 404
    assert client.get("/static/staticfiles.json", HTTP_ACCEPT_ENCODING="gzip").status_code == 404


def test_nor_while_debugging(client, collected, settings):
    settings.WHITENOISE_AUTOREFRESH = True
    assert client.get("/static/css/site.0123456789ab.css").status_code == 200
    assert client.get("/static/staticfiles.json").status_code == 404
