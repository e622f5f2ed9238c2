"""Public pages are cached, answer conditional requests, and are fresh after any change."""

import gzip
import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from films.freshness import data_changed, data_version
from films.models import Film
from tests.builders import change_form_data
from tests.seeds import FILM_PAGE, MAKING_OF_PAGE

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_reachable():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache on, in local memory (with the version in a file) or in Redis."""
    if request.param == "redis":
        if not redis_reachable():
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not answering at {REDIS_URL}")
            pytest.skip(f"Redis is not answering at {REDIS_URL}")
        prefix = f"moviedb-test-{uuid.uuid4().hex}"
        backend = {
            "BACKEND": "moviedb.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
        settings.CACHES = {"default": backend, "freshness": {**backend, "TIMEOUT": None}}
    else:
        request.getfixturevalue("local_caches")
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_MAX_AGE = 60
    yield request.param
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def editor(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("editor", "e@example.com", "pw"))
    return client


def test_a_cached_page_costs_no_query(client, mask, page_cache, django_assert_num_queries):
    client.get(mask.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(mask.get_absolute_url())
    assert response.status_code == 200
    assert mask.title in response.content.decode()


def test_a_cached_page_keeps_its_content_security_policy(
    client, mask, page_cache, django_assert_num_queries
):
    """The policy is kept with the page: a hit is sent with the policy the page was sent with."""
    rendered = client.get(mask.get_absolute_url())
    with django_assert_num_queries(0):
        cached = client.get(mask.get_absolute_url())
    assert "default-src 'self'" in rendered["Content-Security-Policy"]
    assert cached["Content-Security-Policy"] == rendered["Content-Security-Policy"]


def test_public_pages_are_marked_for_shared_caches(client, mask, page_cache):
    response = client.get(mask.get_absolute_url())
    cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=60", "s-maxage=60"}
    assert response["ETag"]
    assert "cookie" not in response.get("Vary", "").lower()
    assert not response.cookies


def test_an_unchanged_page_answers_304(client, mask, page_cache):
    url = mask.get_absolute_url()
    etag = client.get(url)["ETag"]
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_an_admin_edit_shows_at_the_next_request(
    client, editor, mask, page_cache, django_capture_on_commit_callbacks, writers_announce_changes
):
    url = mask.get_absolute_url()
    etag = client.get(url)["ETag"]
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(editor.get(change_url))
    data["title"] = "Mask, corrected"
    with django_capture_on_commit_callbacks(execute=True):
        saved = editor.post(change_url, data)
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Mask, corrected" in response.content.decode()
    assert response["ETag"] != etag


def test_an_admin_delete_shows_at_the_next_request(
    client, editor, mask, page_cache, django_capture_on_commit_callbacks, writers_announce_changes
):
    home = reverse("films:home")
    assert f'href="{mask.get_absolute_url()}"' in client.get(home).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        deleted = editor.post(reverse("admin:films_film_delete", args=[mask.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert client.get(mask.get_absolute_url()).status_code == 404
    assert f'href="{mask.get_absolute_url()}"' not in client.get(home).content.decode()


def test_a_json_import_shows_at_the_next_request(
    client, mask, page_cache, writers_announce_changes, django_capture_on_commit_callbacks, tmp_path
):
    """Importing a JSON document that renames a cached film makes its page fresh."""
    url = mask.get_absolute_url()
    assert "Mask" in client.get(url).text
    exported = tmp_path / "films.json"
    call_command("exportfilms", "-o", str(exported), verbosity=0)
    exported.write_text(exported.read_text().replace('"title": "Mask"', '"title": "Mask, again"'))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("importfilms", str(exported), verbosity=0)
    assert "Mask, again" in client.get(url).text


def test_an_admin_inline_edit_shows_at_the_next_request(
    client, editor, mask, page_cache, writers_announce_changes, django_capture_on_commit_callbacks
):
    """Changing only a credit, in the film's inline, is a change of the film's page too."""
    url = mask.get_absolute_url()
    assert "Florence &#x27;Rusty&#x27; Dennis" in client.get(url).text
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(editor.get(change_url))
    (field,) = [k for k, v in data.items() if v == "Florence 'Rusty' Dennis"]
    data[field] = "Rusty Dennis"
    with django_capture_on_commit_callbacks(execute=True):
        saved = editor.post(change_url, data)
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved
    page = client.get(url).text
    assert "Rusty Dennis" in page
    assert "Florence" not in page


def test_an_admin_bulk_delete_shows_at_the_next_request(
    client, editor, mask, page_cache, writers_announce_changes, django_capture_on_commit_callbacks
):
    """The changelist's "delete selected" action, confirmed, makes cached pages fresh."""
    url = mask.get_absolute_url()
    assert client.get(url).status_code == 200
    changelist = reverse("admin:films_film_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        deleted = editor.post(
            changelist,
            {"action": "delete_selected", "_selected_action": [mask.pk], "post": "yes"},
        )
    assert deleted.status_code == 302
    assert not Film.objects.exists()
    assert client.get(url).status_code == 404


