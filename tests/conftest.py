import pytest
from django.core.cache import caches
from django.core.management import call_command

from films.models import Film


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def mask(db):
    """The seed film, loaded from fixtures/ as `make run` loads it."""
    call_command("loadseed", "mask", verbosity=0)
    return Film.objects.get(slug="mask-1985")


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Pages render afresh in every test; tests/test_caching.py turns the page cache on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """Tests send many requests from one address; tests/test_ratelimit.py turns the limit on."""
    settings.RATE_LIMIT = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests that log in many times use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_count_cache(settings):
    """Totals and facets are counted afresh: tests change data inside one transaction, which
    never commits, so the data version they are cached under would not move on."""
    settings.COUNT_CACHE_SECONDS = 0


@pytest.fixture
def local_caches(settings, tmp_path):
    """The caches of one host without Redis: pages and counts in local memory, emptied for
    this test, and the data version in a file of this test's own."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "freshness": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": tmp_path,
            "TIMEOUT": None,
        },
    }
    caches["default"].clear()


@pytest.fixture
def writers_announce_changes():
    """The freshness safety net off (films/apps.py): a writer's test then passes only if the
    writer itself says that the data changed."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from films.freshness import on_films_write

    models = list(apps.get_app_config("films").get_models(include_auto_created=True))
    signals = (post_save, post_delete, m2m_changed)
    for model in models:
        for signal in signals:
            signal.disconnect(on_films_write, sender=model, dispatch_uid="films-freshness")
    yield
    for model in models:
        for signal in signals:
            signal.connect(on_films_write, sender=model, dispatch_uid="films-freshness")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Pictures a test stores go to a folder of its own, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT
