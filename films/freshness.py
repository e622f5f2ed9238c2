"""Keeps cached pages fresh: any change to the films data makes every cached page stale.

The data version is the time of the last change, kept in the "freshness" cache that every
worker shares. The page cache stores each page with the version it was rendered at and
renders it again when the version has moved on (moviedb/middleware.py).

Saves and deletes through the ORM (the admin, loaddata, `Model.save()`) call
`data_changed()` through the signals connected in films/apps.py. Writes that send no signals
(`bulk_create`, `QuerySet.update()`, `QuerySet.delete()` of rows without signals, raw SQL,
COPY) must call `data_changed()` themselves once they are done.
"""

import time

from django.core.cache import caches
from django.db import transaction

VERSION_KEY = "films:data-version"


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


def data_changed():
    """Makes every cached page stale, once the current transaction (if any) commits.

    Waiting for the commit matters: a page rendered before then would still show the old
    data, and must not be kept under the new version.
    """
    transaction.on_commit(_new_version)


def _new_version():
    caches["freshness"].set(VERSION_KEY, time.time_ns(), timeout=None)


def on_films_write(sender, action="post", **kwargs):
    """Receiver for post_save, post_delete and m2m_changed of every model in this app."""
    if sender._meta.app_label == "films" and action.startswith("post"):
        data_changed()
