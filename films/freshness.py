"""Keeps cached pages fresh: any change to the films data makes every cached page stale.

The data version is the time of the last change, kept in the "freshness" cache that every
worker shares. The page cache stores each page with the version it was rendered at and
renders it again when the version has moved on (moviedb/middleware.py).

Every writer says so itself: the page importer (films/importers/loader.py), the IMDb
importer (films/importers/imdb.py) and the admin (films/admin.py) each call `data_changed()`
once they have written, inside their transaction, and the new version is taken when it
commits. A writer added later does the same. The post_save, post_delete and m2m_changed
receivers connected in films/apps.py are only a safety net for writes nobody announced (a
shell session, loaddata); tests of each writer run without them.
"""

import functools
import hashlib
import logging
import time

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver

logger = logging.getLogger(__name__)

VERSION_KEY = "films:data-version"
CACHE_ERRORS = (OSError, redis.RedisError)
_MISSING = object()


def data_version():
    """The current data version: a number that changes whenever the films data changes."""
    cache = caches["freshness"]
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh (or flushed) cache starts from now, never from a version pages were
        # already cached at.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def data_version_and(key, alias="default"):
    """The current data version and the value of `key` in the cache `alias`.

    A page served from the cache needs both. When that cache is the data version's own
    server under the same prefix (one Redis in production), they come in one round trip."""
    cache = caches[alias]
    if _same_store(alias, "freshness"):
        found = cache.get_many([VERSION_KEY, key])
        if VERSION_KEY in found:
            return found[VERSION_KEY], found.get(key)
    return data_version(), cache.get(key)


@functools.cache
def _same_store(alias, other):
    """Whether two cache aliases read the same keys from the same server: read from the
    settings once, not on every page served from the cache."""
    one, two = settings.CACHES[alias], settings.CACHES[other]
    shared = ("BACKEND", "LOCATION", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")
    return "redis" in one["BACKEND"].lower() and all(one.get(k) == two.get(k) for k in shared)


@receiver(setting_changed)
def _caches_changed(setting, **kwargs):
    if setting == "CACHES":
        _same_store.cache_clear()


def data_changed():
    """Makes every cached page stale, once the current transaction (if any) commits.

    Waiting for the commit matters: a page rendered before then would still show the old
    data, and must not be kept under the new version. Called again in the same atomic block
    (the admin saving a film, then its credits), it asks for one new version, not one per call.
    """
    connection = transaction.get_connection()
    block = set(connection.savepoint_ids)
    if connection.in_atomic_block and any(
        callback is _new_version and savepoints == block
        for savepoints, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_new_version)


def _new_version():
    caches["freshness"].set(VERSION_KEY, time.time_ns(), timeout=None)


def on_films_write(sender, action="post", **kwargs):
    """The safety net: receiver for post_save, post_delete and m2m_changed of every model in
    this app, for writes no writer announced."""
    if action.startswith("post"):
        data_changed()


def remember(name, queryset, compute):
    """compute(), a value derived from queryset's rows (a count, facet counts), kept in the
    cache until the films data changes.

    The key holds the data version and queryset's SQL without its ordering: the same
    filters, in whatever order or sort a URL gives them, share one entry, and any change to
    the data makes every entry stale. COUNT_CACHE_SECONDS = 0 turns this off.
    """
    if not settings.COUNT_CACHE_SECONDS:
        return compute()
    rows = queryset.order_by()
    sql, params = rows.query.sql_with_params()
    digest = hashlib.sha256(repr((rows.db, sql, params)).encode()).hexdigest()
    cache = caches["default"]
    try:
        key = f"films:{name}:{data_version()}:{digest}"
        found = cache.get(key, _MISSING)
    except CACHE_ERRORS as error:
        logger.warning("Counting without the cache: it failed: %s", error)
        return compute()
    if found is not _MISSING:
        return found
    value = compute()
    try:
        cache.set(key, value, settings.COUNT_CACHE_SECONDS)
    except CACHE_ERRORS as error:
        logger.warning("Not keeping %s: the cache failed: %s", name, error)
    return value


_held = {}


def held(name, compute):
    """compute(), kept in this process until the films data changes: for small values that
    every request of a page needs (the genre choices), which the shared cache would cost a
    round trip and the query's compilation each time. COUNT_CACHE_SECONDS = 0 turns this
    off."""
    if not settings.COUNT_CACHE_SECONDS:
        return compute()
    try:
        version = data_version()
    except CACHE_ERRORS as error:
        logger.warning("Reading %s afresh: the cache failed: %s", name, error)
        return compute()
    found = _held.get(name)
    if found is not None and found[0] == version:
        return found[1]
    value = compute()
    _held[name] = (version, value)
    return value