def test_an_admin_save_asks_for_one_new_version(
    editor, mask, page_cache, django_capture_on_commit_callbacks
):
    """A film and its credits saved together are one change: one new version, however many
    rows (and safety-net signals) the save wrote."""
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(editor.get(change_url))
    data["title"] = "Mask, corrected"
    for key, value in list(data.items()):
        if key.startswith("credits-") and key.endswith("-character") and value:
            data[key] = f"{value} (again)"
    with django_capture_on_commit_callbacks() as callbacks:
        saved = editor.post(change_url, data)
    assert saved.status_code == 302
    assert mask.credits.filter(character__endswith="(again)").count() == 15
    assert len(callbacks) == 1


def test_a_bulk_write_shows_once_the_importer_reports_it(
    client, mask, page_cache, django_capture_on_commit_callbacks
):
    """Bulk writes send no signals: the page stays cached until data_changed() is called."""
    url = mask.get_absolute_url()
    client.get(url)
    Film.objects.filter(pk=mask.pk).update(title="Mask, imported")
    assert "Mask, imported" not in client.get(url).content.decode()  # the cache is on
    with django_capture_on_commit_callbacks(execute=True):
        data_changed()
    assert "Mask, imported" in client.get(url).content.decode()


def test_the_version_changes_only_when_the_transaction_commits(
    mask, page_cache, django_capture_on_commit_callbacks
):
    before = data_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mask.genres.clear()
        mask.save()
    assert data_version() == before
    for callback in callbacks:
        callback()
    assert data_version() != before


def test_editors_and_the_admin_are_never_cached(client, editor, mask, page_cache):
    url = mask.get_absolute_url()
    client.get(url)  # now cached for anonymous visitors
    Film.objects.filter(pk=mask.pk).update(title="Mask, edited quietly")
    as_editor = editor.get(url)
    assert "Mask, edited quietly" in as_editor.content.decode()
    assert "private" in as_editor["Cache-Control"]
    admin_page = editor.get(reverse("admin:films_film_changelist"))
    assert "no-store" in admin_page["Cache-Control"]
    assert "public" not in admin_page["Cache-Control"]


def test_posts_are_not_answered_from_the_cache(client, mask, page_cache):
    """Public pages refuse a POST; the cached page is never the answer."""
    url = mask.get_absolute_url()
    client.get(url)
    response = client.post(url)
    assert response.status_code == 405
    assert mask.title not in response.content.decode()


def test_the_page_cache_can_be_turned_off(client, mask, page_cache, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = mask.get_absolute_url()
    client.get(url)
    Film.objects.filter(pk=mask.pk).update(title="Mask, uncached")
    assert "Mask, uncached" in client.get(url).content.decode()


def test_pages_are_rendered_when_the_cache_is_down(client, mask, settings):
    """The cache is an optimisation: without it, pages come from the database."""
    down = {
        "BACKEND": "moviedb.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    settings.CACHES = {"default": down, "freshness": down}
    settings.PAGE_CACHE_SECONDS = 600
    response = client.get(mask.get_absolute_url())
    assert response.status_code == 200
    assert mask.title in response.content.decode()


def test_an_import_shows_at_the_next_request(
    client, mask, page_cache, django_capture_on_commit_callbacks, tmp_path, writers_announce_changes
):
    """Importing a changed page of a cached film makes its page fresh at the next request."""
    url = mask.get_absolute_url()
    assert "Cher" in client.get(url).content.decode()
    page = FILM_PAGE.read_text().replace("Cher - Florence", "Cherilyn - Florence")
    (tmp_path / "000_page.txt").write_text(page)
    (tmp_path / "002_making_of.txt").write_text(MAKING_OF_PAGE.read_text())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("importfilms", str(tmp_path), verbosity=0)
    assert "Cherilyn" in client.get(url).content.decode()


@pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
def test_the_redis_cache_reuses_one_client_per_server(page_cache):
    """Reads and writes go through one client built once, not one built per operation."""
    cache = caches["default"]
    cache.set("reuse", "a value")
    client = cache._cache.get_client("reuse")
    assert cache.get("reuse") == "a value"
    assert cache._cache.get_client("reuse") is client
    assert cache._cache.get_client("reuse", write=True) is client


@pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
def test_a_cached_page_costs_one_redis_round_trip(client, mask, page_cache, monkeypatch):
    """A page served from Redis reads the data version and the page in one command."""
    url = mask.get_absolute_url()
    client.get(url)
    commands = []
    execute = redis.Redis.execute_command

    def counted(self, *args, **options):
        commands.append(args[0])
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    response = client.get(url)
    assert response.status_code == 200
    assert mask.title in response.content.decode()
    assert commands == ["MGET"]


def test_only_films_models_carry_the_freshness_receivers():
    """Other models keep Django's fast delete: no delete receiver listens to them."""
    from django.contrib.sessions.models import Session
    from django.db.models.signals import m2m_changed, post_delete

    from films.models import Credit

    assert post_delete.has_listeners(Credit)
    assert m2m_changed.has_listeners(Film.genres.through)
    assert not post_delete.has_listeners(Session)


def test_junk_parameters_share_the_plain_pages_entry(
    client, mask, page_cache, django_assert_num_queries
):
    """Parameters a page does not understand neither make a page of their own nor cost a
    render, whichever address comes first."""
    url = mask.get_absolute_url()
    first = client.get(f"{url}?utm_source=newsletter&zzz=random")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        plain = client.get(url)
        again = client.get(f"{url}?zzz=something-else")
    assert plain.content == first.content == again.content
    assert "zzz" not in first.content.decode()


def test_a_list_is_rendered_from_the_parameters_it_understands(
    client, mask, page_cache, django_assert_num_queries
):
    """Junk left in a list's address never reaches the links of the page the cache keeps,
    and the order of the parameters makes no page of its own."""
    first = client.get("/films/?utm_campaign=spam&sort=rating&genre=drama")
    assert first.status_code == 200
    assert "utm_campaign" not in first.content.decode()
    with django_assert_num_queries(0):
        reordered = client.get("/films/?genre=drama&sort=rating&zzz=1")
    assert reordered.content == first.content


def test_parameters_a_page_understands_still_make_their_own_page(client, mask, page_cache):
    client.get("/films/?title=mask")
    response = client.get("/films/?title=nothing-at-all")
    assert mask.title not in [film.title for film in response.context["page_obj"]]


def test_every_page_declares_the_parameters_it_understands():
    """Each public page says which query parameters it reads (moviedb/query.py); one that
    did not would be cached under every made-up parameter again."""
    from films.urls import urlpatterns

    undeclared = [p.name for p in urlpatterns if not hasattr(p.callback, "query_parameters")]
    assert undeclared == []


def test_pages_are_compressed_for_clients_that_accept_it(client, mask, page_cache):
    url = mask.get_absolute_url()
    plain = client.get(url)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 3
    for response in (plain, compressed):
        assert "accept-encoding" in response["Vary"].lower()
        assert "public" in response["Cache-Control"]


def test_the_cache_keeps_the_compressed_page(client, mask, page_cache, django_assert_num_queries):
    """A cached page is served as it was compressed (gzip output varies from one compression
    to the next), and a client that does not accept gzip still gets it plain."""
    url = mask.get_absolute_url()
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == compressed.content
    assert again["ETag"] == compressed["ETag"]
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    assert plain.content == gzip.decompress(compressed.content)


def test_a_compressed_page_answers_304(client, mask, page_cache):
    url = mask.get_absolute_url()
    etag = client.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200  # another encoding
